-- The audit log by patient, kept up by a background task (`audit_indexer` in backend.rs) in
-- place of an index on audit_log. Nearly every entry names a patient (a login names none), and
-- patients' entries lie apart in such an index: each entry of a group commit dirtied a page of its own, written
-- whole to the WAL, which was a third of the commit's cost. The task files many entries per
-- page at once. An entry not yet filed (`seq` above `audit_patient_done`) is found by its
-- `seq`: the queries read the filed entries and that short tail together.
CREATE TABLE audit_patient (
    patient_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (patient_id, seq)
) WITHOUT ROWID;

-- How far filing went: the `seq` and the hash of the entry there (0 and '' before any), so
-- that a log cut short and written again under it is seen and filed again.
CREATE TABLE audit_patient_done (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);

INSERT INTO audit_patient (patient_id, seq)
    SELECT patient_id, seq FROM audit_log WHERE patient_id IS NOT NULL ORDER BY patient_id, seq;
INSERT INTO audit_patient_done (id, seq, hash) VALUES (
    1,
    COALESCE((SELECT max(seq) FROM audit_log), 0),
    COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '')
);

DROP INDEX audit_log_patient;
