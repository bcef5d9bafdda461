//! Staff login: username and password, then always a TOTP code. The same protections as the
//! patients' login: one message and the same work for unknown usernames, lock-out per username
//! (separate keys from patients'), rate limit, a fresh session id, CSRF.

use super::{STAFF, Staff};
use crate::AppState;
use crate::auth::{DUMMY_HASH, policy, totp_for, username_key, verify_password};
use crate::error::WebResult;
use crate::portal::PageCtx;
use crate::session::check_csrf;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use inzage_store::{PortalStore, StaffStore};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const PENDING: &str = "staff_pending";

#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    username: String,
    started_at: DateTime<Utc>,
}

pub fn router(state: &AppState) -> Router<AppState> {
    // Rate-limited like the portal's login (finding 5: 30 rapid tries were all answered).
    let limited = crate::auth::rate_limited(
        state,
        Router::new()
            .route("/praktijk/inloggen", post(password_submit))
            .route("/praktijk/inloggen/code", post(code_submit)),
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
) -> WebResult<Response> {
    Ok(LoginPage {
        ctx: PageCtx::anonymous(session, path).await?,
        error,
        step_code,
    }
    .into_response())
}

async fn password_page(session: Session) -> WebResult<Response> {
    page(&session, "/praktijk/inloggen", false, None).await
}

async fn password_submit(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<PasswordForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let tr = crate::i18n::Tr::from_session(&session).await;
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
            page(&session, "/praktijk/inloggen", false, Some(tr.t(msg))).await
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
    if pending(&state, &session).await?.is_none() {
        return Ok(Redirect::to("/praktijk/inloggen").into_response());
    }
    page(&session, "/praktijk/inloggen/code", true, None).await
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
    let tr = crate::i18n::Tr::from_session(&session).await;
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
            )
            .await;
        }
        return page(
            &session,
            "/praktijk/inloggen/code",
            true,
            Some(tr.t("login-code-wrong")),
        )
        .await;
    }
    state.store.clear_failures(&key).await?;
    session.remove::<Pending>(PENDING).await?;
    session.cycle_id().await?;
    session
        .insert("csrf", crate::session::random_token())
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
    Ok(Redirect::to(super::home(role)).into_response())
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
