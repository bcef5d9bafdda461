//! One fetch from one connection (R97-R99, R124): a new access token from the refresh token (or
//! the one just issued), every query of the data service at once, and what each one brought kept
//! per source. A query that fails keeps what an earlier fetch brought; the outcome says per query
//! what failed, so the person reads which part did not come and what to do.

use crate::Pgo;
use crate::client::{Failure, Query, new_id, resource_base, today};
use chrono::{DateTime, Utc};
use inzage_store::{PgoChanges, PgoConnection, PgoLogEntry, PgoStore, Store, StoreError};
use serde::{Deserialize, Serialize};

/// What one query did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryOutcome {
    pub query: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    #[serde(default)]
    pub new: usize,
    #[serde(default)]
    pub changed: usize,
    #[serde(default)]
    pub unchanged: usize,
    #[serde(default)]
    pub removed: usize,
}

/// What one fetch did: why no token was had, or each query's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchOutcome {
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_failure: Option<Failure>,
    #[serde(default)]
    pub queries: Vec<QueryOutcome>,
}

impl FetchOutcome {
    pub fn failed(at: DateTime<Utc>, why: Failure) -> Self {
        Self {
            at,
            token_failure: Some(why),
            queries: vec![],
        }
    }

    /// Whether nothing failed.
    pub fn complete(&self) -> bool {
        self.token_failure.is_none() && self.queries.iter().all(|q| q.failure.is_none())
    }

    pub fn parse(json: &str) -> Option<Self> {
        serde_json::from_str(json).ok()
    }
}

/// Runs every query of the connection's data service with `access_token` and keeps what each
/// brought. The queries run at the same time; each one's failure is its own.
pub async fn with_token(
    pgo: &Pgo,
    conn: &PgoConnection,
    access_token: &str,
    correlation_id: &str,
    now: DateTime<Utc>,
) -> Result<FetchOutcome, StoreError> {
    let lists = pgo.directory.lists();
    let (Some((_, service)), Some(whitelist)) = (
        lists.service(&conn.provider, &conn.service),
        lists.whitelist.clone(),
    ) else {
        return Ok(FetchOutcome::failed(now, Failure::NotOffered));
    };
    let Some(base) = resource_base(service).map(str::to_owned) else {
        return Ok(FetchOutcome::failed(now, Failure::NotOffered));
    };
    let day = today(now);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, query) in Query::of_service(&conn.service).enumerate() {
        let caller = pgo.caller.clone();
        let whitelist = whitelist.clone();
        let (provider, base, token, correlation) = (
            conn.provider.clone(),
            base.clone(),
            access_token.to_owned(),
            correlation_id.to_owned(),
        );
        let query = *query;
        tasks.spawn(async move {
            let found = caller
                .search(
                    &whitelist,
                    &provider,
                    &base,
                    &token,
                    &correlation,
                    &query,
                    day,
                )
                .await;
            (i, query, found)
        });
    }
    let mut answers = tasks.join_all().await;
    answers.sort_by_key(|(i, _, _)| *i);
    let mut queries = vec![];
    for (_, query, found) in answers {
        queries.push(match found {
            Ok(resources) => {
                let PgoChanges {
                    new,
                    changed,
                    unchanged,
                    removed,
                } = pgo
                    .caller
                    .store
                    .replace_pgo_query(
                        &conn.account_id,
                        &conn.provider,
                        &conn.service,
                        query.id,
                        &resources,
                        now,
                    )
                    .await?;
                QueryOutcome {
                    query: query.id.into(),
                    failure: None,
                    new,
                    changed,
                    unchanged,
                    removed,
                }
            }
            Err(failure) => QueryOutcome {
                query: query.id.into(),
                failure: Some(failure),
                new: 0,
                changed: 0,
                unchanged: 0,
                removed: 0,
            },
        });
    }
    Ok(FetchOutcome {
        at: now,
        token_failure: None,
        queries,
    })
}

/// A fetch on the long-term consent: the refresh token gives an access token (and its
/// successor, kept instead of it), then every query. A refused refresh token ends the
/// connection's consent: the person is asked to connect again.
pub async fn with_refresh(
    pgo: &Pgo,
    mut conn: PgoConnection,
    now: DateTime<Utc>,
) -> Result<FetchOutcome, StoreError> {
    let outcome = match access_token(pgo, &mut conn).await? {
        Ok(token) => with_token(pgo, &conn, &token, &new_id(), now).await?,
        Err(failure) => FetchOutcome::failed(now, failure),
    };
    finish(&pgo.caller.store, conn, &outcome).await?;
    Ok(outcome)
}

/// An access token on the connection's long-term consent: the refresh token gives one (and its
/// successor, kept in `conn` and stored before the access token is used, so a crash in between
/// cannot leave us holding a spent one). A refused refresh token ends the consent.
///
/// One refresh per connection at a time (two tabs, a double click, a document opened during a
/// fetch): a provider that sees a refresh token used twice ends the whole consent (RFC 6819
/// 5.2.2.3). Under the lock the connection is read again, so the latest token is used and a
/// withdrawal in the meantime is respected; only the token column is written back.
pub async fn access_token(
    pgo: &Pgo,
    conn: &mut PgoConnection,
) -> Result<Result<String, Failure>, StoreError> {
    let lock = pgo.refresh_lock(&conn.id);
    let _turn = lock.lock().await;
    match pgo
        .caller
        .store
        .pgo_connections(&conn.account_id)
        .await?
        .into_iter()
        .find(|c| c.id == conn.id)
    {
        Some(latest) => {
            conn.refresh_token = latest.refresh_token;
            conn.withdrawn_at = latest.withdrawn_at;
        }
        None => return Ok(Err(Failure::ConsentEnded)),
    }
    if conn.withdrawn_at.is_some() {
        return Ok(Err(Failure::ConsentEnded));
    }
    let lists = pgo.directory.lists();
    let (Some(refresh), Some((_, service)), Some(whitelist)) = (
        conn.refresh_token.clone(),
        lists.service(&conn.provider, &conn.service),
        lists.whitelist.as_ref(),
    ) else {
        return Ok(Err(if conn.refresh_token.is_none() {
            Failure::ConsentEnded
        } else {
            Failure::NotOffered
        }));
    };
    match pgo
        .caller
        .refresh(whitelist, &conn.provider, service, &refresh)
        .await
    {
        Ok(tokens) => {
            conn.refresh_token = tokens.refresh_token.clone();
            if !pgo
                .caller
                .store
                .set_pgo_refresh_token(&conn.id, conn.refresh_token.as_deref())
                .await?
            {
                // Withdrawn while we asked: the new token is forgotten too.
                return Ok(Err(Failure::ConsentEnded));
            }
            Ok(Ok(tokens.access_token))
        }
        Err(failure) => {
            if failure == Failure::ConsentEnded {
                conn.refresh_token = None;
                pgo.caller
                    .store
                    .set_pgo_refresh_token(&conn.id, None)
                    .await?;
            }
            Ok(Err(failure))
        }
    }
}

/// Keeps the outcome with the connection and writes the fetch in the person's log.
pub async fn finish(
    store: &Store,
    mut conn: PgoConnection,
    outcome: &FetchOutcome,
) -> Result<(), StoreError> {
    conn.last_fetch_at = Some(outcome.at);
    conn.last_outcome = serde_json::to_string(outcome).ok();
    // Only the outcome: the token and a withdrawal are the business of `access_token` and the
    // person, and may have changed while the fetch ran.
    store
        .set_pgo_fetch_outcome(&conn.id, outcome.at, conn.last_outcome.as_deref())
        .await?;
    store
        .pgo_log(
            &conn.account_id,
            &PgoLogEntry {
                at: outcome.at,
                event: if outcome.complete() {
                    "fetch".into()
                } else {
                    "fetch-partial".into()
                },
                detail: conn.provider.clone(),
            },
        )
        .await
}
