//! Repeat-prescription requests (R48): the patient asks, a GP approves (the record gets the new
//! medication agreement in the same transaction as the decision), rejects with a reason, or asks
//! for a consult. An approved request records its hand-off to the pharmacy.

use crate::audit::{AuditEvent, format_instant};
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::{PatientId, PatientRecord, PracticeId};
use sqlx::Row;
use std::future::Future;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrescriptionStatus {
    /// Waiting for a GP.
    Requested,
    /// Approved: a new medication agreement is in the record and the request went to the pharmacy.
    Approved,
    Rejected,
    /// The GP wants to see the patient first.
    Consult,
}

impl PrescriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Consult => "consult",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        [
            Self::Requested,
            Self::Approved,
            Self::Rejected,
            Self::Consult,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
        .ok_or_else(|| StoreError::Corrupt(format!("prescription status {s:?}")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrescriptionRequest {
    pub id: String,
    pub patient: PatientId,
    /// The medication agreement to repeat.
    pub medication: String,
    pub requested_by: String,
    /// `patient` or `representative:<id>`.
    pub requester_role: String,
    pub pharmacy: String,
    pub remark: String,
    pub requested_at: DateTime<Utc>,
    pub status: PrescriptionStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why rejected, or what the consult is about (the patient reads it).
    pub reason: Option<String>,
    /// The dosage as approved, when the GP changed it.
    pub dosage: Option<String>,
    /// The quantity as approved ("90 tabletten").
    pub quantity: Option<String>,
    /// The agreement the approval created.
    pub new_medication: Option<String>,
    /// When the approved prescription was handed to the pharmacy.
    pub sent_to_pharmacy_at: Option<DateTime<Utc>>,
}

/// A GP's decision on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrescriptionDecision {
    pub status: PrescriptionStatus,
    pub by: String,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
    pub dosage: Option<String>,
    pub quantity: Option<String>,
    pub new_medication: Option<String>,
}

pub trait PrescriptionStore: Send + Sync {
    /// Stores a new request. `Conflict` when one for this medication is already waiting.
    fn request_prescription(
        &self,
        request: &PrescriptionRequest,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A patient's requests, newest first.
    fn prescription_requests(
        &self,
        patient: &PatientId,
    ) -> impl Future<Output = Result<Vec<PrescriptionRequest>, StoreError>> + Send;

    /// The practice's waiting requests, oldest first.
    fn waiting_prescriptions(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<PrescriptionRequest>, StoreError>> + Send;

    /// Decides a waiting request of `patient`. With `record`, the changed record (and its audit
    /// entry) is saved in the same transaction: both happen or neither. `false` when the request
    /// is not waiting (decided meanwhile, or another patient's); then nothing is written.
    fn decide_prescription(
        &self,
        patient: &PatientId,
        id: &str,
        decision: &PrescriptionDecision,
        record: Option<(&PatientRecord, AuditEvent)>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

macro_rules! columns {
    () => {
        "id, patient_id, medication_id, requested_by, requester_role, pharmacy, remark, \
         requested_at, status, decided_by, decided_at, reason, dosage, quantity, \
         new_medication_id, sent_to_pharmacy_at"
    };
}

fn row<R: Row>(r: &R) -> Result<PrescriptionRequest, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let instant = |s: Option<String>| s.map(|s| parse_instant(&s)).transpose();
    Ok(PrescriptionRequest {
        id: r.try_get(0)?,
        patient: PatientId::new(r.try_get::<String, _>(1)?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        medication: r.try_get(2)?,
        requested_by: r.try_get(3)?,
        requester_role: r.try_get(4)?,
        pharmacy: r.try_get(5)?,
        remark: r.try_get(6)?,
        requested_at: parse_instant(&r.try_get::<String, _>(7)?)?,
        status: PrescriptionStatus::parse(&r.try_get::<String, _>(8)?)?,
        decided_by: r.try_get(9)?,
        decided_at: instant(r.try_get(10)?)?,
        reason: r.try_get(11)?,
        dosage: r.try_get(12)?,
        quantity: r.try_get(13)?,
        new_medication: r.try_get(14)?,
        sent_to_pharmacy_at: instant(r.try_get(15)?)?,
    })
}

macro_rules! impl_prescriptions {
    ($Store:ident) => {
        impl PrescriptionStore for $Store {
            async fn request_prescription(&self, q: &PrescriptionRequest) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO prescription_requests (id, patient_id, medication_id, requested_by, \
                     requester_role, pharmacy, remark, requested_at, status) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested')",
                )
                .bind(&q.id)
                .bind(q.patient.as_str())
                .bind(&q.medication)
                .bind(&q.requested_by)
                .bind(&q.requester_role)
                .bind(&q.pharmacy)
                .bind(&q.remark)
                .bind(format_instant(q.requested_at))
                .execute(&self.write)
                .await
                .map_err(|e| match e {
                    sqlx::Error::Database(d) if d.is_unique_violation() => {
                        StoreError::Conflict("a request for this medication is waiting".into())
                    }
                    other => StoreError::Database(other),
                })?;
                Ok(())
            }

            async fn prescription_requests(&self, patient: &PatientId) -> Result<Vec<PrescriptionRequest>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ", columns!(), " FROM prescription_requests WHERE patient_id = $1 \
                     ORDER BY requested_at DESC, id"
                ))
                .bind(patient.as_str())
                .fetch_all(&self.read)
                .await?;
                rows.iter().map(row).collect()
            }

            async fn waiting_prescriptions(&self, practice: &PracticeId) -> Result<Vec<PrescriptionRequest>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ", columns!(), " FROM prescription_requests WHERE status = 'requested' \
                     AND patient_id IN (SELECT id FROM patients WHERE practice_id = $1) \
                     ORDER BY requested_at, id"
                ))
                .bind(practice.as_str())
                .fetch_all(&self.read)
                .await?;
                rows.iter().map(row).collect()
            }

            async fn decide_prescription(
                &self,
                patient: &PatientId,
                id: &str,
                d: &PrescriptionDecision,
                record: Option<(&PatientRecord, AuditEvent)>,
            ) -> Result<bool, StoreError> {
                let mut tx = self.write.begin().await?;
                let sent = (d.status == PrescriptionStatus::Approved).then(|| format_instant(d.at));
                let done = sqlx::query(
                    "UPDATE prescription_requests SET status = $3, decided_by = $4, decided_at = $5, \
                     reason = $6, dosage = $7, quantity = $8, new_medication_id = $9, \
                     sent_to_pharmacy_at = $10 \
                     WHERE id = $1 AND patient_id = $2 AND status = 'requested'",
                )
                .bind(id)
                .bind(patient.as_str())
                .bind(d.status.as_str())
                .bind(&d.by)
                .bind(format_instant(d.at))
                .bind(&d.reason)
                .bind(&d.dosage)
                .bind(&d.quantity)
                .bind(&d.new_medication)
                .bind(sent)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                if let Some((record, audit)) = record {
                    if record.patient.id != *patient {
                        return Err(StoreError::Invalid("the record is another patient's".into()));
                    }
                    Self::save_in(&mut tx, record, audit, &self.audit_key).await?;
                }
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}

impl_prescriptions!(SqliteStore);
impl_prescriptions!(PostgresStore);

impl PrescriptionStore for Store {
    async fn request_prescription(&self, request: &PrescriptionRequest) -> Result<(), StoreError> {
        delegate!(self, s => s.request_prescription(request))
    }
    async fn prescription_requests(
        &self,
        patient: &PatientId,
    ) -> Result<Vec<PrescriptionRequest>, StoreError> {
        delegate!(self, s => s.prescription_requests(patient))
    }
    async fn waiting_prescriptions(
        &self,
        practice: &PracticeId,
    ) -> Result<Vec<PrescriptionRequest>, StoreError> {
        delegate!(self, s => s.waiting_prescriptions(practice))
    }
    async fn decide_prescription(
        &self,
        patient: &PatientId,
        id: &str,
        decision: &PrescriptionDecision,
        record: Option<(&PatientRecord, AuditEvent)>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.decide_prescription(patient, id, decision, record))
    }
}
