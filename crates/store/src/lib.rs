//! Persistence of the GP record and the audit log.
//!
//! One domain-shaped trait, [`RecordStore`], with one implementation per backend: SQLite (the
//! embedded default: one file, WAL, busy timeout, one writer) and PostgreSQL. [`Store::connect`]
//! picks the backend from the URL scheme. Both run the same SQL (see `backend.rs`) and the same
//! test suite (`tests/storage.rs`).
//!
//! What this crate guarantees:
//! - writing a patient's record is atomic: it lands whole, with its audit entry, or not at all;
//! - the audit log is append-only (database triggers refuse UPDATE/DELETE) and hash-chained.
//!
//! What it must never do: decide what a patient may see (that is `inzage_domain::visibility`),
//! or log medical content.

/// Forwards a trait method of [`Store`] to the configured backend.
macro_rules! delegate {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            Store::Sqlite($s) => $e.await,
            Store::Postgres($s) => $e.await,
        }
    };
}

mod agenda;
mod audit;
mod backend;
mod blocks;
mod cache;
mod checkpoint;
mod copies;
mod corrections;
mod destruction_requests;
mod document;
mod error;
mod exchange;
mod items;
mod jobs;
mod lease;
mod medmij;
mod messages;
mod notify;
mod pgo;
mod pgo_circle;
mod portal;
mod prescriptions;
mod requests;
mod retention;
mod secret;
mod selfmeasure;
mod staff;
#[cfg(feature = "testing")]
pub mod testing;

pub use agenda::{AgendaStore, Slot};
pub use audit::{
    AuditEntry, AuditEvent, AuditFilter, ChainBroken, Channel, EventType, hex_string, sha256_hex,
};
pub use audit::{AuditKey, GENESIS, LANE_BITS, Lane, MIN_AUDIT_KEY};
pub use backend::{PostgresStore, SqliteStore};
pub use blocks::{BlockDecision, BlockRequest, BlockStatus, BlockStore};
pub use checkpoint::{Checkpoint, CheckpointProblem};
pub use copies::{CopyRequest, CopyRequestStatus, CopyStore};
pub use corrections::{
    CorrectionKind, CorrectionRequest, CorrectionStatus, CorrectionStore, correction_item,
};
pub use destruction_requests::{DestructionRequest, DestructionRequestStore};
pub use error::StoreError;
pub use exchange::{
    ExchangeClient, ExchangeStore, Outcome, ReceivedReport, Retrieval, Review as RetrievalReview,
};
pub use jobs::JobStore;
pub use medmij::{
    AccessContext, AccessGuard, AccessToken, AuthCode, CONSENT_IDLE_MONTHS, ChainEvent,
    ChainEventKind, CodeClaim, MedmijStore, RefreshClaim, RefreshToken,
};
pub use messages::{Attachment, Message, MessageStore, Thread, ThreadStatus};
pub use notify::{DevMail, JobStatus, NoticeKind, NotifyContact, NotifyJob, NotifyStore};
pub use pgo::{
    PgoAccount, PgoChanges, PgoConnection, PgoLogEntry, PgoOwnItem, PgoResource, PgoShare, PgoStore,
};
pub use pgo_circle::{PgoCircleStore, PgoFamilyGrant, PgoTeam, PgoTeamMember, PgoTeamPost};
pub use portal::{IdpAccount, PortalStore, SessionRow, ThrottlePolicy, ThrottleState};
pub use prescriptions::{
    PrescriptionDecision, PrescriptionRequest, PrescriptionStatus, PrescriptionStore,
};
pub use retention::{Destruction, DestructionBasis, DueRecord, RetentionStore};
pub use selfmeasure::SelfMeasurementStore;
pub use staff::{Invitation, PatientQuery, ReviewItem, StaffAccount, StaffInvitation, StaffStore};

use inzage_domain::{Bsn, PatientId, PatientRecord, Practice, PracticeId, PracticeSettings};
use std::future::Future;

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    Created,
    Updated,
    /// The stored record was already identical; nothing was written.
    Unchanged,
}

/// A line in a patient list. Carries no medical content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientSummary {
    pub id: PatientId,
    pub practice: PracticeId,
    pub display_name: String,
    pub birth_date: chrono::NaiveDate,
    /// The BSN's last three digits, so that staff can tell two people of one name apart
    /// without the whole number on screen.
    pub bsn_end: Option<String>,
    /// "Dorpsstraat 12, Utrecht".
    pub address: Option<String>,
}

impl From<inzage_domain::Patient> for PatientSummary {
    fn from(p: inzage_domain::Patient) -> Self {
        Self {
            display_name: p.name.display(),
            bsn_end: p.bsn.as_ref().map(|b| {
                let s = b.as_str();
                s[s.len().saturating_sub(3)..].to_owned()
            }),
            address: p
                .address
                .as_ref()
                .map(|a| format!("{} {}, {}", a.street, a.house_number, a.city)),
            id: p.id,
            practice: p.practice,
            birth_date: p.birth_date,
        }
    }
}

/// Counts for status pages and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreCounts {
    pub practices: u64,
    pub patients: u64,
    pub items: u64,
    pub audit_entries: u64,
}

/// The operations the rest of inzage needs from storage, in domain terms.
pub trait RecordStore: Send + Sync {
    /// Applies the embedded migrations (idempotent).
    fn migrate(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores a whole patient record atomically together with `audit` (one entry), replacing the
    /// previous version. Returns [`SaveOutcome::Unchanged`] without writing when identical.
    fn save_record(
        &self,
        record: &PatientRecord,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<SaveOutcome, StoreError>> + Send;

    /// Saves several records in one transaction, each one atomically on its own (a savepoint
    /// per record): a record that fails is left untouched and reported in its slot, the others
    /// land. Fewer commits make bulk import faster. `Err` means nothing of the batch was written.
    fn save_records(
        &self,
        batch: Vec<(&PatientRecord, AuditEvent)>,
    ) -> impl Future<Output = Result<Vec<Result<SaveOutcome, StoreError>>, StoreError>> + Send;

    /// The record, shared: parsed once per stored change and kept (see `cache`), so a hot path
    /// (a PGO's searches) does not parse or copy it per request.
    fn load_record_shared(
        &self,
        id: &PatientId,
    ) -> impl Future<Output = Result<Option<std::sync::Arc<PatientRecord>>, StoreError>> + Send;

    fn load_record(
        &self,
        id: &PatientId,
    ) -> impl Future<Output = Result<Option<PatientRecord>, StoreError>> + Send;

    fn find_patient_by_bsn(
        &self,
        bsn: &Bsn,
    ) -> impl Future<Output = Result<Option<PatientId>, StoreError>> + Send;

    fn list_patients(
        &self,
        practice: &PracticeId,
        limit: u32,
        offset: u32,
    ) -> impl Future<Output = Result<Vec<PatientSummary>, StoreError>> + Send;

    fn list_practices(&self) -> impl Future<Output = Result<Vec<Practice>, StoreError>> + Send;

    fn settings(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<PracticeSettings, StoreError>> + Send;

    fn save_settings(
        &self,
        practice: &PracticeId,
        settings: &PracticeSettings,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Appends one entry to the audit log and returns it with its sequence number and hash.
    fn append_audit(
        &self,
        event: AuditEvent,
    ) -> impl Future<Output = Result<AuditEntry, StoreError>> + Send;

    /// Audit entries about one patient, oldest first: on PostgreSQL by time, then `seq` (several
    /// instances append to lanes of their own, whose `seq`s order entries only within a lane);
    /// on SQLite, whose one writer appends in turn, by `seq`.
    fn audit_for_patient(
        &self,
        patient: &PatientId,
    ) -> impl Future<Output = Result<Vec<AuditEntry>, StoreError>> + Send;

    /// At most `limit` of one patient's audit entries older than entry `before` (all the newest
    /// without it) that `filter` holds, newest first in the order of
    /// [`Self::audit_for_patient`]: a page of a log that grows with every read of the record.
    /// The database passes over the entries the filter does not hold, so a filter that few
    /// entries pass (the practice's among years of an app's daily pulls) takes one query, not
    /// hundreds, and sends only the page; a period's start bounds PostgreSQL's index scan.
    /// Fewer than `limit` means there are no older ones.
    fn audit_for_patient_before(
        &self,
        patient: &PatientId,
        filter: AuditFilter<'_>,
        before: Option<i64>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<AuditEntry>, StoreError>> + Send;

    /// Recomputes the hash chain over the whole log; returns the number of entries checked.
    fn verify_audit_chain(
        &self,
    ) -> impl Future<Output = Result<Result<u64, ChainBroken>, StoreError>> + Send;

    fn counts(&self) -> impl Future<Output = Result<StoreCounts, StoreError>> + Send;

    /// Whether the database answers: one trivial query that touches no table (readiness).
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Refreshes the query planner's statistics, after a bulk load (PostgreSQL: `ANALYZE`;
    /// SQLite: `PRAGMA optimize`). Without it PostgreSQL may plan scans for one patient's rows
    /// as if the table were empty (measured: 14 instead of 300+ requests per second). SQLite
    /// then also cuts its WAL file back to nothing (`wal_checkpoint(TRUNCATE)`), which the
    /// load had grown and which would otherwise keep that size while the database is open.
    fn refresh_statistics(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The configured store, chosen at start-up from the database URL.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// What an operator watches of the store (Prometheus, `/metrics`): counters since start and
/// gauges of now. No patient data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Connections open per pool ("read", "write") and how many of them are idle.
    pub pools: Vec<(&'static str, u32, usize)>,
    /// Record reads answered from the in-memory cache, and those that parsed the stored rows.
    pub cache_hits: u64,
    pub cache_misses: u64,
    /// The memory the cache counts for the records it keeps (its budget is of this).
    pub cache_bytes: usize,
    /// Audit entries waiting for the group commit.
    pub audit_queue: usize,
    /// Group commits written a second time because another writer (a record's save, another
    /// instance) appended to the audit log after the previous one.
    pub audit_rewrites: u64,
    /// Group commits of the audit log, the audit entries they stored, and the time they took
    /// (from taking a batch to its commit), summed in microseconds.
    pub audit_commits: u64,
    pub audit_entries: u64,
    pub audit_commit_micros: u64,
    /// MedMij answers built again because the access context an earlier request left in
    /// memory was no longer current when the answer's audit entry was to be written.
    pub access_stale: u64,
}

impl Store {
    /// The store's own statistics, read without touching the database.
    pub fn stats(&self) -> StoreStats {
        use std::sync::atomic::Ordering;
        let (pools, cache, queue, audit, kept) = match self {
            Store::Sqlite(s) => (
                vec![
                    ("read", s.read.size(), s.read.num_idle()),
                    ("write", s.write.size(), s.write.num_idle()),
                ],
                &s.cache,
                &s.audit_queue,
                &s.audit_counters,
                &s.kept_access,
            ),
            Store::Postgres(s) => (
                vec![
                    ("read", s.read.size(), s.read.num_idle()),
                    ("write", s.write.size(), s.write.num_idle()),
                ],
                &s.cache,
                &s.audit_queue,
                &s.audit_counters,
                &s.kept_access,
            ),
        };
        StoreStats {
            pools,
            cache_hits: cache.hits.load(Ordering::Relaxed),
            cache_misses: cache.misses.load(Ordering::Relaxed),
            cache_bytes: cache.bytes(),
            audit_queue: queue.max_capacity() - queue.capacity(),
            audit_rewrites: audit.rewrites.load(Ordering::Relaxed),
            audit_commits: audit.commits.load(Ordering::Relaxed),
            audit_entries: audit.entries.load(Ordering::Relaxed),
            audit_commit_micros: audit.busy_micros.load(Ordering::Relaxed),
            access_stale: kept.stale.load(Ordering::Relaxed),
        }
    }

    /// Waits until every audit entry and chain-log event queued so far is stored: at shutdown,
    /// before the process ends (chain-log events are queued without waiting for them).
    pub async fn flush_queued(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => backend::flush(&s.audit_queue).await,
            Store::Postgres(s) => backend::flush(&s.audit_queue).await,
        }
    }

    /// Closes the database connections: at shutdown, after which every query fails (and a
    /// readiness probe says so). On PostgreSQL the audit log's lane is given back at once (its
    /// connection closed with a goodbye), for the next instance to take.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => {
                s.read.close().await;
                s.write.close().await;
            }
            Store::Postgres(s) => s.close().await,
        }
    }

    /// How much memory the in-memory record cache may hold (`cache.rs`; a record counts as
    /// its stored size); 0 turns it off. The default is 128 MiB.
    pub fn set_record_cache_budget(&self, bytes: usize) {
        match self {
            Store::Sqlite(s) => s.cache.set_budget(bytes),
            Store::Postgres(s) => s.cache.set_budget(bytes),
        }
    }

    /// `sqlite://path/to/file.db` (created if missing) or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite(SqliteStore::connect(url).await?))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(PostgresStore::connect(url).await?))
        } else {
            Err(StoreError::Config(
                "database URL must start with sqlite: or postgres://".into(),
            ))
        }
    }

    /// The lane of the audit log this store appends to ([`Lane`]): on PostgreSQL the first one
    /// no other running store held when it connected; SQLite's is always lane 0.
    pub fn audit_lane(&self) -> Lane {
        match self {
            Self::Sqlite(_) => Lane::default(),
            Self::Postgres(s) => s.audit_lane(),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

impl RecordStore for Store {
    async fn migrate(&self) -> Result<(), StoreError> {
        delegate!(self, s => s.migrate())
    }
    async fn save_record(
        &self,
        record: &PatientRecord,
        audit: AuditEvent,
    ) -> Result<SaveOutcome, StoreError> {
        delegate!(self, s => s.save_record(record, audit))
    }
    async fn save_records(
        &self,
        batch: Vec<(&PatientRecord, AuditEvent)>,
    ) -> Result<Vec<Result<SaveOutcome, StoreError>>, StoreError> {
        delegate!(self, s => s.save_records(batch))
    }
    async fn load_record_shared(
        &self,
        id: &PatientId,
    ) -> Result<Option<std::sync::Arc<PatientRecord>>, StoreError> {
        delegate!(self, s => s.load_record_shared(id))
    }
    async fn load_record(&self, id: &PatientId) -> Result<Option<PatientRecord>, StoreError> {
        delegate!(self, s => s.load_record(id))
    }
    async fn find_patient_by_bsn(&self, bsn: &Bsn) -> Result<Option<PatientId>, StoreError> {
        delegate!(self, s => s.find_patient_by_bsn(bsn))
    }
    async fn list_patients(
        &self,
        practice: &PracticeId,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<PatientSummary>, StoreError> {
        delegate!(self, s => s.list_patients(practice, limit, offset))
    }
    async fn list_practices(&self) -> Result<Vec<Practice>, StoreError> {
        delegate!(self, s => s.list_practices())
    }
    async fn settings(&self, practice: &PracticeId) -> Result<PracticeSettings, StoreError> {
        delegate!(self, s => s.settings(practice))
    }
    async fn save_settings(
        &self,
        practice: &PracticeId,
        settings: &PracticeSettings,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.save_settings(practice, settings))
    }
    async fn append_audit(&self, event: AuditEvent) -> Result<AuditEntry, StoreError> {
        delegate!(self, s => s.append_audit(event))
    }
    async fn audit_for_patient(&self, patient: &PatientId) -> Result<Vec<AuditEntry>, StoreError> {
        delegate!(self, s => s.audit_for_patient(patient))
    }
    async fn audit_for_patient_before(
        &self,
        patient: &PatientId,
        filter: AuditFilter<'_>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        delegate!(self, s => s.audit_for_patient_before(patient, filter, before, limit))
    }
    async fn verify_audit_chain(&self) -> Result<Result<u64, ChainBroken>, StoreError> {
        delegate!(self, s => s.verify_audit_chain())
    }
    async fn counts(&self) -> Result<StoreCounts, StoreError> {
        delegate!(self, s => s.counts())
    }
    async fn ping(&self) -> Result<(), StoreError> {
        delegate!(self, s => s.ping())
    }
    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        delegate!(self, s => s.refresh_statistics())
    }
}
