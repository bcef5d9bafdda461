//! `SelfMeasurementStore`: measurements patients sent from a PGO (data service 52, R127;
//! migration 0021). They are kept beside the record, never in it: the practice's own results stay
//! the practice's, and these stay the patient's, with the GP's review.

use crate::audit::{AuditEvent, format_instant};
use crate::backend::{PostgresStore, SqliteStore};
use crate::{Store, StoreError};
use inzage_domain::selfmeasure::{Review, SelfMeasurement};
use inzage_domain::{PatientId, PracticeId};
use sqlx::Row;
use std::future::Future;

fn review_word(r: &Review) -> &'static str {
    match r {
        Review::New => "new",
        Review::Accepted { .. } => "accepted",
        Review::Declined { .. } => "declined",
    }
}

fn body(m: &SelfMeasurement) -> Result<String, StoreError> {
    serde_json::to_string(m).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn from_body(s: &str) -> Result<SelfMeasurement, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("self-measurement: {e}")))
}

pub trait SelfMeasurementStore {
    /// Adds measurements a patient sent, with one audit entry, in one transaction: all or none.
    /// Every measurement must be about a patient of `practice`.
    fn add_self_measurements(
        &self,
        practice: &PracticeId,
        measurements: &[SelfMeasurement],
        audit: AuditEvent,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A patient's measurements, newest first.
    fn self_measurements(
        &self,
        patient: &PatientId,
    ) -> impl Future<Output = Result<Vec<SelfMeasurement>, StoreError>> + Send;

    /// The practice's queue: measurements no GP has reviewed yet, oldest first.
    fn self_measurement_queue(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<SelfMeasurement>, StoreError>> + Send;

    /// Records a GP's review of one of the practice's measurements, with its audit entry. False
    /// when the practice has no such measurement.
    fn review_self_measurement(
        &self,
        practice: &PracticeId,
        id: &str,
        review: Review,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

macro_rules! impl_self_measurements {
    ($Store:ident) => {
        impl SelfMeasurementStore for $Store {
            async fn add_self_measurements(
                &self,
                practice: &PracticeId,
                measurements: &[SelfMeasurement],
                audit: AuditEvent,
            ) -> Result<(), StoreError> {
                let mut tx = self.write.begin().await?;
                for m in measurements {
                    sqlx::query(
                        "INSERT INTO self_measurements (id, patient_id, practice_id, kind, code, \
                         effective_at, received_at, review, body) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(&m.id)
                    .bind(m.patient.as_str())
                    .bind(practice.as_str())
                    .bind(m.kind.key())
                    .bind(m.code.code.as_str())
                    .bind(format_instant(m.effective_at))
                    .bind(format_instant(m.received_at))
                    .bind(review_word(&m.review))
                    .bind(body(m)?)
                    .execute(&mut *tx)
                    .await?;
                }
                Self::append_audit_in(&mut tx, audit, &self.audit_key).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn self_measurements(
                &self,
                patient: &PatientId,
            ) -> Result<Vec<SelfMeasurement>, StoreError> {
                sqlx::query(
                    "SELECT body FROM self_measurements WHERE patient_id = $1 \
                     ORDER BY effective_at DESC, id",
                )
                .bind(patient.as_str())
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(|r| from_body(&r.try_get::<String, _>(0)?))
                .collect()
            }

            async fn self_measurement_queue(
                &self,
                practice: &PracticeId,
            ) -> Result<Vec<SelfMeasurement>, StoreError> {
                sqlx::query(
                    "SELECT body FROM self_measurements WHERE practice_id = $1 AND review = 'new' \
                     ORDER BY received_at, patient_id, effective_at, id",
                )
                .bind(practice.as_str())
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(|r| from_body(&r.try_get::<String, _>(0)?))
                .collect()
            }

            async fn review_self_measurement(
                &self,
                practice: &PracticeId,
                id: &str,
                review: Review,
                audit: AuditEvent,
            ) -> Result<bool, StoreError> {
                let mut tx = self.write.begin().await?;
                let row = sqlx::query(
                    "SELECT body FROM self_measurements WHERE id = $1 AND practice_id = $2",
                )
                .bind(id)
                .bind(practice.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    tx.rollback().await?;
                    return Ok(false);
                };
                let mut m = from_body(&row.try_get::<String, _>(0)?)?;
                m.review = review;
                sqlx::query(
                    "UPDATE self_measurements SET review = $1, body = $2 \
                     WHERE id = $3 AND practice_id = $4",
                )
                .bind(review_word(&m.review))
                .bind(body(&m)?)
                .bind(id)
                .bind(practice.as_str())
                .execute(&mut *tx)
                .await?;
                Self::append_audit_in(&mut tx, audit, &self.audit_key).await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}

impl_self_measurements!(SqliteStore);
impl_self_measurements!(PostgresStore);

impl SelfMeasurementStore for Store {
    async fn add_self_measurements(
        &self,
        practice: &PracticeId,
        measurements: &[SelfMeasurement],
        audit: AuditEvent,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.add_self_measurements(practice, measurements, audit))
    }
    async fn self_measurements(
        &self,
        patient: &PatientId,
    ) -> Result<Vec<SelfMeasurement>, StoreError> {
        delegate!(self, s => s.self_measurements(patient))
    }
    async fn self_measurement_queue(
        &self,
        practice: &PracticeId,
    ) -> Result<Vec<SelfMeasurement>, StoreError> {
        delegate!(self, s => s.self_measurement_queue(practice))
    }
    async fn review_self_measurement(
        &self,
        practice: &PracticeId,
        id: &str,
        review: Review,
        audit: AuditEvent,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.review_self_measurement(practice, id, review, audit))
    }
}
