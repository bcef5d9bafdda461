-- Copy requests, corrections and repeat prescriptions are one kind of thing: a request that waits
-- for one decision of the practice. One table; what differs per kind is data: its status words,
-- what at most one waiting request may be about (subject), and its own fields (details, JSON).
CREATE TABLE practice_requests (
    kind TEXT NOT NULL CHECK (kind IN ('copy', 'correction', 'prescription')),
    id TEXT NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    -- copy: the person asking; prescription: the medication; correction: the request itself.
    subject TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requester_role TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT,
    -- NULL while the request waits; a decision sets it once.
    decided_at TEXT,
    -- Why declined or rejected, what was corrected (the person who asked reads it).
    reason TEXT,
    details TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX practice_requests_patient ON practice_requests(patient_id, kind, requested_at);
CREATE INDEX practice_requests_waiting ON practice_requests(kind, requested_at) WHERE decided_at IS NULL;
-- At most one waiting request per kind, patient and subject, even under concurrent clicks.
CREATE UNIQUE INDEX practice_requests_one_waiting ON practice_requests(kind, patient_id, subject) WHERE decided_at IS NULL;

INSERT INTO practice_requests
SELECT 'copy', id, patient_id, requested_by, requested_by, requester_role, requested_at, status,
       decided_by, decided_at, reason, '{}'
FROM copy_requests;

INSERT INTO practice_requests
SELECT 'prescription', id, patient_id, medication_id, requested_by, requester_role, requested_at,
       status, decided_by, decided_at, reason,
       json_build_object('medication', medication_id, 'pharmacy', pharmacy, 'remark', remark,
                   'dosage', dosage, 'quantity', quantity, 'new_medication', new_medication_id,
                   'sent_to_pharmacy_at', sent_to_pharmacy_at)::text
FROM prescription_requests;

INSERT INTO practice_requests
SELECT 'correction', id, patient_id, id, requested_by, requester_role, requested_at, status,
       decided_by, decided_at, reason,
       json_build_object('item_kind', item_kind, 'item_id', item_id, 'kind', kind, 'text', text,
                   'requested_bsn', requested_bsn)::text
FROM correction_requests;

DROP TABLE copy_requests;
DROP TABLE prescription_requests;
DROP TABLE correction_requests;
