-- Sharing with other providers (issue 20, R113-R118). Registered provider systems (a
-- huisartsenpost, a pharmacy, a hospital) log in with OAuth client credentials; only the SHA-256
-- of their secret and of each access token is kept. Every request for a patient's summary, answered
-- or refused, is a row of `exchange_retrievals` beside its audit entry: the practice reviews the
-- emergency ones afterwards. No medical content is kept here.
CREATE TABLE exchange_clients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);

CREATE TABLE exchange_tokens (
    token_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES exchange_clients(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
);
CREATE INDEX exchange_tokens_expiry ON exchange_tokens(expires_at);

CREATE TABLE exchange_retrievals (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    practice_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_name TEXT NOT NULL,
    category TEXT NOT NULL,
    data TEXT NOT NULL,
    practitioner TEXT NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    emergency_reason TEXT,
    reviewed_by TEXT,
    reviewed_at TEXT,
    review_note TEXT
);
CREATE INDEX exchange_retrievals_patient ON exchange_retrievals(patient_id, at);
CREATE INDEX exchange_retrievals_review ON exchange_retrievals(practice_id, outcome, reviewed_at);

-- A patient's request not to share an item with a kind of provider is a practice request too
-- (kind 'block'), as is a request to destroy (parts of) the record (kind 'destruction', R111).
-- SQLite cannot change a CHECK constraint: the table is rebuilt with the same rows.
CREATE TABLE practice_requests_new (
    kind TEXT NOT NULL CHECK (kind IN ('copy', 'correction', 'prescription', 'block', 'destruction')),
    id TEXT NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requester_role TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    reason TEXT,
    details TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
INSERT INTO practice_requests_new SELECT kind, id, patient_id, subject, requested_by,
    requester_role, requested_at, status, decided_by, decided_at, reason, details
FROM practice_requests;
DROP TABLE practice_requests;
ALTER TABLE practice_requests_new RENAME TO practice_requests;
CREATE INDEX practice_requests_patient ON practice_requests(patient_id, kind, requested_at);
CREATE INDEX practice_requests_waiting ON practice_requests(kind, requested_at) WHERE decided_at IS NULL;
CREATE UNIQUE INDEX practice_requests_one_waiting ON practice_requests(kind, patient_id, subject) WHERE decided_at IS NULL;
