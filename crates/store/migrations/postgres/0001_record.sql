-- The GP record: one row per practice and patient, one row per record item (practitioners
-- referred to by a record are stored with it as items).
-- Items are stored as JSON documents of the domain types (see ARCHITECTURE.md, "Store").
CREATE TABLE practices (
    id TEXT PRIMARY KEY,
    payload TEXT NOT NULL
);

CREATE TABLE practice_settings (
    practice_id TEXT PRIMARY KEY REFERENCES practices(id),
    payload TEXT NOT NULL
);

CREATE TABLE patients (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    bsn TEXT UNIQUE,
    birth_date TEXT NOT NULL,
    family_name TEXT NOT NULL,
    payload TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX patients_practice ON patients(practice_id, family_name);

CREATE TABLE record_items (
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    ord BIGINT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (patient_id, kind, item_id)
);

-- NEN 7513 access log. Append-only: triggers refuse UPDATE and DELETE; every row carries the
-- hash of the previous row so a changed or removed row breaks the chain.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    patient_id TEXT,
    user_id TEXT NOT NULL,
    responsible_user TEXT NOT NULL,
    role TEXT NOT NULL,
    channel TEXT NOT NULL,
    request_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_patient ON audit_log(patient_id, seq);

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
