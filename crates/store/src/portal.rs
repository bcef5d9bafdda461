//! What the portal needs from storage besides the record: the development identity provider's
//! accounts, login throttling, server-side sessions, and who represents whom.
//!
//! Nothing here holds medical content. Session data is opaque to the store.

use crate::audit::format_instant;
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::{Bsn, PatientId};
use sqlx::Row;
use std::future::Future;

/// An account of the built-in development identity provider (DigiD-like: password, then a
/// second factor). `password_hash` is a PHC string (argon2); `totp_secret` is base32.
#[derive(Clone, PartialEq, Eq)]
pub struct IdpAccount {
    pub username: String,
    pub bsn: Bsn,
    pub display_name: String,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for IdpAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the hash, the secret or the name.
        f.debug_struct("IdpAccount")
            .field("username", &self.username)
            .field("bsn", &self.bsn)
            .finish_non_exhaustive()
    }
}

/// The state of one throttle key after a failure was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: i64,
    pub locked_until: Option<DateTime<Utc>>,
}

/// How failures turn into a lock-out: `max_failures` within `window` locks the key for `lock`.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub max_failures: i64,
    pub window: chrono::Duration,
    pub lock: chrono::Duration,
}

/// A stored session: opaque data and its expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub data: String,
    pub expires_at: DateTime<Utc>,
}

pub trait PortalStore: Send + Sync {
    /// The patients whose record `agent` may act on through a recorded representation (the
    /// rules still decide whether it is valid today).
    fn represented_by(
        &self,
        agent: &Bsn,
    ) -> impl Future<Output = Result<Vec<PatientId>, StoreError>> + Send;

    /// When `user` last reached `patient`'s record through `channel` before `before` (from the
    /// audit log), for "new since your last visit".
    fn last_access(
        &self,
        patient: &PatientId,
        user: &str,
        channel: crate::Channel,
        before: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<DateTime<Utc>>, StoreError>> + Send;

    /// Creates an account; `Conflict` when the username is taken.
    fn create_idp_account(
        &self,
        account: &IdpAccount,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn idp_account(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Option<IdpAccount>, StoreError>> + Send;

    /// Gives the account `username` of the person with `bsn` a new password and a new
    /// authenticator secret (a lost phone or password, with a new code from the practice), in
    /// one transaction: its passkeys go, the last used code step and the lock-out counters are
    /// cleared. `false` when there is no such account of that person.
    fn reset_idp_login(
        &self,
        username: &str,
        bsn: &Bsn,
        password_hash: &str,
        totp_secret: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Marks TOTP time step `step` as used for `username`; `false` when that step or a later one
    /// was already used (a replayed code).
    fn claim_totp_step(
        &self,
        username: &str,
        step: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Stores a new passkey, or replaces the stored one with the same credential id (its
    /// signature counter moves on with every use).
    fn save_passkey(
        &self,
        username: &str,
        credential_id: &str,
        passkey: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The passkeys of an account, oldest first, as (credential id, serialised passkey).
    fn passkeys(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Vec<(String, String)>, StoreError>> + Send;

    /// `Some(until)` while `key` is locked at `now`.
    fn locked_until(
        &self,
        key: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<DateTime<Utc>>, StoreError>> + Send;

    /// Admits one login attempt for `key` and counts it as a failure until it succeeds (then
    /// [`PortalStore::clear_failures`]): `false` while `key` is locked or its window already
    /// holds `max_failures` attempts. One conditional statement, so concurrent attempts can never
    /// get more than `max_failures` guesses evaluated in a window, on either backend.
    fn begin_attempt(
        &self,
        key: &str,
        now: DateTime<Utc>,
        policy: ThrottlePolicy,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// An admitted attempt failed: locks `key` for `policy.lock` once its window holds
    /// `max_failures` failures. Returns the state after.
    fn attempt_failed(
        &self,
        key: &str,
        now: DateTime<Utc>,
        policy: ThrottlePolicy,
    ) -> impl Future<Output = Result<ThrottleState, StoreError>> + Send;

    fn clear_failures(&self, key: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Inserts a new session; `false` (nothing written) when the id is already taken.
    fn session_create(
        &self,
        id_hash: &str,
        row: &SessionRow,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    fn session_save(
        &self,
        id_hash: &str,
        row: &SessionRow,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The session if it exists and has not expired at `now`.
    fn session_load(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<SessionRow>, StoreError>> + Send;

    fn session_delete(&self, id_hash: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Removes sessions expired before `now`; returns how many.
    fn sessions_purge(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

fn map_conflict(e: sqlx::Error, what: &str) -> StoreError {
    match e.as_database_error() {
        Some(d) if d.is_unique_violation() => {
            StoreError::Conflict(format!("{what} already exists"))
        }
        _ => StoreError::Database(e),
    }
}

macro_rules! impl_portal {
    ($Store:ident, $Db:ty) => {
        impl PortalStore for $Store {
            async fn represented_by(&self, agent: &Bsn) -> Result<Vec<PatientId>, StoreError> {
                let ids: Vec<String> = sqlx::query_scalar(
                    "SELECT patient_id FROM representatives WHERE agent_bsn = $1 ORDER BY patient_id",
                )
                .bind(agent.as_str())
                .fetch_all(&self.read)
                .await?;
                ids.into_iter()
                    .map(|i| PatientId::new(i).map_err(|e| StoreError::Corrupt(e.to_string())))
                    .collect()
            }

            async fn last_access(&self, patient: &PatientId, user: &str, channel: crate::Channel, before: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, StoreError> {
                let at: Option<String> = sqlx::query_scalar(Self::LAST_ACCESS)
                .bind(patient.as_str())
                .bind(user)
                .bind(channel.as_str())
                .bind(format_instant(before))
                .fetch_optional(&self.read)
                .await?;
                at.as_deref().map(parse_instant).transpose()
            }

            async fn create_idp_account(&self, a: &IdpAccount) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO idp_accounts (username, bsn, display_name, password_hash, totp_secret, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&a.username)
                .bind(a.bsn.as_str())
                .bind(&a.display_name)
                .bind(&a.password_hash)
                .bind(a.totp_secret.as_deref().map(|t| self.audit_key.seal(t)).transpose()?)
                .bind(format_instant(a.created_at))
                .execute(&self.write)
                .await
                .map_err(|e| map_conflict(e, "account"))?;
                Ok(())
            }

            async fn reset_idp_login(
                &self,
                username: &str,
                bsn: &Bsn,
                password_hash: &str,
                totp_secret: &str,
            ) -> Result<bool, StoreError> {
                let mut tx = self.write.begin().await?;
                let n = sqlx::query(
                    "UPDATE idp_accounts SET password_hash = $1, totp_secret = $2, totp_last_step = NULL \
                     WHERE username = $3 AND bsn = $4",
                )
                .bind(password_hash)
                .bind(self.audit_key.seal(totp_secret)?)
                .bind(username)
                .bind(bsn.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 0 {
                    return Ok(false);
                }
                sqlx::query("DELETE FROM passkeys WHERE username = $1")
                    .bind(username)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1 OR throttle_key = $2")
                    .bind(format!("password:{username}"))
                    .bind(format!("code:{username}"))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn idp_account(&self, username: &str) -> Result<Option<IdpAccount>, StoreError> {
                let Some(row) = sqlx::query(
                    "SELECT username, bsn, display_name, password_hash, totp_secret, created_at \
                     FROM idp_accounts WHERE username = $1",
                )
                .bind(username)
                .fetch_optional(&self.read)
                .await?
                else {
                    return Ok(None);
                };
                let bsn: String = row.try_get(1)?;
                Ok(Some(IdpAccount {
                    username: row.try_get(0)?,
                    bsn: Bsn::parse(&bsn).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    display_name: row.try_get(2)?,
                    password_hash: row.try_get(3)?,
                    totp_secret: row
                        .try_get::<Option<String>, _>(4)?
                        .map(|t| self.audit_key.open(&t))
                        .transpose()?,
                    created_at: parse_instant(&row.try_get::<String, _>(5)?)?,
                }))
            }

            async fn claim_totp_step(&self, username: &str, step: i64) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE idp_accounts SET totp_last_step = $2 WHERE username = $1 \
                     AND (totp_last_step IS NULL OR totp_last_step < $2)",
                )
                .bind(username)
                .bind(step)
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn save_passkey(&self, username: &str, credential_id: &str, passkey: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO passkeys (credential_id, username, passkey, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (credential_id) DO UPDATE SET passkey = excluded.passkey \
                     WHERE passkeys.username = excluded.username",
                )
                .bind(credential_id)
                .bind(username)
                .bind(passkey)
                .bind(format_instant(now))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn passkeys(&self, username: &str) -> Result<Vec<(String, String)>, StoreError> {
                let rows = sqlx::query("SELECT credential_id, passkey FROM passkeys WHERE username = $1 ORDER BY created_at, credential_id")
                    .bind(username)
                    .fetch_all(&self.read)
                    .await?;
                rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
            }

            async fn locked_until(&self, key: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, StoreError> {
                let until: Option<Option<String>> =
                    sqlx::query_scalar("SELECT locked_until FROM login_throttle WHERE throttle_key = $1")
                        .bind(key)
                        .fetch_optional(&self.read)
                        .await?;
                match until.flatten() {
                    Some(u) => {
                        let u = parse_instant(&u)?;
                        Ok((u > now).then_some(u))
                    }
                    None => Ok(None),
                }
            }

            async fn begin_attempt(&self, key: &str, now: DateTime<Utc>, policy: ThrottlePolicy) -> Result<bool, StoreError> {
                // A new window starts when the old one passed or an old lock ran out.
                let admitted: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO login_throttle (throttle_key, failures, window_start, locked_until) VALUES ($1, 1, $2, NULL) \
                     ON CONFLICT (throttle_key) DO UPDATE SET \
                       failures = CASE WHEN login_throttle.window_start < $3 OR login_throttle.locked_until <= $2 \
                                  THEN 1 ELSE login_throttle.failures + 1 END, \
                       window_start = CASE WHEN login_throttle.window_start < $3 OR login_throttle.locked_until <= $2 \
                                      THEN $2 ELSE login_throttle.window_start END, \
                       locked_until = NULL \
                     WHERE (login_throttle.locked_until IS NULL OR login_throttle.locked_until <= $2) \
                       AND (login_throttle.window_start < $3 OR login_throttle.locked_until <= $2 OR login_throttle.failures < $4) \
                     RETURNING failures",
                )
                .bind(key)
                .bind(format_instant(now))
                .bind(format_instant(now - policy.window))
                .bind(policy.max_failures)
                .fetch_optional(&self.write)
                .await?;
                Ok(admitted.is_some())
            }

            async fn attempt_failed(&self, key: &str, now: DateTime<Utc>, policy: ThrottlePolicy) -> Result<ThrottleState, StoreError> {
                let row = sqlx::query(
                    "UPDATE login_throttle SET locked_until = CASE \
                       WHEN failures >= $3 AND (locked_until IS NULL OR locked_until <= $2) THEN $4 ELSE locked_until END \
                     WHERE throttle_key = $1 RETURNING failures, locked_until",
                )
                .bind(key)
                .bind(format_instant(now))
                .bind(policy.max_failures)
                .bind(format_instant(now + policy.lock))
                .fetch_optional(&self.write)
                .await?;
                let Some(r) = row else {
                    return Ok(ThrottleState { failures: 0, locked_until: None });
                };
                let locked: Option<String> = r.try_get(1)?;
                Ok(ThrottleState {
                    failures: r.try_get(0)?,
                    locked_until: locked.map(|l| parse_instant(&l)).transpose()?.filter(|l| *l > now),
                })
            }

            async fn clear_failures(&self, key: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
                    .bind(key)
                    .execute(&self.write)
                    .await?;
                Ok(())
            }

            async fn session_create(&self, id_hash: &str, row: &SessionRow) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "INSERT INTO sessions (id_hash, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id_hash) DO NOTHING",
                )
                .bind(id_hash)
                .bind(&row.data)
                .bind(format_instant(row.expires_at))
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn session_save(&self, id_hash: &str, row: &SessionRow) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO sessions (id_hash, data, expires_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (id_hash) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
                )
                .bind(id_hash)
                .bind(&row.data)
                .bind(format_instant(row.expires_at))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn session_load(&self, id_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionRow>, StoreError> {
                let row = sqlx::query("SELECT data, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2")
                    .bind(id_hash)
                    .bind(format_instant(now))
                    .fetch_optional(&self.read)
                    .await?;
                row.map(|r| {
                    Ok(SessionRow {
                        data: r.try_get(0)?,
                        expires_at: parse_instant(&r.try_get::<String, _>(1)?)?,
                    })
                })
                .transpose()
            }

            async fn session_delete(&self, id_hash: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                    .bind(id_hash)
                    .execute(&self.write)
                    .await?;
                Ok(())
            }

            async fn sessions_purge(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
                let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(format_instant(now))
                    .execute(&self.write)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

impl_portal!(SqliteStore, sqlx::Sqlite);
impl_portal!(PostgresStore, sqlx::Postgres);

impl PortalStore for Store {
    async fn represented_by(&self, agent: &Bsn) -> Result<Vec<PatientId>, StoreError> {
        delegate!(self, s => s.represented_by(agent))
    }
    async fn last_access(
        &self,
        patient: &PatientId,
        user: &str,
        channel: crate::Channel,
        before: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        delegate!(self, s => s.last_access(patient, user, channel, before))
    }
    async fn create_idp_account(&self, account: &IdpAccount) -> Result<(), StoreError> {
        delegate!(self, s => s.create_idp_account(account))
    }
    async fn idp_account(&self, username: &str) -> Result<Option<IdpAccount>, StoreError> {
        delegate!(self, s => s.idp_account(username))
    }
    async fn reset_idp_login(
        &self,
        username: &str,
        bsn: &Bsn,
        password_hash: &str,
        totp_secret: &str,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.reset_idp_login(username, bsn, password_hash, totp_secret))
    }
    async fn save_passkey(
        &self,
        username: &str,
        credential_id: &str,
        passkey: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.save_passkey(username, credential_id, passkey, now))
    }
    async fn passkeys(&self, username: &str) -> Result<Vec<(String, String)>, StoreError> {
        delegate!(self, s => s.passkeys(username))
    }
    async fn claim_totp_step(&self, username: &str, step: i64) -> Result<bool, StoreError> {
        delegate!(self, s => s.claim_totp_step(username, step))
    }
    async fn locked_until(
        &self,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        delegate!(self, s => s.locked_until(key, now))
    }
    async fn begin_attempt(
        &self,
        key: &str,
        now: DateTime<Utc>,
        policy: ThrottlePolicy,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.begin_attempt(key, now, policy))
    }
    async fn attempt_failed(
        &self,
        key: &str,
        now: DateTime<Utc>,
        policy: ThrottlePolicy,
    ) -> Result<ThrottleState, StoreError> {
        delegate!(self, s => s.attempt_failed(key, now, policy))
    }
    async fn clear_failures(&self, key: &str) -> Result<(), StoreError> {
        delegate!(self, s => s.clear_failures(key))
    }
    async fn session_create(&self, id_hash: &str, row: &SessionRow) -> Result<bool, StoreError> {
        delegate!(self, s => s.session_create(id_hash, row))
    }
    async fn session_save(&self, id_hash: &str, row: &SessionRow) -> Result<(), StoreError> {
        delegate!(self, s => s.session_save(id_hash, row))
    }
    async fn session_load(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionRow>, StoreError> {
        delegate!(self, s => s.session_load(id_hash, now))
    }
    async fn session_delete(&self, id_hash: &str) -> Result<(), StoreError> {
        delegate!(self, s => s.session_delete(id_hash))
    }
    async fn sessions_purge(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        delegate!(self, s => s.sessions_purge(now))
    }
}
