-- The PGO (issue 19): a person's own health environment. Nothing here belongs to a practice's
-- record; every row belongs to one PGO account and goes when the account is deleted.

-- One row per person, keyed by a hash of their login subject (never the BSN).
CREATE TABLE pgo_accounts (
    id TEXT PRIMARY KEY,
    subject_hash TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- A connection to one data service of one provider (R94-R101). The refresh token is stored
-- encrypted (enc1:, see secret.rs); NULL once withdrawn or when the consent was for once only.
CREATE TABLE pgo_connections (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES pgo_accounts(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    service TEXT NOT NULL,
    refresh_token TEXT,
    connected_at TEXT NOT NULL,
    withdrawn_at TEXT,
    last_fetch_at TEXT,
    -- The last fetch's outcome per query (counts and error kinds; never content), JSON.
    last_outcome TEXT,
    UNIQUE (account_id, provider, service)
);

-- Every resource fetched, per source (R99, R124): provider, data service, the query that
-- brought it and when. The body is encrypted; the digest (keyed) tells a change.
CREATE TABLE pgo_resources (
    account_id TEXT NOT NULL REFERENCES pgo_accounts(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    service TEXT NOT NULL,
    query TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    body TEXT NOT NULL,
    digest TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (account_id, provider, service, query, resource_type, resource_id)
);

-- The person's own log (logins, fetches, consents, shares): what happened and with which
-- provider, never content. Kept five years (MedMij A.12.4.1).
CREATE TABLE pgo_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES pgo_accounts(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX pgo_log_account ON pgo_log(account_id, at);
