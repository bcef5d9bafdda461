//! The two backends. Their SQL is identical (numbered `$n` parameters work in both), so one body
//! serves both through `impl_backend!`; only connecting, migrations, the audit lock and the
//! group commit's one round trip (`sqlite_batch_at_once`, `postgres_batch_at_once`) differ.

use crate::audit::{
    AuditEntry, AuditEvent, AuditFilter, ChainBroken, Channel, EventType, GENESIS, Lane,
    entry_hash, format_instant,
};
use crate::cache::{RecordCache, Stamp};
use crate::document;
use crate::items::{parse, push_row, record_rows, to_json};
use crate::{PatientSummary, RecordStore, SaveOutcome, StoreCounts, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::validate::validate_record;
use inzage_domain::{
    Bsn, Patient, PatientId, PatientRecord, Practice, PracticeId, PracticeSettings,
};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Rows per multi-row INSERT (representatives, review queue): far below both backends' limits.
const INSERT_BATCH: usize = 400;
/// Audit rows per INSERT (12 parameters each).
const AUDIT_INSERT_ROWS: usize = 400;
/// Chain-log rows per INSERT (7 parameters each).
pub(crate) const CHAIN_INSERT_ROWS: usize = 1000;

/// `channels` as one text the audit queries can test a channel against on both backends
/// (`,portal,medmij,`: each name between commas; the names hold no comma).
fn channel_list(channels: &[Channel]) -> String {
    let mut list = String::from(",");
    for c in channels {
        list.push_str(c.as_str());
        list.push(',');
    }
    list
}

/// `events` as audit entries chained from `last` (its `seq` and hash), in order.
fn chained(
    events: &[&AuditEvent],
    last: (i64, String),
    key: &crate::audit::AuditKey,
) -> Vec<AuditEntry> {
    let (mut seq, mut prev_hash) = last;
    let key = key.get();
    let mut entries = Vec::with_capacity(events.len());
    for event in events {
        seq += 1;
        let hash = entry_hash(seq, event, &prev_hash, key.as_deref());
        entries.push(AuditEntry {
            seq,
            event: (*event).clone(),
            prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        });
    }
    entries
}

/// SQLite: one file in WAL mode, a busy timeout, a pool of readers and a single writer
/// connection so writes never contend inside one process.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) read: SqlitePool,
    pub(crate) write: SqlitePool,
    pub(crate) cache: Arc<RecordCache>,
    pub(crate) audit_queue: AuditQueue,
    /// What the audit group commit has done since start (`Store::stats`).
    pub(crate) audit_counters: Arc<AuditCounters>,
    pub(crate) access_queue: crate::medmij::AccessQueue,
    pub(crate) kept_access: Arc<crate::medmij::KeptAccess>,
    pub(crate) audit_key: crate::audit::AuditKey,
    /// Ends the WAL checkpointer and the audit log's filing by patient when the last handle on
    /// the store goes (held for its drop).
    _background: Arc<Background>,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        // A connection to a local file does not go stale: no ping before each use (a round
        // trip to the connection's thread that cost as much as the query). The writer leaves
        // WAL checkpoints to `checkpointer` (it checkpoints itself only if that falls behind),
        // so that no commit waits for one.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(
                opts.clone()
                    .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES.to_string()),
            )
            .await?;
        // Two of them are kept by the batched MedMij readers (`medmij::access_reader`).
        let read = SqlitePoolOptions::new()
            .max_connections(6)
            .test_before_acquire(false)
            .connect_with(opts.clone())
            .await?;
        let audit_key = crate::audit::AuditKey::default();
        let cache = Arc::new(RecordCache::new(crate::cache::DEFAULT_BUDGET));
        let audit_counters = Arc::default();
        let kept_access = Arc::default();
        // Its own connection, so that it never waits for a reader's.
        let checkpoints = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(opts)
            .await?;
        let background = Arc::new(Background(vec![
            checkpointer(checkpoints),
            audit_indexer(read.clone(), write.clone()),
        ]));
        Ok(Self {
            _background: background,
            audit_queue: Self::audit_writer(
                write.clone(),
                audit_key.clone(),
                Arc::clone(&audit_counters),
            ),
            audit_counters,
            access_queue: Self::access_reader(
                read.clone(),
                cache.clone(),
                Arc::clone(&kept_access),
            ),
            kept_access,
            audit_key,
            read,
            write,
            cache,
        })
    }

    /// A patient's audit entries: those filed by patient (`audit_patient`, by
    /// [`audit_indexer`]) and those appended since the last filing, found by `seq` (the rowid).
    /// One statement reads one snapshot, in which every entry is in exactly one of the two. A
    /// filed entry's patient is checked again: should the log ever be cut short around its
    /// guard and its `seq`s used again, another patient's entry is never shown for a filed one.
    pub(crate) const AUDIT_OF_PATIENT: &str = "SELECT * FROM audit_log \
         WHERE seq IN (SELECT seq FROM audit_patient WHERE patient_id = $1) AND patient_id = $1 \
         UNION ALL SELECT * FROM audit_log \
         WHERE seq > (SELECT seq FROM audit_patient_done WHERE id = 1) AND patient_id = $1 \
         ORDER BY seq";
    /// A page of a patient's audit entries, newest first: at most `$3` of those before `seq`
    /// `$2` made through a channel of the list `$4` (see [`channel_list`]; NULL: any) at or
    /// after `$5` (NULL: any time), read as [`Self::AUDIT_OF_PATIENT`] reads (the filed ones by
    /// the filing's key, the rest from the unfiled tail). A filed entry's patient, channel and
    /// time are checked before the limit, so that one that fails the check (a log cut short and
    /// written again, another channel) does not make the page short while older entries
    /// remain. (The filing's key holds no time: a period is checked entry by entry.)
    pub(crate) const AUDIT_OF_PATIENT_BEFORE: &str = "SELECT * FROM audit_log \
         WHERE seq IN (SELECT a.seq FROM audit_patient a WHERE a.patient_id = $1 AND a.seq < $2 \
             AND EXISTS (SELECT 1 FROM audit_log l WHERE l.seq = a.seq AND l.patient_id = $1 \
                 AND ($4 IS NULL OR instr($4, ',' || l.channel || ',') > 0) \
                 AND ($5 IS NULL OR l.at >= $5)) \
             ORDER BY a.seq DESC LIMIT $3) AND patient_id = $1 \
         UNION ALL SELECT * FROM audit_log \
         WHERE seq > (SELECT seq FROM audit_patient_done WHERE id = 1) AND seq < $2 AND patient_id = $1 \
             AND ($4 IS NULL OR instr($4, ',' || channel || ',') > 0) \
             AND ($5 IS NULL OR at >= $5) \
         ORDER BY seq DESC LIMIT $3";
    /// The last access to a patient's record by one user through one channel before a moment,
    /// read as [`Self::AUDIT_OF_PATIENT`] reads.
    pub(crate) const LAST_ACCESS: &str = "SELECT at FROM audit_log \
         WHERE seq IN (SELECT seq FROM audit_patient WHERE patient_id = $1 \
             UNION ALL SELECT seq FROM audit_log \
             WHERE seq > (SELECT seq FROM audit_patient_done WHERE id = 1) AND patient_id = $1) \
         AND patient_id = $1 AND user_id = $2 AND channel = $3 AND at < $4 \
         ORDER BY seq DESC LIMIT 1";

    async fn run_migrations(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.write)
            .await?;
        Ok(())
    }
}

/// WAL pages after which SQLite's writer checkpoints by itself. Under a steady stream of
/// commits the WAL cannot start again from its beginning after [`checkpointer`]'s passive
/// checkpoints (new frames arrive while one runs), so it grows to this many pages; the writer's
/// own checkpoint then has little left to copy. Measured on the bench: 4,000 gave p99 of 6-8 ms
/// at one connection, 20,000 about 2 ms (and cutting the WAL file back to 32 MiB after each
/// restart, `journal_size_limit`, gave 10 ms).
const WRITER_CHECKPOINT_PAGES: u32 = 20_000;
/// How often the checkpointer looks at the WAL.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Copies the WAL's committed pages into the database file from a connection of its own, four
/// times a second (`PRAGMA wal_checkpoint(PASSIVE)`: it neither waits for the writer nor blocks
/// it), so that the group commit of the audit log, which every answer waits for, does not
/// carry the checkpoint's writes and fsync. It ends when the store is dropped.
fn checkpointer(pool: SqlitePool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CHECKPOINT_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !pool.is_closed() {
            every.tick().await;
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_optional(&pool)
                .await
                && !pool.is_closed()
            {
                tracing::warn!(error = %e, "WAL checkpoint failed");
            }
        }
    })
}

/// How often [`audit_indexer`] files the audit entries appended since by patient.
const AUDIT_INDEX_EVERY: Duration = Duration::from_millis(500);
/// The most entries one filing takes, so that it holds SQLite's write lock briefly.
const AUDIT_INDEX_ROWS: i64 = 20_000;

/// Files the audit log's new entries by patient (`audit_patient`, SQLite migration 0031) twice a
/// second, on the writer's connection when it is free. An entry's own commit then writes no
/// page of a patient index: under load each such page took one entry (one 4 KB WAL frame per
/// entry), here it takes all of that patient's entries since the last filing. The queries by
/// patient read what is not filed yet by `seq`, so what they answer never depends on this task.
fn audit_indexer(read: SqlitePool, write: SqlitePool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(AUDIT_INDEX_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !write.is_closed() {
            every.tick().await;
            loop {
                match index_audit_log(&read, &write).await {
                    Ok(filed) => {
                        if filed.moved > 0 {
                            tracing::debug!(
                                seqs = filed.moved,
                                "audit log filed by patient up to a later seq"
                            );
                        }
                        if filed.again {
                            continue;
                        }
                    }
                    // Before `migrate` has made the tables: nothing to file yet.
                    Err(sqlx::Error::Database(e)) if e.message().contains("no such table") => {}
                    Err(e) => {
                        if !write.is_closed() {
                            tracing::warn!(error = %e, "audit log not filed by patient");
                        }
                    }
                }
                break;
            }
        }
    })
}

/// What one filing of the audit log by patient did.
pub(crate) struct Filed {
    /// How many `seq`s the mark moved on (entries of no patient, a login, say, count but are
    /// not filed).
    pub(crate) moved: u64,
    /// More is waiting: the filing took its most, or it started the filing over.
    pub(crate) again: bool,
}

/// Files the audit entries appended since the last filing by patient (at most
/// [`AUDIT_INDEX_ROWS`]), in one transaction with the mark of how far filing went (the `seq`
/// and the hash of the entry there). Whether anything is new is asked on a reader's
/// connection, so an idle log never takes the writer's. Should the entry at the mark be gone or
/// another (the log cut short around its guard and written again, which `inzage audit verify`
/// reports), the filing starts over from the beginning; the queries check each filed entry's
/// patient, so meanwhile they never show another patient's entry.
pub(crate) async fn index_audit_log(
    read: &SqlitePool,
    write: &SqlitePool,
) -> Result<Filed, sqlx::Error> {
    const ENDS: &str = "SELECT d.seq, d.hash, \
                        COALESCE((SELECT hash FROM audit_log WHERE seq = d.seq), ''), \
                        COALESCE((SELECT max(seq) FROM audit_log), 0) \
                        FROM audit_patient_done d WHERE d.id = 1";
    let nothing = Filed {
        moved: 0,
        again: false,
    };
    let (done, hash, hash_now, last): (i64, String, String, i64) =
        sqlx::query_as(ENDS).fetch_one(read).await?;
    if last == done && hash == hash_now {
        return Ok(nothing);
    }
    let mut conn = write.acquire().await?;
    let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
    let (done, hash, hash_now, last): (i64, String, String, i64) =
        sqlx::query_as(ENDS).fetch_one(&mut *tx).await?;
    if hash != hash_now {
        tracing::error!(
            filed_to = done,
            last,
            "the audit log's entry where filing by patient stopped is gone or another: filing \
             starts over (run `inzage audit verify`)"
        );
        sqlx::query("DELETE FROM audit_patient")
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE audit_patient_done SET seq = 0, hash = '' WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(Filed {
            moved: 0,
            again: true,
        });
    }
    if last <= done {
        return Ok(nothing);
    }
    let upto = last.min(done + AUDIT_INDEX_ROWS);
    sqlx::query(
        "INSERT INTO audit_patient (patient_id, seq) \
         SELECT patient_id, seq FROM audit_log \
         WHERE seq > $1 AND seq <= $2 AND patient_id IS NOT NULL ORDER BY patient_id, seq",
    )
    .bind(done)
    .bind(upto)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE audit_patient_done \
         SET seq = $1, hash = (SELECT hash FROM audit_log WHERE seq = $1) WHERE id = 1",
    )
    .bind(upto)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let moved = u64::try_from(upto - done).unwrap_or(0);
    Ok(Filed {
        moved,
        again: upto - done == AUDIT_INDEX_ROWS,
    })
}

/// The store's background tasks (SQLite's checkpointer and audit filing), ended with the last
/// handle on the store.
#[derive(Debug)]
pub(crate) struct Background(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Background {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// PostgreSQL, for a region: many instances may write; the audit chain is serialised with a
/// transaction-scoped advisory lock.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pub(crate) read: PgPool,
    pub(crate) write: PgPool,
    pub(crate) cache: Arc<RecordCache>,
    pub(crate) audit_queue: AuditQueue,
    /// What the audit group commit has done since start (`Store::stats`).
    pub(crate) audit_counters: Arc<AuditCounters>,
    pub(crate) access_queue: crate::medmij::AccessQueue,
    pub(crate) kept_access: Arc<crate::medmij::KeptAccess>,
    pub(crate) audit_key: crate::audit::AuditKey,
    /// This store's lane of the audit log, held until the store is closed or dropped.
    lane_held: Arc<HeldLane>,
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        // Three of them are kept: two by the batched MedMij readers (`medmij::access_reader`),
        // one by the audit writer.
        let pool = PgPoolOptions::new()
            .max_connections(12)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        let mut lane_holder = pool.acquire().await?.detach();
        let lane = take_lane(&mut lane_holder).await?;
        let holder = Arc::new(tokio::sync::Mutex::new(Some(lane_holder)));
        let lane_held = Arc::new(HeldLane {
            keeper: Background(vec![lane_keeper(
                pool.clone(),
                lane,
                Arc::downgrade(&holder),
            )]),
            holder,
        });
        let audit_key = crate::audit::AuditKey::in_lane(lane);
        let cache = Arc::new(RecordCache::new(crate::cache::DEFAULT_BUDGET));
        let audit_counters = Arc::default();
        let kept_access = Arc::default();
        Ok(Self {
            audit_queue: Self::audit_writer(
                pool.clone(),
                audit_key.clone(),
                Arc::clone(&audit_counters),
            ),
            audit_counters,
            access_queue: Self::access_reader(
                pool.clone(),
                cache.clone(),
                Arc::clone(&kept_access),
            ),
            kept_access,
            audit_key,
            read: pool.clone(),
            write: pool,
            cache,
            lane_held,
        })
    }

    /// The lane of the audit log this store appends to.
    pub fn audit_lane(&self) -> Lane {
        self.audit_key.lane()
    }

    /// Closes the pools and gives the audit log's lane back (see [`crate::Store::close`]).
    pub(crate) async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
        self.lane_held.release().await;
    }

    /// A patient's audit entries in the order they happened: by time, then `seq` (entries of
    /// different lanes, [`Lane`], are in `seq` order only within a lane), by the index
    /// `audit_log_patient_at`.
    pub(crate) const AUDIT_OF_PATIENT: &str =
        "SELECT * FROM audit_log WHERE patient_id = $1 ORDER BY at COLLATE \"C\", seq";
    /// A page of a patient's audit entries, newest first: at most `$3` of those before the
    /// entry `$2` in the order of [`Self::AUDIT_OF_PATIENT`] (by its index, backwards), made
    /// through a channel of the list `$4` (see [`channel_list`]; NULL: any) at or after `$5`
    /// (NULL: any time; a bound of the index scan). An entry `$2` that is not the patient's
    /// (the first page asks for `i64::MAX`) is after every entry: the first page.
    pub(crate) const AUDIT_OF_PATIENT_BEFORE: &str = "SELECT * FROM audit_log \
         WHERE patient_id = $1 \
         AND (at COLLATE \"C\", seq) < (COALESCE((SELECT at FROM audit_log WHERE seq = $2 AND patient_id = $1), '~') COLLATE \"C\", $2) \
         AND ($4::text IS NULL OR strpos($4::text, ',' || channel || ',') > 0) \
         AND at COLLATE \"C\" >= COALESCE($5::text, '') COLLATE \"C\" \
         ORDER BY at COLLATE \"C\" DESC, seq DESC LIMIT $3";
    /// The last access to a patient's record by one user through one channel before a moment.
    pub(crate) const LAST_ACCESS: &str = "SELECT at FROM audit_log \
         WHERE patient_id = $1 AND user_id = $2 AND channel = $3 AND at COLLATE \"C\" < $4 \
         ORDER BY at COLLATE \"C\" DESC, seq DESC LIMIT 1";

    /// Runs the migrations, one instance at a time. The turn is taken with an advisory lock
    /// asked for again every 100 ms rather than waited for (sqlx's own `pg_advisory_lock` is
    /// off): a migration that builds an index `CONCURRENTLY` (0034) waits for every other
    /// statement running, and another instance starting at the same moment would wait inside
    /// its lock statement for this one, a deadlock PostgreSQL ends by aborting one of them.
    /// The lock's connection, idle while the migrations run on another, is closed afterwards,
    /// which gives the lock back. A concurrent build
    /// that failed leaves an invalid index behind (an aborted `inzage serve`): it is dropped
    /// first, so that the migration builds it again.
    async fn run_migrations(&self) -> Result<(), StoreError> {
        let mut conn = self.write.acquire().await?.detach();
        // The lock's session stays idle while a long migration runs: not to be ended for it
        // (PostgreSQL 14 and later; older ones have no such setting).
        let _ = sqlx::query("SET idle_session_timeout = 0")
            .execute(&mut conn)
            .await;
        let mut waited = false;
        while !sqlx::query_scalar::<_, bool>("SELECT pg_try_advisory_lock(7515)")
            .fetch_one(&mut conn)
            .await?
        {
            if !waited {
                tracing::info!("waiting for another instance's migrations to finish");
                waited = true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let invalid: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_index \
             WHERE indexrelid = to_regclass('audit_log_patient_at') AND NOT indisvalid)",
        )
        .fetch_one(&mut conn)
        .await?;
        if invalid {
            tracing::warn!(
                "dropping the index audit_log_patient_at that a failed build left, to build it again"
            );
            sqlx::query("DROP INDEX CONCURRENTLY audit_log_patient_at")
                .execute(&mut conn)
                .await?;
        }
        let mut migrator = sqlx::migrate!("./migrations/postgres");
        migrator.set_locking(false);
        let ran = migrator.run(&self.write).await;
        let _ = sqlx::Connection::close(conn).await;
        ran?;
        Ok(())
    }
}

fn map_unique(e: sqlx::Error) -> StoreError {
    match e.as_database_error() {
        Some(d) if d.is_unique_violation() => {
            StoreError::Conflict("another patient already has this BSN".into())
        }
        _ => StoreError::Database(e),
    }
}

pub(crate) fn parse_instant(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp: {e}")))
}

/// A write waiting for the group commit, and where its result goes: an audit entry, an audit
/// entry written only if an access context is still current (`None` when it is not), or
/// MedMij chain-log events (whose writer does not wait for them: `None`; an empty list with a
/// reply waits for everything queued before it).
pub(crate) enum AuditJob {
    Audit(
        AuditEvent,
        tokio::sync::oneshot::Sender<Result<AuditEntry, StoreError>>,
    ),
    Guarded(
        AuditEvent,
        Arc<crate::medmij::AccessGuard>,
        tokio::sync::oneshot::Sender<Result<Option<AuditEntry>, StoreError>>,
    ),
    Chain(
        Vec<crate::ChainEvent>,
        Option<tokio::sync::oneshot::Sender<Result<(), StoreError>>>,
    ),
}
pub(crate) type AuditQueue = tokio::sync::mpsc::Sender<AuditJob>;

/// Sends a job to the group commit and waits for its result.
pub(crate) async fn queued<T>(
    queue: &AuditQueue,
    job: impl FnOnce(tokio::sync::oneshot::Sender<Result<T, StoreError>>) -> AuditJob,
) -> Result<T, StoreError> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    if queue.send(job(reply)).await.is_err() {
        return Err(StoreError::Batch("the audit writer has stopped".into()));
    }
    answer
        .await
        .unwrap_or_else(|_| Err(StoreError::Batch("the audit writer has stopped".into())))
}

/// Queues chain-log events for the next group commit without waiting for it: the answer to a
/// PGO does not wait for its chain-log line (R88 keeps no patient and no content; the audit
/// entry, which is waited for, is the record of the access). A full queue makes the caller wait
/// for room.
pub(crate) async fn queue_chain(
    queue: &AuditQueue,
    events: Vec<crate::ChainEvent>,
) -> Result<(), StoreError> {
    match queue.try_send(AuditJob::Chain(events, None)) {
        Ok(()) => Ok(()),
        Err(tokio::sync::mpsc::error::TrySendError::Full(job)) => queue
            .send(job)
            .await
            .map_err(|_| StoreError::Batch("the audit writer has stopped".into())),
        Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => {
            Err(StoreError::Batch("the audit writer has stopped".into()))
        }
    }
}

/// Waits until every write queued before this call is stored (or has failed).
pub(crate) async fn flush(queue: &AuditQueue) -> Result<(), StoreError> {
    queued(queue, |reply| AuditJob::Chain(vec![], Some(reply))).await
}

/// What the group commit has done since start, for the operator (`Store::stats`).
#[derive(Debug, Default)]
pub(crate) struct AuditCounters {
    /// Commits written a second time after another writer appended in between.
    pub(crate) rewrites: std::sync::atomic::AtomicU64,
    pub(crate) commits: std::sync::atomic::AtomicU64,
    /// Audit entries stored by those commits.
    pub(crate) entries: std::sync::atomic::AtomicU64,
    /// Time from taking a batch to its commit, summed, in microseconds.
    pub(crate) busy_micros: std::sync::atomic::AtomicU64,
}

impl AuditCounters {
    fn committed(&self, entries: usize, took: Duration) {
        use std::sync::atomic::Ordering::Relaxed;
        self.commits.fetch_add(1, Relaxed);
        self.entries.fetch_add(entries as u64, Relaxed);
        self.busy_micros
            .fetch_add(u64::try_from(took.as_micros()).unwrap_or(u64::MAX), Relaxed);
    }
}

/// The access guards (`medmij::AccessGuard`) of a row source `g` (columns `token_hash`,
/// `version`, `updated_at`, `practice`, `settings`) that still hold: the token is not revoked
/// and the record, its practice and the practice's settings are stored as they were. The one
/// condition of every group commit's guard check, whatever the rows come from (PostgreSQL's
/// `audit_lane_append_or_end`, PostgreSQL migration 0033, states it once more in SQL).
macro_rules! guards_that_hold {
    () => {
        "JOIN medmij_access_tokens t ON t.token_hash = g.token_hash AND t.revoked_at IS NULL \
         JOIN patients p ON p.id = t.patient_id AND p.version = g.version AND p.updated_at = g.updated_at \
         JOIN practices pr ON pr.id = p.practice_id AND pr.payload = g.practice \
         LEFT JOIN practice_settings s ON s.practice_id = p.practice_id \
         WHERE COALESCE(s.payload, '') = g.settings"
    };
}

/// Whether a batch failed because the entry it was chained from is not the audit log's last
/// one, another writer having appended since: SQLite's insert finds the next `seq` taken (a
/// unique violation). PostgreSQL's `audit_lane_append_or_end` answers the end instead
/// ([`AtOnce::Moved`]); SQLSTATE 40001 is how `audit_append`, the call of the previous version
/// (PostgreSQL migration 0031), refused.
fn is_chain_conflict(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation() || d.code().is_some_and(|code| code == "40001"))
}

/// What one round trip of the group commit (`$at_once`) did.
enum AtOnce {
    /// This many audit entries were written (all, or 0 when a guard no longer held; the chain
    /// log's rows were written in either case).
    Written(usize),
    /// Another writer had appended: nothing was written, and the chain's end is this.
    Moved((i64, String)),
    /// Nothing was written: the batch does not fit the one round trip (SQLite's, with more
    /// chain-log rows than its longest list), and is written the statement-by-statement way.
    Unfit,
}

/// What became of a batch written in one round trip ([`AtOnce`], with its entries chained).
enum Appended {
    Stored(Vec<AuditEntry>),
    /// A guard no longer held: the chain log's rows were written, no audit entry was.
    GuardFailed,
    Moved((i64, String)),
    Unfit,
}

/// How often a batch is chained again from the end `audit_lane_append_or_end` answered before the writer
/// writes it the slower way (reading the end in a transaction that holds the audit lock).
const CHAIN_TRIES: u32 = 4;

/// How long chain-log events that nobody waits for may wait for a commit to share.
const CHAIN_HOLD: Duration = Duration::from_millis(20);

/// The most entries one commit appends: one INSERT's worth.
const AUDIT_BATCH: usize = 256;
const _: () = assert!(AUDIT_BATCH <= AUDIT_INSERT_ROWS);

macro_rules! impl_backend {
    ($Store:ident, $Db:ty, $audit_lock:path, $refresh_statistics:path, $begin_write:expr, $at_once:path, $lease:path) => {
        impl $Store {
            /// Group commit for stand-alone audit entries (every read of a record is one) and
            /// chain-log events: one task writes whatever is waiting in one transaction (audit
            /// entries chained in arrival order) and answers each caller after the commit. Under
            /// load many writes share a commit; a lone write waits for nobody. A caller is
            /// answered only once its write is stored. Chain-log events nobody waits for
            /// may wait up to `CHAIN_HOLD` for a write to share a commit with.
            fn audit_writer(pool: sqlx::Pool<$Db>, key: crate::audit::AuditKey, counters: Arc<AuditCounters>) -> AuditQueue {
                let (queue, mut jobs) = tokio::sync::mpsc::channel::<AuditJob>(4 * AUDIT_BATCH);
                tokio::spawn(async move {
                    let mut lease = $lease(pool);
                    // The last entry this task stored, while it is known to be the last one.
                    let mut head: Option<(i64, String)> = None;
                    while let Some(first) = lease.wait(jobs.recv()).await {
                        let mut batch = vec![first];
                        let hold_until = tokio::time::Instant::now() + CHAIN_HOLD;
                        loop {
                            while batch.len() < AUDIT_BATCH {
                                match jobs.try_recv() {
                                    Ok(job) => batch.push(job),
                                    Err(_) => break,
                                }
                            }
                            // Chain-log rows nobody waits for are held back for the next write
                            // that is waited for, for at most `CHAIN_HOLD`, so that they do not
                            // take a commit of their own (a PGO's request logs its chain-log
                            // line after its answer, and its audit entry before it).
                            let unwaited = |job: &AuditJob| matches!(job, AuditJob::Chain(_, None));
                            if batch.len() < AUDIT_BATCH && batch.iter().all(unwaited) {
                                if let Ok(Some(job)) = tokio::time::timeout_at(hold_until, jobs.recv()).await {
                                    batch.push(job);
                                    continue;
                                }
                            }
                            break;
                        }
                        // Set when the chain-log rows were committed on their own (see below).
                        let mut chain_stored = false;
                        let started = std::time::Instant::now();
                        let written = match lease.conn().await {
                            Ok(conn) => Self::write_batch(conn, &batch, &key, &mut head, &counters.rewrites, &mut chain_stored).await,
                            Err(e) => Err(e.into()),
                        };
                        lease.done(written.is_err(), jobs.is_empty());
                        if let Ok(entries) = &written
                            && batch.iter().any(|job| !matches!(job, AuditJob::Chain(events, _) if events.is_empty()))
                        {
                            counters.committed(entries.iter().flatten().count(), started.elapsed());
                        }
                        match written {
                            Ok(mut entries) => {
                                entries.reverse();
                                for job in batch {
                                    match job {
                                        AuditJob::Audit(_, reply) => {
                                            let entry = entries.pop().flatten();
                                            let _ = reply.send(entry.ok_or_else(|| StoreError::Batch("the audit entry was not written".into())));
                                        }
                                        AuditJob::Guarded(_, _, reply) => {
                                            let _ = reply.send(Ok(entries.pop().flatten()));
                                        }
                                        AuditJob::Chain(_, reply) => {
                                            if let Some(reply) = reply {
                                                let _ = reply.send(Ok(()));
                                            }
                                        }
                                    }
                                }
                            }
                            Err(e) => {
                                let message = e.to_string();
                                let failed = || StoreError::Batch(message.clone());
                                for job in batch {
                                    match job {
                                        AuditJob::Audit(_, reply) => {
                                            let _ = reply.send(Err(failed()));
                                        }
                                        AuditJob::Guarded(_, _, reply) => {
                                            let _ = reply.send(Err(failed()));
                                        }
                                        AuditJob::Chain(_, Some(reply)) if chain_stored => {
                                            let _ = reply.send(Ok(()));
                                        }
                                        AuditJob::Chain(..) if chain_stored => {}
                                        AuditJob::Chain(events, reply) => {
                                            if let Some(reply) = reply {
                                                let _ = reply.send(Err(failed()));
                                            } else if !events.is_empty() {
                                                tracing::warn!(error = %message, events = events.len(), "chain log events not written");
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                });
                queue
            }

            /// Writes a batch in one transaction: all of it or nothing, and returns what became
            /// of its audit entries, in the order of the batch: each one written, or `None` for
            /// a guarded one whose access context is no longer current. Where the chain's last entry
            /// is known from the previous batch, the whole transaction is one round trip
            /// ([`Self::write_batch_at_once`]); on PostgreSQL, when another writer appended
            /// meanwhile, the call answers the end and the batch is chained from it and sent
            /// again (up to [`CHAIN_TRIES`] calls). Otherwise (or when the batch is too large
            /// for SQLite's one round trip, [`Appended::Unfit`]) the last entry is read under the
            /// audit lock and each statement is its own. When the one round trip found a guard stale,
            /// it has committed the chain-log rows (and set `chain_stored`); the audit entries
            /// follow in a transaction of their own.
            async fn write_batch(conn: &mut sqlx::pool::PoolConnection<$Db>, batch: &[AuditJob], key: &crate::audit::AuditKey, head: &mut Option<(i64, String)>, rewrites: &std::sync::atomic::AtomicU64, chain_stored: &mut bool) -> Result<Vec<Option<AuditEntry>>, StoreError> {
                // The audit entries, each with the index of its guard in `guards` (each guard
                // once, however many requests of one token share it).
                let mut events: Vec<(&AuditEvent, Option<usize>)> = Vec::new();
                let mut guards: Vec<&Arc<crate::medmij::AccessGuard>> = Vec::new();
                for job in batch {
                    match job {
                        AuditJob::Audit(event, _) => events.push((event, None)),
                        AuditJob::Guarded(event, guard, _) => {
                            let i = match guards.iter().position(|g| Arc::ptr_eq(g, guard)) {
                                Some(i) => i,
                                None => {
                                    guards.push(guard);
                                    guards.len() - 1
                                }
                            };
                            events.push((event, Some(i)));
                        }
                        AuditJob::Chain(..) => {}
                    }
                }
                let chain: Vec<&crate::ChainEvent> = batch
                    .iter()
                    .flat_map(|job| match job {
                        AuditJob::Chain(events, _) => events.as_slice(),
                        AuditJob::Audit(..) | AuditJob::Guarded(..) => &[],
                    })
                    .collect();
                let mut chain_written = false;
                let mut from = head.clone();
                let mut tries = 0;
                while let Some(last) = from.take() {
                    tries += 1;
                    let all: Vec<&AuditEvent> = events.iter().map(|(e, _)| *e).collect();
                    match Self::write_batch_at_once(conn, &all, &guards, &chain, key, last).await {
                        Ok(Appended::Stored(entries)) => {
                            if let Some(e) = entries.last() {
                                *head = Some((e.seq, e.hash.clone()));
                            }
                            return Ok(entries.into_iter().map(Some).collect());
                        }
                        // Which guards hold is found out below.
                        Ok(Appended::GuardFailed) => {
                            chain_written = true;
                            *chain_stored = true;
                        }
                        // Another writer appended since (another instance, a record's save):
                        // chained again from the end the call found, and written again at
                        // once; after `CHAIN_TRIES` calls, below.
                        Ok(Appended::Moved(end)) => {
                            *head = None;
                            // Counted once per batch, however many calls it takes.
                            if tries == 1 {
                                rewrites.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                            tracing::debug!(call = tries, "audit batch chained again from the end another writer left");
                            if tries < CHAIN_TRIES {
                                from = Some(end);
                            }
                        }
                        // Too large for one round trip: written below. Nothing was written,
                        // so `head` is still the chain's end.
                        Ok(Appended::Unfit) => {}
                        // SQLite's insert finds the next `seq` taken: the end is read below.
                        Err(e) if is_chain_conflict(&e) => {
                            *head = None;
                            rewrites.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            tracing::debug!("audit batch written again after reading the chain's end");
                        }
                        // Any other failure fails the batch.
                        Err(e) => {
                            *head = None;
                            return Err(e.into());
                        }
                    }
                }
                // Written the locked way; should another writer still take the next `seq` (an
                // instance of the previous version during a rolling upgrade appends after the
                // highest lane's end under lane 0's lock), read the end again and write again.
                let mut attempt = 0;
                loop {
                    attempt += 1;
                    match Self::write_batch_locked(conn, &events, &guards, &chain, key, head, chain_written).await {
                        Err(StoreError::Database(e)) if is_chain_conflict(&e) && attempt < CHAIN_TRIES => {
                            *head = None;
                            if attempt == 1 {
                                rewrites.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                            tracing::debug!(attempt, "audit batch written again: another writer took its place in the lane");
                        }
                        written => return written,
                    }
                }
            }

            /// [`Self::write_batch`]'s slower way: the lane's end read under its audit lock, in a
            /// transaction; only the audit entries whose guard holds (all, when the one round
            /// trip did not find one broken); the chain log's rows unless `chain_written`.
            async fn write_batch_locked(conn: &mut sqlx::pool::PoolConnection<$Db>, events: &[(&AuditEvent, Option<usize>)], guards: &[&Arc<crate::medmij::AccessGuard>], chain: &[&crate::ChainEvent], key: &crate::audit::AuditKey, head: &mut Option<(i64, String)>, chain_written: bool) -> Result<Vec<Option<AuditEntry>>, StoreError> {
                let mut tx = sqlx::Connection::begin_with(&mut **conn, $begin_write).await?;
                let all: Vec<&AuditEvent> = events.iter().map(|(e, _)| *e).collect();
                let mut current = vec![true; guards.len()];
                let mut entries = Vec::new();
                let mut read_end = None;
                if !all.is_empty() {
                    let last = Self::chain_end_in(&mut tx, key.lane()).await?;
                    read_end = Some(last.clone());
                    // Most often every guard holds, which the insert itself checks: no read of
                    // its own. If one does not (or the one round trip found so), which ones hold
                    // is read, and only their entries are written.
                    let mut inserted = false;
                    if !chain_written {
                        entries = chained(&all, last.clone(), key);
                        inserted = Self::insert_audits_in(&mut tx, &entries, guards).await?;
                    }
                    if !inserted {
                        current = Self::current_guards_in(&mut tx, guards).await?;
                        let valid: Vec<&AuditEvent> = events.iter().filter(|(_, g)| g.is_none_or(|i| current[i])).map(|(e, _)| *e).collect();
                        entries = chained(&valid, last, key);
                        Self::insert_audits_in(&mut tx, &entries, &[]).await?;
                    }
                }
                if !chain_written {
                    Self::insert_chain_in(&mut tx, chain).await?;
                }
                tx.commit().await?;
                // The chain's end is now the last entry written, or the end read if none was.
                if let Some(e) = entries.last() {
                    *head = Some((e.seq, e.hash.clone()));
                } else if read_end.is_some() {
                    *head = read_end;
                }
                let mut entries = entries.into_iter();
                Ok(events.iter().map(|(_, g)| if g.is_none_or(|i| current[i]) { entries.next() } else { None }).collect())
            }

            /// The group commit in one round trip to the database ([`sqlite_batch_at_once`],
            /// [`postgres_batch_at_once`]): the audit entries chained from `last`, the chain
            /// log's rows and the commit. If another writer appended to the audit log since
            /// `last` was stored, nothing is written: SQLite's write fails
            /// ([`is_chain_conflict`]), PostgreSQL's answers the end it found
            /// ([`Appended::Moved`]). With `guards`, the audit entries are inserted only if
            /// every guard holds; if one does not, the rest is committed without them
            /// ([`Appended::GuardFailed`]). A batch too large for SQLite's command is not sent
            /// ([`Appended::Unfit`]; its entries were chained for nothing, which only a
            /// `log_chain` of more than [`AUDIT_BATCH`] lines brings about).
            async fn write_batch_at_once(conn: &mut sqlx::pool::PoolConnection<$Db>, events: &[&AuditEvent], guards: &[&Arc<crate::medmij::AccessGuard>], chain: &[&crate::ChainEvent], key: &crate::audit::AuditKey, last: (i64, String)) -> Result<Appended, sqlx::Error> {
                let entries = chained(events, last.clone(), key);
                match $at_once(conn, &entries, guards, chain, &last, key.lane()).await? {
                    AtOnce::Moved(end) => Ok(Appended::Moved(end)),
                    AtOnce::Unfit => Ok(Appended::Unfit),
                    AtOnce::Written(n) if n == entries.len() => Ok(Appended::Stored(entries)),
                    AtOnce::Written(0) => Ok(Appended::GuardFailed),
                    // One INSERT inserts all or none; should it not, the batch fails (its
                    // entries may be stored, and the next batch chains from the stored end).
                    AtOnce::Written(n) => Err(sqlx::Error::Protocol(format!("{n} of {} audit entries stored, all or none expected", entries.len()))),
                }
            }

            /// Which of `guards` still hold, read inside the transaction that writes their
            /// entries: the token is not revoked and the record, the practice and its settings
            /// are stored as they were when the access context was made.
            async fn current_guards_in(tx: &mut sqlx::Transaction<'_, $Db>, guards: &[&Arc<crate::medmij::AccessGuard>]) -> Result<Vec<bool>, StoreError> {
                let mut current = vec![false; guards.len()];
                if guards.is_empty() {
                    return Ok(current);
                }
                let mut qb: QueryBuilder<$Db> = QueryBuilder::new("SELECT g.i FROM ");
                Self::push_guards(&mut qb, guards);
                for row in qb.build().fetch_all(&mut **tx).await? {
                    let i: i64 = row.try_get(0)?;
                    if let Some(c) = usize::try_from(i).ok().and_then(|i| current.get_mut(i)) {
                        *c = true;
                    }
                }
                Ok(current)
            }

            /// Adds `guards` as a table `g` of those that hold (`i`: the guard's index).
            fn push_guards(qb: &mut QueryBuilder<$Db>, guards: &[&Arc<crate::medmij::AccessGuard>]) {
                qb.push(
                    "(SELECT v.column1 AS i, v.column2 AS token_hash, v.column3 AS version, \
                     v.column4 AS updated_at, v.column5 AS practice, v.column6 AS settings FROM (",
                );
                qb.push_values(guards.iter().enumerate(), |mut b, (i, g)| {
                    b.push_bind(i as i64)
                        .push_bind(g.token_hash.clone())
                        .push_bind(g.stamp.version)
                        .push_bind(g.stamp.updated_at.clone())
                        .push_bind(g.stamp.practice.clone())
                        .push_bind(g.settings.clone());
                });
                qb.push(concat!(") AS v) AS g ", guards_that_hold!()));
            }

            /// Adds one multi-row INSERT of `entries` into the audit log to `qb` that inserts
            /// them only if every one of `guards` holds, returning their `seq`.
            fn push_guarded_audit_insert(qb: &mut QueryBuilder<$Db>, entries: &[AuditEntry], guards: &[&Arc<crate::medmij::AccessGuard>]) {
                qb.push("INSERT INTO audit_log (seq, at, event, patient_id, user_id, responsible_user, role, channel, request_id, detail, prev_hash, hash) SELECT * FROM (");
                Self::push_audit_values(qb, entries);
                qb.push(") AS v WHERE (SELECT count(*) FROM ");
                Self::push_guards(qb, guards);
                qb.push(") = ");
                qb.push_bind(guards.len() as i64);
                qb.push(" RETURNING seq");
            }

            /// Appends audit entries, in order, inside an open transaction: chained from the last
            /// stored one (read once, under the audit lock) and inserted in few statements.
            async fn append_audits_in(tx: &mut sqlx::Transaction<'_, $Db>, events: &[&AuditEvent], key: &crate::audit::AuditKey) -> Result<Vec<AuditEntry>, StoreError> {
                if events.is_empty() {
                    return Ok(Vec::new());
                }
                let last = Self::chain_end_in(tx, key.lane()).await?;
                let entries = chained(events, last, key);
                Self::insert_audits_in(tx, &entries, &[]).await?;
                Ok(entries)
            }

            /// The last entry of the audit log's `lane` (its `seq` and hash), read under the lane's
            /// audit lock, which the transaction then holds until it ends.
            async fn chain_end_in(tx: &mut sqlx::Transaction<'_, $Db>, lane: Lane) -> Result<(i64, String), StoreError> {
                $audit_lock(&mut **tx, lane).await?;
                let last = sqlx::query("SELECT seq, hash FROM audit_log WHERE seq > $1 AND seq < $2 ORDER BY seq DESC LIMIT 1")
                    .bind(lane.start())
                    .bind(lane.end())
                    .fetch_optional(&mut **tx)
                    .await?;
                Ok(match last {
                    Some(row) => (row.try_get(0)?, row.try_get(1)?),
                    None => (lane.start(), GENESIS.to_owned()),
                })
            }

            /// Inserts chained `entries` inside an open transaction; with `guards`, only if every
            /// one of them holds. Whether they were inserted.
            async fn insert_audits_in(tx: &mut sqlx::Transaction<'_, $Db>, entries: &[AuditEntry], guards: &[&Arc<crate::medmij::AccessGuard>]) -> Result<bool, StoreError> {
                for (i, chunk) in entries.chunks(AUDIT_INSERT_ROWS).enumerate() {
                    let mut qb: QueryBuilder<$Db> = QueryBuilder::new("");
                    if guards.is_empty() {
                        Self::push_audit_insert(&mut qb, chunk);
                        qb.build().execute(&mut **tx).await?;
                    } else {
                        Self::push_guarded_audit_insert(&mut qb, chunk, guards);
                        if qb.build().fetch_all(&mut **tx).await?.len() != chunk.len() {
                            // A group commit is one chunk (`AUDIT_BATCH`); a later chunk that
                            // missed would leave the earlier ones written, so it fails.
                            return match i {
                                0 => Ok(false),
                                _ => Err(StoreError::Batch("an access context changed while its audit entries were written".into())),
                            };
                        }
                    }
                }
                Ok(true)
            }

            /// Adds one multi-row INSERT of `entries` into the audit log to `qb`.
            fn push_audit_insert(qb: &mut QueryBuilder<$Db>, entries: &[AuditEntry]) {
                qb.push("INSERT INTO audit_log (seq, at, event, patient_id, user_id, responsible_user, role, channel, request_id, detail, prev_hash, hash) ");
                Self::push_audit_values(qb, entries);
            }

            /// `VALUES` of `entries`, in the audit log's columns.
            fn push_audit_values(qb: &mut QueryBuilder<$Db>, entries: &[AuditEntry]) {
                qb.push_values(entries, |mut b, e| {
                    b.push_bind(e.seq)
                        .push_bind(format_instant(e.event.at))
                        .push_bind(e.event.event.as_str())
                        .push_bind(e.event.patient.as_ref().map(|p| p.to_string()))
                        .push_bind(e.event.user.clone())
                        .push_bind(e.event.responsible_user.clone())
                        .push_bind(e.event.role.clone())
                        .push_bind(e.event.channel.as_str())
                        .push_bind(e.event.request_id.clone())
                        .push_bind(e.event.detail.clone())
                        .push_bind(e.prev_hash.clone())
                        .push_bind(e.hash.clone());
                });
            }

            /// Appends an audit entry inside an open transaction.
            pub(crate) async fn append_audit_in(
                tx: &mut sqlx::Transaction<'_, $Db>,
                event: AuditEvent,
                key: &crate::audit::AuditKey,
            ) -> Result<AuditEntry, StoreError> {
                Self::append_audits_in(tx, &[&event], key)
                    .await?
                    .pop()
                    .ok_or_else(|| StoreError::Batch("the audit entry was not written".into()))
            }

            /// Validates and writes one record with its audit entry inside an open transaction.
            /// The caller commits (or rolls back on error).
            pub(crate) async fn save_in(tx: &mut sqlx::Transaction<'_, $Db>, record: &PatientRecord, audit: AuditEvent, key: &crate::audit::AuditKey) -> Result<SaveOutcome, StoreError> {
                let outcome = Self::write_record_in(tx, record, audit.at, None).await?;
                if outcome != SaveOutcome::Unchanged {
                    Self::append_audit_in(tx, audit, key).await?;
                }
                Ok(outcome)
            }

            /// Validates and writes one record inside an open transaction, without its audit
            /// entry (the caller appends it, in the same transaction). `practice_stored`: the
            /// practice row (id, JSON) this transaction already wrote, not written again.
            async fn write_record_in(tx: &mut sqlx::Transaction<'_, $Db>, record: &PatientRecord, at: DateTime<Utc>, practice_stored: Option<&(String, String)>) -> Result<SaveOutcome, StoreError> {
                let problems = validate_record(record);
                if !problems.is_empty() {
                    let list: Vec<String> = problems.iter().take(10).map(|p| p.to_string()).collect();
                    return Err(StoreError::Invalid(list.join("; ")));
                }
                let pid = record.patient.id.as_str();
                let patient_json = to_json("patient", &record.patient)?;
                let practice_json = to_json("practice", &record.practice)?;
                let rows = record_rows(record)?;

                let existing = sqlx::query("SELECT payload, version FROM patients WHERE id = $1")
                    .bind(pid)
                    .fetch_optional(&mut **tx)
                    .await?;
                // Optimistic concurrency: a record read at one version saves only over that
                // version (checked here, and again by the conditional upsert below, which
                // waits for a concurrent writer's commit and then sees its version).
                let read_at: Option<i64> = match &existing {
                    None => None,
                    Some(row) => Some(row.try_get(1)?),
                };
                if record.stored_version.is_some() && record.stored_version != read_at {
                    return Err(StoreError::Stale);
                }
                let (outcome, version) = match existing {
                    None => (SaveOutcome::Created, 1_i64),
                    Some(row) => {
                        let old_patient: String = row.try_get(0)?;
                        let version: i64 = row.try_get(1)?;
                        let old_practice: Option<String> = sqlx::query_scalar("SELECT payload FROM practices WHERE id = $1")
                            .bind(record.practice.id.as_str())
                            .fetch_optional(&mut **tx)
                            .await?;
                        let old_document: Option<Vec<u8>> = sqlx::query_scalar("SELECT items FROM record_documents WHERE patient_id = $1")
                            .bind(pid)
                            .fetch_optional(&mut **tx)
                            .await?;
                        let old_json = old_document.as_deref().map(document::decode).transpose();
                        // `None`: a damaged document. It cannot be read, but it must not block the
                        // save that repairs the record (an import from the source system): it is
                        // kept whole in the history below and replaced.
                        let old_items = match &old_json {
                            Ok(json) => document::entries(json.as_deref().unwrap_or("[]")).ok(),
                            Err(_) => None,
                        };
                        let same_items = old_items.as_ref().is_some_and(|old| {
                            old.len() == rows.len()
                                && old.iter().zip(&rows).all(|(o, n)| {
                                    o.kind() == n.kind && o.id() == n.id && o.payload() == n.payload
                                })
                        });
                        if same_items && old_patient == patient_json && old_practice.as_deref() == Some(practice_json.as_str()) {
                            return Ok(SaveOutcome::Unchanged);
                        }
                        // Keep the previous version of the patient's own data (consent, ...)
                        // and of every item this save changes or removes.
                        if old_patient != patient_json {
                            sqlx::query("INSERT INTO record_item_history (patient_id, kind, item_id, replaced_at, payload) VALUES ($1, $2, $3, $4, $5)")
                                .bind(pid)
                                .bind("patient")
                                .bind(pid)
                                .bind(format_instant(at))
                                .bind(&old_patient)
                                .execute(&mut **tx)
                                .await?;
                        }
                        // (items)
                        let new_payloads: std::collections::HashMap<(&str, &str), &str> =
                            rows.iter().map(|n| ((n.kind, n.id.as_str()), n.payload.as_str())).collect();
                        if old_items.is_none() {
                            tracing::warn!("a damaged record document is replaced; its bytes are kept in the history");
                            sqlx::query("INSERT INTO record_item_history (patient_id, kind, item_id, replaced_at, payload) VALUES ($1, $2, $3, $4, $5)")
                                .bind(pid)
                                .bind(document::DAMAGED_KIND)
                                .bind(pid)
                                .bind(format_instant(at))
                                .bind(hex::encode(old_document.as_deref().unwrap_or_default()))
                                .execute(&mut **tx)
                                .await?;
                        }
                        for o in old_items.iter().flatten() {
                            if new_payloads.get(&(o.kind(), o.id())) != Some(&o.payload()) {
                                sqlx::query("INSERT INTO record_item_history (patient_id, kind, item_id, replaced_at, payload) VALUES ($1, $2, $3, $4, $5)")
                                    .bind(pid)
                                    .bind(o.kind())
                                    .bind(o.id())
                                    .bind(format_instant(at))
                                    .bind(o.payload())
                                    .execute(&mut **tx)
                                    .await?;
                            }
                        }
                        (SaveOutcome::Updated, version + 1)
                    }
                };

                if !practice_stored.is_some_and(|(id, json)| id == record.practice.id.as_str() && *json == practice_json) {
                    sqlx::query("INSERT INTO practices (id, payload) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload")
                        .bind(record.practice.id.as_str())
                        .bind(&practice_json)
                        .execute(&mut **tx)
                        .await?;
                }
                let written = sqlx::query(
                    "INSERT INTO patients (id, practice_id, bsn, birth_date, family_name, payload, version, updated_at, medical_changed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10) \
                     ON CONFLICT (id) DO UPDATE SET practice_id = excluded.practice_id, bsn = excluded.bsn, \
                     birth_date = excluded.birth_date, family_name = excluded.family_name, payload = excluded.payload, \
                     version = excluded.version, updated_at = excluded.updated_at, \
                     medical_changed_at = excluded.medical_changed_at \
                     WHERE patients.version = $9",
                )
                .bind(pid)
                .bind(record.practice.id.as_str())
                .bind(record.patient.bsn.as_ref().map(|b| b.as_str().to_owned()))
                .bind(record.patient.birth_date.to_string())
                .bind(&record.patient.name.family)
                .bind(&patient_json)
                .bind(version)
                .bind(format_instant(at))
                .bind(version - 1)
                .bind(format_instant(inzage_domain::retention::last_medical_change(record)))
                .execute(&mut **tx)
                .await
                .map_err(map_unique)?;
                if written.rows_affected() != 1 {
                    // Another save of this record committed after our read.
                    return Err(StoreError::Stale);
                }
                // A record saved for the first time has no rows of its own yet (they all refer
                // to its patient row, which did not exist): nothing to clear.
                let created = outcome == SaveOutcome::Created;
                sqlx::query(
                    "INSERT INTO record_documents (patient_id, item_count, items) VALUES ($1, $2, $3) \
                     ON CONFLICT (patient_id) DO UPDATE SET item_count = excluded.item_count, items = excluded.items",
                )
                .bind(pid)
                .bind(rows.len() as i64)
                .bind(document::encode(&rows)?)
                .execute(&mut **tx)
                .await?;
                if !created {
                    sqlx::query("DELETE FROM representatives WHERE patient_id = $1").bind(pid).execute(&mut **tx).await?;
                }
                let mut agents: Vec<&str> = record.representations.iter().map(|r| r.agent_bsn.as_str()).collect();
                agents.sort_unstable();
                agents.dedup();
                for batch in agents.chunks(INSERT_BATCH) {
                    let mut qb: QueryBuilder<$Db> = QueryBuilder::new("INSERT INTO representatives (patient_id, agent_bsn) ");
                    qb.push_values(batch, |mut b, agent| {
                        b.push_bind(pid).push_bind(*agent);
                    });
                    qb.build().execute(&mut **tx).await?;
                }
                if !created {
                    sqlx::query("DELETE FROM review_queue WHERE patient_id = $1").bind(pid).execute(&mut **tx).await?;
                }
                let pending: Vec<(&str, String)> = record
                    .results
                    .iter()
                    .filter_map(|r| match &r.review {
                        inzage_domain::ReviewState::Pending { received_at } => Some((r.id.as_str(), format_instant(*received_at))),
                        _ => None,
                    })
                    .collect();
                for batch in pending.chunks(INSERT_BATCH) {
                    let mut qb: QueryBuilder<$Db> = QueryBuilder::new("INSERT INTO review_queue (patient_id, result_id, practice_id, received_at) ");
                    qb.push_values(batch, |mut b, (result, received_at)| {
                        b.push_bind(pid)
                            .push_bind(*result)
                            .push_bind(record.practice.id.as_str())
                            .push_bind(received_at.as_str());
                    });
                    qb.build().execute(&mut **tx).await?;
                }
                Ok(outcome)
            }

            /// The newest entry of each lane of the audit log that has entries ([`Lane`]), its
            /// sequence number and hash, lowest lane first: one step of the `seq` index from each
            /// lane to the next.
            pub(crate) async fn audit_heads(&self) -> Result<Vec<(i64, String)>, StoreError> {
                let mut heads = Vec::new();
                let mut from = 0;
                while let Some(first) = sqlx::query_scalar::<_, Option<i64>>("SELECT min(seq) FROM audit_log WHERE seq > $1")
                    .bind(from)
                    .fetch_one(&self.read)
                    .await?
                {
                    let lane = Lane::of(first);
                    let row = sqlx::query("SELECT seq, hash FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT 1")
                        .bind(lane.end())
                        .fetch_one(&self.read)
                        .await?;
                    heads.push((row.try_get(0)?, row.try_get(1)?));
                    from = lane.end() - 1;
                }
                Ok(heads)
            }

            /// The hash of entry `seq`, if it exists.
            pub(crate) async fn audit_hash_at(&self, seq: i64) -> Result<Option<String>, StoreError> {
                Ok(sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
                    .bind(seq)
                    .fetch_optional(&self.read)
                    .await?)
            }

            /// The record in the stored state `stamp` (read by the caller, with the patient's own
            /// row): the kept one when it is that state, else parsed from its items and kept.
            pub(crate) async fn record_at(
                cache: &RecordCache,
                conn: &mut <$Db as sqlx::Database>::Connection,
                id: &PatientId,
                stamp: Stamp,
                patient_json: String,
            ) -> Result<Arc<PatientRecord>, StoreError> {
                if let Some(record) = cache.get(id.as_str(), &stamp) {
                    return Ok(record);
                }
                // The items are read after the stamp: at least as new as it, so a record is never
                // kept as older than it is.
                let patient: Patient = parse("patient", &patient_json)?;
                let practice: Practice = parse("practice", &stamp.practice)?;
                let mut record = PatientRecord::new(patient, practice);
                record.stored_version = Some(stamp.version);
                let stored: Option<Vec<u8>> = sqlx::query_scalar("SELECT items FROM record_documents WHERE patient_id = $1")
                    .bind(id.as_str())
                    .fetch_optional(&mut *conn)
                    .await?;
                let mut bytes = patient_json.len() + stamp.practice.len();
                if let Some(stored) = stored {
                    let json = document::decode(&stored)?;
                    bytes += json.len();
                    for entry in document::entries(&json)? {
                        push_row(&mut record, entry.kind(), entry.payload())?;
                    }
                }
                let memory = crate::cache::memory_of(bytes);
                // A kept record's lists give back the room they grew beyond their items.
                if cache.would_keep(memory) {
                    record.shrink_to_fit();
                }
                let record = Arc::new(record);
                cache.put(id.as_str(), stamp, record.clone(), memory);
                Ok(record)
            }

            /// The record of patient `id` as stored now, on `conn`: its stored state first (one
            /// indexed lookup), then the kept record if it is that state.
            pub(crate) async fn shared_record_in(
                cache: &RecordCache,
                conn: &mut <$Db as sqlx::Database>::Connection,
                id: &PatientId,
            ) -> Result<Option<Arc<PatientRecord>>, StoreError> {
                let Some(row) = sqlx::query("SELECT p.version, p.updated_at, pr.payload, p.payload FROM patients p JOIN practices pr ON pr.id = p.practice_id WHERE p.id = $1")
                    .bind(id.as_str())
                    .fetch_optional(&mut *conn)
                    .await?
                else {
                    return Ok(None);
                };
                let stamp = Stamp {
                    version: row.try_get(0)?,
                    updated_at: row.try_get(1)?,
                    practice: row.try_get(2)?,
                };
                let patient_json: String = row.try_get(3)?;
                Ok(Some(Self::record_at(cache, conn, id, stamp, patient_json).await?))
            }

            fn audit_row(row: &<$Db as sqlx::Database>::Row) -> Result<AuditEntry, StoreError> {
                let patient: Option<String> = row.try_get("patient_id")?;
                let event: String = row.try_get("event")?;
                let channel: String = row.try_get("channel")?;
                Ok(AuditEntry {
                    seq: row.try_get("seq")?,
                    event: AuditEvent {
                        at: parse_instant(&row.try_get::<String, _>("at")?)?,
                        event: EventType::parse(&event)
                            .ok_or_else(|| StoreError::Corrupt(format!("audit event {event:?}")))?,
                        patient: patient
                            .map(PatientId::new)
                            .transpose()
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        user: row.try_get("user_id")?,
                        responsible_user: row.try_get("responsible_user")?,
                        role: row.try_get("role")?,
                        channel: Channel::parse(&channel)
                            .ok_or_else(|| StoreError::Corrupt(format!("audit channel {channel:?}")))?,
                        request_id: row.try_get("request_id")?,
                        detail: row.try_get("detail")?,
                    },
                    prev_hash: row.try_get("prev_hash")?,
                    hash: row.try_get("hash")?,
                })
            }
        }

        impl RecordStore for $Store {
            async fn migrate(&self) -> Result<(), StoreError> {
                self.run_migrations().await
            }

            async fn save_record(&self, record: &PatientRecord, audit: AuditEvent) -> Result<SaveOutcome, StoreError> {
                let mut tx = self.write.begin_with($begin_write).await?;
                let outcome = Self::save_in(&mut tx, record, audit, &self.audit_key).await?;
                if outcome == SaveOutcome::Unchanged {
                    tx.rollback().await?;
                } else {
                    tx.commit().await?;
                }
                Ok(outcome)
            }

            async fn save_records(&self, batch: Vec<(&PatientRecord, AuditEvent)>) -> Result<Vec<Result<SaveOutcome, StoreError>>, StoreError> {
                let mut tx = self.write.begin_with($begin_write).await?;
                let mut outcomes = Vec::with_capacity(batch.len());
                let mut audits = Vec::with_capacity(batch.len());
                let mut practice_stored: Option<(String, String)> = None;
                for (record, audit) in &batch {
                    // A savepoint per record: a record that fails leaves no trace, the others stay.
                    let mut sp = sqlx::Acquire::begin(&mut *tx).await?;
                    match Self::write_record_in(&mut sp, record, audit.at, practice_stored.as_ref()).await {
                        Ok(outcome) => {
                            sp.commit().await?;
                            if outcome != SaveOutcome::Unchanged {
                                audits.push(audit);
                                practice_stored = Some((record.practice.id.to_string(), to_json("practice", &record.practice)?));
                            }
                            outcomes.push(Ok(outcome));
                        }
                        Err(e) => {
                            sp.rollback().await?;
                            outcomes.push(Err(e));
                        }
                    }
                }
                // The saved records' audit entries, in their order, in the same transaction: the
                // audit lock is held only from here to the commit.
                Self::append_audits_in(&mut tx, &audits, &self.audit_key).await?;
                tx.commit().await?;
                Ok(outcomes)
            }

            async fn load_record(&self, id: &PatientId) -> Result<Option<PatientRecord>, StoreError> {
                Ok(self.load_record_shared(id).await?.map(Arc::unwrap_or_clone))
            }

            async fn load_record_shared(&self, id: &PatientId) -> Result<Option<Arc<PatientRecord>>, StoreError> {
                let mut conn = self.read.acquire().await?;
                Self::shared_record_in(&self.cache, &mut conn, id).await
            }

            async fn find_patient_by_bsn(&self, bsn: &Bsn) -> Result<Option<PatientId>, StoreError> {
                let id: Option<String> = sqlx::query_scalar("SELECT id FROM patients WHERE bsn = $1")
                    .bind(bsn.as_str())
                    .fetch_optional(&self.read)
                    .await?;
                id.map(PatientId::new).transpose().map_err(|e| StoreError::Corrupt(e.to_string()))
            }

            async fn list_patients(&self, practice: &PracticeId, limit: u32, offset: u32) -> Result<Vec<PatientSummary>, StoreError> {
                let rows = sqlx::query("SELECT payload FROM patients WHERE practice_id = $1 ORDER BY family_name, id LIMIT $2 OFFSET $3")
                    .bind(practice.as_str())
                    .bind(i64::from(limit))
                    .bind(i64::from(offset))
                    .fetch_all(&self.read)
                    .await?;
                rows.iter()
                    .map(|row| {
                        let p: Patient = parse("patient", &row.try_get::<String, _>(0)?)?;
                        Ok(PatientSummary::from(p))
                    })
                    .collect()
            }

            async fn list_practices(&self) -> Result<Vec<Practice>, StoreError> {
                let rows: Vec<String> = sqlx::query_scalar("SELECT payload FROM practices ORDER BY id").fetch_all(&self.read).await?;
                rows.iter().map(|p| parse("practice", p)).collect()
            }

            async fn settings(&self, practice: &PracticeId) -> Result<PracticeSettings, StoreError> {
                let payload: Option<String> = sqlx::query_scalar("SELECT payload FROM practice_settings WHERE practice_id = $1")
                    .bind(practice.as_str())
                    .fetch_optional(&self.read)
                    .await?;
                payload.map_or_else(|| Ok(PracticeSettings::default()), |p| parse("settings", &p))
            }

            async fn save_settings(&self, practice: &PracticeId, settings: &PracticeSettings) -> Result<(), StoreError> {
                sqlx::query("INSERT INTO practice_settings (practice_id, payload) VALUES ($1, $2) ON CONFLICT (practice_id) DO UPDATE SET payload = excluded.payload")
                    .bind(practice.as_str())
                    .bind(to_json("settings", settings)?)
                    .execute(&self.write)
                    .await?;
                Ok(())
            }

            async fn append_audit(&self, event: AuditEvent) -> Result<AuditEntry, StoreError> {
                queued(&self.audit_queue, |reply| AuditJob::Audit(event, reply)).await
            }

            async fn audit_for_patient(&self, patient: &PatientId) -> Result<Vec<AuditEntry>, StoreError> {
                let rows = sqlx::query(Self::AUDIT_OF_PATIENT)
                    .bind(patient.as_str())
                    .fetch_all(&self.read)
                    .await?;
                rows.iter().map(Self::audit_row).collect()
            }

            async fn audit_for_patient_before(&self, patient: &PatientId, filter: AuditFilter<'_>, before: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
                let rows = sqlx::query(Self::AUDIT_OF_PATIENT_BEFORE)
                    .bind(patient.as_str())
                    .bind(before.unwrap_or(i64::MAX))
                    .bind(i64::from(limit))
                    .bind(filter.channels.map(channel_list))
                    .bind(filter.since.map(format_instant))
                    .fetch_all(&self.read)
                    .await?;
                rows.iter().map(Self::audit_row).collect()
            }

            async fn verify_audit_chain(&self) -> Result<Result<u64, ChainBroken>, StoreError> {
                use futures_util::TryStreamExt;
                // Read as a stream, one entry at a time: the log grows by every read of a
                // record (millions of entries a day in a large deployment), the memory this
                // takes does not.
                let mut rows = sqlx::query("SELECT * FROM audit_log ORDER BY seq").fetch(&self.read);
                let key = self.audit_key.get();
                let mut prev = GENESIS.to_owned();
                let mut expected_seq = 1;
                let mut checked = 0u64;
                while let Some(row) = rows.try_next().await? {
                    let e = Self::audit_row(&row)?;
                    // Each lane is a chain of its own, from its first `seq` and GENESIS. Lanes
                    // that are not there are skipped (an instance that never wrote); an entry
                    // missing inside a lane is not.
                    if e.seq != expected_seq && Lane::of(e.seq) != Lane::of(expected_seq - 1) {
                        expected_seq = Lane::of(e.seq).start() + 1;
                        prev = GENESIS.to_owned();
                    }
                    if e.seq != expected_seq || e.prev_hash != prev || entry_hash(e.seq, &e.event, &prev, key.as_deref()) != e.hash {
                        return Ok(Err(ChainBroken { seq: e.seq }));
                    }
                    prev = e.hash;
                    expected_seq += 1;
                    checked += 1;
                }
                Ok(Ok(checked))
            }

            async fn refresh_statistics(&self) -> Result<(), StoreError> {
                $refresh_statistics(&self.write).await
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.read).await?;
                Ok(())
            }

            async fn counts(&self) -> Result<StoreCounts, StoreError> {
                let count = |sql: &'static str| async move {
                    let n: i64 = sqlx::query_scalar(sql).fetch_one(&self.read).await?;
                    Ok::<u64, StoreError>(n as u64)
                };
                Ok(StoreCounts {
                    practices: count("SELECT COUNT(*) FROM practices").await?,
                    patients: count("SELECT COUNT(*) FROM patients").await?,
                    items: count("SELECT CAST(COALESCE(SUM(item_count), 0) AS BIGINT) FROM record_documents").await?,
                    audit_entries: count("SELECT COUNT(*) FROM audit_log").await?,
                })
            }
        }
    };
}

// The single SQLite writer connection already serialises appends within a process. A record's
// save and the audit writer's batch read before they write: on SQLite they take the write lock
// at BEGIN (IMMEDIATE), so that another process on the same file (an import beside the server)
// makes them wait and then read its commit, where a deferred transaction would fail at once
// with "database is locked".
impl_backend!(
    SqliteStore,
    sqlx::Sqlite,
    sqlite_audit_lock,
    sqlite_refresh_statistics,
    "BEGIN IMMEDIATE",
    sqlite_batch_at_once,
    crate::lease::Lease::shared
);
// Serialise appends to a lane of the audit log (one lane per instance); the lock is released
// at commit or rollback. The same key is taken by `audit_lane_append_or_end`
// (`postgres_batch_at_once`). The audit writer keeps its connection (the
// pool has room): given back whenever the queue was empty, as SQLite's single writer connection
// must be for record saves, each batch cost a test round trip and a new acquire.
impl_backend!(
    PostgresStore,
    sqlx::Postgres,
    postgres_audit_lock,
    postgres_refresh_statistics,
    "BEGIN",
    postgres_batch_at_once,
    crate::lease::Lease::kept
);

/// SQLite's writes take turns at its one write lock (`BEGIN IMMEDIATE`): no other lock, and one
/// lane.
async fn sqlite_audit_lock(_: &mut sqlx::SqliteConnection, _: Lane) -> Result<(), sqlx::Error> {
    Ok(())
}

/// The audit lock of `lane` on PostgreSQL, held by the transaction until it ends: appends to
/// the lane take turns at it. Lane 0's is the key 7513 of the log before lanes (an instance of
/// the previous version takes it too, and appends after the highest `seq`: with lane 0's writer
/// it takes turns, with a higher lane's it may clash, a taken `seq` that the writer meets by
/// writing again), lane `L`'s the pair (7513, `L`); `audit_lane_append_or_end`
/// (PostgreSQL migration 0033) takes the same.
async fn postgres_audit_lock(conn: &mut sqlx::PgConnection, lane: Lane) -> Result<(), sqlx::Error> {
    if lane.0 == 0 {
        sqlx::query("SELECT pg_advisory_xact_lock(7513)")
            .execute(conn)
            .await?;
    } else {
        sqlx::query("SELECT pg_advisory_xact_lock(7513, $1::int4)")
            .bind(lane.0)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The most lanes an instance looks through for a free one (a lane's `seq`s stay below 10^15,
/// the checkpoint files' 15 digits).
const LANES: i64 = 512;

/// The first lane of the audit log ([`Lane`]) that no running instance holds, taken for as
/// long as `conn` stays open: a session advisory lock (7514, lane), given back by PostgreSQL
/// when the connection ends. The lane only spares instances each other's lock: should two ever
/// append to one lane (the connection lost and the lane taken by another), they take turns at
/// its audit lock and its chain stays whole.
async fn take_lane(conn: &mut sqlx::PgConnection) -> Result<Lane, StoreError> {
    for lane in (0..LANES).map(Lane) {
        if try_lane(conn, lane).await? {
            return Ok(lane);
        }
    }
    Err(StoreError::Config(format!(
        "all {LANES} lanes of the audit log are held by running instances"
    )))
}

/// A store's lane of the audit log: the connection that holds it ([`take_lane`]; `None` while
/// it is being taken again) and the task that keeps it ([`lane_keeper`]), stopped when the
/// store is closed ([`HeldLane::release`]) or dropped, whereupon the connection closes and
/// PostgreSQL frees the lane.
#[derive(Debug)]
struct HeldLane {
    keeper: Background,
    holder: Arc<tokio::sync::Mutex<Option<sqlx::PgConnection>>>,
}

impl HeldLane {
    /// Stops the keeper and closes the lane's connection (saying goodbye to PostgreSQL, which
    /// frees the lane at once): at shutdown, after the store's pools are closed.
    async fn release(&self) {
        for task in &self.keeper.0 {
            task.abort();
        }
        if let Some(conn) = self.holder.lock().await.take() {
            let _ = sqlx::Connection::close(conn).await;
        }
    }
}

/// Whether `conn`'s session took `lane` (the session advisory lock (7514, lane)), or another
/// session holds it.
async fn try_lane(conn: &mut sqlx::PgConnection, lane: Lane) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT pg_try_advisory_lock(7514, $1::int4)")
        .bind(lane.0)
        .fetch_one(conn)
        .await
}

/// How often [`lane_keeper`] asks whether the lane's connection is still there, and how long
/// it waits for the answer.
const LANE_CHECK: Duration = Duration::from_secs(5);

/// Keeps a store's lane of the audit log taken until the store is closed or dropped (`holder`
/// is the lane's connection): every [`LANE_CHECK`] it asks on that connection, and when the
/// connection was lost or does not answer in time (a database restart or fail-over, a network
/// fault) it drops it and takes the lane again on another, once the database answers and
/// PostgreSQL has freed the old session's lock. If the lane is held elsewhere meanwhile
/// (another store that took it, or the old session not yet ended), the two share it (correct:
/// they take turns at its audit lock, but no longer write apart): a warning says so once, and
/// the lane is asked for at each check until it is free. It ends when the store is being
/// closed.
fn lane_keeper(
    pool: PgPool,
    lane: Lane,
    holder: std::sync::Weak<tokio::sync::Mutex<Option<sqlx::PgConnection>>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // Whether the lane is held elsewhere, and whether taking it again failed, as last
        // reported (each said once, not at every check).
        let (mut shared, mut failing) = (false, false);
        loop {
            tokio::time::sleep(LANE_CHECK).await;
            let Some(holder) = holder.upgrade() else {
                return;
            };
            let mut held = holder.lock().await;
            if let Some(conn) = held.as_mut() {
                let ping = sqlx::query("SELECT 1").execute(conn);
                if matches!(tokio::time::timeout(LANE_CHECK, ping).await, Ok(Ok(_))) {
                    continue;
                }
                // Lost, or not answering: given up, so that a fresh session can hold the lane.
                *held = None;
            }
            let taken = async {
                let mut conn = pool.acquire().await?;
                let taken = try_lane(&mut conn, lane).await?;
                // Only a connection that holds the lane leaves the pool.
                Ok::<_, sqlx::Error>(taken.then(|| conn.detach()))
            }
            .await;
            match taken {
                Ok(Some(conn)) => {
                    *held = Some(conn);
                    (shared, failing) = (false, false);
                    tracing::info!(
                        lane = lane.0,
                        "the audit log's lane is held again after its connection was lost"
                    );
                }
                Ok(None) => {
                    if !shared {
                        tracing::warn!(
                            lane = lane.0,
                            "the audit log's lane is held elsewhere since this instance lost its connection (another instance, or the old session not yet ended): shared until it is free"
                        );
                    }
                    (shared, failing) = (true, false);
                }
                // The store is being closed (`HeldLane::release` follows): nothing to take.
                Err(_) if pool.is_closed() => return,
                Err(e) => {
                    if failing {
                        tracing::debug!(lane = lane.0, error = %e, "the audit log's lane could not be taken again");
                    } else {
                        tracing::warn!(lane = lane.0, error = %e, "the audit log's lane could not be taken again; trying at each check");
                    }
                    failing = true;
                }
            }
        }
    })
}

/// PostgreSQL's planner statistics, after a bulk load.
async fn postgres_refresh_statistics(pool: &PgPool) -> Result<(), StoreError> {
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}

/// How long the WAL's truncating checkpoint is tried again while another checkpoint runs.
const TRUNCATE_FOR: Duration = Duration::from_secs(2);

/// SQLite's planner statistics after a bulk load (`PRAGMA optimize`), and the WAL file cut back
/// to nothing: SQLite reuses that file from its start but never shrinks it while a connection
/// has the database open (a server running beside an import), so the room a load took stayed
/// taken. The truncating checkpoint waits (the busy timeout) for writers and for readers of
/// older snapshots, but not for another checkpoint (every store's [`checkpointer`] runs one
/// four times a second): then it answers busy, and is tried again shortly. If it never gets
/// through, the load is stored all the same and the file keeps its size: a warning says so.
async fn sqlite_refresh_statistics(pool: &SqlitePool) -> Result<(), StoreError> {
    sqlx::query("PRAGMA optimize").execute(pool).await?;
    let until = tokio::time::Instant::now() + TRUNCATE_FOR;
    loop {
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(pool)
            .await?;
        if busy == 0 {
            return Ok(());
        }
        if tokio::time::Instant::now() >= until {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tracing::warn!(
        "the WAL file was not cut back after the bulk load: another checkpoint or a reader kept it busy"
    );
    Ok(())
}

/// SQLite's group commit as one command of several statements (one round trip to the
/// connection's thread where the statement-by-statement transaction makes five): BEGIN, the
/// audit INSERT, the chain log's rows and COMMIT. The rows are bound as parameters of
/// multi-row `VALUES` lists, each list as long as the batch's longest rounded up to a power of
/// two (the rest bound NULL and skipped), so that a connection prepares at most one command
/// per power of two up to [`AUDIT_BATCH`] ([`sqlite_batch_command`]). Bound as JSON and read
/// back with `jsonb_each` and `->>` (until 2026-12-07), the rows cost a fifth of a Patient
/// search's instructions on SQLite (24 `->>` a request at about 1,200 each); bound as
/// parameters, a search runs 16 % fewer (`docs/performance.md`). The parameters are plain `?`:
/// sqlx asks SQLite for each parameter's name, which for numbered ones walks the list of
/// names, so binding n numbered parameters costs n².
/// Both inserts are `OR ROLLBACK`: a constraint they break ends the whole transaction at once,
/// and nothing is left open to roll back. The audit entries are inserted only if every guard
/// holds (as in [`SqliteStore::push_guarded_audit_insert`]); the chain log's rows in any case.
/// The number of audit entries inserted (all or none), as the one row the command answers
/// (`changes()`; `RETURNING seq` sent a row per entry through sqlx's channel from the
/// connection's thread). A batch with more chain-log rows than the longest list is
/// [`AtOnce::Unfit`].
async fn sqlite_batch_at_once(
    conn: &mut sqlx::pool::PoolConnection<sqlx::Sqlite>,
    entries: &[AuditEntry],
    guards: &[&Arc<crate::medmij::AccessGuard>],
    chain: &[&crate::ChainEvent],
    _last: &(i64, String),
    _lane: Lane,
) -> Result<AtOnce, sqlx::Error> {
    use sqlx::Arguments;
    if entries.is_empty() && chain.is_empty() {
        return Ok(AtOnce::Written(0));
    }
    let rows = entries
        .len()
        .max(guards.len())
        .max(chain.len())
        .next_power_of_two();
    if rows > AUDIT_BATCH {
        return Ok(AtOnce::Unfit);
    }
    let mut args = sqlx::sqlite::SqliteArguments::default();
    args.reserve(rows * SQLITE_BATCH_COLUMNS + 1, 0);
    // A text is copied once into an `Arc<str>`, which sqlx binds as it is (a `&str` it copies
    // into a `String` and then puts in an `Arc` of its own: two allocations).
    let text = |s: &str| Arc::<str>::from(s);
    fn add<'q>(
        args: &mut sqlx::sqlite::SqliteArguments,
        value: impl sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    ) -> Result<(), sqlx::Error> {
        args.add(value).map_err(sqlx::Error::Encode)
    }
    for i in 0..rows {
        match entries.get(i) {
            Some(e) => {
                add(&mut args, e.seq)?;
                add(&mut args, format_instant(e.event.at))?;
                add(&mut args, text(e.event.event.as_str()))?;
                add(&mut args, e.event.patient.as_ref().map(|p| p.to_string()))?;
                for s in [&e.event.user, &e.event.responsible_user, &e.event.role] {
                    add(&mut args, text(s.as_str()))?;
                }
                add(&mut args, text(e.event.channel.as_str()))?;
                for s in [&e.event.request_id, &e.event.detail, &e.prev_hash, &e.hash] {
                    add(&mut args, text(s.as_str()))?;
                }
            }
            None => {
                for _ in 0..12 {
                    add(&mut args, None::<i64>)?;
                }
            }
        }
    }
    for i in 0..rows {
        match guards.get(i) {
            Some(g) => {
                add(&mut args, text(g.token_hash.as_str()))?;
                add(&mut args, g.stamp.version)?;
                for s in [&g.stamp.updated_at, &g.stamp.practice, &g.settings] {
                    add(&mut args, text(s.as_str()))?;
                }
            }
            None => {
                for _ in 0..5 {
                    add(&mut args, None::<i64>)?;
                }
            }
        }
    }
    add(&mut args, guards.len() as i64)?;
    for i in 0..rows {
        match chain.get(i) {
            Some(e) => {
                add(&mut args, format_instant(e.at))?;
                add(&mut args, text(e.kind.as_str()))?;
                for s in [&e.request_id, &e.correlation_id, &e.client_id] {
                    add(&mut args, text(s.as_str()))?;
                }
                add(&mut args, i64::from(e.status))?;
                add(&mut args, text(e.resource.as_str()))?;
            }
            None => {
                for _ in 0..7 {
                    add(&mut args, None::<i64>)?;
                }
            }
        }
    }
    // sqlx binds what it is given in order and never counts: a missing value would shift the
    // rest.
    debug_assert_eq!(args.len(), rows * SQLITE_BATCH_COLUMNS + 1);
    let written = sqlx::query_with(sqlite_batch_command(rows), args)
        .fetch_all(&mut **conn)
        .await
        .and_then(|rows| match rows.as_slice() {
            [row] => row.try_get::<i64, _>(0),
            _ => Err(sqlx::Error::Protocol(format!(
                "{} rows for one count",
                rows.len()
            ))),
        })
        .and_then(|n| {
            usize::try_from(n).map_err(|_| sqlx::Error::Protocol(format!("{n} audit entries")))
        });
    match &written {
        Ok(_) => {}
        // The taken `seq` of another writer's entry: `OR ROLLBACK` has rolled the whole
        // transaction back, nothing is left open.
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) => {}
        // Any other failure may leave the transaction open. If it cannot be rolled back (or
        // none was open because BEGIN failed), the connection is closed rather than given
        // back holding a transaction; the pool opens a new one.
        Err(_) => {
            if sqlx::query("ROLLBACK").execute(&mut **conn).await.is_err() {
                conn.close_on_drop();
            }
        }
    }
    written.map(AtOnce::Written)
}

/// Parameters per row of [`sqlite_batch_command`]: an audit entry's twelve, a guard's five
/// and a chain-log line's seven.
const SQLITE_BATCH_COLUMNS: usize = 12 + 5 + 7;

/// The text of [`sqlite_batch_at_once`]'s command for `rows` (a power of two up to
/// [`AUDIT_BATCH`]) rows of each kind, made once per process. Rows whose first value is NULL
/// are padding: the audit entries' `seq` and the chain-log line's `at` are never NULL, and a
/// guard whose token hash is NULL joins no token, while the guards are counted against the
/// number bound after them.
fn sqlite_batch_command(rows: usize) -> &'static str {
    const SIZES: usize = AUDIT_BATCH.trailing_zeros() as usize + 1;
    static COMMANDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    debug_assert!(rows.is_power_of_two() && rows <= AUDIT_BATCH);
    let commands = COMMANDS.get_or_init(|| {
        (0..SIZES)
            .map(|k| {
                let values = |columns: usize| {
                    let row = format!("({})", vec!["?"; columns].join(","));
                    vec![row; 1 << k].join(",")
                };
                format!(
                    "BEGIN IMMEDIATE; \
                    INSERT OR ROLLBACK INTO audit_log (seq, at, event, patient_id, user_id, responsible_user, role, channel, request_id, detail, prev_hash, hash) \
                    SELECT * FROM (VALUES {audit}) AS e \
                    WHERE e.column1 IS NOT NULL AND (SELECT count(*) FROM (SELECT column1 AS token_hash, \
                        column2 AS version, column3 AS updated_at, column4 AS practice, column5 AS settings \
                        FROM (VALUES {guards})) AS g {hold}) = ?; \
                    SELECT changes(); \
                    INSERT OR ROLLBACK INTO medmij_chain_log (at, event, request_id, correlation_id, client_id, status, resource) \
                    SELECT * FROM (VALUES {chain}) AS c WHERE c.column1 IS NOT NULL; \
                    COMMIT",
                    audit = values(12),
                    guards = values(5),
                    chain = values(7),
                    hold = guards_that_hold!(),
                )
            })
            .collect()
    });
    &commands[rows.trailing_zeros() as usize]
}

/// PostgreSQL's group commit as one statement, so one round trip and one implicit transaction
/// where the statement-by-statement transaction makes five (BEGIN, the audit lock, the chain's
/// end, the INSERT, COMMIT). Its text is the same for every batch (the rows are bound as one
/// array per column), so it is prepared once per connection. The function `audit_lane_append_or_end`
/// (PostgreSQL migration 0033) takes the audit lock of `lane`, so that a record's save, which reads the lane's end
/// under that lock, never reads past an entry of this batch; then, in statements that see what
/// committed while it waited for the lock (one statement's snapshot is taken before the wait),
/// it checks that `last` is still the lane's last entry and which guards hold, inserts the
/// chain log's rows, and the audit entries only if every guard holds. The number of audit
/// entries inserted; when `last` is not the last entry, nothing is written and the answer is
/// the end the function found ([`AtOnce::Moved`]).
async fn postgres_batch_at_once(
    conn: &mut sqlx::pool::PoolConnection<sqlx::Postgres>,
    entries: &[AuditEntry],
    guards: &[&Arc<crate::medmij::AccessGuard>],
    chain: &[&crate::ChainEvent],
    last: &(i64, String),
    lane: Lane,
) -> Result<AtOnce, sqlx::Error> {
    const STATEMENT: &str = "SELECT written, end_seq, end_hash FROM audit_lane_append_or_end($27::int8, $1::int8, $2::text, \
        $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], \
        $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], \
        $15::text[], $16::int8[], $17::text[], $18::text[], $19::text[], \
        $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::int4[], $26::text[])";
    // Chain-log rows alone: the same insert, without the audit lock (a record's save may hold it).
    const CHAIN_ONLY: &str = "INSERT INTO medmij_chain_log (at, event, request_id, correlation_id, client_id, status, resource) \
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int4[], $7::text[])";
    fn column<'a, T, U>(items: &'a [T], f: impl Fn(&'a T) -> U) -> Vec<U> {
        items.iter().map(f).collect()
    }
    if entries.is_empty() && chain.is_empty() {
        return Ok(AtOnce::Written(0));
    }
    if entries.is_empty() {
        sqlx::query(CHAIN_ONLY)
            .bind(column(chain, |e| format_instant(e.at)))
            .bind(column(chain, |e| e.kind.as_str()))
            .bind(column(chain, |e| e.request_id.as_str()))
            .bind(column(chain, |e| e.correlation_id.as_str()))
            .bind(column(chain, |e| e.client_id.as_str()))
            .bind(column(chain, |e| i32::from(e.status)))
            .bind(column(chain, |e| e.resource.as_str()))
            .execute(&mut **conn)
            .await?;
        return Ok(AtOnce::Written(0));
    }
    let (written, end_seq, end_hash): (i64, i64, Option<String>) = sqlx::query_as(STATEMENT)
        .bind(last.0)
        .bind(last.1.as_str())
        .bind(column(entries, |e| e.seq))
        .bind(column(entries, |e| format_instant(e.event.at)))
        .bind(column(entries, |e| e.event.event.as_str()))
        .bind(column(entries, |e| {
            e.event.patient.as_ref().map(|p| p.to_string())
        }))
        .bind(column(entries, |e| e.event.user.as_str()))
        .bind(column(entries, |e| e.event.responsible_user.as_str()))
        .bind(column(entries, |e| e.event.role.as_str()))
        .bind(column(entries, |e| e.event.channel.as_str()))
        .bind(column(entries, |e| e.event.request_id.as_str()))
        .bind(column(entries, |e| e.event.detail.as_str()))
        .bind(column(entries, |e| e.prev_hash.as_str()))
        .bind(column(entries, |e| e.hash.as_str()))
        .bind(column(guards, |g| g.token_hash.as_str()))
        .bind(column(guards, |g| g.stamp.version))
        .bind(column(guards, |g| g.stamp.updated_at.as_str()))
        .bind(column(guards, |g| g.stamp.practice.as_str()))
        .bind(column(guards, |g| g.settings.as_str()))
        .bind(column(chain, |e| format_instant(e.at)))
        .bind(column(chain, |e| e.kind.as_str()))
        .bind(column(chain, |e| e.request_id.as_str()))
        .bind(column(chain, |e| e.correlation_id.as_str()))
        .bind(column(chain, |e| e.client_id.as_str()))
        .bind(column(chain, |e| i32::from(e.status)))
        .bind(column(chain, |e| e.resource.as_str()))
        .bind(lane.0)
        .fetch_one(&mut **conn)
        .await?;
    if written < 0 {
        return Ok(AtOnce::Moved((
            end_seq,
            end_hash.unwrap_or_else(|| GENESIS.to_owned()),
        )));
    }
    Ok(AtOnce::Written(usize::try_from(written).unwrap_or(0)))
}
