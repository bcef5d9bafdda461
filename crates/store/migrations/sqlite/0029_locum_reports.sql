-- The locum's report of a contact (waarneembericht, issue 20): a huisartsenpost's system sends it
-- to the patient's own practice, where it waits until a GP files it into the record.
CREATE TABLE locum_reports (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    practice_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_name TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body TEXT NOT NULL,
    filed_by TEXT,
    filed_at TEXT,
    contact_id TEXT
);
CREATE INDEX locum_reports_waiting ON locum_reports(practice_id, filed_at, received_at);
