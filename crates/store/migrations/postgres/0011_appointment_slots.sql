-- The practice's bookable appointment slots (R49). A slot is booked by setting its patient in one
-- conditional UPDATE, so two people can never book the same slot.
CREATE TABLE appointment_slots (
    id TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices(id),
    practitioner TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 120),
    kind TEXT NOT NULL,
    online BOOLEAN NOT NULL,
    patient_id TEXT REFERENCES patients(id) ON DELETE SET NULL,
    booked_by TEXT,
    booked_at TEXT,
    appointment_id TEXT
);
CREATE INDEX appointment_slots_day ON appointment_slots(practice_id, starts_at);
CREATE INDEX appointment_slots_patient ON appointment_slots(patient_id);
