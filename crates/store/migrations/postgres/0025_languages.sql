-- The language a person reads inzage in (issue 17): chosen with the switch on any page while
-- logged in, kept per person (BSN) like their notification choices, and used at every login,
-- for their e-mails and for their copy.
CREATE TABLE person_languages (
    bsn TEXT PRIMARY KEY,
    lang TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The language a queued e-mail is written in, fixed when it is queued.
ALTER TABLE notification_jobs ADD COLUMN lang TEXT NOT NULL DEFAULT 'nl';
