-- Portal invitations: the practice hands the patient a one-time activation code (stored only as
-- its SHA-256 hash) with which they create their portal login. Used once, expires.
CREATE TABLE portal_invitations (
    code_hash TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX portal_invitations_patient ON portal_invitations(patient_id);
