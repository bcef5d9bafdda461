//! The PGO (persoonlijke gezondheidsomgeving, issue 19): a person's own place that gathers their
//! data from several providers through MedMij, keeps it per source, and shows it as one record.
//!
//! - `directory`: the MedMij lists (providers, data service names, whitelist), read from files
//!   or URLs, checked, refreshed on a schedule (R92, R93).
//! - `client`: the MedMij client side: the authorization request, code and refresh token
//!   exchange, revocation, the GD 49 queries and the GD 51 document list, the chain log
//!   (R94-R98, R100).
//! - `fetch`: one fetch from one connection: every query, what each brought or why it failed,
//!   kept per source (R99, R124).
//! - `view`: the person's data from every source as one record, the same item from two sources
//!   shown once (R125).
//! - `pages`: the person's pages under `/pgo`: sign-up, providers, connecting, fetching,
//!   withdrawing (R101), the record, the log, deleting the account.
//! - `timeline`: the same data as a timeline and as the course of results and measurements.
//! - `ask`: a question about measurements put to a provider of data service 52 when the person
//!   wants the answer (the Retrieving-PHR searches); `documents`: opening a GD 51 document.
//! - `own`: what the person enters themselves, and sending measurements (data service 52).
//! - `share`: share links for a clinician (R126); `family`: read access for another account;
//!   `team`: care-team spaces where several clinicians read, plan and write together.
//!
//! The person logs in with the same login as the portal (`inzage-login`: level substantieel);
//! their PGO account is keyed by a hash of the login subject, never by BSN, and belongs to no
//! practice. It builds on `inzage-webkit` and `inzage-login`; it knows no other channel: to a
//! PGO our own practice is a provider like any other, reached over HTTP.
//!
//! No circles: `pages` uses `fetch`, `view`, `client` and `directory`; `fetch` uses `client`;
//! `client` and `directory` use nothing of this crate.

mod ask;
pub mod client;
pub mod directory;
mod documents;
mod family;
pub mod fetch;
pub mod own;
mod pages;
pub mod share;
mod team;
mod timeline;
pub mod view;

pub use directory::{Directory, ListSources, Lists};

use axum::{Extension, Router};
use inzage_store::Store;
use inzage_webkit::AppState;
use std::sync::Arc;
use std::time::Duration;

/// The PGO's place in MedMij and where its lists come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgoConfig {
    /// Our hostname in the MedMij OAuth client list: our `client_id`.
    pub client_id: String,
    /// The origin people reach us at; the redirect URI is `<origin>/pgo/terug`.
    pub origin: String,
    pub lists: ListSources,
    /// How often the lists are read again.
    pub refresh_minutes: u64,
    /// The time limit of one call to a provider.
    pub timeout: Duration,
}

impl PgoConfig {
    pub fn redirect_uri(&self) -> String {
        format!("{}/pgo/terug", self.origin.trim_end_matches('/'))
    }
}

/// The PGO's running parts: its configuration, the lists and the client.
#[derive(Clone)]
pub struct Pgo {
    pub config: PgoConfig,
    pub directory: Directory,
    pub caller: client::Caller,
    /// One lock per connection, held while its refresh token is used (`fetch::access_token`).
    refreshing: Arc<std::sync::Mutex<std::collections::HashMap<String, RefreshLock>>>,
}

type RefreshLock = Arc<tokio::sync::Mutex<()>>;

impl Pgo {
    /// Reads the lists once; a list that cannot be read is reported and left empty until a
    /// refresh brings a valid one.
    pub async fn start(config: PgoConfig, store: Store) -> (Self, Vec<String>) {
        let http = client::http_client(config.timeout);
        let directory = Directory::new(config.lists.clone(), http.clone());
        let problems = directory.refresh().await;
        let caller = client::Caller {
            http,
            store,
            client_id: config.client_id.clone(),
            max_answer: 32 * 1024 * 1024,
        };
        (
            Self {
                config,
                directory,
                caller,
                refreshing: Arc::default(),
            },
            problems,
        )
    }
}

impl Pgo {
    /// The lock of connection `id`'s refresh token.
    pub fn refresh_lock(&self, id: &str) -> RefreshLock {
        let mut locks = self
            .refreshing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.entry(id.to_owned()).or_default().clone()
    }
}

/// Every PGO route.
/// The key a person's PGO account is found by: the SHA-256 of their login subject (never the
/// BSN), so the same person logging in again finds their account.
pub fn account_key(login_subject: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(
        format!("pgo:{login_subject}").as_bytes(),
    ))
}

/// How long the person's log is kept: five years (MedMij, background §L.3).
pub const LOG_MONTHS: u32 = 60;

/// Removes the entries of every person's log older than [`LOG_MONTHS`]; returns how many.
pub async fn purge_log(
    store: &Store,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u64, inzage_store::StoreError> {
    use inzage_store::PgoStore;
    let cutoff = now
        .checked_sub_months(chrono::Months::new(LOG_MONTHS))
        .unwrap_or(now);
    store.purge_pgo_log(cutoff).await
}

pub fn router(pgo: Arc<Pgo>) -> Router<AppState> {
    pages::routes()
        .merge(own::routes())
        .merge(share::routes())
        .merge(timeline::routes())
        .merge(family::routes())
        .merge(documents::routes())
        .merge(ask::routes())
        .merge(team::routes())
        .layer(Extension(pgo))
}

pub use inzage_webkit::lists::loopback;
