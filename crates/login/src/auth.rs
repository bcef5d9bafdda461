//! Patient login at eIDAS level "substantieel" (R50, R51): never a password alone.
//!
//! The built-in development identity provider behaves like DigiD: a username and password, then
//! a second factor (a code from an authenticator app, TOTP; or in development mode a text-message
//! style code written to the server log). It yields the person's BSN.
//!
//! Protections: the same message and the same work (an argon2 verification against a dummy hash)
//! whether or not the username exists; lock-out per username after repeated failures (counted in
//! the database, so it holds across instances); a per-address rate limit on the login routes;
//! a new session id after login (no session fixation); CSRF tokens on every form.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::Request;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use inzage_domain::Bsn;
use inzage_store::{IdpAccount, NotifyStore, PortalStore, ThrottlePolicy};
pub use inzage_webkit::config::ACR_SUBSTANTIAL;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::Form;
use inzage_webkit::i18n::Tr;
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use inzage_webkit::{AppState, DemoAccount};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, LazyLock};
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;
use tower_sessions::Session;

const PENDING: &str = "pending";
const LOGIN: &str = "login";

/// A person who passed the password step and still has to give a second factor.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub username: String,
    started_at: DateTime<Utc>,
    /// SHA-256 of the text-message code sent, and when.
    sms: Option<(String, DateTime<Utc>)>,
}

/// Session key: where to go right after logging in (only MedMij flow pages and the PGO).
pub const AFTER_LOGIN: &str = "after_login";

/// Where a person goes right after logging in: the MedMij consent or the PGO page that sent
/// them to the login, or else the portal's record chooser.
pub async fn landing(session: &Session) -> WebResult<String> {
    Ok(match session.get::<String>(AFTER_LOGIN).await? {
        Some(next) if next == "/pgo" => {
            session.remove::<String>(AFTER_LOGIN).await?;
            next
        }
        // The MedMij consent page takes it out itself (the portal's chooser forwards it).
        _ => "/kiezen".to_owned(),
    })
}

/// A logged-in person. Lives in the server-side session only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Login {
    /// Who logged in, for the audit log ("idp:<username>" or the OpenID subject).
    pub subject: String,
    pub bsn: Bsn,
    pub display_name: String,
    pub acr: String,
    pub login_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// The logged-in person, checked against the idle and absolute time-outs on every request.
/// Extracting it renews the idle timer.
impl FromRequestParts<AppState> for Login {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> WebResult<Self> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::Unauthenticated)?;
        let Some(mut login) = session.get::<Login>(LOGIN).await? else {
            return Err(WebError::Unauthenticated);
        };
        let now = state.now();
        if now - login.last_seen > state.config.idle_timeout
            || now - login.login_at > state.config.absolute_timeout
        {
            session.flush().await?;
            return Err(WebError::Unauthenticated);
        }
        login.last_seen = now;
        session.insert(LOGIN, &login).await?;
        Ok(login)
    }
}

pub fn router(state: &AppState) -> Router<AppState> {
    let limited = rate_limited(
        state,
        Router::new()
            .route("/inloggen", post(password_submit))
            .route("/inloggen/code", post(code_submit))
            .route("/inloggen/sms", post(sms_send)),
    );
    Router::new()
        .route("/inloggen", get(password_page))
        .route("/inloggen/code", get(code_page))
        .route("/uitloggen", post(logout))
        .route("/taal", post(choose_language))
        .merge(limited)
}

/// The login routes' rate limit per client address (`login_rate_burst` attempts, one more every
/// `login_rate_period_ms`), for the portal's and the practice's logins alike.
pub fn rate_limited(state: &AppState, routes: Router<AppState>) -> Router<AppState> {
    match GovernorConfigBuilder::default()
        .per_millisecond(state.config.login_rate_period_ms.max(1))
        .burst_size(state.config.login_rate_burst.max(1))
        .key_extractor(PeerIpOrLoopback(Arc::new(
            state.config.trusted_proxies.clone(),
        )))
        .finish()
    {
        Some(conf) => routes.layer(GovernorLayer::new(Arc::new(conf))),
        None => routes,
    }
}

/// Rate-limit key: the client address (behind a trusted proxy: from `X-Forwarded-For`, see
/// [`inzage_webkit::client_ip`]), or loopback when there is none (in-process tests).
#[derive(Clone, Debug)]
struct PeerIpOrLoopback(Arc<Vec<ipnet::IpNet>>);

impl KeyExtractor for PeerIpOrLoopback {
    type Key = IpAddr;
    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, tower_governor::GovernorError> {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |ci| ci.0.ip());
        Ok(inzage_webkit::client_ip(peer, req.headers(), &self.0))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct PasswordPage {
    pub ctx: PageCtx,
    pub error: Option<String>,
    pub username: String,
    pub demo_accounts: Vec<DemoAccount>,
    /// The button to the practice's identity provider, when one is configured.
    pub oidc_label: Option<String>,
}

/// The built-in password login is offered unless a real identity provider is configured
/// (development mode keeps both).
pub fn password_login_enabled(state: &AppState) -> bool {
    state.config.oidc.is_none() || state.config.dev_mode
}

fn oidc_label(state: &AppState) -> Option<String> {
    state.config.oidc.as_ref().map(|o| o.button_label.clone())
}

/// Makes `login` the logged-in person of this session, in the language they keep: the one
/// they chose at an earlier login, else the one they read in now (chosen with the switch, or
/// asked for by their browser), which is kept from here on, for their e-mails too.
pub async fn store_login(state: &AppState, session: &Session, login: &Login) -> WebResult<()> {
    session.insert(LOGIN, login).await?;
    match state.store.person_language(&login.bsn).await? {
        Some(kept) => Tr::choose(session, &kept).await?,
        None => {
            if let Some(chosen) = Tr::chosen_or_asked(session).await {
                state
                    .store
                    .set_person_language(&login.bsn, chosen.code(), state.now())
                    .await?;
            }
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
    back: String,
    #[serde(default)]
    csrf: String,
}

/// The language switch on every page: the session reads on in the chosen language, and a
/// logged-in person keeps it for their next login, their e-mails and their copy.
async fn choose_language(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<LanguageForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    Tr::choose(&session, &form.lang).await?;
    if let Some(login) = session.get::<Login>(LOGIN).await? {
        let code = Tr::new(&form.lang).code();
        state
            .store
            .set_person_language(&login.bsn, code, state.now())
            .await?;
    }
    // Back to a page of our own only.
    let back = inzage_webkit::local_path(&form.back).unwrap_or("/");
    Ok(Redirect::to(back).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "login_code.html")]
struct CodePage {
    ctx: PageCtx,
    error: Option<String>,
    sms_offered: bool,
    sms_sent: bool,
    passkey_offered: bool,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
    #[serde(default)]
    csrf: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn password_page(State(state): State<AppState>, session: Session) -> WebResult<Response> {
    if session.get::<Login>(LOGIN).await?.is_some() {
        return Ok(Redirect::to("/kiezen").into_response());
    }
    Ok(PasswordPage {
        ctx: PageCtx::anonymous(&session, "/inloggen").await?,
        error: None,
        username: String::new(),
        demo_accounts: dev_accounts(&state),
        oidc_label: oidc_label(&state),
    }
    .into_response())
}

pub fn dev_accounts(state: &AppState) -> Vec<DemoAccount> {
    if state.config.dev_mode {
        state.config.demo_accounts.clone()
    } else {
        vec![]
    }
}

pub fn policy(state: &AppState) -> ThrottlePolicy {
    ThrottlePolicy {
        max_failures: state.config.login_max_failures,
        window: state.config.login_lock,
        lock: state.config.login_lock,
    }
}

/// The throttle key of a username: the same for every spelling of it.
pub fn username_key(step: &str, username: &str) -> String {
    format!("{step}:{}", username.trim().to_lowercase())
}

async fn password_submit(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    if !password_login_enabled(&state) {
        return Err(WebError::NotFound);
    }
    let ctx = PageCtx::anonymous(&session, "/inloggen").await?;
    let tr = ctx.tr.clone();
    let username = form.username.trim().to_lowercase();
    let now = state.now();
    let key = username_key("password", &username);
    let page = |ctx: PageCtx, error: String| PasswordPage {
        ctx,
        error: Some(error),
        username: form.username.clone(),
        demo_accounts: dev_accounts(&state),
        oidc_label: oidc_label(&state),
    };
    // The attempt is counted before the password is checked, atomically (finding 5).
    if !state.store.begin_attempt(&key, now, policy(&state)).await? {
        return Ok(page(ctx, tr.t("login-locked")).into_response());
    }
    let account = if username.is_empty() {
        None
    } else {
        state.store.idp_account(&username).await?
    };
    // The same argon2 work whether or not the account exists.
    let hash = account
        .as_ref()
        .map_or(DUMMY_HASH.as_str(), |a| a.password_hash.as_str());
    let password_ok = verify_password(&form.password, hash).await && account.is_some();
    let Some(account) = account.filter(|_| password_ok) else {
        let st = state
            .store
            .attempt_failed(&key, now, policy(&state))
            .await?;
        let msg = if st.locked_until.is_some() {
            tr.t("login-locked")
        } else {
            tr.t("login-wrong")
        };
        return Ok(page(ctx, msg).into_response());
    };
    state.store.clear_failures(&key).await?;
    session.remove::<Login>(LOGIN).await?;
    session
        .insert(
            PENDING,
            &Pending {
                username: account.username,
                started_at: now,
                sms: None,
            },
        )
        .await?;
    Ok(Redirect::to("/inloggen/code").into_response())
}

pub async fn pending(state: &AppState, session: &Session) -> WebResult<Option<Pending>> {
    let p = session.get::<Pending>(PENDING).await?;
    // The second step must follow within five minutes.
    Ok(p.filter(|p| state.now() - p.started_at <= chrono::Duration::minutes(5)))
}

async fn code_page(State(state): State<AppState>, session: Session) -> WebResult<Response> {
    let Some(p) = pending(&state, &session).await? else {
        return Ok(Redirect::to("/inloggen").into_response());
    };
    Ok(CodePage {
        ctx: PageCtx::anonymous(&session, "/inloggen/code").await?,
        error: None,
        sms_offered: state.config.dev_mode,
        sms_sent: p.sms.is_some(),
        passkey_offered: crate::passkey::offered(&state, &p.username).await?,
    }
    .into_response())
}

async fn sms_send(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<CsrfForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    if !state.config.dev_mode {
        return Err(WebError::NotFound);
    }
    let Some(mut p) = pending(&state, &session).await? else {
        return Ok(Redirect::to("/inloggen").into_response());
    };
    let code = format!("{:06}", rand::random_range(0..1_000_000u32));
    // Development mode only: there is no text-message gateway, so the code goes to the log.
    tracing::warn!(username = %p.username, code = %code, "development SMS code (dev mode only)");
    p.sms = Some((sha256_hex(&code), state.now()));
    session.insert(PENDING, &p).await?;
    Ok(Redirect::to("/inloggen/code").into_response())
}

async fn code_submit(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<CodeForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let Some(p) = pending(&state, &session).await? else {
        return Ok(Redirect::to("/inloggen").into_response());
    };
    let ctx = PageCtx::anonymous(&session, "/inloggen/code").await?;
    let tr = ctx.tr.clone();
    let now = state.now();
    let key = username_key("code", &p.username);
    let passkey_offered = crate::passkey::offered(&state, &p.username).await?;
    let retry = |ctx: PageCtx, error: String| CodePage {
        ctx,
        error: Some(error),
        sms_offered: state.config.dev_mode,
        sms_sent: p.sms.is_some(),
        passkey_offered,
    };
    if !state.store.begin_attempt(&key, now, policy(&state)).await? {
        session.remove::<Pending>(PENDING).await?;
        return Ok(retry(ctx, tr.t("login-locked")).into_response());
    }
    let Some(account) = state.store.idp_account(&p.username).await? else {
        session.remove::<Pending>(PENDING).await?;
        return Ok(Redirect::to("/inloggen").into_response());
    };
    let code: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    if !second_factor_ok(&state, &account, &p, &code, now).await? {
        let st = state
            .store
            .attempt_failed(&key, now, policy(&state))
            .await?;
        if st.locked_until.is_some() {
            session.remove::<Pending>(PENDING).await?;
            return Ok(retry(ctx, tr.t("login-locked")).into_response());
        }
        return Ok(retry(ctx, tr.t("login-code-wrong")).into_response());
    }
    state.store.clear_failures(&key).await?;
    complete_login(&state, &session, account).await?;
    Ok(Redirect::to(&landing(&session).await?).into_response())
}

/// The second factor passed: the person is logged in, under a fresh session id (the old one is
/// deleted) with a fresh CSRF token.
pub async fn complete_login(
    state: &AppState,
    session: &Session,
    account: IdpAccount,
) -> WebResult<()> {
    let now = state.now();
    session.remove::<Pending>(PENDING).await?;
    session.cycle_id().await?;
    session
        .insert("csrf", inzage_webkit::session::random_token())
        .await?;
    let login = Login {
        subject: format!("idp:{}", account.username),
        bsn: account.bsn,
        display_name: account.display_name,
        acr: ACR_SUBSTANTIAL.into(),
        login_at: now,
        last_seen: now,
    };
    store_login(state, session, &login).await?;
    tracing::info!(method = "password and second factor", "login");
    Ok(())
}

/// Counts a failed second factor that was not admitted beforehand (a passkey: no guess to
/// bound); `true` when the username is locked (the attempt ends).
pub async fn second_factor_failed(
    state: &AppState,
    session: &Session,
    username: &str,
) -> WebResult<bool> {
    let key = username_key("code", username);
    let now = state.now();
    let counted = state.store.begin_attempt(&key, now, policy(state)).await?;
    let st = state.store.attempt_failed(&key, now, policy(state)).await?;
    if !counted || st.locked_until.is_some() {
        session.remove::<Pending>(PENDING).await?;
        return Ok(true);
    }
    Ok(false)
}

async fn second_factor_ok(
    state: &AppState,
    account: &IdpAccount,
    p: &Pending,
    code: &str,
    now: DateTime<Utc>,
) -> WebResult<bool> {
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(false);
    }
    if let Some((hash, sent_at)) = &p.sms
        && now - *sent_at <= chrono::Duration::minutes(5)
        && Sha256::digest(code.as_bytes()).as_slice() == hex::decode(hash).unwrap_or_default()
    {
        return Ok(true);
    }
    let Some(totp) = account.totp_secret.as_deref().and_then(totp_for) else {
        return Ok(false);
    };
    let Some(step) = totp.check(code, now.timestamp().max(0) as u64) else {
        return Ok(false);
    };
    // A code works once.
    Ok(state
        .store
        .claim_totp_step(&account.username, step as i64)
        .await?)
}

/// The authenticator-app generator for a base32 secret: SHA-1, 6 digits, 30 s, one step of skew.
pub fn totp_for(secret_base32: &str) -> Option<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).ok()?;
    totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .ok()
}

/// The `otpauth://` address an authenticator app reads to add the account: the secret, our
/// settings (SHA-1, 6 digits, 30 s), `issuer` (what the app shows above the code) and
/// `account` (the username). A colon, which the format reserves, becomes a space.
pub fn otpauth_url(secret_base32: &str, issuer: &str, account: &str) -> Option<String> {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).ok()?;
    totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .with_issuer(Some(issuer.replace(':', " ")))
        .with_account_name(account.replace(':', " "))
        .build()
        .ok()?
        .to_url()
        .ok()
}

/// That address as a QR code to scan with the phone, as an SVG image (`data:` URL, so it needs
/// no request of its own and never leaves the page).
pub fn authenticator_qr(secret_base32: &str, issuer: &str, account: &str) -> Option<String> {
    use base64::Engine;
    let url = otpauth_url(secret_base32, issuer, account)?;
    let svg = qrcode::QrCode::new(url.as_bytes())
        .ok()?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

async fn logout(session: Session, Form(form): Form<CsrfForm>) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    session.flush().await?;
    Ok(Redirect::to("/").into_response())
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Hashes a password for storage (argon2id, random salt, PHC string).
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Verifies on the blocking pool: argon2 is deliberately slow.
pub async fn verify_password(password: &str, phc: &str) -> bool {
    let password = password.to_owned();
    let phc = phc.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password: verifying against it costs what a real verification costs.
pub static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_password(&inzage_webkit::session::random_token()).unwrap_or_else(|_| {
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5BYmXlVvxOt9MTgE0sNb5dyMRrq8yyaKWRCH2ht9IHA".into()
    })
});

/// Creates a development-IdP account (demo data, `inzage` admin commands).
pub async fn create_account(
    store: &inzage_store::Store,
    username: &str,
    password: &str,
    bsn: Bsn,
    display_name: &str,
    totp_secret: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let account = IdpAccount {
        username: username.trim().to_lowercase(),
        bsn,
        display_name: display_name.to_owned(),
        password_hash: hash_password(password)?,
        totp_secret,
        created_at: now,
    };
    store
        .create_idp_account(&account)
        .await
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_authenticator_address_names_the_practice_and_the_user_and_holds_the_secret() {
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        let url = otpauth_url(secret, "Huisartsenpraktijk De Linde", "anna:x").unwrap();
        let parsed = url::Url::parse(&url).unwrap();
        assert_eq!(parsed.scheme(), "otpauth");
        assert_eq!(parsed.host_str(), Some("totp"));
        let q: std::collections::HashMap<String, String> =
            parsed.query_pairs().into_owned().collect();
        assert_eq!(q["secret"], secret);
        assert_eq!(q["issuer"], "Huisartsenpraktijk De Linde");
        assert!(
            url::form_urlencoded::parse(parsed.path().as_bytes())
                .next()
                .is_some_and(|(label, _)| label.ends_with("anna x")),
            "{url}"
        );
        // The settings the login checks codes with.
        assert!(q.get("digits").is_none_or(|d| d == "6"));
        assert!(q.get("period").is_none_or(|p| p == "30"));
        let qr = authenticator_qr(secret, "Huisartsenpraktijk De Linde", "anna").unwrap();
        use base64::Engine;
        let svg = base64::engine::general_purpose::STANDARD
            .decode(qr.trim_start_matches("data:image/svg+xml;base64,"))
            .unwrap();
        assert!(String::from_utf8(svg).unwrap().contains("<svg"));
        assert!(otpauth_url("not base32!", "x", "y").is_none());
    }
}
