-- Practice staff: GP, assistant, practice nurse, administrator. Password plus TOTP (always).
-- A deployment can host several practices; every staff member belongs to one.
CREATE TABLE staff_accounts (
    username TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret TEXT NOT NULL,
    totp_last_step BIGINT,
    active BOOLEAN NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX staff_accounts_practice ON staff_accounts(practice_id, username);
CREATE INDEX patients_bsn_search ON patients(practice_id, birth_date);
