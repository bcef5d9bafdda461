-- Retention and destruction (issue 20, R107, R108, R111). A record is kept 20 years after its last
-- medical change: `medical_changed_at` is written with every save (NULL for rows saved before
-- this migration: `updated_at`, never earlier than the last medical change, stands in for it, so
-- a term is never taken to end too early). A daily job writes the records whose term has ended
-- into `retention_reviews` (the report); nothing is deleted until a GP decides. Every
-- destruction, at the end of the term or on the patient's request, is kept in
-- `record_destructions`, which has no tie to the destroyed rows and holds no medical content.
ALTER TABLE patients ADD COLUMN medical_changed_at TEXT;
CREATE INDEX patients_medical_change ON patients(practice_id, medical_changed_at);

CREATE TABLE retention_reviews (
    patient_id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL,
    found_at TEXT NOT NULL,
    decision TEXT,
    decided_by TEXT,
    decided_at TEXT,
    keep_until TEXT,
    reason TEXT
);
CREATE INDEX retention_reviews_open ON retention_reviews(practice_id, decided_at);

CREATE TABLE record_destructions (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    practice_id TEXT NOT NULL,
    -- 'term' (the retention term ended) or 'request' (the patient asked, WGBO 7:455)
    basis TEXT NOT NULL,
    -- 'record', or the kinds and ids of the destroyed items
    scope TEXT NOT NULL,
    requested_at TEXT,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX record_destructions_practice ON record_destructions(practice_id, decided_at);
