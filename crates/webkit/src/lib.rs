//! The web kit: what every channel of inzage's web application shares, and nothing that belongs
//! to one channel. It knows no channel crate (login, portal, practice, medmij); they all build on it.
//!
//! - `config`: the settings (`WebConfig` and the OIDC, MedMij and mail sections).
//! - [`AppState`]: the store, the clock, the settings, the per-record edit locks, and the login
//!   machinery's two shared caches (the OIDC provider's metadata, the WebAuthn relying party),
//!   given to every handler.
//! - `error`: `WebError`, the one error type of a handler, as a page or a status.
//! - `session`: server-side sessions (tower-sessions over our own store) and CSRF tokens.
//! - `page`: the page frame (`PageCtx`, `base.html`): menu, language switch, whose record is open;
//!   the frame's own routes (`frame_router`: `/health`, `/health/live`, `/health/ready`, the
//!   stylesheet and script).
//! - `i18n`, `glossary`, `chart`: Fluent translations, explanations in five languages, SVG trend
//!   charts.
//! - `form`, `attachment`, `download`: reading forms with a file, checking an attachment by its
//!   content, answering a file as a download.
//! - `fresh`: a change saved to the record as it is now, applied again when another save
//!   landed in between (`until_fresh!`).
//! - `requests`: what the portal and the practice both show of what a person asks the practice.
//! - `lists`: the MedMij list formats (Zorgaanbiederslijst, OAuth client list,
//!   Gegevensdienstnamenlijst, whitelist): the provider side reads its own entry, the PGO the
//!   whole lists.
//! - `notify`: the notice outbox and its sender (no content in a notice).
//! - request ids (`request_id`, `RandomRequestId`, `client_request_id`), the client's address
//!   behind trusted proxies (`client_ip`), safe local redirects (`local_path`), the FHIR base URL.

pub mod attachment;
pub mod chart;
pub mod config;
pub mod csp;
pub mod download;
pub mod error;
pub mod extract;
pub mod form;
pub mod fresh;
pub mod glossary;
pub mod i18n;
pub mod lists;
pub mod metrics;
pub mod notify;
pub mod page;
pub mod requests;
pub mod session;

pub use config::{DemoAccount, WebConfig};

use axum::http::{HeaderMap, HeaderValue, header};
use inzage_domain::Clock;
use inzage_store::Store;
use std::sync::Arc;
use tower_http::request_id::{MakeRequestId, RequestId};

/// A random id for every request, returned in `x-request-id` and written with every audit entry
/// of the request (a client's own id is kept beside it: `client_request_id`).
#[derive(Clone, Copy, Default)]
pub struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&session::random_id())
            .ok()
            .map(RequestId::new)
    }
}

/// The request id of a request for the audit log: ours (set by `RandomRequestId`), followed by
/// the client's own id after a `+` when it sent a plain one.
pub fn request_id(headers: &axum::http::HeaderMap) -> String {
    let plain = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| plain_request_id(v))
    };
    let ours = plain("x-request-id").map_or_else(session::random_id, str::to_owned);
    match plain(CLIENT_REQUEST_ID) {
        Some(theirs) => format!("{ours}+{theirs}"),
        None => ours,
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy; then the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy (entries left of it could be
/// written by anyone). A malformed header counts as none.
pub fn client_ip(
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut chain: Vec<std::net::IpAddr> = vec![];
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return peer;
        };
        for part in text.split(',') {
            match part.trim().parse() {
                Ok(ip) => chain.push(ip),
                Err(_) => return peer,
            }
        }
    }
    chain
        .into_iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .unwrap_or(peer)
}

/// Shared by every handler: one allocation, so that the many clones a request makes (each
/// extractor and middleware takes its own) cost one counter each.
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

impl std::ops::Deref for AppState {
    type Target = SharedState;
    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct SharedState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<WebConfig>,
    pub oidc: Arc<OidcDiscovery>,
    /// The WebAuthn relying party, when `public_origin` is set.
    pub webauthn: Option<Arc<webauthn_rs::Webauthn>>,
}

/// The OpenID Connect provider's metadata, discovered at the first login through it.
pub type OidcDiscovery = tokio::sync::OnceCell<openidconnect::core::CoreProviderMetadata>;

impl AppState {
    /// `webauthn` is the relying party for passkeys (built by the login crate from
    /// `public_origin`), or `None` when passkeys are off.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        config: WebConfig,
        webauthn: Option<webauthn_rs::Webauthn>,
    ) -> Self {
        Self(Arc::new(SharedState {
            store,
            clock,
            oidc: Arc::new(OidcDiscovery::new()),
            webauthn: webauthn.map(Arc::new),
            config: Arc::new(config),
        }))
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

/// The request id is always ours (`RandomRequestId`): one a client sends in `x-request-id` is
/// moved to `x-client-request-id`, kept only when it is a plain id of at most 64 characters, and
/// written to the audit log after ours (`request_id`), so a client cannot choose or forge the id
/// an audit entry is found by.
pub async fn client_request_id(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let headers = request.headers_mut();
    let theirs = headers
        .remove("x-request-id")
        .filter(|v| v.to_str().is_ok_and(plain_request_id));
    headers.remove(CLIENT_REQUEST_ID);
    if let Some(v) = theirs {
        headers.insert(CLIENT_REQUEST_ID, v);
    }
    next.run(request).await
}

pub const CLIENT_REQUEST_ID: &str = "x-client-request-id";

fn plain_request_id(v: &str) -> bool {
    !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A path on this site to send the browser back to, or `None`: `/\evil.example` and
/// `//evil.example` are other sites to a browser, and control characters or backslashes have no
/// place in our own paths.
pub fn local_path(back: &str) -> Option<&str> {
    let mut chars = back.chars();
    let ok = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !back.chars().any(|c| c == '\\' || c.is_control());
    ok.then_some(back)
}

/// The largest body of a request without a file: a form, a passkey's JSON. A GP's long
/// consultation note is a few kilobytes.
pub const MAX_FORM: usize = 256 * 1024;

/// The base URL FHIR resources are addressed under: the configured public origin, or this host.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let origin = state.config.public_origin.clone().unwrap_or_else(|| {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
            })
            .unwrap_or("localhost");
        format!("http://{host}")
    });
    format!("{}/fhir", origin.trim_end_matches('/'))
}
