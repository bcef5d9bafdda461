-- The audit group commit as one call (issue 21, `backend.rs`, `postgres_batch_at_once`).
--
-- A batch's entries are chained by the application from the entry it expects to be the last
-- (`after_seq`, `after_hash`). The call takes the audit lock first. A single statement's snapshot
-- is taken before it waits for the lock; each statement of this VOLATILE function after the lock
-- takes a fresh one, so the checks below see everything committed while it waited: another
-- instance's entries, and a token revoked or a record changed meanwhile. If the last stored
-- entry is not the expected one, nothing is written and the call fails with SQLSTATE 40001: the
-- writer then reads the chain's end and writes the batch again (40001 asks for a retry, which is
-- what the writer does). The fresh snapshots need READ COMMITTED, PostgreSQL's default isolation
-- level, which the store never changes (the slower statement-by-statement way needs it as well).
--
-- The chain log's rows are written in any case; the audit entries only if every access guard
-- (g_*) still holds (the token is not revoked and the record, the practice and its settings are
-- stored as they were): the same condition as `guards_that_hold!` in `backend.rs`. Returns the
-- number of audit entries written (all or none).
CREATE FUNCTION audit_append(
    after_seq BIGINT, after_hash TEXT,
    e_seq BIGINT[], e_at TEXT[], e_event TEXT[], e_patient TEXT[], e_user TEXT[],
    e_responsible TEXT[], e_role TEXT[], e_channel TEXT[], e_request TEXT[], e_detail TEXT[],
    e_prev_hash TEXT[], e_hash TEXT[],
    g_token TEXT[], g_version BIGINT[], g_updated TEXT[], g_practice TEXT[], g_settings TEXT[],
    c_at TEXT[], c_event TEXT[], c_request TEXT[], c_correlation TEXT[], c_client TEXT[],
    c_status INT[], c_resource TEXT[]
) RETURNS BIGINT
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    last_seq BIGINT;
    last_hash TEXT;
    holding BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(7513);
    SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
    IF COALESCE(last_seq, 0) <> after_seq OR (last_seq IS NOT NULL AND last_hash <> after_hash) THEN
        RAISE EXCEPTION 'the audit log''s last entry is %, not % as expected', COALESCE(last_seq, 0), after_seq
            USING ERRCODE = '40001';
    END IF;
    INSERT INTO medmij_chain_log (at, event, request_id, correlation_id, client_id, status, resource)
    SELECT * FROM unnest(c_at, c_event, c_request, c_correlation, c_client, c_status, c_resource);
    -- Fails closed: without a guard list (NULL) no audit entry is written.
    IF cardinality(g_token) IS DISTINCT FROM 0 THEN
        SELECT count(*) INTO holding
        FROM unnest(g_token, g_version, g_updated, g_practice, g_settings)
            AS g(token_hash, version, updated_at, practice, settings)
        JOIN medmij_access_tokens t ON t.token_hash = g.token_hash AND t.revoked_at IS NULL
        JOIN patients p ON p.id = t.patient_id AND p.version = g.version AND p.updated_at = g.updated_at
        JOIN practices pr ON pr.id = p.practice_id AND pr.payload = g.practice
        LEFT JOIN practice_settings s ON s.practice_id = p.practice_id
        WHERE COALESCE(s.payload, '') = g.settings;
        IF holding IS DISTINCT FROM cardinality(g_token) THEN
            RETURN 0;
        END IF;
    END IF;
    INSERT INTO audit_log (seq, at, event, patient_id, user_id, responsible_user, role, channel,
                           request_id, detail, prev_hash, hash)
    SELECT * FROM unnest(e_seq, e_at, e_event, e_patient, e_user, e_responsible, e_role, e_channel,
                         e_request, e_detail, e_prev_hash, e_hash);
    RETURN cardinality(e_seq);
END;
$$;
