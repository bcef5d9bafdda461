//! The one mechanism behind every request that waits for a decision of the practice: a copy
//! request (R102, R123), a correction or statement (R109, R110), a repeat prescription (R48),
//! a request not to share an item with a kind of provider (issue 20).
//! They share one table, `practice_requests` (migration 0019), and one life: asked once, listed
//! per patient and per practice while waiting, decided once. What differs per kind is data:
//! the kind's name and status words, what at most one waiting request may be about
//! (`subject`), and the kind's own fields (`details`, JSON). The typed stores
//! (`CopyStore`, `CorrectionStore`, `PrescriptionStore`) are thin views of it.

use crate::audit::{AuditEvent, format_instant};
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::{PatientId, PatientRecord, PracticeId};
use serde_json::{Map, Value};
use sqlx::Row;
use std::future::Future;

/// The kinds of request, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Copy,
    Correction,
    Prescription,
    /// Not sharing an item with a category of provider (issue 20).
    Block,
    /// Destroying the record or parts of it (R111).
    Destruction,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Copy => "copy",
            Self::Correction => "correction",
            Self::Prescription => "prescription",
            Self::Block => "block",
            Self::Destruction => "destruction",
        }
    }

    /// What a second waiting request about the same subject is told.
    fn already_waiting(self) -> &'static str {
        match self {
            Self::Copy => "a request is already pending",
            Self::Correction => "this request is already waiting",
            Self::Prescription => "a request for this medication is waiting",
            Self::Block => "a request about this item and this provider is waiting",
            Self::Destruction => "a request to destroy this is waiting",
        }
    }
}

/// A new request.
pub(crate) struct Asked<'a> {
    pub kind: Kind,
    pub id: &'a str,
    pub patient: &'a PatientId,
    /// At most one request of this kind and patient about this subject waits at a time.
    pub subject: &'a str,
    pub requested_by: &'a str,
    pub requester_role: &'a str,
    pub requested_at: DateTime<Utc>,
    /// The kind's word for "waiting".
    pub status: &'static str,
    pub details: Map<String, Value>,
}

/// A stored request, before its kind reads it.
pub(crate) struct Stored {
    pub id: String,
    pub patient: PatientId,
    pub requested_by: String,
    pub requester_role: String,
    pub requested_at: DateTime<Utc>,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub details: Map<String, Value>,
}

impl Stored {
    /// A text field of the kind's own details (`None` when absent or null).
    pub fn text(&self, name: &str) -> Option<String> {
        self.details
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// A text field every request of the kind has.
    pub fn required(&self, name: &str) -> Result<String, StoreError> {
        self.text(name)
            .ok_or_else(|| StoreError::Corrupt(format!("request {}: no {name}", self.id)))
    }

    /// An instant of the kind's own details.
    pub fn instant(&self, name: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.text(name).map(|s| parse_instant(&s)).transpose()
    }
}

/// The practice's decision: the kind's status word, who, when, why, and what the decision adds
/// to the kind's own fields.
pub(crate) struct Decision<'a> {
    pub status: &'static str,
    pub by: &'a str,
    pub at: DateTime<Utc>,
    pub reason: Option<&'a str>,
    pub details: Map<String, Value>,
    /// The decision's audit entry, written in the same transaction, when no record is saved
    /// with it (a saved record carries its own).
    pub audit: Option<AuditEvent>,
}

pub(crate) trait Requests: Send + Sync {
    /// Stores a new waiting request; `Conflict` when one about the same subject waits.
    fn ask(&self, q: Asked<'_>) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A patient's requests of one kind, newest first.
    fn requests_of(
        &self,
        kind: Kind,
        patient: &PatientId,
    ) -> impl Future<Output = Result<Vec<Stored>, StoreError>> + Send;

    /// A practice's waiting requests of one kind, oldest first.
    fn waiting(
        &self,
        kind: Kind,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<Stored>, StoreError>> + Send;

    /// Decides a waiting request of `patient` once. With `record`, the changed record (and its
    /// audit entry) is saved in the same transaction: both happen or neither. `false` when the
    /// request is not waiting (decided meanwhile, or another patient's); then nothing is written.
    fn decide_once(
        &self,
        kind: Kind,
        patient: &PatientId,
        id: &str,
        decision: Decision<'_>,
        record: Option<(&PatientRecord, AuditEvent)>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

macro_rules! columns {
    () => {
        "id, patient_id, requested_by, requester_role, requested_at, status, decided_by, \
         decided_at, reason, details"
    };
}

fn row<R: Row>(r: &R) -> Result<Stored, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let details: String = r.try_get(9)?;
    let details = match serde_json::from_str(&details) {
        Ok(Value::Object(map)) => map,
        _ => {
            return Err(StoreError::Corrupt(
                "request details are not an object".into(),
            ));
        }
    };
    Ok(Stored {
        id: r.try_get(0)?,
        patient: PatientId::new(r.try_get::<String, _>(1)?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        requested_by: r.try_get(2)?,
        requester_role: r.try_get(3)?,
        requested_at: parse_instant(&r.try_get::<String, _>(4)?)?,
        status: r.try_get(5)?,
        decided_by: r.try_get(6)?,
        decided_at: r
            .try_get::<Option<String>, _>(7)?
            .map(|s| parse_instant(&s))
            .transpose()?,
        reason: r.try_get(8)?,
        details,
    })
}

macro_rules! impl_requests {
    ($Store:ident) => {
        impl Requests for $Store {
            async fn ask(&self, q: Asked<'_>) -> Result<(), StoreError> {
                sqlx::query(concat!(
                    "INSERT INTO practice_requests (kind, subject, ", columns!(), ") \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, $9)"
                ))
                .bind(q.kind.as_str())
                .bind(q.subject)
                .bind(q.id)
                .bind(q.patient.as_str())
                .bind(q.requested_by)
                .bind(q.requester_role)
                .bind(format_instant(q.requested_at))
                .bind(q.status)
                .bind(Value::Object(q.details).to_string())
                .execute(&self.write)
                .await
                .map_err(|e| match e {
                    sqlx::Error::Database(d) if d.is_unique_violation() => {
                        StoreError::Conflict(q.kind.already_waiting().into())
                    }
                    other => StoreError::Database(other),
                })?;
                Ok(())
            }

            async fn requests_of(&self, kind: Kind, patient: &PatientId) -> Result<Vec<Stored>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ", columns!(), " FROM practice_requests WHERE kind = $1 \
                     AND patient_id = $2 ORDER BY requested_at DESC, id"
                ))
                .bind(kind.as_str())
                .bind(patient.as_str())
                .fetch_all(&self.read)
                .await?;
                rows.iter().map(row).collect()
            }

            async fn waiting(&self, kind: Kind, practice: &PracticeId) -> Result<Vec<Stored>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ", columns!(), " FROM practice_requests WHERE kind = $1 \
                     AND decided_at IS NULL \
                     AND patient_id IN (SELECT id FROM patients WHERE practice_id = $2) \
                     ORDER BY requested_at, id"
                ))
                .bind(kind.as_str())
                .bind(practice.as_str())
                .fetch_all(&self.read)
                .await?;
                rows.iter().map(row).collect()
            }

            async fn decide_once(
                &self,
                kind: Kind,
                patient: &PatientId,
                id: &str,
                d: Decision<'_>,
                record: Option<(&PatientRecord, AuditEvent)>,
            ) -> Result<bool, StoreError> {
                if let Some((record, _)) = &record
                    && record.patient.id != *patient
                {
                    return Err(StoreError::Invalid("the record is another patient's".into()));
                }
                let mut tx = self.write.begin().await?;
                let details: Option<String> = sqlx::query_scalar(
                    "SELECT details FROM practice_requests WHERE kind = $1 AND id = $2 \
                     AND patient_id = $3 AND decided_at IS NULL",
                )
                .bind(kind.as_str())
                .bind(id)
                .bind(patient.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(details) = details else {
                    tx.rollback().await?;
                    return Ok(false);
                };
                let mut details = match serde_json::from_str(&details) {
                    Ok(Value::Object(map)) => map,
                    _ => return Err(StoreError::Corrupt("request details are not an object".into())),
                };
                details.extend(d.details);
                // Only while still waiting: a second decision (another tab, another GP) changes nothing.
                let done = sqlx::query(
                    "UPDATE practice_requests SET status = $4, decided_by = $5, decided_at = $6, \
                     reason = $7, details = $8 \
                     WHERE kind = $1 AND id = $2 AND patient_id = $3 AND decided_at IS NULL",
                )
                .bind(kind.as_str())
                .bind(id)
                .bind(patient.as_str())
                .bind(d.status)
                .bind(d.by)
                .bind(format_instant(d.at))
                .bind(d.reason)
                .bind(Value::Object(details).to_string())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                if let Some((record, audit)) = record {
                    Self::save_in(&mut tx, record, audit, &self.audit_key).await?;
                } else if let Some(audit) = d.audit {
                    Self::append_audit_in(&mut tx, audit, &self.audit_key).await?;
                }
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}

impl_requests!(SqliteStore);
impl_requests!(PostgresStore);

impl Requests for Store {
    async fn ask(&self, q: Asked<'_>) -> Result<(), StoreError> {
        delegate!(self, s => s.ask(q))
    }
    async fn requests_of(
        &self,
        kind: Kind,
        patient: &PatientId,
    ) -> Result<Vec<Stored>, StoreError> {
        delegate!(self, s => s.requests_of(kind, patient))
    }
    async fn waiting(&self, kind: Kind, practice: &PracticeId) -> Result<Vec<Stored>, StoreError> {
        delegate!(self, s => s.waiting(kind, practice))
    }
    async fn decide_once(
        &self,
        kind: Kind,
        patient: &PatientId,
        id: &str,
        decision: Decision<'_>,
        record: Option<(&PatientRecord, AuditEvent)>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.decide_once(kind, patient, id, decision, record))
    }
}
