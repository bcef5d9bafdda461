//! Passkeys (WebAuthn) as an optional second factor for accounts of the built-in identity
//! provider: registered on the "Beveiliging" page after a full login, then usable instead of
//! the authenticator code. Enabled when `WebConfig::public_origin` is set (WebAuthn binds a
//! passkey to the site's origin). The browser side is `static/passkey.js`; without JavaScript
//! the TOTP code keeps working.

use crate::AppState;
use crate::auth::{Login, complete_login, pending, second_factor_failed};
use crate::error::{WebError, WebResult};
use crate::portal::PageCtx;
use crate::session::csrf_token;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use inzage_store::PortalStore;
use serde_json::json;
use sha2::{Digest, Sha256};
use tower_sessions::Session;
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid,
};
use webauthn_rs::{Webauthn, WebauthnBuilder};

const REGISTRATION: &str = "passkey_registration";
const AUTHENTICATION: &str = "passkey_authentication";

/// The relying party for `origin` ("https://portaal.example"), or `None` when it is not a URL
/// with a host name (WebAuthn does not accept IP addresses).
pub fn relying_party(origin: &str) -> Option<Webauthn> {
    let url = Url::parse(origin).ok()?;
    let host = url.host_str()?.to_owned();
    WebauthnBuilder::new(&host, &url)
        .ok()?
        .rp_name("inzage")
        .build()
        .ok()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beveiliging", get(security_page))
        .route("/passkey/registreren/start", post(register_start))
        .route("/passkey/registreren/klaar", post(register_finish))
        .route("/inloggen/passkey/start", post(login_start))
        .route("/inloggen/passkey/klaar", post(login_finish))
}

fn webauthn(state: &AppState) -> WebResult<&Webauthn> {
    state.webauthn.as_deref().ok_or(WebError::NotFound)
}

/// JSON calls carry the session's CSRF token in a header.
async fn check_csrf_header(session: &Session, headers: &HeaderMap) -> WebResult<()> {
    let sent = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    crate::session::check_csrf(session, sent).await
}

/// The idp account name of a login, if it is one (OpenID Connect logins have no passkeys here).
fn idp_username(login: &Login) -> WebResult<&str> {
    login.subject.strip_prefix("idp:").ok_or(WebError::NotFound)
}

/// A stable WebAuthn user handle for an account (no personal data in it).
fn user_handle(username: &str) -> Uuid {
    let digest = Sha256::digest(format!("inzage-passkey-user:{username}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

async fn stored_passkeys(state: &AppState, username: &str) -> WebResult<Vec<Passkey>> {
    let rows = state.store.passkeys(username).await?;
    Ok(rows
        .iter()
        .filter_map(|(_, json)| serde_json::from_str(json).ok())
        .collect())
}

async fn save(state: &AppState, username: &str, passkey: &Passkey) -> WebResult<()> {
    let id = hex::encode(passkey.cred_id().as_ref() as &[u8]);
    let json = serde_json::to_string(passkey).map_err(|_| WebError::Invalid("passkey"))?;
    state
        .store
        .save_passkey(username, &id, &json, state.now())
        .await?;
    Ok(())
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
        Ok(u) => state.store.passkeys(u).await?.len(),
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
    let wa = webauthn(&state)?;
    let username = idp_username(&login)?;
    let existing: Vec<_> = stored_passkeys(&state, username)
        .await?
        .iter()
        .map(|p| p.cred_id().clone())
        .collect();
    let (challenge, registration) = wa
        .start_passkey_registration(
            user_handle(username),
            username,
            &login.display_name,
            Some(existing),
        )
        .map_err(|_| WebError::Invalid("passkey"))?;
    session.insert(REGISTRATION, &registration).await?;
    Ok(Json(challenge).into_response())
}

async fn register_finish(
    State(state): State<AppState>,
    login: Login,
    session: Session,
    headers: HeaderMap,
    Json(credential): Json<RegisterPublicKeyCredential>,
) -> WebResult<Response> {
    check_csrf_header(&session, &headers).await?;
    let wa = webauthn(&state)?;
    let username = idp_username(&login)?.to_owned();
    let Some(registration) = session.remove::<PasskeyRegistration>(REGISTRATION).await? else {
        return Err(WebError::Invalid("no passkey registration in progress"));
    };
    let passkey = wa
        .finish_passkey_registration(&credential, &registration)
        .map_err(|_| WebError::Invalid("passkey not accepted"))?;
    save(&state, &username, &passkey).await?;
    tracing::info!("passkey registered");
    Ok(Json(json!({"ok": true})).into_response())
}

async fn login_start(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> WebResult<Response> {
    check_csrf_header(&session, &headers).await?;
    let wa = webauthn(&state)?;
    let Some(p) = pending(&state, &session).await? else {
        return Err(WebError::Unauthenticated);
    };
    let passkeys = stored_passkeys(&state, &p.username).await?;
    if passkeys.is_empty() {
        return Err(WebError::NotFound);
    }
    let (challenge, authentication) = wa
        .start_passkey_authentication(&passkeys)
        .map_err(|_| WebError::Invalid("passkey"))?;
    session.insert(AUTHENTICATION, &authentication).await?;
    Ok(Json(challenge).into_response())
}

async fn login_finish(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Json(credential): Json<PublicKeyCredential>,
) -> WebResult<Response> {
    check_csrf_header(&session, &headers).await?;
    let wa = webauthn(&state)?;
    let Some(p) = pending(&state, &session).await? else {
        return Err(WebError::Unauthenticated);
    };
    let Some(authentication) = session
        .remove::<PasskeyAuthentication>(AUTHENTICATION)
        .await?
    else {
        return Err(WebError::Invalid("no passkey login in progress"));
    };
    let Some(account) = state.store.idp_account(&p.username).await? else {
        return Err(WebError::Unauthenticated);
    };
    let result = match wa.finish_passkey_authentication(&credential, &authentication) {
        Ok(r) => r,
        Err(_) => {
            second_factor_failed(&state, &session, &p.username).await?;
            return Ok((StatusCode::FORBIDDEN, Json(json!({"ok": false}))).into_response());
        }
    };
    // The signature counter moves on; keep it, so a cloned passkey shows.
    for mut passkey in stored_passkeys(&state, &p.username).await? {
        if passkey.update_credential(&result) == Some(true) {
            save(&state, &p.username, &passkey).await?;
        }
    }
    complete_login(&state, &session, account).await?;
    // The page reloads with the new session's token.
    let _ = csrf_token(&session).await?;
    Ok(Json(json!({"ok": true, "redirect": "/kiezen"})).into_response())
}

/// Whether the code page should offer a passkey: enabled here and the account has one.
pub(crate) async fn offered(state: &AppState, username: &str) -> WebResult<bool> {
    Ok(state.webauthn.is_some() && !state.store.passkeys(username).await?.is_empty())
}
