//! Requests for the full electronic copy (R102) that wait for the practice's check, when the
//! practice has chosen to check them (by default the copy is given at once). No medical content.

use crate::audit::format_instant;
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::{PatientId, PracticeId};
use sqlx::Row;
use std::future::Future;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyRequestStatus {
    Pending,
    Approved,
    Declined,
}

impl CopyRequestStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Declined => "declined",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "pending" => Ok(Self::Pending),
            "approved" => Ok(Self::Approved),
            "declined" => Ok(Self::Declined),
            other => Err(StoreError::Corrupt(format!(
                "copy request status {other:?}"
            ))),
        }
    }
}

/// One request for the full copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyRequest {
    pub id: String,
    pub patient: PatientId,
    /// The login subject of the person who asked.
    pub requested_by: String,
    /// `patient` or `representative:<id>`, as in the audit log.
    pub requester_role: String,
    pub requested_at: DateTime<Utc>,
    pub status: CopyRequestStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why the practice declined (shown to the person who asked).
    pub reason: Option<String>,
}

pub trait CopyStore: Send + Sync {
    /// Stores a new pending request. `Conflict` when this person already has one pending for
    /// this patient (a second click does not make a second request).
    fn request_copy(
        &self,
        request: &CopyRequest,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The requests for one patient, newest first.
    fn copy_requests(
        &self,
        patient: &PatientId,
    ) -> impl Future<Output = Result<Vec<CopyRequest>, StoreError>> + Send;

    /// The pending requests of a practice, oldest first.
    fn pending_copy_requests(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<CopyRequest>, StoreError>> + Send;

    /// Approves or declines a pending request of `patient`; `false` when there is no such
    /// pending request (decided meanwhile, or another patient's).
    fn decide_copy_request(
        &self,
        patient: &PatientId,
        id: &str,
        approve: bool,
        by: &str,
        at: DateTime<Utc>,
        reason: Option<&str>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

macro_rules! columns {
    () => {
        "c.id, c.patient_id, c.requested_by, c.requester_role, c.requested_at, c.status, \
         c.decided_by, c.decided_at, c.reason"
    };
}

fn row<R: Row>(r: &R) -> Result<CopyRequest, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(CopyRequest {
        id: r.try_get(0)?,
        patient: PatientId::new(r.try_get::<String, _>(1)?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        requested_by: r.try_get(2)?,
        requester_role: r.try_get(3)?,
        requested_at: parse_instant(&r.try_get::<String, _>(4)?)?,
        status: CopyRequestStatus::parse(&r.try_get::<String, _>(5)?)?,
        decided_by: r.try_get(6)?,
        decided_at: r
            .try_get::<Option<String>, _>(7)?
            .map(|s| parse_instant(&s))
            .transpose()?,
        reason: r.try_get(8)?,
    })
}

macro_rules! impl_copies {
    ($Store:ident) => {
        impl CopyStore for $Store {
            async fn request_copy(&self, q: &CopyRequest) -> Result<(), StoreError> {
                let mut tx = self.write.begin().await?;
                let pending: Option<String> = sqlx::query_scalar(
                    "SELECT id FROM copy_requests WHERE patient_id = $1 AND requested_by = $2 \
                     AND status = 'pending'",
                )
                .bind(q.patient.as_str())
                .bind(&q.requested_by)
                .fetch_optional(&mut *tx)
                .await?;
                if pending.is_some() {
                    return Err(StoreError::Conflict("a request is already pending".into()));
                }
                sqlx::query(
                    "INSERT INTO copy_requests (id, patient_id, requested_by, requester_role, \
                     requested_at, status) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&q.id)
                .bind(q.patient.as_str())
                .bind(&q.requested_by)
                .bind(&q.requester_role)
                .bind(format_instant(q.requested_at))
                .bind(CopyRequestStatus::Pending.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| match e {
                    sqlx::Error::Database(d) if d.is_unique_violation() => {
                        StoreError::Conflict("a request is already pending".into())
                    }
                    other => StoreError::Database(other),
                })?;
                tx.commit().await?;
                Ok(())
            }

            async fn copy_requests(&self, patient: &PatientId) -> Result<Vec<CopyRequest>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ", columns!(), " FROM copy_requests c WHERE c.patient_id = $1 \
                     ORDER BY c.requested_at DESC, c.id"
                ))
                .bind(patient.as_str())
                .fetch_all(&self.read)
                .await?;
                rows.iter().map(row).collect()
            }

            async fn pending_copy_requests(&self, practice: &PracticeId) -> Result<Vec<CopyRequest>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ", columns!(), " FROM copy_requests c JOIN patients p ON p.id = c.patient_id \
                     WHERE p.practice_id = $1 AND c.status = 'pending' ORDER BY c.requested_at, c.id"
                ))
                .bind(practice.as_str())
                .fetch_all(&self.read)
                .await?;
                rows.iter().map(row).collect()
            }

            async fn decide_copy_request(
                &self,
                patient: &PatientId,
                id: &str,
                approve: bool,
                by: &str,
                at: DateTime<Utc>,
                reason: Option<&str>,
            ) -> Result<bool, StoreError> {
                let status = if approve { CopyRequestStatus::Approved } else { CopyRequestStatus::Declined };
                let done = sqlx::query(
                    "UPDATE copy_requests SET status = $3, decided_by = $4, decided_at = $5, reason = $6 \
                     WHERE id = $1 AND patient_id = $2 AND status = 'pending'",
                )
                .bind(id)
                .bind(patient.as_str())
                .bind(status.as_str())
                .bind(by)
                .bind(format_instant(at))
                .bind(reason)
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

impl_copies!(SqliteStore);
impl_copies!(PostgresStore);

impl CopyStore for Store {
    async fn request_copy(&self, request: &CopyRequest) -> Result<(), StoreError> {
        delegate!(self, s => s.request_copy(request))
    }
    async fn copy_requests(&self, patient: &PatientId) -> Result<Vec<CopyRequest>, StoreError> {
        delegate!(self, s => s.copy_requests(patient))
    }
    async fn pending_copy_requests(
        &self,
        practice: &PracticeId,
    ) -> Result<Vec<CopyRequest>, StoreError> {
        delegate!(self, s => s.pending_copy_requests(practice))
    }
    async fn decide_copy_request(
        &self,
        patient: &PatientId,
        id: &str,
        approve: bool,
        by: &str,
        at: DateTime<Utc>,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.decide_copy_request(patient, id, approve, by, at, reason))
    }
}
