//! The passkeys of a portal account of the built-in identity provider: the "Beveiliging" page
//! where a logged-in person adds one (`/beveiliging`), and the passkey answer at the login's
//! code step (`/inloggen/passkey/...`), instead of the authenticator code.

use crate::auth::{Login, complete_login, pending, second_factor_failed};
use crate::passkey::{
    Holder, check_csrf_header, finish_authentication, finish_registration, start_authentication,
    start_registration,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use inzage_store::PortalStore;
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::csrf_token;
use serde_json::json;
use tower_sessions::Session;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beveiliging", get(security_page))
        .route("/passkey/registreren/start", post(register_start))
        .route("/passkey/registreren/klaar", post(register_finish))
        .route("/inloggen/passkey/start", post(login_start))
        .route("/inloggen/passkey/klaar", post(login_finish))
}

/// The idp account name of a login, if it is one (OpenID Connect logins have no passkeys here).
fn idp_username(login: &Login) -> WebResult<&str> {
    login.subject.strip_prefix("idp:").ok_or(WebError::NotFound)
}

#[derive(Template, WebTemplate)]
#[template(path = "security.html")]
struct SecurityPage {
    ctx: PageCtx,
    enabled: bool,
    own_account: bool,
    count: usize,
}

async fn security_page(
    State(state): State<AppState>,
    login: Login,
    session: Session,
) -> WebResult<Response> {
    let mut ctx = PageCtx::anonymous(&session, "/beveiliging").await?;
    ctx.logged_in = true;
    let own_account = login.subject.starts_with("idp:");
    let count = match idp_username(&login) {
        Ok(u) => Holder::Portal(u).count(&state).await?,
        Err(_) => 0,
    };
    Ok(SecurityPage {
        ctx,
        enabled: state.webauthn.is_some(),
        own_account,
        count,
    }
    .into_response())
}

async fn register_start(
    State(state): State<AppState>,
    login: Login,
    session: Session,
    headers: HeaderMap,
) -> WebResult<Response> {
    check_csrf_header(&session, &headers).await?;
    let holder = Holder::Portal(idp_username(&login)?);
    start_registration(&state, &session, holder, &login.display_name).await
}

async fn register_finish(
    State(state): State<AppState>,
    login: Login,
    session: Session,
    headers: HeaderMap,
    Json(credential): Json<RegisterPublicKeyCredential>,
) -> WebResult<Response> {
    check_csrf_header(&session, &headers).await?;
    let holder = Holder::Portal(idp_username(&login)?);
    finish_registration(&state, &session, holder, &credential).await?;
    Ok(Json(json!({"ok": true})).into_response())
}

async fn login_start(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> WebResult<Response> {
    check_csrf_header(&session, &headers).await?;
    let Some(p) = pending(&state, &session).await? else {
        return Err(WebError::Unauthenticated);
    };
    start_authentication(&state, &session, Holder::Portal(&p.username)).await
}

async fn login_finish(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Json(credential): Json<PublicKeyCredential>,
) -> WebResult<Response> {
    check_csrf_header(&session, &headers).await?;
    let Some(p) = pending(&state, &session).await? else {
        return Err(WebError::Unauthenticated);
    };
    let Some(account) = state.store.idp_account(&p.username).await? else {
        return Err(WebError::Unauthenticated);
    };
    if !finish_authentication(&state, &session, Holder::Portal(&p.username), &credential).await? {
        second_factor_failed(&state, &session, &p.username).await?;
        return Ok((StatusCode::FORBIDDEN, Json(json!({"ok": false}))).into_response());
    }
    complete_login(&state, &session, account).await?;
    // The page reloads with the new session's token.
    let _ = csrf_token(&session).await?;
    let next = crate::auth::landing(&session).await?;
    Ok(Json(json!({"ok": true, "redirect": next})).into_response())
}
