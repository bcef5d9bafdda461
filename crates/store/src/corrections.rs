//! The patient's requests about their record (R109, R110): "this is wrong, please correct it"
//! or "add my own statement to this". A GP decides each once: corrected (the item was changed
//! through the normal edit path, so the original stays in the item history), declined with a
//! reason, or (a statement) attached, after which it is shown with the item.

use crate::requests::{Asked, Decision, Kind, Requests, Stored};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::visibility::{ItemKind, ItemRef, PatientStatement};
use inzage_domain::{PatientId, PracticeId};
use serde_json::Map;
use std::future::Future;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionKind {
    /// The item is wrong; the patient says what should change.
    Correction,
    /// The patient's own statement, to be shown with the item (WGBO 7:454 lid 2).
    Statement,
}

impl CorrectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Correction => "correction",
            Self::Statement => "statement",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Correction, Self::Statement]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionStatus {
    Requested,
    Corrected,
    Declined,
    /// The statement is shown with the item.
    Attached,
}

impl CorrectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Corrected => "corrected",
            Self::Declined => "declined",
            Self::Attached => "attached",
        }
    }
    fn parse(s: &str) -> Result<Self, StoreError> {
        [
            Self::Requested,
            Self::Corrected,
            Self::Declined,
            Self::Attached,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| StoreError::Corrupt(format!("correction status {s:?}")))
    }
}

/// The kinds of item a request can be about, by their stored name.
const ITEM_KINDS: [(&str, ItemKind); 6] = [
    ("episode", ItemKind::Episode),
    ("journal_line", ItemKind::JournalLine),
    ("medication", ItemKind::Medication),
    ("allergy", ItemKind::Allergy),
    ("result", ItemKind::Result),
    ("letter", ItemKind::Letter),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectionRequest {
    pub id: String,
    pub patient: PatientId,
    /// `episode`, `journal_line`, `medication`, `allergy`, `result` or `letter`.
    pub item_kind: String,
    pub item_id: String,
    pub kind: CorrectionKind,
    pub text: String,
    pub requested_by: String,
    /// Who asked (BSN): the outcome notice goes to them.
    pub requested_bsn: String,
    pub requester_role: String,
    pub requested_at: DateTime<Utc>,
    pub status: CorrectionStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

/// The item named by a request's stored kind (`episode`, `journal_line`, `medication`,
/// `allergy`, `result`, `letter`) and id; `None` for any other kind.
pub fn correction_item(kind: &str, id: &str) -> Option<ItemRef> {
    ITEM_KINDS
        .iter()
        .find(|(name, _)| *name == kind)
        .map(|(_, kind)| ItemRef {
            kind: *kind,
            id: id.to_owned(),
        })
}

impl CorrectionRequest {
    /// The item this request is about.
    pub fn about(&self) -> Option<ItemRef> {
        correction_item(&self.item_kind, &self.item_id)
    }

    /// The patient's statement, once the GP added it to its item.
    pub fn statement(&self) -> Option<PatientStatement> {
        if self.kind != CorrectionKind::Statement || self.status != CorrectionStatus::Attached {
            return None;
        }
        Some(PatientStatement {
            about: self.about()?,
            text: self.text.clone(),
            added_at: self.decided_at?,
        })
    }
}

pub trait CorrectionStore: Send + Sync {
    fn request_correction(
        &self,
        request: &CorrectionRequest,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A patient's requests, newest first.
    fn corrections(
        &self,
        patient: &PatientId,
    ) -> impl Future<Output = Result<Vec<CorrectionRequest>, StoreError>> + Send;

    /// The statements the GP added to items of this record, oldest first.
    fn statements(
        &self,
        patient: &PatientId,
    ) -> impl Future<Output = Result<Vec<PatientStatement>, StoreError>> + Send;

    /// The practice's waiting requests, oldest first.
    fn waiting_corrections(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<CorrectionRequest>, StoreError>> + Send;

    /// Decides a waiting request of `patient`. `false` when it is not waiting (decided
    /// meanwhile, or another patient's); then nothing is written.
    fn decide_correction(
        &self,
        patient: &PatientId,
        id: &str,
        status: CorrectionStatus,
        by: &str,
        at: DateTime<Utc>,
        reason: Option<&str>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

fn correction(r: Stored) -> Result<CorrectionRequest, StoreError> {
    let kind = r.required("kind")?;
    Ok(CorrectionRequest {
        item_kind: r.required("item_kind")?,
        item_id: r.required("item_id")?,
        kind: CorrectionKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("correction kind {kind:?}")))?,
        text: r.required("text")?,
        requested_bsn: r.required("requested_bsn")?,
        status: CorrectionStatus::parse(&r.status)?,
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

impl CorrectionStore for Store {
    async fn request_correction(&self, q: &CorrectionRequest) -> Result<(), StoreError> {
        let mut details = Map::new();
        details.insert("item_kind".into(), q.item_kind.clone().into());
        details.insert("item_id".into(), q.item_id.clone().into());
        details.insert("kind".into(), q.kind.as_str().into());
        details.insert("text".into(), q.text.clone().into());
        details.insert("requested_bsn".into(), q.requested_bsn.clone().into());
        self.ask(Asked {
            kind: Kind::Correction,
            id: &q.id,
            patient: &q.patient,
            // Any number of requests may wait, even about the same item.
            subject: &q.id,
            requested_by: &q.requested_by,
            requester_role: &q.requester_role,
            requested_at: q.requested_at,
            status: CorrectionStatus::Requested.as_str(),
            details,
        })
        .await
    }

    async fn corrections(&self, patient: &PatientId) -> Result<Vec<CorrectionRequest>, StoreError> {
        let rows = self.requests_of(Kind::Correction, patient).await?;
        rows.into_iter().map(correction).collect()
    }

    async fn statements(&self, patient: &PatientId) -> Result<Vec<PatientStatement>, StoreError> {
        let mut statements: Vec<(String, PatientStatement)> = vec![];
        for request in self.corrections(patient).await? {
            if let Some(statement) = request.statement() {
                statements.push((request.id, statement));
            }
        }
        // Oldest first, in the order they were added.
        statements.sort_by(|(a_id, a), (b_id, b)| (a.added_at, a_id).cmp(&(b.added_at, b_id)));
        Ok(statements.into_iter().map(|(_, s)| s).collect())
    }

    async fn waiting_corrections(
        &self,
        practice: &PracticeId,
    ) -> Result<Vec<CorrectionRequest>, StoreError> {
        let rows = self.waiting(Kind::Correction, practice).await?;
        rows.into_iter().map(correction).collect()
    }

    async fn decide_correction(
        &self,
        patient: &PatientId,
        id: &str,
        status: CorrectionStatus,
        by: &str,
        at: DateTime<Utc>,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        let decision = Decision {
            status: status.as_str(),
            by,
            at,
            reason,
            details: Map::new(),
            audit: None,
        };
        self.decide_once(Kind::Correction, patient, id, decision, None)
            .await
    }
}
