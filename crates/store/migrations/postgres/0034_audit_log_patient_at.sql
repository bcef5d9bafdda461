-- no-transaction
-- A patient's audit entries in the order they happened (issue 21): with a lane per instance
-- (migration 0033) `seq` orders entries within a lane, not across lanes, so the access log
-- reads a patient's entries by `at` (fixed-width UTC text, compared byte by byte), then `seq`.
-- Built without blocking the writers, which append all the while (hence no transaction). A
-- build that failed leaves the index invalid; the store drops it before migrating, so that
-- this builds it again rather than skip it as existing (whereupon 0035 would drop the only
-- good one). A build that went on after its client was gone leaves a valid index and this
-- migration unrecorded: then it is rightly skipped.
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_log_patient_at
    ON audit_log (patient_id, at COLLATE "C", seq);
