//! The patient's requests about their record (R109, R110): "this is wrong, please correct it"
//! or "add my own statement to this". A GP decides each once: corrected (the item was changed
//! through the normal edit path, so the original stays in the item history), declined with a
//! reason, or (a statement) attached, after which it is shown with the item.

use crate::audit::format_instant;
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::visibility::{ItemKind, ItemRef, PatientStatement};
use inzage_domain::{PatientId, PracticeId};
use sqlx::Row;
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

macro_rules! columns {
    () => {
        "id, patient_id, item_kind, item_id, kind, text, requested_by, requested_bsn, \
         requester_role, requested_at, status, decided_by, decided_at, reason"
    };
}

fn row<R: Row>(r: &R) -> Result<CorrectionRequest, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let kind: String = r.try_get(4)?;
    Ok(CorrectionRequest {
        id: r.try_get(0)?,
        patient: PatientId::new(r.try_get::<String, _>(1)?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        item_kind: r.try_get(2)?,
        item_id: r.try_get(3)?,
        kind: CorrectionKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("correction kind {kind:?}")))?,
        text: r.try_get(5)?,
        requested_by: r.try_get(6)?,
        requested_bsn: r.try_get(7)?,
        requester_role: r.try_get(8)?,
        requested_at: parse_instant(&r.try_get::<String, _>(9)?)?,
        status: CorrectionStatus::parse(&r.try_get::<String, _>(10)?)?,
        decided_by: r.try_get(11)?,
        decided_at: r
            .try_get::<Option<String>, _>(12)?
            .map(|s| parse_instant(&s))
            .transpose()?,
        reason: r.try_get(13)?,
    })
}

macro_rules! impl_corrections {
    ($Store:ident) => {
        impl CorrectionStore for $Store {
            async fn request_correction(&self, q: &CorrectionRequest) -> Result<(), StoreError> {
                sqlx::query(concat!(
                    "INSERT INTO correction_requests (", columns!(), ") \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'requested', NULL, NULL, NULL)"
                ))
                .bind(&q.id)
                .bind(q.patient.as_str())
                .bind(&q.item_kind)
                .bind(&q.item_id)
                .bind(q.kind.as_str())
                .bind(&q.text)
                .bind(&q.requested_by)
                .bind(&q.requested_bsn)
                .bind(&q.requester_role)
                .bind(format_instant(q.requested_at))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn corrections(&self, patient: &PatientId) -> Result<Vec<CorrectionRequest>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ", columns!(), " FROM correction_requests WHERE patient_id = $1 \
                     ORDER BY requested_at DESC, id"
                ))
                .bind(patient.as_str())
                .fetch_all(&self.read)
                .await?;
                rows.iter().map(row).collect()
            }

            async fn statements(&self, patient: &PatientId) -> Result<Vec<PatientStatement>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ", columns!(), " FROM correction_requests WHERE patient_id = $1 \
                     AND kind = 'statement' AND status = 'attached' ORDER BY decided_at, id"
                ))
                .bind(patient.as_str())
                .fetch_all(&self.read)
                .await?;
                Ok(rows
                    .iter()
                    .map(row)
                    .collect::<Result<Vec<_>, _>>()?
                    .iter()
                    .filter_map(CorrectionRequest::statement)
                    .collect())
            }

            async fn waiting_corrections(&self, practice: &PracticeId) -> Result<Vec<CorrectionRequest>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ", columns!(), " FROM correction_requests WHERE status = 'requested' \
                     AND patient_id IN (SELECT id FROM patients WHERE practice_id = $1) \
                     ORDER BY requested_at, id"
                ))
                .bind(practice.as_str())
                .fetch_all(&self.read)
                .await?;
                rows.iter().map(row).collect()
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
                let done = sqlx::query(
                    "UPDATE correction_requests SET status = $3, decided_by = $4, decided_at = $5, \
                     reason = $6 WHERE id = $1 AND patient_id = $2 AND status = 'requested'",
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

impl_corrections!(SqliteStore);
impl_corrections!(PostgresStore);

impl CorrectionStore for Store {
    async fn request_correction(&self, request: &CorrectionRequest) -> Result<(), StoreError> {
        delegate!(self, s => s.request_correction(request))
    }
    async fn corrections(&self, patient: &PatientId) -> Result<Vec<CorrectionRequest>, StoreError> {
        delegate!(self, s => s.corrections(patient))
    }
    async fn statements(&self, patient: &PatientId) -> Result<Vec<PatientStatement>, StoreError> {
        delegate!(self, s => s.statements(patient))
    }
    async fn waiting_corrections(
        &self,
        practice: &PracticeId,
    ) -> Result<Vec<CorrectionRequest>, StoreError> {
        delegate!(self, s => s.waiting_corrections(practice))
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
        delegate!(self, s => s.decide_correction(patient, id, status, by, at, reason))
    }
}
