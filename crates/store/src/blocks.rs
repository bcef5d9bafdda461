//! Requests not to share an item with a kind of provider (issue 20, part 3): the patient names
//! an episode, a letter or a result and the kind of provider ("not to the hospital"); a GP agrees
//! (the record gets the block in the same transaction as the decision) or asks to discuss it
//! first, with words the patient reads. A thin view of `requests`.

use crate::audit::AuditEvent;
use crate::requests::{Asked, Decision, Kind, Requests, Stored};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::exchange::ProviderCategory;
use inzage_domain::visibility::ItemKind;
use inzage_domain::{PatientId, PatientRecord, PracticeId};
use serde_json::Map;
use std::future::Future;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockStatus {
    /// Waiting for a GP.
    Requested,
    /// Agreed: the item is not shared with the category any more.
    Agreed,
    /// The GP wants to talk about it first; nothing changed.
    Discuss,
}

impl BlockStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Agreed => "agreed",
            Self::Discuss => "discuss",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        [Self::Requested, Self::Agreed, Self::Discuss]
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| StoreError::Corrupt(format!("block status {s:?}")))
    }
}

fn kind_word(k: ItemKind) -> Result<&'static str, StoreError> {
    Ok(match k {
        ItemKind::Episode => "episode",
        ItemKind::Letter => "letter",
        ItemKind::Result => "result",
        _ => {
            return Err(StoreError::Invalid(
                "only an episode, a letter or a result".into(),
            ));
        }
    })
}

fn parse_kind(s: &str) -> Result<ItemKind, StoreError> {
    Ok(match s {
        "episode" => ItemKind::Episode,
        "letter" => ItemKind::Letter,
        "result" => ItemKind::Result,
        _ => return Err(StoreError::Corrupt(format!("block item kind {s:?}"))),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRequest {
    pub id: String,
    pub patient: PatientId,
    pub item_kind: ItemKind,
    pub item_id: String,
    pub requester: ProviderCategory,
    /// The patient's own words, if any.
    pub remark: String,
    pub requested_by: String,
    /// `patient` or `representative:<id>`.
    pub requester_role: String,
    pub requested_at: DateTime<Utc>,
    pub status: BlockStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The GP's words to the patient (why to discuss it first).
    pub reply: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockDecision {
    pub status: BlockStatus,
    pub by: String,
    pub at: DateTime<Utc>,
    pub reply: Option<String>,
}

pub trait BlockStore: Send + Sync {
    /// Stores a new request. `Conflict` when one about the same item and category waits.
    fn request_block(
        &self,
        request: &BlockRequest,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A patient's requests, newest first.
    fn block_requests(
        &self,
        patient: &PatientId,
    ) -> impl Future<Output = Result<Vec<BlockRequest>, StoreError>> + Send;

    /// The practice's waiting requests, oldest first.
    fn waiting_blocks(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<BlockRequest>, StoreError>> + Send;

    /// Decides a waiting request of `patient` once, with its audit entry, in one transaction;
    /// with `record` (the block applied) the record is saved in it too. `false` when it is not
    /// waiting; then nothing is written.
    fn decide_block(
        &self,
        patient: &PatientId,
        id: &str,
        decision: &BlockDecision,
        record: Option<&PatientRecord>,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

fn block(r: Stored) -> Result<BlockRequest, StoreError> {
    let category = r.required("category")?;
    Ok(BlockRequest {
        item_kind: parse_kind(&r.required("item_kind")?)?,
        item_id: r.required("item_id")?,
        requester: ProviderCategory::parse(&category)
            .ok_or_else(|| StoreError::Corrupt(format!("provider category {category:?}")))?,
        remark: r.required("remark")?,
        status: BlockStatus::parse(&r.status)?,
        id: r.id,
        patient: r.patient,
        requested_by: r.requested_by,
        requester_role: r.requester_role,
        requested_at: r.requested_at,
        decided_by: r.decided_by,
        decided_at: r.decided_at,
        reply: r.reason,
    })
}

impl BlockStore for Store {
    async fn request_block(&self, q: &BlockRequest) -> Result<(), StoreError> {
        let kind = kind_word(q.item_kind)?;
        let mut details = Map::new();
        details.insert("item_kind".into(), kind.into());
        details.insert("item_id".into(), q.item_id.clone().into());
        details.insert("category".into(), q.requester.slug().into());
        details.insert("remark".into(), q.remark.clone().into());
        let subject = format!("{kind}:{}:{}", q.item_id, q.requester.slug());
        self.ask(Asked {
            kind: Kind::Block,
            id: &q.id,
            patient: &q.patient,
            subject: &subject,
            requested_by: &q.requested_by,
            requester_role: &q.requester_role,
            requested_at: q.requested_at,
            status: BlockStatus::Requested.as_str(),
            details,
        })
        .await
    }

    async fn block_requests(&self, patient: &PatientId) -> Result<Vec<BlockRequest>, StoreError> {
        let rows = self.requests_of(Kind::Block, patient).await?;
        rows.into_iter().map(block).collect()
    }

    async fn waiting_blocks(&self, practice: &PracticeId) -> Result<Vec<BlockRequest>, StoreError> {
        let rows = self.waiting(Kind::Block, practice).await?;
        rows.into_iter().map(block).collect()
    }

    async fn decide_block(
        &self,
        patient: &PatientId,
        id: &str,
        d: &BlockDecision,
        record: Option<&PatientRecord>,
        audit: AuditEvent,
    ) -> Result<bool, StoreError> {
        let (record, audit) = match record {
            Some(r) => (Some((r, audit)), None),
            None => (None, Some(audit)),
        };
        let decision = Decision {
            status: d.status.as_str(),
            by: &d.by,
            at: d.at,
            reason: d.reply.as_deref(),
            details: Map::new(),
            audit,
        };
        self.decide_once(Kind::Block, patient, id, decision, record)
            .await
    }
}
