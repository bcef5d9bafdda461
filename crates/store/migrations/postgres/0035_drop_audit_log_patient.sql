-- no-transaction
-- The index by patient and `seq` gives way to the one by patient, time and `seq` (migration
-- 0034): every audit entry is written into each index of the log, so one is kept, not two.
DROP INDEX CONCURRENTLY IF EXISTS audit_log_patient;
