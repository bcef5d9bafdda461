//! `PgoStore`: what the PGO keeps for a person (issue 19; migration 0020). Every row belongs to
//! one account and goes with it (`delete_pgo_account`). Refresh tokens and fetched resources are
//! stored encrypted under the configured key (`secret.rs`); a resource's digest is keyed too, so
//! equal content cannot be guessed from the database.

use crate::audit::format_instant;
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::collections::BTreeMap;
use std::future::Future;

/// A person's PGO account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgoAccount {
    pub id: String,
    /// SHA-256 of the login subject: the same person logging in again finds their account.
    pub subject_hash: String,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
}

/// A connection to one data service of one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgoConnection {
    pub id: String,
    pub account_id: String,
    /// The Zorgaanbiedernaam (`praktijk@medmij`).
    pub provider: String,
    /// The GegevensdienstId (`49`).
    pub service: String,
    /// The refresh token, readable (stored encrypted); `None` after withdrawal or a one-time
    /// consent that has run out.
    pub refresh_token: Option<String>,
    pub connected_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub last_fetch_at: Option<DateTime<Utc>>,
    /// The last fetch's outcome per query, as JSON (no content).
    pub last_outcome: Option<String>,
}

/// One resource as fetched, with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgoResource {
    pub provider: String,
    pub service: String,
    /// Which query brought it (`Q1`..`Q7`, `D1`).
    pub query: String,
    pub resource_type: String,
    pub resource_id: String,
    /// The resource's JSON, readable.
    pub body: String,
    pub fetched_at: DateTime<Utc>,
    /// When its content last changed (or first arrived).
    pub changed_at: DateTime<Utc>,
}

/// What a query's answer changed in what was kept from it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PgoChanges {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Something the person added themselves: a measurement, a medicine, a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgoOwnItem {
    pub id: String,
    /// `measurement`, `medicine` or `note`.
    pub kind: String,
    /// When it was measured, started or written.
    pub at: DateTime<Utc>,
    /// The item as JSON, readable (stored encrypted).
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// The providers (Zorgaanbiedernaam) a measurement was sent to.
    pub sent_to: Vec<String>,
}

/// A share link (R126): chosen categories of the person's data, readable with the link and a
/// separately given code until it expires or is revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgoShare {
    pub id: String,
    pub account_id: String,
    /// SHA-256 of the link's secret token.
    pub token_hash: String,
    /// SHA-256 of the token and the code together.
    pub code_hash: String,
    /// Who it is for, in the person's words.
    pub label: String,
    /// The person's name, shown to the clinician after the code.
    pub owner_name: String,
    /// Which parts (`problems`, `medication`, ...).
    pub categories: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub failed_attempts: u32,
    pub openings: u32,
}

/// One line of the person's own log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgoLogEntry {
    pub at: DateTime<Utc>,
    /// A fixed word: `login`, `connect`, `fetch`, `withdraw`, `delete-source`, ...
    pub event: String,
    /// The provider or other party involved; never content.
    pub detail: String,
}

pub trait PgoStore {
    fn pgo_account(
        &self,
        subject_hash: &str,
    ) -> impl Future<Output = Result<Option<PgoAccount>, StoreError>> + Send;

    /// Creates the account; a second account for the same subject is a conflict.
    fn create_pgo_account(
        &self,
        account: &PgoAccount,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes the account and everything in it at once (connections, tokens, resources, log).
    fn delete_pgo_account(&self, id: &str)
    -> impl Future<Output = Result<bool, StoreError>> + Send;

    fn pgo_connections(
        &self,
        account_id: &str,
    ) -> impl Future<Output = Result<Vec<PgoConnection>, StoreError>> + Send;

    /// Adds or replaces the account's connection to this provider and service (a new consent
    /// replaces the old token).
    fn save_pgo_connection(
        &self,
        c: &PgoConnection,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Keeps a connection's rotated refresh token (or forgets it: `None`), only while the
    /// consent is not withdrawn; nothing else of the row changes. `false` when withdrawn or gone.
    fn set_pgo_refresh_token(
        &self,
        id: &str,
        token: Option<&str>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Keeps a fetch's time and outcome with the connection; nothing else of the row changes.
    fn set_pgo_fetch_outcome(
        &self,
        id: &str,
        at: DateTime<Utc>,
        outcome: Option<&str>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Replaces what a query brought from one source with its new answer, in one transaction:
    /// resources not in the answer go, changed ones are updated, new ones are added.
    fn replace_pgo_query(
        &self,
        account_id: &str,
        provider: &str,
        service: &str,
        query: &str,
        resources: &[(String, String, String)],
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<PgoChanges, StoreError>> + Send;

    /// Deletes what was fetched from one source; the number of resources removed.
    fn delete_pgo_source(
        &self,
        account_id: &str,
        provider: &str,
        service: &str,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    fn pgo_resources(
        &self,
        account_id: &str,
    ) -> impl Future<Output = Result<Vec<PgoResource>, StoreError>> + Send;

    fn pgo_log(
        &self,
        account_id: &str,
        entry: &PgoLogEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The person's log, newest first.
    fn pgo_log_of(
        &self,
        account_id: &str,
    ) -> impl Future<Output = Result<Vec<PgoLogEntry>, StoreError>> + Send;

    /// Removes every log entry before `before` (MedMij keeps a PGO's log 5 years); returns how
    /// many.
    fn purge_pgo_log(
        &self,
        before: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    fn add_pgo_own(
        &self,
        account_id: &str,
        item: &PgoOwnItem,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The person's own items, newest first.
    fn pgo_own_items(
        &self,
        account_id: &str,
    ) -> impl Future<Output = Result<Vec<PgoOwnItem>, StoreError>> + Send;

    /// Deletes one of the account's own items; false when it has no such item.
    fn delete_pgo_own(
        &self,
        account_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Notes that these items were sent to `provider`.
    fn mark_pgo_own_sent(
        &self,
        account_id: &str,
        ids: &[String],
        provider: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn create_pgo_share(
        &self,
        share: &PgoShare,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The account's share links, newest first.
    fn pgo_shares(
        &self,
        account_id: &str,
    ) -> impl Future<Output = Result<Vec<PgoShare>, StoreError>> + Send;

    /// The share link with this token hash, whatever its state.
    fn pgo_share_by_token(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<PgoShare>, StoreError>> + Send;

    /// Ends one of the account's share links at once; false when it has no such open link.
    fn revoke_pgo_share(
        &self,
        account_id: &str,
        id: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Counts an opening of a share link.
    fn pgo_share_opened(&self, id: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Counts a wrong code for a share link; at `max` wrong codes the link is closed. Returns
    /// the count.
    fn pgo_share_wrong_code(
        &self,
        id: &str,
        max: u32,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<u32, StoreError>> + Send;
}

fn instant_opt(s: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    s.map(|s| parse_instant(&s)).transpose()
}

fn share_row<R: Row>(r: &R) -> Result<PgoShare, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(PgoShare {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        token_hash: r.try_get(2)?,
        code_hash: r.try_get(3)?,
        label: r.try_get(4)?,
        owner_name: r.try_get(5)?,
        categories: serde_json::from_str(&r.try_get::<String, _>(6)?)
            .map_err(|e| StoreError::Corrupt(format!("share categories: {e}")))?,
        created_at: parse_instant(&r.try_get::<String, _>(7)?)?,
        expires_at: parse_instant(&r.try_get::<String, _>(8)?)?,
        revoked_at: instant_opt(r.try_get(9)?)?,
        failed_attempts: u32::try_from(r.try_get::<i64, _>(10)?).unwrap_or(u32::MAX),
        openings: u32::try_from(r.try_get::<i64, _>(11)?).unwrap_or(u32::MAX),
    })
}

macro_rules! impl_pgo {
    ($Store:ident) => {
        impl PgoStore for $Store {
            async fn pgo_account(&self, subject_hash: &str) -> Result<Option<PgoAccount>, StoreError> {
                let row = sqlx::query(
                    "SELECT id, subject_hash, display_name, created_at FROM pgo_accounts \
                     WHERE subject_hash = $1",
                )
                .bind(subject_hash)
                .fetch_optional(&self.read)
                .await?;
                row.map(|r| {
                    Ok(PgoAccount {
                        id: r.try_get(0)?,
                        subject_hash: r.try_get(1)?,
                        display_name: r.try_get(2)?,
                        created_at: parse_instant(&r.try_get::<String, _>(3)?)?,
                    })
                })
                .transpose()
            }

            async fn create_pgo_account(&self, a: &PgoAccount) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO pgo_accounts (id, subject_hash, display_name, created_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&a.id)
                .bind(&a.subject_hash)
                .bind(&a.display_name)
                .bind(format_instant(a.created_at))
                .execute(&self.write)
                .await
                .map_err(|e| match e {
                    sqlx::Error::Database(d) if d.is_unique_violation() => {
                        StoreError::Conflict("this person already has an account".into())
                    }
                    other => StoreError::Database(other),
                })?;
                Ok(())
            }

            async fn delete_pgo_account(&self, id: &str) -> Result<bool, StoreError> {
                let mut tx = self.write.begin().await?;
                for sql in [
                    "DELETE FROM pgo_team_posts WHERE team_id IN \
                     (SELECT id FROM pgo_teams WHERE account_id = $1)",
                    "DELETE FROM pgo_team_members WHERE team_id IN \
                     (SELECT id FROM pgo_teams WHERE account_id = $1)",
                    "DELETE FROM pgo_teams WHERE account_id = $1",
                    "DELETE FROM pgo_family WHERE owner_id = $1 OR viewer_id = $1",
                    "DELETE FROM pgo_log WHERE account_id = $1",
                    "DELETE FROM pgo_own_items WHERE account_id = $1",
                    "DELETE FROM pgo_shares WHERE account_id = $1",
                    "DELETE FROM pgo_resources WHERE account_id = $1",
                    "DELETE FROM pgo_connections WHERE account_id = $1",
                ] {
                    sqlx::query(sql).bind(id).execute(&mut *tx).await?;
                }
                let n = sqlx::query("DELETE FROM pgo_accounts WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(n > 0)
            }

            async fn pgo_connections(&self, account_id: &str) -> Result<Vec<PgoConnection>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, account_id, provider, service, refresh_token, connected_at, \
                     withdrawn_at, last_fetch_at, last_outcome FROM pgo_connections \
                     WHERE account_id = $1 ORDER BY connected_at, id",
                )
                .bind(account_id)
                .fetch_all(&self.read)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(PgoConnection {
                            id: r.try_get(0)?,
                            account_id: r.try_get(1)?,
                            provider: r.try_get(2)?,
                            service: r.try_get(3)?,
                            refresh_token: r
                                .try_get::<Option<String>, _>(4)?
                                .map(|t| self.audit_key.open(&t))
                                .transpose()?,
                            connected_at: parse_instant(&r.try_get::<String, _>(5)?)?,
                            withdrawn_at: instant_opt(r.try_get(6)?)?,
                            last_fetch_at: instant_opt(r.try_get(7)?)?,
                            last_outcome: r.try_get(8)?,
                        })
                    })
                    .collect()
            }

            async fn set_pgo_refresh_token(&self, id: &str, token: Option<&str>) -> Result<bool, StoreError> {
                let sealed = token.map(|t| self.audit_key.seal(t)).transpose()?;
                Ok(sqlx::query(
                    "UPDATE pgo_connections SET refresh_token = $1 WHERE id = $2 AND withdrawn_at IS NULL",
                )
                .bind(sealed)
                .bind(id)
                .execute(&self.write)
                .await?
                .rows_affected()
                    > 0)
            }

            async fn set_pgo_fetch_outcome(&self, id: &str, at: DateTime<Utc>, outcome: Option<&str>) -> Result<(), StoreError> {
                sqlx::query("UPDATE pgo_connections SET last_fetch_at = $1, last_outcome = $2 WHERE id = $3")
                    .bind(format_instant(at))
                    .bind(outcome)
                    .bind(id)
                    .execute(&self.write)
                    .await?;
                Ok(())
            }

            async fn save_pgo_connection(&self, c: &PgoConnection) -> Result<(), StoreError> {
                let token = c
                    .refresh_token
                    .as_deref()
                    .map(|t| self.audit_key.seal(t))
                    .transpose()?;
                sqlx::query(
                    "INSERT INTO pgo_connections (id, account_id, provider, service, refresh_token, \
                     connected_at, withdrawn_at, last_fetch_at, last_outcome) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (account_id, provider, service) DO UPDATE SET \
                     refresh_token = excluded.refresh_token, connected_at = excluded.connected_at, \
                     withdrawn_at = excluded.withdrawn_at, last_fetch_at = excluded.last_fetch_at, \
                     last_outcome = excluded.last_outcome",
                )
                .bind(&c.id)
                .bind(&c.account_id)
                .bind(&c.provider)
                .bind(&c.service)
                .bind(token)
                .bind(format_instant(c.connected_at))
                .bind(c.withdrawn_at.map(format_instant))
                .bind(c.last_fetch_at.map(format_instant))
                .bind(&c.last_outcome)
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn replace_pgo_query(
                &self,
                account_id: &str,
                provider: &str,
                service: &str,
                query: &str,
                resources: &[(String, String, String)],
                at: DateTime<Utc>,
            ) -> Result<PgoChanges, StoreError> {
                let now = format_instant(at);
                let mut tx = self.write.begin().await?;
                let before: BTreeMap<(String, String), String> = sqlx::query(
                    "SELECT resource_type, resource_id, digest FROM pgo_resources \
                     WHERE account_id = $1 AND provider = $2 AND service = $3 AND query = $4",
                )
                .bind(account_id)
                .bind(provider)
                .bind(service)
                .bind(query)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Ok(((r.try_get(0)?, r.try_get(1)?), r.try_get(2)?)))
                .collect::<Result<_, StoreError>>()?;
                let mut changes = PgoChanges::default();
                let mut seen = std::collections::BTreeSet::new();
                for (rtype, rid, body) in resources {
                    let key = (rtype.clone(), rid.clone());
                    if !seen.insert(key.clone()) {
                        continue;
                    }
                    let digest = self.audit_key.fingerprint(body);
                    match before.get(&key) {
                        Some(d) if *d == digest => {
                            changes.unchanged += 1;
                            sqlx::query(
                                "UPDATE pgo_resources SET fetched_at = $1 WHERE account_id = $2 \
                                 AND provider = $3 AND service = $4 AND query = $5 \
                                 AND resource_type = $6 AND resource_id = $7",
                            )
                            .bind(&now)
                            .bind(account_id)
                            .bind(provider)
                            .bind(service)
                            .bind(query)
                            .bind(rtype)
                            .bind(rid)
                            .execute(&mut *tx)
                            .await?;
                            continue;
                        }
                        Some(_) => changes.changed += 1,
                        None => changes.new += 1,
                    }
                    sqlx::query(
                        "INSERT INTO pgo_resources (account_id, provider, service, query, \
                         resource_type, resource_id, body, digest, fetched_at, changed_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
                         ON CONFLICT (account_id, provider, service, query, resource_type, resource_id) \
                         DO UPDATE SET body = excluded.body, digest = excluded.digest, \
                         fetched_at = excluded.fetched_at, changed_at = excluded.changed_at",
                    )
                    .bind(account_id)
                    .bind(provider)
                    .bind(service)
                    .bind(query)
                    .bind(rtype)
                    .bind(rid)
                    .bind(self.audit_key.seal(body)?)
                    .bind(digest)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                }
                for (rtype, rid) in before.keys() {
                    if seen.contains(&(rtype.clone(), rid.clone())) {
                        continue;
                    }
                    changes.removed += 1;
                    sqlx::query(
                        "DELETE FROM pgo_resources WHERE account_id = $1 AND provider = $2 \
                         AND service = $3 AND query = $4 AND resource_type = $5 AND resource_id = $6",
                    )
                    .bind(account_id)
                    .bind(provider)
                    .bind(service)
                    .bind(query)
                    .bind(rtype)
                    .bind(rid)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(changes)
            }

            async fn delete_pgo_source(&self, account_id: &str, provider: &str, service: &str) -> Result<u64, StoreError> {
                Ok(sqlx::query(
                    "DELETE FROM pgo_resources WHERE account_id = $1 AND provider = $2 AND service = $3",
                )
                .bind(account_id)
                .bind(provider)
                .bind(service)
                .execute(&self.write)
                .await?
                .rows_affected())
            }

            async fn pgo_resources(&self, account_id: &str) -> Result<Vec<PgoResource>, StoreError> {
                let rows = sqlx::query(
                    "SELECT provider, service, query, resource_type, resource_id, body, fetched_at, \
                     changed_at FROM pgo_resources WHERE account_id = $1 \
                     ORDER BY provider, service, query, resource_type, resource_id",
                )
                .bind(account_id)
                .fetch_all(&self.read)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(PgoResource {
                            provider: r.try_get(0)?,
                            service: r.try_get(1)?,
                            query: r.try_get(2)?,
                            resource_type: r.try_get(3)?,
                            resource_id: r.try_get(4)?,
                            body: self.audit_key.open(&r.try_get::<String, _>(5)?)?,
                            fetched_at: parse_instant(&r.try_get::<String, _>(6)?)?,
                            changed_at: parse_instant(&r.try_get::<String, _>(7)?)?,
                        })
                    })
                    .collect()
            }

            async fn pgo_log(&self, account_id: &str, e: &PgoLogEntry) -> Result<(), StoreError> {
                sqlx::query("INSERT INTO pgo_log (account_id, at, event, detail) VALUES ($1, $2, $3, $4)")
                    .bind(account_id)
                    .bind(format_instant(e.at))
                    .bind(&e.event)
                    .bind(&e.detail)
                    .execute(&self.write)
                    .await?;
                Ok(())
            }

            async fn pgo_log_of(&self, account_id: &str) -> Result<Vec<PgoLogEntry>, StoreError> {
                let rows = sqlx::query(
                    "SELECT at, event, detail FROM pgo_log WHERE account_id = $1 ORDER BY at DESC, id DESC",
                )
                .bind(account_id)
                .fetch_all(&self.read)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(PgoLogEntry {
                            at: parse_instant(&r.try_get::<String, _>(0)?)?,
                            event: r.try_get(1)?,
                            detail: r.try_get(2)?,
                        })
                    })
                    .collect()
            }

            async fn purge_pgo_log(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
                Ok(sqlx::query("DELETE FROM pgo_log WHERE at < $1")
                    .bind(format_instant(before))
                    .execute(&self.write)
                    .await?
                    .rows_affected())
            }

            async fn add_pgo_own(&self, account_id: &str, item: &PgoOwnItem) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO pgo_own_items (account_id, id, kind, at, body, created_at, sent_to) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(account_id)
                .bind(&item.id)
                .bind(&item.kind)
                .bind(format_instant(item.at))
                .bind(self.audit_key.seal(&item.body)?)
                .bind(format_instant(item.created_at))
                .bind(serde_json::to_string(&item.sent_to).map_err(|e| StoreError::Invalid(e.to_string()))?)
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn pgo_own_items(&self, account_id: &str) -> Result<Vec<PgoOwnItem>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, kind, at, body, created_at, sent_to FROM pgo_own_items \
                     WHERE account_id = $1 ORDER BY at DESC, id",
                )
                .bind(account_id)
                .fetch_all(&self.read)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(PgoOwnItem {
                            id: r.try_get(0)?,
                            kind: r.try_get(1)?,
                            at: parse_instant(&r.try_get::<String, _>(2)?)?,
                            body: self.audit_key.open(&r.try_get::<String, _>(3)?)?,
                            created_at: parse_instant(&r.try_get::<String, _>(4)?)?,
                            sent_to: serde_json::from_str(&r.try_get::<String, _>(5)?)
                                .map_err(|e| StoreError::Corrupt(format!("sent_to: {e}")))?,
                        })
                    })
                    .collect()
            }

            async fn delete_pgo_own(&self, account_id: &str, id: &str) -> Result<bool, StoreError> {
                Ok(sqlx::query("DELETE FROM pgo_own_items WHERE account_id = $1 AND id = $2")
                    .bind(account_id)
                    .bind(id)
                    .execute(&self.write)
                    .await?
                    .rows_affected()
                    > 0)
            }

            async fn mark_pgo_own_sent(&self, account_id: &str, ids: &[String], provider: &str) -> Result<(), StoreError> {
                let mut tx = self.write.begin().await?;
                for id in ids {
                    let row = sqlx::query("SELECT sent_to FROM pgo_own_items WHERE account_id = $1 AND id = $2")
                        .bind(account_id)
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let Some(row) = row else { continue };
                    let mut sent: Vec<String> = serde_json::from_str(&row.try_get::<String, _>(0)?)
                        .map_err(|e| StoreError::Corrupt(format!("sent_to: {e}")))?;
                    if !sent.iter().any(|p| p == provider) {
                        sent.push(provider.to_owned());
                    }
                    sqlx::query("UPDATE pgo_own_items SET sent_to = $1 WHERE account_id = $2 AND id = $3")
                        .bind(serde_json::to_string(&sent).map_err(|e| StoreError::Invalid(e.to_string()))?)
                        .bind(account_id)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn create_pgo_share(&self, sh: &PgoShare) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO pgo_shares (id, account_id, token_hash, code_hash, label, owner_name, \
                     categories, created_at, expires_at, revoked_at, failed_attempts, openings) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(&sh.id)
                .bind(&sh.account_id)
                .bind(&sh.token_hash)
                .bind(&sh.code_hash)
                .bind(&sh.label)
                .bind(&sh.owner_name)
                .bind(serde_json::to_string(&sh.categories).map_err(|e| StoreError::Invalid(e.to_string()))?)
                .bind(format_instant(sh.created_at))
                .bind(format_instant(sh.expires_at))
                .bind(sh.revoked_at.map(format_instant))
                .bind(i64::from(sh.failed_attempts))
                .bind(i64::from(sh.openings))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn pgo_shares(&self, account_id: &str) -> Result<Vec<PgoShare>, StoreError> {
                sqlx::query(
                    "SELECT id, account_id, token_hash, code_hash, label, owner_name, categories, \
                     created_at, expires_at, revoked_at, failed_attempts, openings FROM pgo_shares \
                     WHERE account_id = $1 ORDER BY created_at DESC, id",
                )
                .bind(account_id)
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(share_row)
                .collect()
            }

            async fn pgo_share_by_token(&self, token_hash: &str) -> Result<Option<PgoShare>, StoreError> {
                sqlx::query(
                    "SELECT id, account_id, token_hash, code_hash, label, owner_name, categories, \
                     created_at, expires_at, revoked_at, failed_attempts, openings FROM pgo_shares \
                     WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.read)
                .await?
                .as_ref()
                .map(share_row)
                .transpose()
            }

            async fn revoke_pgo_share(&self, account_id: &str, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
                Ok(sqlx::query(
                    "UPDATE pgo_shares SET revoked_at = $1 \
                     WHERE account_id = $2 AND id = $3 AND revoked_at IS NULL",
                )
                .bind(format_instant(at))
                .bind(account_id)
                .bind(id)
                .execute(&self.write)
                .await?
                .rows_affected()
                    > 0)
            }

            async fn pgo_share_opened(&self, id: &str) -> Result<(), StoreError> {
                sqlx::query("UPDATE pgo_shares SET openings = openings + 1 WHERE id = $1")
                    .bind(id)
                    .execute(&self.write)
                    .await?;
                Ok(())
            }

            async fn pgo_share_wrong_code(&self, id: &str, max: u32, at: DateTime<Utc>) -> Result<u32, StoreError> {
                let mut tx = self.write.begin().await?;
                sqlx::query("UPDATE pgo_shares SET failed_attempts = failed_attempts + 1 WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let n: i64 = sqlx::query("SELECT failed_attempts FROM pgo_shares WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()?
                    .unwrap_or(0);
                if n >= i64::from(max) {
                    sqlx::query("UPDATE pgo_shares SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                        .bind(format_instant(at))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(u32::try_from(n).unwrap_or(u32::MAX))
            }
        }
    };
}

impl_pgo!(SqliteStore);
impl_pgo!(PostgresStore);

impl PgoStore for Store {
    async fn pgo_account(&self, subject_hash: &str) -> Result<Option<PgoAccount>, StoreError> {
        delegate!(self, s => s.pgo_account(subject_hash))
    }
    async fn create_pgo_account(&self, account: &PgoAccount) -> Result<(), StoreError> {
        delegate!(self, s => s.create_pgo_account(account))
    }
    async fn delete_pgo_account(&self, id: &str) -> Result<bool, StoreError> {
        delegate!(self, s => s.delete_pgo_account(id))
    }
    async fn pgo_connections(&self, account_id: &str) -> Result<Vec<PgoConnection>, StoreError> {
        delegate!(self, s => s.pgo_connections(account_id))
    }
    async fn set_pgo_refresh_token(
        &self,
        id: &str,
        token: Option<&str>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.set_pgo_refresh_token(id, token))
    }
    async fn set_pgo_fetch_outcome(
        &self,
        id: &str,
        at: DateTime<Utc>,
        outcome: Option<&str>,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.set_pgo_fetch_outcome(id, at, outcome))
    }
    async fn save_pgo_connection(&self, c: &PgoConnection) -> Result<(), StoreError> {
        delegate!(self, s => s.save_pgo_connection(c))
    }
    async fn replace_pgo_query(
        &self,
        account_id: &str,
        provider: &str,
        service: &str,
        query: &str,
        resources: &[(String, String, String)],
        at: DateTime<Utc>,
    ) -> Result<PgoChanges, StoreError> {
        delegate!(self, s => s.replace_pgo_query(account_id, provider, service, query, resources, at))
    }
    async fn delete_pgo_source(
        &self,
        account_id: &str,
        provider: &str,
        service: &str,
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.delete_pgo_source(account_id, provider, service))
    }
    async fn pgo_resources(&self, account_id: &str) -> Result<Vec<PgoResource>, StoreError> {
        delegate!(self, s => s.pgo_resources(account_id))
    }
    async fn pgo_log(&self, account_id: &str, entry: &PgoLogEntry) -> Result<(), StoreError> {
        delegate!(self, s => s.pgo_log(account_id, entry))
    }
    async fn pgo_log_of(&self, account_id: &str) -> Result<Vec<PgoLogEntry>, StoreError> {
        delegate!(self, s => s.pgo_log_of(account_id))
    }
    async fn purge_pgo_log(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        delegate!(self, s => s.purge_pgo_log(before))
    }
    async fn add_pgo_own(&self, account_id: &str, item: &PgoOwnItem) -> Result<(), StoreError> {
        delegate!(self, s => s.add_pgo_own(account_id, item))
    }
    async fn pgo_own_items(&self, account_id: &str) -> Result<Vec<PgoOwnItem>, StoreError> {
        delegate!(self, s => s.pgo_own_items(account_id))
    }
    async fn delete_pgo_own(&self, account_id: &str, id: &str) -> Result<bool, StoreError> {
        delegate!(self, s => s.delete_pgo_own(account_id, id))
    }
    async fn mark_pgo_own_sent(
        &self,
        account_id: &str,
        ids: &[String],
        provider: &str,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.mark_pgo_own_sent(account_id, ids, provider))
    }
    async fn create_pgo_share(&self, share: &PgoShare) -> Result<(), StoreError> {
        delegate!(self, s => s.create_pgo_share(share))
    }
    async fn pgo_shares(&self, account_id: &str) -> Result<Vec<PgoShare>, StoreError> {
        delegate!(self, s => s.pgo_shares(account_id))
    }
    async fn pgo_share_by_token(&self, token_hash: &str) -> Result<Option<PgoShare>, StoreError> {
        delegate!(self, s => s.pgo_share_by_token(token_hash))
    }
    async fn revoke_pgo_share(
        &self,
        account_id: &str,
        id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.revoke_pgo_share(account_id, id, at))
    }
    async fn pgo_share_opened(&self, id: &str) -> Result<(), StoreError> {
        delegate!(self, s => s.pgo_share_opened(id))
    }
    async fn pgo_share_wrong_code(
        &self,
        id: &str,
        max: u32,
        at: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        delegate!(self, s => s.pgo_share_wrong_code(id, max, at))
    }
}
