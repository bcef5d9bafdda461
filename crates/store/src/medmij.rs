//! MedMij tokens: what the resource server needs to know about a presented bearer token.
//! Only hashes are stored; a token is valid until it expires or is revoked.

use crate::audit::format_instant;
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::PatientId;
use sqlx::Row;
use std::future::Future;

/// A request's ask for its access context, waiting for the next batched read.
pub(crate) struct AccessAsk {
    token_hash: String,
    now: DateTime<Utc>,
    reply: tokio::sync::oneshot::Sender<Result<Option<AccessContext>, StoreError>>,
}
pub(crate) type AccessQueue = tokio::sync::mpsc::Sender<AccessAsk>;

/// How many batched reads of access contexts may run at once, and how many asks one takes.
const ACCESS_READERS: usize = 2;
const ACCESS_BATCH: usize = 128;

/// Parsed practice settings by practice, kept with the stored text they were parsed from.
type KeptSettings = std::sync::Mutex<
    std::collections::HashMap<String, (String, std::sync::Arc<inzage_domain::PracticeSettings>)>,
>;

/// Sends an ask to the batched reader and waits for its answer.
async fn ask_access(
    queue: &AccessQueue,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<AccessContext>, StoreError> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    let stopped = || StoreError::Batch("the access reader has stopped".into());
    queue
        .send(AccessAsk {
            token_hash: token_hash.to_owned(),
            now,
            reply,
        })
        .await
        .map_err(|_| stopped())?;
    answer.await.unwrap_or_else(|_| Err(stopped()))
}

/// What a MedMij resource request works with, read in one query: the valid token, its patient's
/// record (shared, as [`crate::RecordStore::load_record_shared`] keeps it) and the practice's
/// settings.
#[derive(Debug, Clone)]
pub struct AccessContext {
    /// Shared with the kept context, so that a request from memory copies none of its text.
    pub token: std::sync::Arc<AccessToken>,
    pub record: std::sync::Arc<inzage_domain::PatientRecord>,
    pub settings: std::sync::Arc<inzage_domain::PracticeSettings>,
    /// Set when the context was taken from memory ([`MedmijStore::kept_access_context`]) rather
    /// than read for this request: what it must still be when the answer's audit entry is
    /// written ([`MedmijStore::append_audit_if_current`]).
    pub guard: Option<std::sync::Arc<AccessGuard>>,
}

/// The stored state an access context was made from: its token (not revoked), the record's
/// version, the practice's stored form and the practice's stored settings. An answer built from
/// a kept context goes out only if the database still holds exactly this state when the
/// answer's audit entry is written, in the same transaction.
#[derive(Debug)]
pub struct AccessGuard {
    pub(crate) token_hash: String,
    pub(crate) stamp: crate::cache::Stamp,
    /// The settings' stored text; empty when the practice has none stored.
    pub(crate) settings: String,
}

/// The access contexts this instance read last, by token hash, so that a PGO's next request
/// needs no read of its own before its answer is built (its audit entry checks them instead).
/// Only a context whose record the record cache still keeps is used, so the records' memory
/// stays within the cache's budget.
#[derive(Debug, Default)]
pub(crate) struct KeptAccess {
    kept: std::sync::Mutex<std::collections::HashMap<String, KeptContext>>,
    /// Counts uses, so that the least recently used context goes first when too many are kept.
    clock: std::sync::atomic::AtomicU64,
    /// Answers built again because a kept context was no longer current.
    pub(crate) stale: std::sync::atomic::AtomicU64,
}

#[derive(Debug)]
struct KeptContext {
    token: std::sync::Arc<AccessToken>,
    settings: std::sync::Arc<inzage_domain::PracticeSettings>,
    guard: std::sync::Arc<AccessGuard>,
    /// The [`KeptAccess::clock`] at its last use.
    used: u64,
}

/// How many tokens' contexts are kept; beyond it the expired go first, then the least recently
/// used, down to three quarters (so that the scan is rare). Each takes about the size of its
/// practice's and settings' stored text (1-2 KB): a few MiB in all, beside the record cache's
/// budget. Tokens live 15 minutes.
const KEPT_TOKENS: usize = 4_096;

impl KeptAccess {
    /// The kept context of `token_hash` if its token is unexpired at `now` and its record is
    /// still in `cache` as of the same stored state.
    fn get(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        cache: &crate::cache::RecordCache,
    ) -> Option<AccessContext> {
        let (token, settings, guard) = {
            let used = self
                .clock
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut kept = self.kept.lock().ok()?;
            let k = kept.get_mut(token_hash)?;
            if k.token.expires_at <= now {
                return None;
            }
            k.used = used;
            (k.token.clone(), k.settings.clone(), k.guard.clone())
        };
        let record = cache.get(token.patient.as_str(), &guard.stamp)?;
        Some(AccessContext {
            token,
            record,
            settings,
            guard: Some(guard),
        })
    }

    fn put(
        &self,
        token: &std::sync::Arc<AccessToken>,
        settings: &std::sync::Arc<inzage_domain::PracticeSettings>,
        guard: AccessGuard,
        now: DateTime<Utc>,
    ) {
        let used = self
            .clock
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        if kept.len() >= KEPT_TOKENS && !kept.contains_key(&token.token_hash) {
            kept.retain(|_, k| k.token.expires_at > now);
            if kept.len() >= KEPT_TOKENS {
                // The least recently used go, down to three quarters: the rest stay kept (a
                // busy deployment may have more tokens in use than this at one time).
                let mut uses: Vec<u64> = kept.values().map(|k| k.used).collect();
                let quarter = uses.len() / 4;
                let (_, &mut oldest_kept, _) = uses.select_nth_unstable(quarter);
                kept.retain(|_, k| k.used >= oldest_kept);
            }
        }
        kept.insert(
            token.token_hash.clone(),
            KeptContext {
                token: token.clone(),
                settings: settings.clone(),
                guard: std::sync::Arc::new(guard),
                used,
            },
        );
    }

    /// Forgets `token_hash`'s context (when it is not valid, or no longer current); a newer
    /// context kept meanwhile stays.
    fn forget(&self, token_hash: &str, guard: Option<&std::sync::Arc<AccessGuard>>) {
        if let Ok(mut kept) = self.kept.lock()
            && kept
                .get(token_hash)
                .is_some_and(|k| guard.is_none_or(|g| std::sync::Arc::ptr_eq(g, &k.guard)))
        {
            kept.remove(token_hash);
        }
    }
}

/// An access token as stored: its SHA-256 (hex), whose record it opens, for which PGO
/// (`client_id`, the PGO's hostname) and on whose consent (`subject`: the login that consented).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub token_hash: String,
    pub patient: PatientId,
    pub client_id: String,
    pub subject: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The grant it came from: the hash of the authorization code (none for tokens made
    /// before grants were kept).
    pub grant_id: Option<String>,
}

/// An authorization code, issued after the person's explicit consent; used at most once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthCode {
    pub code_hash: String,
    pub patient: PatientId,
    pub client_id: String,
    pub redirect_uri: String,
    pub subject: String,
    /// Long-term consent: refresh tokens may be issued until then.
    pub consent_until: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// A refresh token: of a long-term consent (valid until the consent ends, lapsing after
/// [`CONSENT_IDLE_MONTHS`] without use), or of a one-time consent (valid only minutes). Each use
/// replaces it with a new one (rotation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub token_hash: String,
    pub patient: PatientId,
    pub client_id: String,
    pub subject: String,
    pub issued_at: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// The grant it came from (see [`AccessToken::grant_id`]).
    pub grant_id: Option<String>,
}

/// A long-term consent lapses when no data was fetched for this many months (MedMij
/// Toestemmingsverklaring 2.2.4). A fetch after the first needs a refresh (access tokens live 15
/// minutes), and every refresh makes a new refresh token, so its `issued_at` is the last fetch.
pub const CONSENT_IDLE_MONTHS: u32 = 6;

/// What presenting an authorization code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeClaim {
    /// Unused and unexpired: now spent.
    Claimed(AuthCode),
    /// Presented before: every token issued from it is now revoked (`revoked` tokens).
    Replayed { revoked: u64 },
    /// Unknown or expired.
    Invalid,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshClaim {
    /// Valid: now used, and replaced by the returned new token (same grant, same end).
    Rotated(RefreshToken),
    /// Used before: the whole grant is now revoked (`revoked` tokens).
    Replayed { revoked: u64 },
    /// Unknown, expired, lapsed, revoked, or another client's.
    Invalid,
}

pub trait MedmijStore: Send + Sync {
    fn store_code(&self, code: &AuthCode) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Spends the code (core.tknint.203/.204): returns it if it was unused and unexpired, so a
    /// code works once even when two requests present it at the same moment. A code presented
    /// again revokes every token issued from it.
    fn claim_code(
        &self,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<CodeClaim, StoreError>> + Send;

    fn store_refresh_token(
        &self,
        token: &RefreshToken,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Uses the refresh token with hash `token_hash` of `client_id` at `now`: if it is valid,
    /// marks it used and stores `new_hash` in its place (same patient, grant and end), in one
    /// transaction. A used token presented again revokes the whole grant.
    fn rotate_refresh_token(
        &self,
        token_hash: &str,
        client_id: &str,
        new_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<RefreshClaim, StoreError>> + Send;

    /// Token revocation by the PGO (RFC 7009, RFC0054): ends the grant of the refresh token
    /// `token_hash` if it belongs to `client_id`, with every token of that grant. The patient
    /// whose consent it was, or `None` for a token unknown to this client.
    fn revoke_refresh_token(
        &self,
        token_hash: &str,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<PatientId>, StoreError>> + Send;

    /// The long-term consents of a patient still valid at `now`, one per PGO (the latest).
    fn consents(
        &self,
        patient: &PatientId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<RefreshToken>, StoreError>> + Send;

    fn store_access_token(
        &self,
        token: &AccessToken,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The token with this hash if it is valid at `now` (not expired, not revoked).
    fn access_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<AccessToken>, StoreError>> + Send;

    /// The token with this hash if it is valid at `now`, with its patient's record and the
    /// practice's settings: one round trip to the database when the record is kept in memory
    /// (three separate reads cost three; most of a MedMij request's time went to them).
    fn access_context(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<AccessContext>, StoreError>> + Send;

    /// As [`Self::access_context`], but without a read when this instance read the token's
    /// context before and still keeps its record: the context comes with a guard, and the
    /// answer built from it goes out only if [`Self::append_audit_if_current`] finds it
    /// current. A read is saved on every request but a PGO's first.
    fn kept_access_context(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<AccessContext>, StoreError>> + Send;

    /// Appends `event` to the audit log if `guard` (of a kept access context) is still what
    /// the database holds, checked in the transaction that writes the entry: `None` when it is
    /// not (the token was revoked, or the record, the practice or its settings changed since),
    /// and then nothing is written and the context is no longer kept. Without a guard it is
    /// [`crate::RecordStore::append_audit`].
    fn append_audit_if_current(
        &self,
        event: crate::AuditEvent,
        guard: Option<&std::sync::Arc<AccessGuard>>,
    ) -> impl Future<Output = Result<Option<crate::AuditEntry>, StoreError>> + Send;

    /// Revokes every access and refresh token of one patient for one PGO, at once; returns how
    /// many.
    fn revoke_access_tokens(
        &self,
        patient: &PatientId,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Queues chain-log events (R88) for the next group commit, which stores them in one
    /// transaction; returns once they are queued, not once stored (a failure to store them is
    /// logged). [`MedmijStore::chain_log`] and [`MedmijStore::purge_chain_log`] see every event
    /// queued before they are called.
    fn log_chain(
        &self,
        events: &[ChainEvent],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The chain-log events at or after `since`, oldest first.
    fn chain_log(
        &self,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<ChainEvent>, StoreError>> + Send;

    /// Deletes the chain-log events before `before`; returns how many.
    fn purge_chain_log(
        &self,
        before: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// The columns [`refresh_row`] reads, in its order (a macro, so queries stay static strings).
macro_rules! refresh_columns {
    () => {
        "token_hash, patient_id, client_id, subject, issued_at, valid_until, grant_id"
    };
}

fn refresh_row<R: Row>(r: &R) -> Result<RefreshToken, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(RefreshToken {
        token_hash: r.try_get(0)?,
        patient: PatientId::new(r.try_get::<String, _>(1)?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        client_id: r.try_get(2)?,
        subject: r.try_get(3)?,
        issued_at: parse_instant(&r.try_get::<String, _>(4)?)?,
        valid_until: parse_instant(&r.try_get::<String, _>(5)?)?,
        grant_id: r.try_get(6)?,
    })
}

/// The moment before which an unused long-term consent has lapsed.
fn idle_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_sub_months(chrono::Months::new(CONSENT_IDLE_MONTHS))
        .unwrap_or(now)
}

/// What a chain-log event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainEventKind {
    AuthorizationRequest,
    TokenRequest,
    ResourceRequest,
}

impl ChainEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationRequest => "authorization_request",
            Self::TokenRequest => "token_request",
            Self::ResourceRequest => "resource_request",
        }
    }
    fn parse(s: &str) -> Result<Self, StoreError> {
        [
            Self::AuthorizationRequest,
            Self::TokenRequest,
            Self::ResourceRequest,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| StoreError::Corrupt(format!("chain event {s:?}")))
    }
}

/// One MedMij chain-log event (R88): the request identifiers, the PGO and the outcome. No
/// patient and no content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEvent {
    pub at: DateTime<Utc>,
    pub kind: ChainEventKind,
    /// The `MedMij-Request-ID` (or the one we gave the request).
    pub request_id: String,
    pub correlation_id: String,
    /// The PGO's client id, when known.
    pub client_id: String,
    /// The HTTP status of the answer.
    pub status: u16,
    /// What was asked for: a resource type or an endpoint, never a query's values.
    pub resource: String,
}

/// An access token from the first seven columns of `r`: token_hash, patient_id, client_id,
/// subject, issued_at, expires_at, grant_id.
fn token_row<R: Row>(r: &R) -> Result<AccessToken, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(AccessToken {
        token_hash: r.try_get(0)?,
        patient: PatientId::new(r.try_get::<String, _>(1)?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        client_id: r.try_get(2)?,
        subject: r.try_get(3)?,
        issued_at: parse_instant(&r.try_get::<String, _>(4)?)?,
        expires_at: parse_instant(&r.try_get::<String, _>(5)?)?,
        grant_id: r.try_get(6)?,
    })
}

macro_rules! impl_medmij {
    ($Store:ident, $Db:ty) => {
        impl $Store {
            /// Reads access contexts in batches: a few tasks each take every ask waiting (up to
            /// `ACCESS_BATCH`) and answer them with one query, so that under load many requests
            /// share one round trip to the database where each used to make its own. Every
            /// ask is answered from a read that began after it was made: a token revoked or a
            /// record changed before a request arrived is seen by that request.
            pub(crate) fn access_reader(pool: sqlx::Pool<$Db>, cache: std::sync::Arc<crate::cache::RecordCache>, kept: std::sync::Arc<KeptAccess>) -> AccessQueue {
                let (queue, asks) = tokio::sync::mpsc::channel::<AccessAsk>(4 * ACCESS_BATCH);
                let asks = std::sync::Arc::new(tokio::sync::Mutex::new(asks));
                let settings: std::sync::Arc<KeptSettings> = std::sync::Arc::default();
                for _ in 0..ACCESS_READERS {
                    let (asks, pool, cache, settings, kept) = (asks.clone(), pool.clone(), cache.clone(), settings.clone(), kept.clone());
                    tokio::spawn(async move {
                        let mut lease = crate::lease::Lease::kept(pool);
                        loop {
                            let batch = {
                                let mut asks = lease.wait(asks.lock()).await;
                                let Some(first) = lease.wait(asks.recv()).await else {
                                    return;
                                };
                                let mut batch = vec![first];
                                while batch.len() < ACCESS_BATCH {
                                    match asks.try_recv() {
                                        Ok(ask) => batch.push(ask),
                                        Err(_) => break,
                                    }
                                }
                                batch
                            };
                            let found = match lease.conn().await {
                                Ok(conn) => Self::access_batch(conn, &cache, &settings, &kept, &batch).await,
                                Err(e) => Err(e.into()),
                            };
                            lease.done(found.is_err(), false);
                            match found {
                                Ok(found) => {
                                    for (ask, context) in batch.into_iter().zip(found) {
                                        let _ = ask.reply.send(context);
                                    }
                                }
                                Err(e) => {
                                    let message = e.to_string();
                                    for ask in batch {
                                        let _ = ask.reply.send(Err(StoreError::Batch(message.clone())));
                                    }
                                }
                            }
                        }
                    });
                }
                queue
            }

            /// The access contexts of `batch`, in its order: the valid tokens, their stored
            /// records' states and the practices' settings in one query; a record is parsed
            /// only when the kept one is not of its state. A record or settings that cannot be
            /// read fail that ask alone; a failed query fails the batch.
            async fn access_batch(
                conn: &mut sqlx::pool::PoolConnection<$Db>,
                cache: &crate::cache::RecordCache,
                kept_settings: &KeptSettings,
                kept: &KeptAccess,
                batch: &[AccessAsk],
            ) -> Result<Vec<Result<Option<AccessContext>, StoreError>>, StoreError> {
                let mut qb: sqlx::QueryBuilder<$Db> = sqlx::QueryBuilder::new(
                    "SELECT t.token_hash, t.patient_id, t.client_id, t.subject, t.issued_at, t.expires_at, t.grant_id, \
                     p.version, p.updated_at, pr.payload, p.payload, s.payload, p.practice_id \
                     FROM medmij_access_tokens t \
                     JOIN patients p ON p.id = t.patient_id \
                     JOIN practices pr ON pr.id = p.practice_id \
                     LEFT JOIN practice_settings s ON s.practice_id = p.practice_id \
                     WHERE t.revoked_at IS NULL AND t.token_hash IN (",
                );
                let mut list = qb.separated(", ");
                for ask in batch {
                    list.push_bind(ask.token_hash.clone());
                }
                list.push_unseparated(")");
                let rows = qb.build().fetch_all(&mut **conn).await?;
                let mut found = Vec::with_capacity(batch.len());
                for ask in batch {
                    let row = rows
                        .iter()
                        .find(|r| r.try_get::<&str, _>(0).is_ok_and(|h| h == ask.token_hash));
                    let context = match row {
                        None => Ok(None),
                        Some(r) => Self::access_of(conn, cache, kept_settings, kept, r, ask.now).await,
                    };
                    if !matches!(context, Ok(Some(_))) {
                        kept.forget(&ask.token_hash, None);
                    }
                    found.push(context);
                }
                Ok(found)
            }

            /// One ask's context from its row of the batched query.
            async fn access_of(
                conn: &mut sqlx::pool::PoolConnection<$Db>,
                cache: &crate::cache::RecordCache,
                kept_settings: &KeptSettings,
                kept: &KeptAccess,
                r: &<$Db as sqlx::Database>::Row,
                now: DateTime<Utc>,
            ) -> Result<Option<AccessContext>, StoreError> {
                    let token = std::sync::Arc::new(token_row(r)?);
                    // Each request's own moment: a token that expired before it is refused.
                    if token.expires_at <= now {
                        return Ok(None);
                    }
                    let stamp = crate::cache::Stamp {
                        version: r.try_get(7)?,
                        updated_at: r.try_get(8)?,
                        practice: r.try_get(9)?,
                    };
                    let practice_id: String = r.try_get(12)?;
                    let settings_text: Option<String> = r.try_get(11)?;
                    let settings = match settings_text.clone() {
                        None => std::sync::Arc::new(inzage_domain::PracticeSettings::default()),
                        Some(text) => {
                            let kept = kept_settings
                                .lock()
                                .ok()
                                .and_then(|k| k.get(&practice_id).filter(|(t, _)| *t == text).map(|(_, s)| s.clone()));
                            match kept {
                                Some(s) => s,
                                None => {
                                    let parsed: std::sync::Arc<inzage_domain::PracticeSettings> = std::sync::Arc::new(crate::items::parse("settings", &text)?);
                                    if let Ok(mut k) = kept_settings.lock() {
                                        k.insert(practice_id, (text, parsed.clone()));
                                    }
                                    parsed
                                }
                            }
                        }
                    };
                    let record = Self::record_at(cache, &mut **conn, &token.patient, stamp.clone(), r.try_get(10)?).await?;
                    let guard = AccessGuard { token_hash: token.token_hash.clone(), stamp, settings: settings_text.unwrap_or_default() };
                    kept.put(&token, &settings, guard, now);
                    Ok(Some(AccessContext { token, record, settings, guard: None }))
            }

            async fn insert_refresh_in(
                tx: &mut sqlx::Transaction<'_, $Db>,
                t: &RefreshToken,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO medmij_refresh_tokens (token_hash, patient_id, client_id, subject, issued_at, valid_until, grant_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&t.token_hash)
                .bind(t.patient.as_str())
                .bind(&t.client_id)
                .bind(&t.subject)
                .bind(format_instant(t.issued_at))
                .bind(format_instant(t.valid_until))
                .bind(&t.grant_id)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// Revokes every access and refresh token of one grant; returns how many.
            async fn revoke_grant_in(
                tx: &mut sqlx::Transaction<'_, $Db>,
                grant: &str,
                now: DateTime<Utc>,
            ) -> Result<u64, StoreError> {
                let mut n = 0;
                for sql in [
                    "UPDATE medmij_access_tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL",
                    "UPDATE medmij_refresh_tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL",
                ] {
                    n += sqlx::query(sql)
                        .bind(grant)
                        .bind(format_instant(now))
                        .execute(&mut **tx)
                        .await?
                        .rows_affected();
                }
                Ok(n)
            }

            /// Revokes every access and refresh token of one patient for one PGO.
            async fn revoke_client_in(
                tx: &mut sqlx::Transaction<'_, $Db>,
                patient: &str,
                client_id: &str,
                now: DateTime<Utc>,
            ) -> Result<u64, StoreError> {
                let mut n = 0;
                for sql in [
                    "UPDATE medmij_access_tokens SET revoked_at = $3 WHERE patient_id = $1 AND client_id = $2 AND revoked_at IS NULL",
                    "UPDATE medmij_refresh_tokens SET revoked_at = $3 WHERE patient_id = $1 AND client_id = $2 AND revoked_at IS NULL",
                ] {
                    n += sqlx::query(sql)
                        .bind(patient)
                        .bind(client_id)
                        .bind(format_instant(now))
                        .execute(&mut **tx)
                        .await?
                        .rows_affected();
                }
                Ok(n)
            }

            /// Inserts chain-log events inside an open transaction (the group commit's), in one
            /// statement.
            pub(crate) async fn insert_chain_in(
                tx: &mut sqlx::Transaction<'_, $Db>,
                events: &[&ChainEvent],
            ) -> Result<(), StoreError> {
                // 7 parameters a row: 1,000 rows stay far below both backends' limits.
                for chunk in events.chunks(crate::backend::CHAIN_INSERT_ROWS) {
                    let mut qb: sqlx::QueryBuilder<$Db> = sqlx::QueryBuilder::new("");
                    Self::push_chain_insert(&mut qb, chunk);
                    qb.build().execute(&mut **tx).await?;
                }
                Ok(())
            }

            /// Adds one multi-row INSERT of `events` into the chain log to `qb`.
            pub(crate) fn push_chain_insert(qb: &mut sqlx::QueryBuilder<$Db>, events: &[&ChainEvent]) {
                qb.push("INSERT INTO medmij_chain_log (at, event, request_id, correlation_id, client_id, status, resource) ");
                qb.push_values(events, |mut b, e| {
                    b.push_bind(format_instant(e.at))
                        .push_bind(e.kind.as_str())
                        .push_bind(e.request_id.clone())
                        .push_bind(e.correlation_id.clone())
                        .push_bind(e.client_id.clone())
                        .push_bind(i32::from(e.status))
                        .push_bind(e.resource.clone());
                });
            }
        }

        impl MedmijStore for $Store {
            async fn log_chain(&self, events: &[ChainEvent]) -> Result<(), StoreError> {
                crate::backend::queue_chain(&self.audit_queue, events.to_vec()).await
            }

            async fn purge_chain_log(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
                crate::backend::flush(&self.audit_queue).await?;
                Ok(sqlx::query("DELETE FROM medmij_chain_log WHERE at < $1")
                    .bind(format_instant(before))
                    .execute(&self.write)
                    .await?
                    .rows_affected())
            }
            async fn chain_log(&self, since: DateTime<Utc>) -> Result<Vec<ChainEvent>, StoreError> {
                crate::backend::flush(&self.audit_queue).await?;
                let rows = sqlx::query(
                    "SELECT at, event, request_id, correlation_id, client_id, status, resource \
                     FROM medmij_chain_log WHERE at >= $1 ORDER BY at, id",
                )
                .bind(format_instant(since))
                .fetch_all(&self.read)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(ChainEvent {
                            at: parse_instant(&r.try_get::<String, _>(0)?)?,
                            kind: ChainEventKind::parse(&r.try_get::<String, _>(1)?)?,
                            request_id: r.try_get(2)?,
                            correlation_id: r.try_get(3)?,
                            client_id: r.try_get(4)?,
                            status: u16::try_from(r.try_get::<i32, _>(5)?)
                                .map_err(|_| StoreError::Corrupt("chain status".into()))?,
                            resource: r.try_get(6)?,
                        })
                    })
                    .collect()
            }


            async fn store_access_token(&self, t: &AccessToken) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO medmij_access_tokens (token_hash, patient_id, client_id, subject, issued_at, expires_at, grant_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&t.token_hash)
                .bind(t.patient.as_str())
                .bind(&t.client_id)
                .bind(&t.subject)
                .bind(format_instant(t.issued_at))
                .bind(format_instant(t.expires_at))
                .bind(&t.grant_id)
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn access_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<AccessToken>, StoreError> {
                let Some(r) = sqlx::query(
                    "SELECT token_hash, patient_id, client_id, subject, issued_at, expires_at, grant_id FROM medmij_access_tokens \
                     WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
                )
                .bind(token_hash)
                .bind(format_instant(now))
                .fetch_optional(&self.read)
                .await?
                else {
                    return Ok(None);
                };
                Ok(Some(token_row(&r)?))
            }

            async fn access_context(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<AccessContext>, StoreError> {
                ask_access(&self.access_queue, token_hash, now).await
            }

            async fn kept_access_context(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<AccessContext>, StoreError> {
                if let Some(context) = self.kept_access.get(token_hash, now, &self.cache) {
                    return Ok(Some(context));
                }
                ask_access(&self.access_queue, token_hash, now).await
            }

            async fn append_audit_if_current(&self, event: crate::AuditEvent, guard: Option<&std::sync::Arc<AccessGuard>>) -> Result<Option<crate::AuditEntry>, StoreError> {
                let Some(guard) = guard else {
                    return crate::RecordStore::append_audit(self, event).await.map(Some);
                };
                let written = crate::backend::queued(&self.audit_queue, |reply| crate::backend::AuditJob::Guarded(event, guard.clone(), reply)).await?;
                if written.is_none() {
                    self.kept_access.forget(&guard.token_hash, Some(guard));
                    self.kept_access.stale.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                Ok(written)
            }

            async fn revoke_access_tokens(&self, patient: &PatientId, client_id: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
                let mut tx = self.write.begin().await?;
                let n = Self::revoke_client_in(&mut tx, patient.as_str(), client_id, now).await?;
                tx.commit().await?;
                Ok(n)
            }

            async fn store_code(&self, c: &AuthCode) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO medmij_codes (code_hash, patient_id, client_id, redirect_uri, subject, consent_until, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&c.code_hash)
                .bind(c.patient.as_str())
                .bind(&c.client_id)
                .bind(&c.redirect_uri)
                .bind(&c.subject)
                .bind(c.consent_until.map(format_instant))
                .bind(format_instant(c.expires_at))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn claim_code(&self, code_hash: &str, now: DateTime<Utc>) -> Result<CodeClaim, StoreError> {
                let mut tx = self.write.begin().await?;
                let claimed = sqlx::query(
                    "UPDATE medmij_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(code_hash)
                .bind(format_instant(now))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if claimed != 1 {
                    let used = sqlx::query("SELECT used_at FROM medmij_codes WHERE code_hash = $1")
                        .bind(code_hash)
                        .fetch_optional(&mut *tx)
                        .await?
                        .map(|r| r.try_get::<Option<String>, _>(0))
                        .transpose()?
                        .flatten()
                        .is_some();
                    let outcome = if used {
                        CodeClaim::Replayed { revoked: Self::revoke_grant_in(&mut tx, code_hash, now).await? }
                    } else {
                        CodeClaim::Invalid
                    };
                    tx.commit().await?;
                    return Ok(outcome);
                }
                let r = sqlx::query(
                    "SELECT code_hash, patient_id, client_id, redirect_uri, subject, consent_until, expires_at FROM medmij_codes WHERE code_hash = $1",
                )
                .bind(code_hash)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(CodeClaim::Claimed(AuthCode {
                    code_hash: r.try_get(0)?,
                    patient: PatientId::new(r.try_get::<String, _>(1)?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    client_id: r.try_get(2)?,
                    redirect_uri: r.try_get(3)?,
                    subject: r.try_get(4)?,
                    consent_until: r.try_get::<Option<String>, _>(5)?.map(|s| parse_instant(&s)).transpose()?,
                    expires_at: parse_instant(&r.try_get::<String, _>(6)?)?,
                }))
            }

            async fn store_refresh_token(&self, t: &RefreshToken) -> Result<(), StoreError> {
                let mut tx = self.write.begin().await?;
                Self::insert_refresh_in(&mut tx, t).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn revoke_refresh_token(&self, token_hash: &str, client_id: &str, now: DateTime<Utc>) -> Result<Option<PatientId>, StoreError> {
                let mut tx = self.write.begin().await?;
                let row = sqlx::query(
                    "SELECT grant_id, patient_id FROM medmij_refresh_tokens WHERE token_hash = $1 AND client_id = $2",
                )
                .bind(token_hash)
                .bind(client_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let patient: String = row.try_get(1)?;
                match row.try_get::<Option<String>, _>(0)? {
                    Some(grant) => Self::revoke_grant_in(&mut tx, &grant, now).await?,
                    None => Self::revoke_client_in(&mut tx, &patient, client_id, now).await?,
                };
                tx.commit().await?;
                Ok(Some(PatientId::new(patient).map_err(|e| StoreError::Corrupt(e.to_string()))?))
            }

            async fn rotate_refresh_token(
                &self,
                token_hash: &str,
                client_id: &str,
                new_hash: &str,
                now: DateTime<Utc>,
            ) -> Result<RefreshClaim, StoreError> {
                let mut tx = self.write.begin().await?;
                let used = sqlx::query(
                    "UPDATE medmij_refresh_tokens SET used_at = $3 WHERE token_hash = $1 AND client_id = $2 \
                     AND used_at IS NULL AND revoked_at IS NULL AND valid_until > $3 AND issued_at > $4",
                )
                .bind(token_hash)
                .bind(client_id)
                .bind(format_instant(now))
                .bind(format_instant(idle_cutoff(now)))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if used != 1 {
                    let earlier = sqlx::query(
                        "SELECT used_at, grant_id, patient_id, client_id FROM medmij_refresh_tokens WHERE token_hash = $1",
                    )
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let outcome = match earlier {
                        Some(r) if r.try_get::<Option<String>, _>(0)?.is_some() => {
                            let revoked = match r.try_get::<Option<String>, _>(1)? {
                                Some(grant) => Self::revoke_grant_in(&mut tx, &grant, now).await?,
                                // Made before grants were kept: all of this PGO's tokens.
                                None => {
                                    let patient: String = r.try_get(2)?;
                                    let client: String = r.try_get(3)?;
                                    Self::revoke_client_in(&mut tx, &patient, &client, now).await?
                                }
                            };
                            RefreshClaim::Replayed { revoked }
                        }
                        _ => RefreshClaim::Invalid,
                    };
                    tx.commit().await?;
                    return Ok(outcome);
                }
                let row = sqlx::query(concat!(
                    "SELECT ", refresh_columns!(), " FROM medmij_refresh_tokens WHERE token_hash = $1"
                ))
                .bind(token_hash)
                .fetch_one(&mut *tx)
                .await?;
                let old = refresh_row(&row)?;
                let new = RefreshToken {
                    token_hash: new_hash.to_owned(),
                    issued_at: now,
                    ..old
                };
                Self::insert_refresh_in(&mut tx, &new).await?;
                tx.commit().await?;
                Ok(RefreshClaim::Rotated(new))
            }

            async fn consents(&self, patient: &PatientId, now: DateTime<Utc>) -> Result<Vec<RefreshToken>, StoreError> {
                // Current (unused), unlapsed tokens of long-term grants only: a one-time consent is
                // not a standing consent to list.
                let rows = sqlx::query(concat!(
                    "SELECT ", refresh_columns!(), " FROM medmij_refresh_tokens t \
                     WHERE patient_id = $1 AND revoked_at IS NULL AND used_at IS NULL AND valid_until > $2 AND issued_at > $3 \
                     AND (grant_id IS NULL OR EXISTS (SELECT 1 FROM medmij_codes c WHERE c.code_hash = t.grant_id AND c.consent_until IS NOT NULL)) \
                     ORDER BY client_id, issued_at DESC",
                ))
                .bind(patient.as_str())
                .bind(format_instant(now))
                .bind(format_instant(idle_cutoff(now)))
                .fetch_all(&self.read)
                .await?;
                let mut out: Vec<RefreshToken> = vec![];
                for r in &rows {
                    let t = refresh_row(r)?;
                    if !out.iter().any(|x| x.client_id == t.client_id) {
                        out.push(t);
                    }
                }
                Ok(out)
            }
        }
    };
}

impl_medmij!(SqliteStore, sqlx::Sqlite);
impl_medmij!(PostgresStore, sqlx::Postgres);

impl MedmijStore for Store {
    async fn log_chain(&self, events: &[ChainEvent]) -> Result<(), StoreError> {
        delegate!(self, s => s.log_chain(events))
    }
    async fn chain_log(&self, since: DateTime<Utc>) -> Result<Vec<ChainEvent>, StoreError> {
        delegate!(self, s => s.chain_log(since))
    }
    async fn purge_chain_log(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        delegate!(self, s => s.purge_chain_log(before))
    }
    async fn store_access_token(&self, token: &AccessToken) -> Result<(), StoreError> {
        delegate!(self, s => s.store_access_token(token))
    }
    async fn access_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccessToken>, StoreError> {
        delegate!(self, s => s.access_token(token_hash, now))
    }
    async fn access_context(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccessContext>, StoreError> {
        delegate!(self, s => s.access_context(token_hash, now))
    }
    async fn kept_access_context(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccessContext>, StoreError> {
        delegate!(self, s => s.kept_access_context(token_hash, now))
    }
    async fn append_audit_if_current(
        &self,
        event: crate::AuditEvent,
        guard: Option<&std::sync::Arc<AccessGuard>>,
    ) -> Result<Option<crate::AuditEntry>, StoreError> {
        delegate!(self, s => s.append_audit_if_current(event, guard))
    }
    async fn revoke_access_tokens(
        &self,
        patient: &PatientId,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.revoke_access_tokens(patient, client_id, now))
    }
    async fn store_code(&self, code: &AuthCode) -> Result<(), StoreError> {
        delegate!(self, s => s.store_code(code))
    }
    async fn claim_code(
        &self,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<CodeClaim, StoreError> {
        delegate!(self, s => s.claim_code(code_hash, now))
    }
    async fn store_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError> {
        delegate!(self, s => s.store_refresh_token(token))
    }
    async fn revoke_refresh_token(
        &self,
        token_hash: &str,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PatientId>, StoreError> {
        delegate!(self, s => s.revoke_refresh_token(token_hash, client_id, now))
    }
    async fn rotate_refresh_token(
        &self,
        token_hash: &str,
        client_id: &str,
        new_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<RefreshClaim, StoreError> {
        delegate!(self, s => s.rotate_refresh_token(token_hash, client_id, new_hash, now))
    }
    async fn consents(
        &self,
        patient: &PatientId,
        now: DateTime<Utc>,
    ) -> Result<Vec<RefreshToken>, StoreError> {
        delegate!(self, s => s.consents(patient, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{RecordCache, Stamp};
    use std::sync::Arc;

    fn stamp() -> Stamp {
        Stamp {
            version: 1,
            updated_at: "2026-12-07T10:00:00Z".into(),
            practice: "{}".into(),
        }
    }

    /// Keeps a context for token `t{i}` (of patient `p`), valid until `until`.
    fn keep(kept: &KeptAccess, i: usize, now: DateTime<Utc>, until: DateTime<Utc>) {
        let token = Arc::new(AccessToken {
            token_hash: format!("t{i}"),
            patient: PatientId::new("p").unwrap(),
            client_id: "pgo.example".into(),
            subject: "s".into(),
            issued_at: now,
            expires_at: until,
            grant_id: None,
        });
        let guard = AccessGuard {
            token_hash: token.token_hash.clone(),
            stamp: stamp(),
            settings: String::new(),
        };
        kept.put(&token, &Arc::default(), guard, now);
    }

    fn is_kept(kept: &KeptAccess, i: usize, now: DateTime<Utc>, cache: &RecordCache) -> bool {
        kept.get(&format!("t{i}"), now, cache).is_some()
    }

    #[test]
    fn beyond_its_bound_the_expired_then_the_least_recently_used_contexts_go() {
        let now = DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let later = now + chrono::Duration::minutes(15);
        let cache = RecordCache::new(1 << 30);
        cache.put(
            "p",
            stamp(),
            Arc::new(inzage_domain::samples::heavy_record()),
            1,
        );
        let kept = KeptAccess::default();
        // Full, with one context whose token has expired (t7).
        for i in 0..KEPT_TOKENS {
            keep(&kept, i, now, if i == 7 { now } else { later });
        }
        // One more: only the expired one makes room.
        keep(&kept, KEPT_TOKENS, now, later);
        assert!(!is_kept(
            &kept,
            7,
            now - chrono::Duration::seconds(1),
            &cache
        ));
        for i in [0, 1, 8, KEPT_TOKENS - 1, KEPT_TOKENS] {
            assert!(is_kept(&kept, i, now, &cache), "t{i}");
        }
        // Full again, none expired: the least recently used quarter goes, not all. t0, t1, t8
        // and the two last were used just now (above), so t2..t6 and t9.. are the oldest.
        keep(&kept, KEPT_TOKENS + 1, now, later);
        for i in [0, 1, 8, KEPT_TOKENS - 1, KEPT_TOKENS, KEPT_TOKENS + 1] {
            assert!(is_kept(&kept, i, now, &cache), "t{i}");
        }
        for i in [2, 6, 9, KEPT_TOKENS / 4] {
            assert!(!is_kept(&kept, i, now, &cache), "t{i}");
        }
        assert!(is_kept(&kept, KEPT_TOKENS / 2, now, &cache));
        let left = kept.kept.lock().unwrap().len();
        assert!(
            (KEPT_TOKENS * 3 / 4..KEPT_TOKENS).contains(&left),
            "{left} kept"
        );
    }
}
