-- Edits keep history: the previous version of every item a save changes or removes is kept here,
-- never overwritten (issue 5: "the previous version stays retrievable").
CREATE TABLE record_item_history (
    patient_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX record_item_history_item ON record_item_history(patient_id, kind, item_id, replaced_at);

-- Results waiting for a GP's review, per practice: derived from the records, rewritten with every
-- save (like `representatives`).
CREATE TABLE review_queue (
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    result_id TEXT NOT NULL,
    practice_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (patient_id, result_id)
);
CREATE INDEX review_queue_practice ON review_queue(practice_id, received_at);
