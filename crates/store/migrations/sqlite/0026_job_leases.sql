-- Background jobs that several server instances on one database must run only once per turn
-- (issue 21): the purges of expired sessions, of the chain log and of the PGO log. An instance
-- runs a job only when it takes the job's lease; the lease lasts until the job's next turn, so
-- the other instances skip this one.
CREATE TABLE job_leases (
    job TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    held_until TEXT NOT NULL
);
