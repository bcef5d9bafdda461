-- Patient login (the built-in development identity provider), login throttling, server-side
-- sessions, and an index of who represents whom (for choosing whose record to open).

-- Accounts of the development identity provider: a username and password, then a second factor.
-- Production practices log in through OpenID Connect instead; this table then stays empty.
CREATE TABLE idp_accounts (
    username TEXT PRIMARY KEY,
    bsn TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    -- The last TOTP time step used, so a code cannot be used twice.
    totp_last_step BIGINT,
    created_at TEXT NOT NULL
);

-- Failed login attempts per key ("password:<username>", "code:<username>"), whether or not an
-- account exists, so lock-out behaves the same for unknown usernames.
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT
);

-- Server-side sessions; the key is the SHA-256 of the session id, so the table alone does not
-- let anyone take over a session.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- Whose record each person may act on through a representation (parents, legal representatives,
-- authorised carers). Derived from the representation items; rewritten with every record save.
CREATE TABLE representatives (
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    agent_bsn TEXT NOT NULL,
    PRIMARY KEY (patient_id, agent_bsn)
);
CREATE INDEX representatives_agent ON representatives(agent_bsn);
INSERT OR IGNORE INTO representatives (patient_id, agent_bsn)
    SELECT patient_id, json_extract(payload, '$.agent_bsn') FROM record_items
    WHERE kind = 'representation' AND json_extract(payload, '$.agent_bsn') IS NOT NULL;
