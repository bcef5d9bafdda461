-- MedMij access tokens (R74-R89): bearer tokens a PGO presents to the resource server. Only the
-- SHA-256 of a token is kept; the patient comes from the token alone (R71).
CREATE TABLE medmij_access_tokens (
    token_hash TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX medmij_access_tokens_patient ON medmij_access_tokens(patient_id);
