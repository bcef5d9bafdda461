-- Passkeys (WebAuthn) as a second factor for development-IdP accounts. `passkey` is the
-- credential as webauthn-rs serialises it (public key and counter; no secret).
CREATE TABLE passkeys (
    credential_id TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES idp_accounts(username),
    passkey TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX passkeys_username ON passkeys(username);
