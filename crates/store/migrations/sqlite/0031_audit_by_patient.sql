-- The audit log by patient, kept up by a background task (`audit_indexer` in backend.rs) in
-- place of an index on audit_log. Every entry names a patient, and patients' entries lie
-- apart in such an index: each entry of a group commit dirtied a page of its own, written
-- whole to the WAL, which was a third of the commit's cost. The task files many entries per
-- page at once. An entry not yet filed (`seq` above `audit_patient_done`) is found by its
-- `seq`: the queries read the filed entries and that short tail together.
CREATE TABLE audit_patient (
    patient_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (patient_id, seq)
) WITHOUT ROWID;

CREATE TABLE audit_patient_done (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);

INSERT INTO audit_patient (patient_id, seq)
    SELECT patient_id, seq FROM audit_log WHERE patient_id IS NOT NULL ORDER BY patient_id, seq;
INSERT INTO audit_patient_done (id, seq) VALUES (1, COALESCE((SELECT max(seq) FROM audit_log), 0));

DROP INDEX audit_log_patient;
