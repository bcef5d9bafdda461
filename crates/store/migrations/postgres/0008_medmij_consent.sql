-- The MedMij authorization flow: single-use authorization codes and the refresh tokens of a
-- long-term consent. Only hashes are kept; a refresh token lives no longer than the consent.
CREATE TABLE medmij_codes (
    code_hash TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    subject TEXT NOT NULL,
    consent_until TEXT,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE TABLE medmij_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX medmij_refresh_tokens_patient ON medmij_refresh_tokens(patient_id, client_id);
