//! A staff member's own login security (issue 22, finding 4): passkeys as the second factor
//! instead of the authenticator code. Only the staff member adds them, after a full login;
//! the administrator never sees or sets one, and a reset of the login (a new invitation)
//! removes them. Every passkey added is in the audit log.

use super::Staff;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use inzage_login::passkey::{self, Holder, check_csrf_header};
use inzage_store::{EventType, RecordStore};
use inzage_webkit::AppState;
use inzage_webkit::error::WebResult;
use inzage_webkit::page::PageCtx;
use serde_json::json;
use tower_sessions::Session;
use webauthn_rs::prelude::RegisterPublicKeyCredential;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijk/beveiliging", get(security_page))
        .route("/praktijk/passkey/registreren/start", post(register_start))
        .route("/praktijk/passkey/registreren/klaar", post(register_finish))
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_security.html")]
struct SecurityPage {
    ctx: PageCtx,
    enabled: bool,
    count: usize,
}

async fn security_page(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
) -> WebResult<Response> {
    Ok(SecurityPage {
        ctx: staff.ctx(&session, "/praktijk/beveiliging").await?,
        enabled: state.webauthn.is_some(),
        count: Holder::Staff(&staff.username).count(&state).await?,
    }
    .into_response())
}

async fn register_start(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    headers: HeaderMap,
) -> WebResult<Response> {
    check_csrf_header(&session, &headers).await?;
    passkey::start_registration(
        &state,
        &session,
        Holder::Staff(&staff.username),
        &staff.display_name,
    )
    .await
}

async fn register_finish(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    headers: HeaderMap,
    Json(credential): Json<RegisterPublicKeyCredential>,
) -> WebResult<Response> {
    check_csrf_header(&session, &headers).await?;
    passkey::finish_registration(
        &state,
        &session,
        Holder::Staff(&staff.username),
        &credential,
    )
    .await?;
    state
        .store
        .append_audit(staff.audit_event(
            state.now(),
            EventType::Update,
            None,
            format!("staff passkey added ({})", staff.username),
        ))
        .await?;
    Ok(Json(json!({"ok": true})).into_response())
}
