//! A patient's request to destroy their record or parts of it (R111, WGBO 7:455), a thin view
//! of `requests` (kind `destruction`). Carrying it out decides it in the same transaction
//! (`RetentionStore::destroy_items` / `destroy_record`); a refusal, with the legal reason the
//! patient reads, through `refuse_destruction`.

use crate::audit::AuditEvent;
use crate::requests::{Asked, Decision, Kind, Requests, Stored};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::{PatientId, PracticeId};
use serde_json::Map;
use sha2::Digest;
use std::future::Future;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestructionRequest {
    pub id: String,
    pub patient: PatientId,
    /// `record`, or the items as `kind:id`, comma-separated.
    pub scope: String,
    /// The patient's own words, if any.
    pub remark: String,
    pub requested_by: String,
    pub requester_role: String,
    pub requested_at: DateTime<Utc>,
    /// `requested`, `destroyed` or `refused`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why refused.
    pub reason: Option<String>,
}

pub trait DestructionRequestStore: Send + Sync {
    /// Stores a new request; `Conflict` when one about the same scope waits.
    fn request_destruction(
        &self,
        request: &DestructionRequest,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A patient's requests, newest first.
    fn destruction_requests(
        &self,
        patient: &PatientId,
    ) -> impl Future<Output = Result<Vec<DestructionRequest>, StoreError>> + Send;

    /// The practice's waiting requests, oldest first.
    fn waiting_destructions(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<DestructionRequest>, StoreError>> + Send;

    /// Refuses a waiting request once, with the reason and its audit entry, in one
    /// transaction. False when it is not waiting (nothing written).
    fn refuse_destruction(
        &self,
        patient: &PatientId,
        id: &str,
        by: &str,
        at: DateTime<Utc>,
        reason: &str,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

fn request(r: Stored) -> Result<DestructionRequest, StoreError> {
    Ok(DestructionRequest {
        scope: r.required("scope")?,
        remark: r.required("remark")?,
        id: r.id,
        patient: r.patient,
        requested_by: r.requested_by,
        requester_role: r.requester_role,
        requested_at: r.requested_at,
        status: r.status,
        decided_by: r.decided_by,
        decided_at: r.decided_at,
        reason: r.reason,
    })
}

impl DestructionRequestStore for Store {
    async fn request_destruction(&self, q: &DestructionRequest) -> Result<(), StoreError> {
        let mut details = Map::new();
        details.insert("scope".into(), q.scope.clone().into());
        details.insert("remark".into(), q.remark.clone().into());
        self.ask(Asked {
            kind: Kind::Destruction,
            id: &q.id,
            patient: &q.patient,
            // The scope can be long (many items): the unique index holds its digest.
            subject: &hex::encode(sha2::Sha256::digest(q.scope.as_bytes())),
            requested_by: &q.requested_by,
            requester_role: &q.requester_role,
            requested_at: q.requested_at,
            status: "requested",
            details,
        })
        .await
    }

    async fn destruction_requests(
        &self,
        patient: &PatientId,
    ) -> Result<Vec<DestructionRequest>, StoreError> {
        let rows = self.requests_of(Kind::Destruction, patient).await?;
        rows.into_iter().map(request).collect()
    }

    async fn waiting_destructions(
        &self,
        practice: &PracticeId,
    ) -> Result<Vec<DestructionRequest>, StoreError> {
        let rows = self.waiting(Kind::Destruction, practice).await?;
        rows.into_iter().map(request).collect()
    }

    async fn refuse_destruction(
        &self,
        patient: &PatientId,
        id: &str,
        by: &str,
        at: DateTime<Utc>,
        reason: &str,
        audit: AuditEvent,
    ) -> Result<bool, StoreError> {
        let decision = Decision {
            status: "refused",
            by,
            at,
            reason: Some(reason),
            details: Map::new(),
            audit: Some(audit),
        };
        self.decide_once(Kind::Destruction, patient, id, decision, None)
            .await
    }
}
