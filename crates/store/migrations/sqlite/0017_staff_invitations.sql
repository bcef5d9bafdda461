-- Staff onboarding and resets by invitation (issue 22, finding 4): the administrator invites, the
-- staff member sets their own password and second factor through a one-time link sent to their
-- own e-mail address. Only the SHA-256 of a link's code is kept. A credential change ends every
-- session that began before it (credentials_changed_at).
ALTER TABLE staff_accounts ADD COLUMN email TEXT;
ALTER TABLE staff_accounts ADD COLUMN credentials_changed_at TEXT;
CREATE TABLE staff_invitations (
    code_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES staff_accounts(username) ON DELETE CASCADE,
    invited_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX staff_invitations_username ON staff_invitations(username);
