-- Share links (R126): a person lets a clinician read chosen parts of their PGO for a while. The
-- link's token and the separately given code are stored only as hashes (the code's bound to the
-- token, so the database alone cannot be used to guess it); wrong codes are counted and a link
-- that gets too many is closed.
CREATE TABLE pgo_shares (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES pgo_accounts(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    code_hash TEXT NOT NULL,
    label TEXT NOT NULL,
    -- The person's name as the clinician reads it on the shared page.
    owner_name TEXT NOT NULL,
    categories TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    failed_attempts INTEGER NOT NULL,
    -- How often it was opened (each opening is also in the person's log).
    openings INTEGER NOT NULL
);
CREATE INDEX pgo_shares_account ON pgo_shares(account_id, created_at);
