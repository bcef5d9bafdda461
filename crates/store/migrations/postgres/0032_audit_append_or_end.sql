-- The audit group commit's call answers a moved chain end instead of failing (issue 21):
-- `audit_append_or_end`.
--
-- `audit_append` (migration 0031) refused a batch chained from an entry that is no longer the
-- last one with SQLSTATE 40001. Two busy instances move each other's chain end before almost
-- every commit, so most calls failed: PostgreSQL wrote an ERROR to its log for each, and the
-- writer then wrote the batch in a transaction of five round trips that held the audit lock
-- across them. Now the call answers the chain's end as it found it under the lock, with
-- nothing written (`written` = -1), and the writer chains the batch from that end and calls
-- again at once. Otherwise the same as 0031: `written` is the number of audit entries written
-- (all, or 0 when a guard no longer holds: the chain log's rows are written in any case).
-- `audit_append` stays for instances of the previous version still running during a rolling
-- upgrade (both take the same lock and extend the same chain); a later migration can drop it.
CREATE FUNCTION audit_append_or_end(
    after_seq BIGINT, after_hash TEXT,
    e_seq BIGINT[], e_at TEXT[], e_event TEXT[], e_patient TEXT[], e_user TEXT[],
    e_responsible TEXT[], e_role TEXT[], e_channel TEXT[], e_request TEXT[], e_detail TEXT[],
    e_prev_hash TEXT[], e_hash TEXT[],
    g_token TEXT[], g_version BIGINT[], g_updated TEXT[], g_practice TEXT[], g_settings TEXT[],
    c_at TEXT[], c_event TEXT[], c_request TEXT[], c_correlation TEXT[], c_client TEXT[],
    c_status INT[], c_resource TEXT[],
    -- What was written, and the chain's end found under the lock (seq 0 and no hash: empty).
    OUT written BIGINT, OUT end_seq BIGINT, OUT end_hash TEXT
)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    holding BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(7513);
    SELECT seq, hash INTO end_seq, end_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
    end_seq := COALESCE(end_seq, 0);
    IF end_seq <> after_seq OR (end_hash IS NOT NULL AND end_hash <> after_hash) THEN
        -- Another writer appended since: nothing written, the caller chains from the end.
        written := -1;
        RETURN;
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
            written := 0;
            RETURN;
        END IF;
    END IF;
    INSERT INTO audit_log (seq, at, event, patient_id, user_id, responsible_user, role, channel,
                           request_id, detail, prev_hash, hash)
    SELECT * FROM unnest(e_seq, e_at, e_event, e_patient, e_user, e_responsible, e_role, e_channel,
                         e_request, e_detail, e_prev_hash, e_hash);
    written := cardinality(e_seq);
END;
$$;
