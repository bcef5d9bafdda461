-- A chain of the audit log per instance (issue 21): `audit_lane_append_or_end`.
--
-- Every instance appended to one chain, under one lock (7513) held until its commit was on
-- disk, so instances took turns: two served fewer reads than one. Now each instance takes a
-- lane at start (a session advisory lock (7514, lane) on a connection of its own, the first
-- lane no running instance holds) and appends to the lane's chain: the entries whose `seq`
-- lies in (lane << 40, (lane + 1) << 40), the first chained from GENESIS. Lane 0 is the log as
-- it was, locked by 7513 as before, so that an instance of the previous version (which
-- appends after the highest `seq` under 7513) during a rolling upgrade takes turns with lane
-- 0's writer while lane 0 is the highest; other lanes lock (7513, lane). Should two writers
-- ever append to one lane (a lost lane connection; a previous version's instance after a
-- higher lane's end, which does not take that lane's lock), the lock and the end's check, or
-- else the `seq` key, keep its chain whole: a taken `seq` fails the insert, and the writer
-- writes again. The table does not change.
--
-- Otherwise the same as `audit_append_or_end` (migration 0032), which stays for instances of
-- the previous version; a later migration can drop it.
CREATE FUNCTION audit_lane_append_or_end(
    lane BIGINT, after_seq BIGINT, after_hash TEXT,
    e_seq BIGINT[], e_at TEXT[], e_event TEXT[], e_patient TEXT[], e_user TEXT[],
    e_responsible TEXT[], e_role TEXT[], e_channel TEXT[], e_request TEXT[], e_detail TEXT[],
    e_prev_hash TEXT[], e_hash TEXT[],
    g_token TEXT[], g_version BIGINT[], g_updated TEXT[], g_practice TEXT[], g_settings TEXT[],
    c_at TEXT[], c_event TEXT[], c_request TEXT[], c_correlation TEXT[], c_client TEXT[],
    c_status INT[], c_resource TEXT[],
    -- What was written, and the lane's end found under the lock (its start and no hash: empty).
    OUT written BIGINT, OUT end_seq BIGINT, OUT end_hash TEXT
)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    holding BIGINT;
    lane_start CONSTANT BIGINT := lane << 40;
BEGIN
    IF lane = 0 THEN
        PERFORM pg_advisory_xact_lock(7513);
    ELSE
        PERFORM pg_advisory_xact_lock(7513, lane::int4);
    END IF;
    SELECT seq, hash INTO end_seq, end_hash FROM audit_log
    WHERE seq > lane_start AND seq < (lane + 1) << 40 ORDER BY seq DESC LIMIT 1;
    end_seq := COALESCE(end_seq, lane_start);
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
