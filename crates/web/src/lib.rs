//! The web layer: the patient portal on top of the store and the visibility rules.
//!
//! - `auth`: the built-in development identity provider (DigiD-like: username and password, then
//!   a second factor) and the login state kept in the session.
//! - `session`: server-side sessions (tower-sessions over our own store), CSRF tokens.
//! - `portal`: the pages. A page handler gets a [`portal::OpenRecord`] only after login and the
//!   access check of `inzage_domain::access`; it renders only what `visible_record` returns and
//!   writes one audit entry per page view.
//! - `glossary`, `i18n`, `chart`: plain-Dutch explanations, Fluent translations, SVG trend charts.
//!
//! Invariant: no handler takes a patient id from the URL or a form and uses it without checking
//! it against the logged-in person's own relations (`portal::relations`).

pub mod auth;
pub mod chart;
pub mod copy;
pub mod error;
pub mod form;
pub mod glossary;
pub mod i18n;
pub mod medmij;
pub mod medmij_auth;
mod medmij_receive;
pub mod messages;
pub mod notify;
pub mod oidc;
pub mod passkey;
pub mod portal;
pub mod practice;
pub mod session;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use chrono::Duration;
use inzage_domain::Clock;
use inzage_store::Store;
use std::sync::Arc;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;

/// A random id for every request, returned in `x-request-id` and written with every audit entry
/// of the request (a client's own id is kept beside it: `client_request_id`).
#[derive(Clone, Copy, Default)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&session::random_token()[..16])
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
    let ours = plain("x-request-id")
        .map_or_else(|| session::random_token()[..16].to_owned(), str::to_owned);
    match plain(CLIENT_REQUEST_ID) {
        Some(theirs) => format!("{ours}+{theirs}"),
        None => ours,
    }
}

/// A ready-made login shown on the start page in development mode only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    /// What the account shows off ("volwassene", "ouder van een kind van 10", ...).
    pub description: String,
    /// Base32 TOTP secret, so a tester can add it to an authenticator app.
    pub totp_secret: Option<String>,
    /// A practice staff login (`/praktijk/inloggen`) rather than a patient's.
    pub staff: bool,
}

/// Whether any of the demo logins is a staff login (for the start page's second list).
pub fn any_staff(accounts: &[DemoAccount]) -> bool {
    accounts.iter().any(|a| a.staff)
}

/// Web settings. `Default` is what a production practice gets: secure cookies, no dev IdP
/// extras.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Development mode: demo accounts on the start page, SMS-style codes in the server log.
    pub dev_mode: bool,
    /// Cookies only over HTTPS (`__Host-` prefix). Off only for local development over http.
    pub secure_cookies: bool,
    pub idle_timeout: Duration,
    pub absolute_timeout: Duration,
    /// Failed logins (per username, whether or not it exists) before a lock-out.
    pub login_max_failures: i64,
    pub login_lock: Duration,
    /// Requests per client address to the login routes: a burst, then one per this many ms.
    pub login_rate_burst: u32,
    pub login_rate_period_ms: u64,
    pub demo_accounts: Vec<DemoAccount>,
    /// The practice's identity provider (OpenID Connect). With it, the built-in password login
    /// is only offered in development mode.
    pub oidc: Option<oidc::OidcConfig>,
    /// The portal's public origin ("https://portaal.example"). Passkeys are bound to it; without
    /// it they are not offered. WebAuthn needs a host name: "http://localhost:8080" in a demo.
    pub public_origin: Option<String>,
    /// This practice in MedMij (Zorgaanbiedernaam, OAuth client list); `None`: no PGO access.
    pub medmij: Option<medmij_auth::MedmijConfig>,
    /// Months the MedMij chain log is kept (24 to 36, R88).
    pub chain_log_months: u32,
    /// Notification e-mail (SMTP, sender, the portal link in a notice).
    pub mail: notify::MailConfig,
    /// Reverse proxies in front of the server (addresses or networks). Only from these is
    /// `X-Forwarded-For` believed, to rate-limit per client rather than per proxy.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            dev_mode: false,
            secure_cookies: true,
            idle_timeout: Duration::minutes(15),
            absolute_timeout: Duration::hours(8),
            login_max_failures: 5,
            login_lock: Duration::minutes(15),
            login_rate_burst: 20,
            login_rate_period_ms: 500,
            demo_accounts: vec![],
            oidc: None,
            public_origin: None,
            medmij: None,
            chain_log_months: medmij::CHAIN_LOG_MONTHS,
            mail: notify::MailConfig::default(),
            trusted_proxies: vec![],
        }
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

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<WebConfig>,
    pub oidc: Arc<oidc::Provider>,
    /// The WebAuthn relying party, when `public_origin` is set.
    pub webauthn: Option<Arc<webauthn_rs::Webauthn>>,
    /// Striped locks: one writer at a time per patient record within this process.
    edit_locks: Arc<Vec<tokio::sync::Mutex<()>>>,
}

impl AppState {
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Held while a staff edit reads, changes and saves a record, so two edits of the same
    /// record never overwrite each other (within one server process).
    pub async fn edit_lock(
        &self,
        patient: &inzage_domain::PatientId,
    ) -> tokio::sync::MutexGuard<'_, ()> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        patient.hash(&mut h);
        let i = (h.finish() % self.edit_locks.len() as u64) as usize;
        self.edit_locks[i].lock().await
    }
}

/// The whole web application.
/// The largest body of a request without a file: a form, a passkey's JSON. A GP's long
/// consultation note is a few kilobytes.
pub const MAX_FORM: usize = 256 * 1024;

pub fn app(store: Store, clock: Arc<dyn Clock>, config: WebConfig) -> Router {
    let state = AppState {
        store,
        clock,
        oidc: Arc::new(oidc::Provider::default()),
        webauthn: config
            .public_origin
            .as_deref()
            .and_then(passkey::relying_party)
            .map(Arc::new),
        config: Arc::new(config),
        edit_locks: Arc::new((0..64).map(|_| tokio::sync::Mutex::new(())).collect()),
    };
    let sessions = session::layer(&state);
    // Behind HTTPS (secure cookies): browsers keep to HTTPS for a year.
    let hsts = state.config.secure_cookies.then(|| {
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });
    Router::new()
        .merge(auth::router(&state))
        .merge(portal::router(&state))
        .merge(passkey::router())
        .merge(practice::router(&state))
        .merge(medmij::router(state.clone()))
        .merge(medmij_auth::router())
        // Every body is capped; the routes that take files (portal and practice uploads,
        // documents from a PGO) set their own larger cap, the token endpoint a smaller one.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM))
        // An unknown address gets the same page as any other "not found".
        .fallback(|| async { error::WebError::NotFound })
        .layer(sessions)
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        // No page needs the camera, microphone, location, payment or USB.
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(
                "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
            ),
        ))
        .layer(tower::util::option_layer(hsts))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
        .layer(axum::middleware::from_fn(client_request_id))
}

/// The request id is always ours (`RandomRequestId`): one a client sends in `x-request-id` is
/// moved to `x-client-request-id`, kept only when it is a plain id of at most 64 characters, and
/// written to the audit log after ours (`request_id`), so a client cannot choose or forge the id
/// an audit entry is found by.
async fn client_request_id(
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

const CLIENT_REQUEST_ID: &str = "x-client-request-id";

fn plain_request_id(v: &str) -> bool {
    !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A path on this site to send the browser back to, or `None`: `/\evil.example` and
/// `//evil.example` are other sites to a browser, and control characters or backslashes have no
/// place in our own paths.
pub(crate) fn local_path(back: &str) -> Option<&str> {
    let mut chars = back.chars();
    let ok = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !back.chars().any(|c| c == '\\' || c.is_control());
    ok.then_some(back)
}
