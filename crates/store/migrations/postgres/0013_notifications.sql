-- Notifications without medical content (R119, R120, R122).
-- Who wants which notices, at which address. Keyed by the person (BSN), not by a record: a parent
-- gets notices about their children's records at their own address.
CREATE TABLE notification_contacts (
    bsn TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    -- Comma-separated notice kinds the person wants (reply, prescription, appointment, released).
    kinds TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The outbox: one row per e-mail to send. A worker claims a row with a conditional UPDATE and a
-- lease, so two server instances never send the same row at the same time; a failure is retried
-- with back-off until max attempts. The row holds an address and a practice name, never content.
CREATE TABLE notification_jobs (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    practice_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_by TEXT,
    claimed_until TEXT,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX notification_jobs_due ON notification_jobs(status, next_attempt_at);
-- Notices waiting for the same address and practice collapse into one: the text is the same.
CREATE UNIQUE INDEX notification_jobs_one_pending ON notification_jobs(email, practice_id) WHERE status = 'pending';

-- The development mailbox: with no SMTP server configured, mail is delivered here and shown on
-- the dev mailbox page.
CREATE TABLE dev_mailbox (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
