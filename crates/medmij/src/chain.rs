//! What every MedMij exchange carries, on both sides of it: the request identifiers
//! (`MedMij-Request-ID`, `X-Correlation-ID`, R72) and the chain log of token and resource events
//! (R88: no patient, no content), kept `chain_log_months` and then purged.

use axum::http::{HeaderMap, StatusCode};
use inzage_store::{ChainEvent, ChainEventKind, MedmijStore};
use inzage_webkit::AppState;
pub use inzage_webkit::config::CHAIN_LOG_MONTHS;
use std::sync::{Arc, Mutex};

/// The identifiers of one MedMij request (R72, R88): read from its headers (or made up when
/// missing), and the PGO's client id once the token is known.
#[derive(Debug, Clone)]
pub struct RequestIds {
    pub request_id: String,
    pub correlation_id: String,
    client: Arc<Mutex<String>>,
}

impl RequestIds {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Self {
            request_id: header_id(headers, "medmij-request-id")
                .unwrap_or_else(inzage_webkit::session::random_id),
            correlation_id: header_id(headers, "x-correlation-id").unwrap_or_default(),
            client: Arc::default(),
        }
    }
    pub fn set_client(&self, client: &str) {
        if let Ok(mut c) = self.client.lock() {
            client.clone_into(&mut c);
        }
    }
    fn client(&self) -> String {
        self.client.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// Removes chain-log events older than `months` months before `now` (R88); returns how many.
pub async fn purge_chain_log(
    store: &inzage_store::Store,
    now: chrono::DateTime<chrono::Utc>,
    months: u32,
) -> Result<u64, inzage_store::StoreError> {
    let cutoff = now
        .checked_sub_months(chrono::Months::new(months))
        .unwrap_or(now);
    store.purge_chain_log(cutoff).await
}

/// Writes one chain-log event (R88). A failure is logged and does not change the answer.
pub async fn chain_event(
    state: &AppState,
    kind: ChainEventKind,
    ids: &RequestIds,
    status: StatusCode,
    resource: &str,
) {
    let event = ChainEvent {
        at: state.now(),
        kind,
        request_id: ids.request_id.clone(),
        correlation_id: ids.correlation_id.clone(),
        client_id: ids.client(),
        status: status.as_u16(),
        resource: resource.to_owned(),
    };
    if let Err(e) = state.store.log_chain(&[event]).await {
        tracing::warn!(error = %e, "chain log event not written");
    }
}

/// The request identifiers MedMij asks us to log (R72): a well-formed id or a fresh one.
fn header_id(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_owned)
}
