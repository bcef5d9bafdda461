//! Staff login: username and password, then always a second factor: a TOTP code, or a passkey
//! the staff member added on `/praktijk/beveiliging`. The same protections as the patients'
//! login: one message and the same work for unknown usernames, lock-out per username (separate
//! keys from patients'; a code and a passkey count against the same limit), rate limit, a fresh
//! session id, CSRF.

use super::{STAFF, Staff};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use inzage_login::auth::{DUMMY_HASH, policy, totp_for, username_key, verify_password};
use inzage_login::passkey::{self, Holder, check_csrf_header};
use inzage_store::{PortalStore, StaffStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::Form;
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_sessions::Session;
use webauthn_rs::prelude::PublicKeyCredential;

const PENDING: &str = "staff_pending";

#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    username: String,
    started_at: DateTime<Utc>,
}

pub fn router(state: &AppState) -> Router<AppState> {
    // Rate-limited like the portal's login (finding 5: 30 rapid tries were all answered).
    let limited = inzage_login::auth::rate_limited(
        state,
        Router::new()
            .route("/praktijk/inloggen", post(password_submit))
            .route("/praktijk/inloggen/code", post(code_submit))
            .route("/praktijk/inloggen/passkey/start", post(passkey_start))
            .route("/praktijk/inloggen/passkey/klaar", post(passkey_finish)),
    );
    Router::new()
        .route("/praktijk/inloggen", get(password_page))
        .route("/praktijk/inloggen/code", get(code_page))
        .route("/praktijk/uitloggen", post(logout))
        .merge(limited)
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_login.html")]
struct LoginPage {
    ctx: PageCtx,
    error: Option<String>,
    step_code: bool,
    passkey_offered: bool,
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

async fn page(
    session: &Session,
    path: &'static str,
    step_code: bool,
    error: Option<String>,
    passkey_offered: bool,
) -> WebResult<Response> {
    Ok(LoginPage {
        ctx: PageCtx::anonymous(session, path).await?,
        error,
        step_code,
        passkey_offered,
    }
    .into_response())
}

async fn password_page(session: Session) -> WebResult<Response> {
    page(&session, "/praktijk/inloggen", false, None, false).await
}

async fn password_submit(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let tr = inzage_webkit::i18n::Tr::staff_session(&session).await;
    let username = form.username.trim().to_lowercase();
    let key = username_key("staff-password", &username);
    let now = state.now();
    // The attempt is counted before the password is checked, atomically: concurrent guesses
    // cannot pass the limit (finding 5).
    if !state.store.begin_attempt(&key, now, policy(&state)).await? {
        return page(
            &session,
            "/praktijk/inloggen",
            false,
            Some(tr.t("login-locked")),
            false,
        )
        .await;
    }
    let account = match username.is_empty() {
        true => None,
        false => state.store.staff_account(&username).await?,
    };
    let hash = account
        .as_ref()
        .map_or(DUMMY_HASH.as_str(), |a| a.password_hash.as_str());
    let ok = verify_password(&form.password, hash).await;
    match account.filter(|a| ok && a.active) {
        Some(a) => {
            state.store.clear_failures(&key).await?;
            session
                .insert(
                    PENDING,
                    &Pending {
                        username: a.username,
                        started_at: now,
                    },
                )
                .await?;
            Ok(Redirect::to("/praktijk/inloggen/code").into_response())
        }
        None => {
            let st = state
                .store
                .attempt_failed(&key, now, policy(&state))
                .await?;
            let msg = if st.locked_until.is_some() {
                "login-locked"
            } else {
                "login-wrong"
            };
            page(
                &session,
                "/praktijk/inloggen",
                false,
                Some(tr.t(msg)),
                false,
            )
            .await
        }
    }
}

async fn pending(state: &AppState, session: &Session) -> WebResult<Option<Pending>> {
    Ok(session
        .get::<Pending>(PENDING)
        .await?
        .filter(|p| state.now() - p.started_at <= chrono::Duration::minutes(5)))
}

async fn code_page(State(state): State<AppState>, session: Session) -> WebResult<Response> {
    let Some(p) = pending(&state, &session).await? else {
        return Ok(Redirect::to("/praktijk/inloggen").into_response());
    };
    let offered = Holder::Staff(&p.username).offered(&state).await?;
    page(&session, "/praktijk/inloggen/code", true, None, offered).await
}

async fn code_submit(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<CodeForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let Some(p) = pending(&state, &session).await? else {
        return Ok(Redirect::to("/praktijk/inloggen").into_response());
    };
    let tr = inzage_webkit::i18n::Tr::staff_session(&session).await;
    let now = state.now();
    let key = username_key("staff-code", &p.username);
    let Some(account) = state
        .store
        .staff_account(&p.username)
        .await?
        .filter(|a| a.active)
    else {
        session.remove::<Pending>(PENDING).await?;
        return Ok(Redirect::to("/praktijk/inloggen").into_response());
    };
    let offered = Holder::Staff(&p.username).offered(&state).await?;
    let locked = !state.store.begin_attempt(&key, now, policy(&state)).await?;
    let code: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    let step = (!locked && code.len() == 6)
        .then(|| totp_for(&account.totp_secret))
        .flatten()
        .and_then(|t| t.check(&code, now.timestamp().max(0) as u64));
    let fresh = match step {
        Some(step) => {
            state
                .store
                .claim_staff_totp_step(&account.username, step as i64)
                .await?
        }
        None => false,
    };
    if !fresh {
        let st = state
            .store
            .attempt_failed(&key, now, policy(&state))
            .await?;
        if locked || st.locked_until.is_some() {
            session.remove::<Pending>(PENDING).await?;
            return page(
                &session,
                "/praktijk/inloggen/code",
                true,
                Some(tr.t("login-locked")),
                offered,
            )
            .await;
        }
        return page(
            &session,
            "/praktijk/inloggen/code",
            true,
            Some(tr.t("login-code-wrong")),
            offered,
        )
        .await;
    }
    state.store.clear_failures(&key).await?;
    let home = complete(&session, account, now).await?;
    Ok(Redirect::to(home).into_response())
}

/// Both factors passed: a fresh session for the staff member; returns where they land.
async fn complete(
    session: &Session,
    account: inzage_store::StaffAccount,
    now: DateTime<Utc>,
) -> WebResult<&'static str> {
    session.remove::<Pending>(PENDING).await?;
    session.cycle_id().await?;
    session
        .insert("csrf", inzage_webkit::session::random_token())
        .await?;
    let role = account.role;
    session
        .insert(
            STAFF,
            &Staff {
                username: account.username,
                practice: account.practice,
                role,
                display_name: account.display_name,
                login_at: now,
                last_seen: now,
                request_id: String::new(),
            },
        )
        .await?;
    tracing::info!(channel = "practice", "staff login");
    Ok(super::home(role))
}

/// The passkey step instead of the code: the browser's options for the pending login.
async fn passkey_start(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> WebResult<Response> {
    check_csrf_header(&session, &headers).await?;
    let Some(p) = pending(&state, &session).await? else {
        return Err(WebError::Unauthenticated);
    };
    passkey::start_authentication(&state, &session, Holder::Staff(&p.username)).await
}

/// The passkey's answer. Counted like a code: admitted first, a failure counts towards the
/// same lock-out, and a locked account gets no check at all.
async fn passkey_finish(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Json(credential): Json<PublicKeyCredential>,
) -> WebResult<Response> {
    check_csrf_header(&session, &headers).await?;
    let Some(p) = pending(&state, &session).await? else {
        return Err(WebError::Unauthenticated);
    };
    let Some(account) = state
        .store
        .staff_account(&p.username)
        .await?
        .filter(|a| a.active)
    else {
        session.remove::<Pending>(PENDING).await?;
        return Err(WebError::Unauthenticated);
    };
    let now = state.now();
    let key = username_key("staff-code", &p.username);
    let refused = || (StatusCode::FORBIDDEN, Json(json!({"ok": false}))).into_response();
    if !state.store.begin_attempt(&key, now, policy(&state)).await? {
        session.remove::<Pending>(PENDING).await?;
        return Ok(refused());
    }
    if !passkey::finish_authentication(&state, &session, Holder::Staff(&p.username), &credential)
        .await?
    {
        let st = state
            .store
            .attempt_failed(&key, now, policy(&state))
            .await?;
        if st.locked_until.is_some() {
            session.remove::<Pending>(PENDING).await?;
        }
        return Ok(refused());
    }
    state.store.clear_failures(&key).await?;
    let home = complete(&session, account, now).await?;
    // The page goes on with the new session's token.
    let _ = inzage_webkit::session::csrf_token(&session).await?;
    Ok(Json(json!({"ok": true, "redirect": home})).into_response())
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(session: Session, Form(form): Form<CsrfForm>) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    session.flush().await?;
    Ok(Redirect::to("/praktijk/inloggen").into_response())
}
