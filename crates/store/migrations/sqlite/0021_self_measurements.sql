-- Measurements a patient took themselves and sent from a PGO (MedMij data service 52, R127).
-- They are patient-reported: kept beside the record, never among the practice's own results,
-- each with the app that sent it and the GP's review (new, accepted, declined).
CREATE TABLE self_measurements (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    practice_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- The LOINC code, for code searches.
    code TEXT NOT NULL,
    -- When measured, as an instant (order and period searches).
    effective_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    -- 'new', 'accepted' or 'declined': the practice's queue holds the new ones.
    review TEXT NOT NULL,
    -- The whole measurement (values, categories, comment, review), JSON.
    body TEXT NOT NULL
);
CREATE INDEX self_measurements_patient ON self_measurements(patient_id, effective_at);
CREATE INDEX self_measurements_queue ON self_measurements(practice_id, review, received_at);
