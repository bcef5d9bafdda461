//! Requests for the full electronic copy (R102) that wait for the practice's check, when the
//! practice has chosen to check them (by default the copy is given at once). No medical content.

use crate::requests::{Asked, Decision, Kind, Requests, Stored};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::{PatientId, PracticeId};
use serde_json::Map;
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

fn copy_request(r: Stored) -> Result<CopyRequest, StoreError> {
    Ok(CopyRequest {
        status: CopyRequestStatus::parse(&r.status)?,
        id: r.id,
        patient: r.patient,
        requested_by: r.requested_by,
        requester_role: r.requester_role,
        requested_at: r.requested_at,
        decided_by: r.decided_by,
        decided_at: r.decided_at,
        reason: r.reason,
    })
}

impl CopyStore for Store {
    async fn request_copy(&self, q: &CopyRequest) -> Result<(), StoreError> {
        self.ask(Asked {
            kind: Kind::Copy,
            id: &q.id,
            patient: &q.patient,
            // One pending request per person and patient.
            subject: &q.requested_by,
            requested_by: &q.requested_by,
            requester_role: &q.requester_role,
            requested_at: q.requested_at,
            status: CopyRequestStatus::Pending.as_str(),
            details: Map::new(),
        })
        .await
    }

    async fn copy_requests(&self, patient: &PatientId) -> Result<Vec<CopyRequest>, StoreError> {
        let rows = self.requests_of(Kind::Copy, patient).await?;
        rows.into_iter().map(copy_request).collect()
    }

    async fn pending_copy_requests(
        &self,
        practice: &PracticeId,
    ) -> Result<Vec<CopyRequest>, StoreError> {
        let rows = self.waiting(Kind::Copy, practice).await?;
        rows.into_iter().map(copy_request).collect()
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
        let status = if approve {
            CopyRequestStatus::Approved
        } else {
            CopyRequestStatus::Declined
        };
        let decision = Decision {
            status: status.as_str(),
            by,
            at,
            reason,
            details: Map::new(),
            audit: None,
        };
        self.decide_once(Kind::Copy, patient, id, decision, None)
            .await
    }
}
