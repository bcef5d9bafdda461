-- Passkeys (WebAuthn) as a second factor for staff accounts (issue 22, finding 4), kept apart
-- from the portal's: a staff username and a patient's account name may be the same text.
-- `passkey` is the credential as webauthn-rs serialises it (public key and counter; no secret).
-- A reset of the account's login removes them; so does its activation.
CREATE TABLE staff_passkeys (
    credential_id TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES staff_accounts(username) ON DELETE CASCADE,
    passkey TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX staff_passkeys_username ON staff_passkeys(username);
