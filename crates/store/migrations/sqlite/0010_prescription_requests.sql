-- Repeat-prescription requests from the portal (R48): what the patient asked for, the GP's
-- decision, and the hand-off to the pharmacy.
CREATE TABLE prescription_requests (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    medication_id TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requester_role TEXT NOT NULL,
    pharmacy TEXT NOT NULL,
    remark TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'consult')),
    decided_by TEXT,
    decided_at TEXT,
    reason TEXT,
    dosage TEXT,
    quantity TEXT,
    new_medication_id TEXT,
    sent_to_pharmacy_at TEXT
);
CREATE INDEX prescription_requests_patient ON prescription_requests(patient_id, requested_at);
CREATE INDEX prescription_requests_open ON prescription_requests(status, requested_at);
-- One open request per medication: a second click (or a second person) does not ask twice.
CREATE UNIQUE INDEX prescription_requests_one_open ON prescription_requests(patient_id, medication_id) WHERE status = 'requested';
