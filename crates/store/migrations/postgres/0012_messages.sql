-- Questions to the practice (e-consult, R47): threads per topic, each with its messages. A message
-- may carry one attachment (an image or a PDF, checked by content before it is stored).
CREATE TABLE message_threads (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    started_by TEXT NOT NULL,
    -- The person (BSN) who asked: a reply notice goes to them.
    started_bsn TEXT NOT NULL,
    started_role TEXT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- waiting: the practice has to answer; answered: the patient has an answer; closed.
    status TEXT NOT NULL CHECK (status IN ('waiting', 'answered', 'closed')),
    -- The e-consult contact this thread became in the record, if the practice converted it.
    consult_id TEXT
);
CREATE INDEX message_threads_patient ON message_threads(patient_id, updated_at);
CREATE INDEX message_threads_status ON message_threads(status, updated_at);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL REFERENCES message_threads(id) ON DELETE CASCADE,
    from_practice BOOLEAN NOT NULL,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    attachment_name TEXT,
    attachment_type TEXT,
    attachment BYTEA
);
CREATE INDEX messages_thread ON messages(thread_id, sent_at);
