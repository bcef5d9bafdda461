//! The practice's appointment slots (R49): staff add them, patients book the ones open for
//! online booking, and cancel up to the practice's limit. Booking and cancelling change the slot
//! and the patient's record (the appointment) in one transaction; a slot is taken by a
//! conditional UPDATE, so a double booking cannot happen, whatever runs concurrently.

use crate::audit::{AuditEvent, format_instant};
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::{PatientId, PatientRecord, PracticeId};
use sqlx::Row;
use std::future::Future;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub id: String,
    pub practice: PracticeId,
    /// Who holds the surgery, as shown to patients ("dokter Jansen").
    pub practitioner: String,
    pub starts_at: DateTime<Utc>,
    pub minutes: u32,
    /// "Spreekuur", "Telefonisch consult", ...
    pub kind: String,
    /// Patients may book it online.
    pub online: bool,
    pub patient: Option<PatientId>,
    pub booked_by: Option<String>,
    pub booked_at: Option<DateTime<Utc>>,
    /// The appointment in the patient's record.
    pub appointment: Option<String>,
}

impl Slot {
    /// The appointment booking this slot puts in the patient's record: its time, length and
    /// "Spreekuur (dokter Jansen)", with why and how, booked now by `by`.
    pub fn appointment(
        &self,
        id: inzage_domain::AppointmentId,
        reason: Option<String>,
        mode: Option<inzage_domain::AppointmentMode>,
        by: inzage_domain::Actor,
        at: DateTime<Utc>,
    ) -> inzage_domain::Appointment {
        inzage_domain::Appointment {
            id,
            start: self.starts_at,
            minutes: self.minutes,
            practitioner: None,
            kind: format!("{} ({})", self.kind, self.practitioner),
            status: inzage_domain::AppointmentStatus::Booked,
            reason,
            mode,
            meta: inzage_domain::ItemMeta::new(by, at),
        }
    }
}

pub trait AgendaStore: Send + Sync {
    /// Adds slots, all or none.
    fn add_slots(&self, slots: &[Slot]) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A practice's slots starting in `[from, to)`, in time order.
    fn slots_between(
        &self,
        practice: &PracticeId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Slot>, StoreError>> + Send;

    fn slot(&self, id: &str) -> impl Future<Output = Result<Option<Slot>, StoreError>> + Send;

    /// Books a free slot (an online one when `online_only`) for the patient and saves the record
    /// with the new appointment, in one transaction. `false` when the slot is taken (or not
    /// open online); then nothing is written.
    /// `max_open`: the booking is refused (`false`) when the patient already has this many
    /// future booked slots, counted in the same statement that books.
    #[allow(clippy::too_many_arguments)]
    fn book_slot(
        &self,
        slot: &str,
        online_only: bool,
        max_open: Option<u32>,
        booked_by: &str,
        at: DateTime<Utc>,
        appointment: &str,
        record: (&PatientRecord, AuditEvent),
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Frees the patient's slot and saves the record with the appointment cancelled, in one
    /// transaction. `false` when the slot is not booked by this patient.
    fn cancel_slot(
        &self,
        slot: &str,
        patient: &PatientId,
        record: (&PatientRecord, AuditEvent),
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

macro_rules! columns {
    () => {
        "id, practice_id, practitioner, starts_at, minutes, kind, online, patient_id, booked_by, \
         booked_at, appointment_id"
    };
}

fn row<R: Row>(r: &R) -> Result<Slot, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let corrupt = |e: inzage_domain::ids::InvalidId| StoreError::Corrupt(e.to_string());
    Ok(Slot {
        id: r.try_get(0)?,
        practice: PracticeId::new(r.try_get::<String, _>(1)?).map_err(corrupt)?,
        practitioner: r.try_get(2)?,
        starts_at: parse_instant(&r.try_get::<String, _>(3)?)?,
        minutes: u32::try_from(r.try_get::<i32, _>(4)?)
            .map_err(|_| StoreError::Corrupt("slot length".into()))?,
        kind: r.try_get(5)?,
        online: r.try_get(6)?,
        patient: r
            .try_get::<Option<String>, _>(7)?
            .map(PatientId::new)
            .transpose()
            .map_err(corrupt)?,
        booked_by: r.try_get(8)?,
        booked_at: r
            .try_get::<Option<String>, _>(9)?
            .map(|s| parse_instant(&s))
            .transpose()?,
        appointment: r.try_get(10)?,
    })
}

macro_rules! impl_agenda {
    ($Store:ident) => {
        impl AgendaStore for $Store {
            async fn add_slots(&self, slots: &[Slot]) -> Result<(), StoreError> {
                let mut tx = self.write.begin().await?;
                for s in slots {
                    sqlx::query(
                        "INSERT INTO appointment_slots (id, practice_id, practitioner, starts_at, minutes, kind, online) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(&s.id)
                    .bind(s.practice.as_str())
                    .bind(&s.practitioner)
                    .bind(format_instant(s.starts_at))
                    .bind(i32::try_from(s.minutes).unwrap_or(i32::MAX))
                    .bind(&s.kind)
                    .bind(s.online)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn slots_between(&self, practice: &PracticeId, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Slot>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ", columns!(), " FROM appointment_slots WHERE practice_id = $1 \
                     AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at, practitioner, id"
                ))
                .bind(practice.as_str())
                .bind(format_instant(from))
                .bind(format_instant(to))
                .fetch_all(&self.read)
                .await?;
                rows.iter().map(row).collect()
            }

            async fn slot(&self, id: &str) -> Result<Option<Slot>, StoreError> {
                let r = sqlx::query(concat!("SELECT ", columns!(), " FROM appointment_slots WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.read)
                    .await?;
                r.as_ref().map(row).transpose()
            }

            async fn book_slot(
                &self,
                slot: &str,
                online_only: bool,
                max_open: Option<u32>,
                booked_by: &str,
                at: DateTime<Utc>,
                appointment: &str,
                (record, audit): (&PatientRecord, AuditEvent),
            ) -> Result<bool, StoreError> {
                let mut tx = self.write.begin().await?;
                let done = sqlx::query(
                    "UPDATE appointment_slots SET patient_id = $2, booked_by = $3, booked_at = $4, appointment_id = $5 \
                     WHERE id = $1 AND patient_id IS NULL AND (online OR NOT $6) \
                     AND practice_id = (SELECT practice_id FROM patients WHERE id = $2) \
                     AND (SELECT COUNT(*) FROM appointment_slots WHERE patient_id = $2 AND starts_at > $4) < $7",
                )
                .bind(slot)
                .bind(record.patient.id.as_str())
                .bind(booked_by)
                .bind(format_instant(at))
                .bind(appointment)
                .bind(online_only)
                .bind(max_open.map_or(i64::MAX, i64::from))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                Self::save_in(&mut tx, record, audit, &self.audit_key).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn cancel_slot(
                &self,
                slot: &str,
                patient: &PatientId,
                (record, audit): (&PatientRecord, AuditEvent),
            ) -> Result<bool, StoreError> {
                if record.patient.id != *patient {
                    return Err(StoreError::Invalid("the record is another patient's".into()));
                }
                let mut tx = self.write.begin().await?;
                let done = sqlx::query(
                    "UPDATE appointment_slots SET patient_id = NULL, booked_by = NULL, booked_at = NULL, appointment_id = NULL \
                     WHERE id = $1 AND patient_id = $2",
                )
                .bind(slot)
                .bind(patient.as_str())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                Self::save_in(&mut tx, record, audit, &self.audit_key).await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}

impl_agenda!(SqliteStore);
impl_agenda!(PostgresStore);

impl AgendaStore for Store {
    async fn add_slots(&self, slots: &[Slot]) -> Result<(), StoreError> {
        delegate!(self, s => s.add_slots(slots))
    }
    async fn slots_between(
        &self,
        practice: &PracticeId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Slot>, StoreError> {
        delegate!(self, s => s.slots_between(practice, from, to))
    }
    async fn slot(&self, id: &str) -> Result<Option<Slot>, StoreError> {
        delegate!(self, s => s.slot(id))
    }
    async fn book_slot(
        &self,
        slot: &str,
        online_only: bool,
        max_open: Option<u32>,
        booked_by: &str,
        at: DateTime<Utc>,
        appointment: &str,
        record: (&PatientRecord, AuditEvent),
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.book_slot(slot, online_only, max_open, booked_by, at, appointment, record))
    }
    async fn cancel_slot(
        &self,
        slot: &str,
        patient: &PatientId,
        record: (&PatientRecord, AuditEvent),
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.cancel_slot(slot, patient, record))
    }
}
