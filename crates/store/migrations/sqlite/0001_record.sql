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
    seq INTEGER PRIMARY KEY,
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

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
