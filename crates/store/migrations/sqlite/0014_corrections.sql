-- The patient's requests about their record (WGBO, AVG art. 16; R109, R110): a correction of an
-- item, or their own statement to be added to it. The GP corrects the item (the original stays in
-- the item history), declines with a reason, or attaches the statement, which is then shown with
-- the item.
CREATE TABLE correction_requests (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    item_kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('correction', 'statement')),
    text TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_bsn TEXT NOT NULL,
    requester_role TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('requested', 'corrected', 'declined', 'attached')),
    decided_by TEXT,
    decided_at TEXT,
    -- Why declined, or what was corrected (the patient reads it).
    reason TEXT
);
CREATE INDEX correction_requests_patient ON correction_requests(patient_id, requested_at);
CREATE INDEX correction_requests_open ON correction_requests(status, requested_at);
