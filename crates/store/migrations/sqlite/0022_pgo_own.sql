-- What a person adds to their own PGO (issue 19): measurements, over-the-counter medicines and
-- notes. The body is encrypted like fetched resources; `sent_to` lists the providers a
-- measurement was sent to (data service 52), as JSON.
CREATE TABLE pgo_own_items (
    account_id TEXT NOT NULL REFERENCES pgo_accounts(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_to TEXT NOT NULL,
    PRIMARY KEY (account_id, id)
);
