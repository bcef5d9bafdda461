-- Requests for the full electronic copy (afschrift, R102) when the practice checks them first.
-- No medical content: who asked, when, and what the practice decided.
CREATE TABLE copy_requests (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    requested_by TEXT NOT NULL,
    requester_role TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    decided_by TEXT,
    decided_at TEXT,
    reason TEXT
);
CREATE INDEX copy_requests_patient ON copy_requests(patient_id, requested_at);
CREATE INDEX copy_requests_pending ON copy_requests(status, requested_at);
-- At most one pending request per person and patient, even under concurrent clicks.
CREATE UNIQUE INDEX copy_requests_one_pending ON copy_requests(patient_id, requested_by) WHERE status = 'pending';
