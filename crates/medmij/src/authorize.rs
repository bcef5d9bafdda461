//! The MedMij authorization server (issue 6, part 1; R74-R84): the authorization-code flow by
//! which a person lets their PGO fetch their GP data.
//!
//! 1. `GET /medmij/autoriseren?response_type=code&client_id&redirect_uri&scope&state`: the PGO
//!    (client id = its hostname in the MedMij OAuth client list) must be listed, the redirect_uri
//!    must be on that host, the scope must be our Zorgaanbiedernaam. Unknown parameters are
//!    ignored. Until the redirect_uri is checked, errors are shown here, never redirected.
//! 2. The person logs in with the portal's login (level substantieel) and we find their record
//!    by BSN; no record, or no PGO consent recorded by the practice: the flow ends here, without
//!    a code.
//! 3. The Toestemmingsverklaring in B1 Dutch; a code only after an explicit yes (once, or for a
//!    chosen period); cancelling returns `error=access_denied` to the PGO.
//! 4. `POST /medmij/token`: a code is spent when it is presented, whatever the outcome, and
//!    works only with the same client and redirect_uri; a code presented again revokes what was
//!    issued from it. A bearer access token valid 15 minutes, and a refresh token: for a
//!    long-term consent bound to the consented period (lapsing after 6 months without a fetch),
//!    revocable by the patient on "Apps met toegang" with immediate effect; for a one-time consent
//!    valid only the 15 minutes of that one fetch (MGO's proxy needs a refresh token in every
//!    answer; no long-term access comes of it). Refresh tokens rotate on every use; a used one
//!    presented again revokes the grant. `grant_type=refresh_code` (MGO) is read as
//!    `refresh_token`.
//!
//! Tokens and codes are random 256-bit values stored as SHA-256 hashes. Every consent and every
//! token issued is in the audit log.

use crate::pgo::token_hash;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use inzage_domain::access::{OnlineChannel, Viewer, authorize};
use inzage_domain::{PatientId, PatientRecord};
use inzage_login::auth::Login;
use inzage_store::{
    AccessToken, AuditEvent, AuthCode, Channel, CodeClaim, EventType, MedmijStore, RecordStore,
    RefreshClaim, RefreshToken,
};
use inzage_webkit::AppState;
pub use inzage_webkit::config::{DataService, MedmijConfig, OAuthClient};
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
pub use inzage_webkit::lists::{GP_DATA_ROLE, parse_client_list, parse_provider_entry};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_sessions::Session;

mod apps;
use apps::*;

/// Access tokens live 15 minutes (R83); codes a few minutes.
pub const ACCESS_TOKEN_SECONDS: i64 = 900;
/// A one-time consent ("Alleen nu") covers one fetch: its refresh token lives as long as one
/// login and consent may serve (RFC0039: "een periode van 15 minuten").
pub const ONE_TIME_SECONDS: i64 = 900;
const CODE_MINUTES: i64 = 5;
const PENDING: &str = "medmij_pending";
/// A token request is a few short form fields.
pub const MAX_TOKEN_REQUEST: usize = 8 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/medmij/autoriseren", get(authorize_logged))
        .route(
            "/medmij/toestemming",
            get(consent_page).post(consent_answer),
        )
        .route(
            "/medmij/token",
            post(token_logged).layer(axum::extract::DefaultBodyLimit::max(MAX_TOKEN_REQUEST)),
        )
        .route(
            "/medmij/token/revoke",
            post(revoke).layer(axum::extract::DefaultBodyLimit::max(MAX_TOKEN_REQUEST)),
        )
        .route("/apps-met-toegang", get(apps_page).post(apps_revoke))
}

/// A fresh secret: 256 random bits, hex.
fn secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// The authorization request the person is answering, kept in their session.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    client_id: String,
    organisation: String,
    redirect_uri: String,
    state: String,
    request_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "medmij_error.html")]
struct ErrorPage {
    ctx: PageCtx,
    message: String,
}

async fn error_page(session: &Session, status: StatusCode, key: &str) -> WebResult<Response> {
    let ctx = PageCtx::anonymous(session, "/medmij/toestemming").await?;
    let message = ctx.tr.t(key);
    Ok((status, ErrorPage { ctx, message }).into_response())
}

fn config(state: &AppState) -> WebResult<&MedmijConfig> {
    state.config.medmij.as_ref().ok_or(WebError::NotFound)
}

/// The redirect back to the PGO with the given query parameters added.
fn back_to(pending: &Pending, params: &[(&str, &str)]) -> Response {
    let mut all: Vec<(&str, &str)> = params.to_vec();
    if !pending.state.is_empty() {
        all.push(("state", &pending.state));
    }
    let query = serde_urlencoded::to_string(&all).unwrap_or_default();
    let sep = if pending.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    Redirect::to(&format!("{}{sep}{query}", pending.redirect_uri)).into_response()
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    state: String,
    #[serde(default, rename = "MedMij-Request-ID")]
    request_id: String,
    /// MedMij sends it as a query parameter here (one per authorization flow).
    #[serde(default, rename = "X-Correlation-ID")]
    correlation_id: String,
}

/// Whether `uri` may receive the authorization answer for the client named `client_host` (its
/// hostname in the OAuth client list): an absolute https URL on exactly that host, without user
/// information or fragment. Plain http only for a client that is itself named `localhost` (a PGO
/// in development). Compared as parsed URLs, so `http://localhost@evil.example/` (user
/// "localhost" at evil.example) and `http://localhost.evil.example/` are other hosts.
fn redirect_allowed(uri: &str, client_host: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return false;
    }
    let Some(url::Host::Domain(host)) = url.host() else {
        return false;
    };
    let same = host.eq_ignore_ascii_case(client_host);
    match url.scheme() {
        "https" => same,
        "http" => same && client_host.eq_ignore_ascii_case("localhost"),
        _ => false,
    }
}

/// A request or correlation id as a PGO sends it: kept only when short and plain (a UUID is 36
/// characters), so nothing odd reaches our logs.
fn plain_id(value: &str) -> Option<String> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    ok.then(|| value.to_owned())
}

/// Every authorization request is a chain-log event (R88), whatever its outcome: also one whose
/// query string cannot be read (a parameter given twice), which gets the "invalid request"
/// page.
#[allow(clippy::disallowed_types)] // axum's, to answer in OAuth's way and log it
async fn authorize_logged(
    state: State<AppState>,
    session: Session,
    headers: HeaderMap,
    query: Result<axum::extract::Query<AuthorizeQuery>, QueryRejection>,
) -> WebResult<Response> {
    let mut ids = crate::chain::RequestIds::from_headers(&headers);
    let state_ = state.0.clone();
    let answer = match query {
        Ok(axum::extract::Query(query)) => {
            if let Some(id) = plain_id(&query.request_id) {
                ids.request_id = id;
            }
            if let Some(id) = plain_id(&query.correlation_id) {
                ids.correlation_id = id;
            }
            ids.set_client(&query.client_id.chars().take(255).collect::<String>());
            authorize_request(state, session, Query(query))
                .await
                .into_response()
        }
        Err(_) => error_page(&session, StatusCode::BAD_REQUEST, "error-invalid")
            .await
            .into_response(),
    };
    let status = answer.status();
    crate::chain::chain_event(
        &state_,
        inzage_store::ChainEventKind::AuthorizationRequest,
        &ids,
        status,
        "authorize",
    )
    .await;
    Ok(answer)
}

async fn authorize_request(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<AuthorizeQuery>,
) -> WebResult<Response> {
    let cfg = config(&state)?;
    // The client and its redirect_uri first: until both are known good, nothing is redirected.
    let Some(client) = cfg.clients.iter().find(|c| c.hostname == q.client_id) else {
        return error_page(&session, StatusCode::BAD_REQUEST, "medmij-unknown-client").await;
    };
    if !redirect_allowed(&q.redirect_uri, &client.hostname) {
        return error_page(&session, StatusCode::BAD_REQUEST, "medmij-bad-redirect").await;
    }
    let pending = Pending {
        client_id: client.hostname.clone(),
        organisation: client.organisation.clone(),
        redirect_uri: q.redirect_uri.clone(),
        state: q.state.chars().take(512).collect(),
        request_id: plain_id(&q.request_id).unwrap_or_default(),
    };
    // The PGO must be able to match the answer to its request (core.authint): no state, no flow.
    if q.state.is_empty() {
        return Ok(back_to(&pending, &[("error", "invalid_request")]));
    }
    if q.response_type != "code" {
        return Ok(back_to(&pending, &[("error", "unsupported_response_type")]));
    }
    if q.scope != cfg.provider_name {
        return Ok(back_to(&pending, &[("error", "invalid_scope")]));
    }
    tracing::info!(channel = "medmij", client = %pending.client_id, medmij_request_id = %pending.request_id, "authorization request");
    session.insert(PENDING, &pending).await?;
    // After the login (whichever way), the chooser sends the person on to the consent page.
    session
        .insert(inzage_login::auth::AFTER_LOGIN, "/medmij/toestemming")
        .await?;
    Ok(Redirect::to("/medmij/toestemming").into_response())
}

/// The person's own record, if it may go to a PGO: found by the BSN of the login (R78) and
/// with the PGO consent the practice recorded (R53).
async fn own_record(state: &AppState, login: &Login) -> WebResult<Option<PatientRecord>> {
    let Some(id) = state.store.find_patient_by_bsn(&login.bsn).await? else {
        return Ok(None);
    };
    let Some(record) = state.store.load_record(&id).await? else {
        return Ok(None);
    };
    let settings = state.store.settings(&record.practice.id).await?;
    let viewer = Viewer::Patient {
        bsn: login.bsn.clone(),
    };
    Ok(
        authorize(&record, &viewer, OnlineChannel::Pgo, &settings, state.now())
            .is_ok()
            .then_some(record),
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "medmij_consent.html")]
struct ConsentPage {
    ctx: PageCtx,
    statement: String,
    client_id: String,
}

async fn consent_page(
    State(state): State<AppState>,
    session: Session,
    login: Result<Login, WebError>,
) -> WebResult<Response> {
    let Some(pending) = session.get::<Pending>(PENDING).await? else {
        return error_page(&session, StatusCode::BAD_REQUEST, "medmij-no-request").await;
    };
    let login = match login {
        Ok(l) => l,
        Err(_) => return Ok(Redirect::to("/inloggen").into_response()),
    };
    session
        .remove::<String>(inzage_login::auth::AFTER_LOGIN)
        .await?;
    let Some(record) = own_record(&state, &login).await? else {
        session.remove::<Pending>(PENDING).await?;
        return error_page(&session, StatusCode::FORBIDDEN, "medmij-no-record").await;
    };
    let mut ctx = PageCtx::anonymous(&session, "/medmij/toestemming").await?;
    ctx.logged_in = true;
    let statement = ctx.tr.ta(
        "medmij-statement",
        &[
            ("name", pending.organisation),
            ("title", record.practice.name),
        ],
    );
    let page = ConsentPage {
        ctx,
        statement,
        client_id: pending.client_id,
    }
    .into_response();
    // The answer redirects to the PGO's redirect URI: its origin may receive this form's answer.
    Ok(
        match inzage_webkit::csp::with_form_target(&pending.redirect_uri) {
            Some(csp) => {
                ([(axum::http::header::CONTENT_SECURITY_POLICY, csp)], page).into_response()
            }
            None => page,
        },
    )
}

#[derive(Deserialize)]
struct ConsentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    antwoord: String,
    /// Months of long-term consent; 0 or absent: this once (no refresh token).
    #[serde(default)]
    maanden: u32,
}

fn audit(
    at: DateTime<Utc>,
    event: EventType,
    patient: &PatientId,
    user: String,
    responsible: String,
    request_id: &str,
    detail: String,
) -> AuditEvent {
    AuditEvent {
        at,
        event,
        patient: Some(patient.clone()),
        user,
        responsible_user: responsible,
        role: "pgo".into(),
        channel: Channel::Medmij,
        request_id: if request_id.is_empty() {
            inzage_webkit::session::random_id()
        } else {
            request_id.to_owned()
        },
        detail,
    }
}

async fn consent_answer(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Form(form): Form<ConsentForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let Some(pending) = session.remove::<Pending>(PENDING).await? else {
        return error_page(&session, StatusCode::BAD_REQUEST, "medmij-no-request").await;
    };
    if form.antwoord != "ja" {
        return Ok(back_to(&pending, &[("error", "access_denied")]));
    }
    let Some(record) = own_record(&state, &login).await? else {
        return error_page(&session, StatusCode::FORBIDDEN, "medmij-no-record").await;
    };
    let now = state.now();
    let months = form.maanden.min(12);
    let consent_until = (months > 0).then(|| now + Duration::days(30 * i64::from(months)));
    let code = secret();
    state
        .store
        .store_code(&AuthCode {
            code_hash: token_hash(&code),
            patient: record.patient.id.clone(),
            client_id: pending.client_id.clone(),
            redirect_uri: pending.redirect_uri.clone(),
            subject: login.subject.clone(),
            consent_until,
            expires_at: now + Duration::minutes(CODE_MINUTES),
        })
        .await?;
    state
        .store
        .append_audit(audit(
            now,
            EventType::Create,
            &record.patient.id,
            login.subject.clone(),
            login.subject.clone(),
            &pending.request_id,
            format!(
                "medmij: consent given to {} ({})",
                pending.client_id,
                if months > 0 {
                    format!("{months} months")
                } else {
                    "once".into()
                }
            ),
        ))
        .await?;
    Ok(back_to(&pending, &[("code", &code)]))
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: Option<String>,
    #[serde(default)]
    refresh_token: String,
}

/// Token answers are never cached (RFC 6749 section 5.1).
const NO_CACHE: [(header::HeaderName, &str); 2] = [
    (header::CACHE_CONTROL, "no-store"),
    (header::PRAGMA, "no-cache"),
];

/// An OAuth error answer (RFC 6749 section 5.2). `invalid_client` is a 401 with the scheme the
/// client may authenticate with.
fn oauth_error(status: StatusCode, error: &str) -> Response {
    let mut response = (status, NO_CACHE, Json(json!({ "error": error }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"medmij\", error=\"invalid_client\""),
        );
    }
    response
}

/// The answer to a token or revocation request whose body is not a form that can be read:
/// `invalid_request`, with 413 for one over the size limit.
fn unreadable(e: &FormRejection) -> Response {
    let status = match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    };
    oauth_error(status, "invalid_request")
}

/// Every token request is a chain-log event (R88), whatever its outcome. One whose body cannot
/// be read as a form (another content type, a parameter given twice) is answered
/// `invalid_request` (RFC 6749 section 5.2).
#[allow(clippy::disallowed_types)] // axum's, to answer in OAuth's way and log it
async fn token_logged(
    state: State<AppState>,
    headers: HeaderMap,
    form: Result<axum::extract::Form<TokenForm>, FormRejection>,
) -> WebResult<Response> {
    let ids = crate::chain::RequestIds::from_headers(&headers);
    let state_ = state.0.clone();
    let answer = match form {
        Ok(axum::extract::Form(form)) => {
            ids.set_client(&form.client_id.chars().take(255).collect::<String>());
            token(state, headers, Form(form)).await.into_response()
        }
        Err(e) => unreadable(&e),
    };
    let status = answer.status();
    crate::chain::chain_event(
        &state_,
        inzage_store::ChainEventKind::TokenRequest,
        &ids,
        status,
        "token",
    )
    .await;
    Ok(answer)
}

async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> WebResult<Response> {
    let cfg = config(&state)?;
    let now = state.now();
    let request_id = headers
        .get("medmij-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(64)
        .collect::<String>();
    if !cfg.clients.iter().any(|c| c.hostname == form.client_id) {
        return Ok(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client"));
    }
    let refresh = secret();
    // Who, on what consent, and until when this grant reaches.
    let (patient, subject, grant, until) = match form.grant_type.as_str() {
        "authorization_code" => {
            if form.code.is_empty() {
                return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_request"));
            }
            // A presented code is spent whatever happens next (core.tknint.203/.204); one
            // presented again revokes what it gave.
            let code = match state.store.claim_code(&token_hash(&form.code), now).await? {
                CodeClaim::Claimed(code) => code,
                CodeClaim::Replayed { revoked } => {
                    tracing::warn!(channel = "medmij", client = %form.client_id, revoked, "authorization code presented again: its tokens are revoked");
                    return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant"));
                }
                CodeClaim::Invalid => {
                    return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant"));
                }
            };
            // No redirect_uri, no token (R81).
            let Some(redirect_uri) = form.redirect_uri.as_deref().filter(|r| !r.is_empty()) else {
                return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_request"));
            };
            if code.client_id != form.client_id || code.redirect_uri != redirect_uri {
                return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant"));
            }
            let until = code
                .consent_until
                .unwrap_or(now + Duration::seconds(ONE_TIME_SECONDS));
            state
                .store
                .store_refresh_token(&RefreshToken {
                    token_hash: token_hash(&refresh),
                    patient: code.patient.clone(),
                    client_id: code.client_id.clone(),
                    subject: code.subject.clone(),
                    issued_at: now,
                    valid_until: until,
                    grant_id: Some(code.code_hash.clone()),
                })
                .await?;
            (code.patient, code.subject, Some(code.code_hash), until)
        }
        // `refresh_code` is what MGO sends; the MedMij token interface says `refresh_token`.
        "refresh_token" | "refresh_code" => {
            let claim = state
                .store
                .rotate_refresh_token(
                    &token_hash(&form.refresh_token),
                    &form.client_id,
                    &token_hash(&refresh),
                    now,
                )
                .await?;
            match claim {
                RefreshClaim::Rotated(r) => (r.patient, r.subject, r.grant_id, r.valid_until),
                RefreshClaim::Replayed { revoked } => {
                    tracing::warn!(channel = "medmij", client = %form.client_id, revoked, "refresh token presented again: its grant is revoked");
                    return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant"));
                }
                RefreshClaim::Invalid => {
                    return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant"));
                }
            }
        }
        _ => {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
            ));
        }
    };
    let access = secret();
    // Never past the consent: a one-time consent ends with its window.
    let expires_at = (now + Duration::seconds(ACCESS_TOKEN_SECONDS)).min(until);
    state
        .store
        .store_access_token(&AccessToken {
            token_hash: token_hash(&access),
            patient: patient.clone(),
            client_id: form.client_id.clone(),
            subject: subject.clone(),
            issued_at: now,
            expires_at,
            grant_id: grant,
        })
        .await?;
    state
        .store
        .append_audit(audit(
            now,
            EventType::Create,
            &patient,
            format!("pgo:{}", form.client_id),
            subject,
            &request_id,
            format!("medmij: access token issued ({})", form.grant_type),
        ))
        .await?;
    let body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": (expires_at - now).num_seconds(),
        "scope": cfg.provider_name,
        "refresh_token": refresh,
    });
    Ok((StatusCode::OK, NO_CACHE, Json(body)).into_response())
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    client_id: String,
}

/// `POST /medmij/token/revoke` (RFC 7009; RFC0054 "token revocation"): a PGO ends a long-term
/// consent when the person withdraws it there. The refresh token's grant ends with every token
/// of it. RFC 7009 answers 200 for a token it does not know, so a PGO learns nothing from it;
/// an unlisted client is refused.
#[allow(clippy::disallowed_types)] // axum's, to answer in OAuth's way and log it
async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<axum::extract::Form<RevokeForm>, FormRejection>,
) -> WebResult<Response> {
    let cfg = config(&state)?;
    let ids = crate::chain::RequestIds::from_headers(&headers);
    // A body that cannot be read as a form: `invalid_request` (413 over the limit), logged.
    let form = form.map(|axum::extract::Form(form)| form);
    if let Ok(form) = &form {
        ids.set_client(&form.client_id.chars().take(255).collect::<String>());
    }
    let answer = match form {
        Err(e) => unreadable(&e),
        Ok(form) => revoke_answer(&state, cfg, &ids, form).await?,
    };
    crate::chain::chain_event(
        &state,
        inzage_store::ChainEventKind::TokenRequest,
        &ids,
        answer.status(),
        "revoke",
    )
    .await;
    Ok(answer)
}

/// The answer to a revocation whose form was read.
async fn revoke_answer(
    state: &AppState,
    cfg: &MedmijConfig,
    ids: &crate::chain::RequestIds,
    form: RevokeForm,
) -> WebResult<Response> {
    Ok(
        if !cfg.clients.iter().any(|c| c.hostname == form.client_id) {
            oauth_error(StatusCode::UNAUTHORIZED, "invalid_client")
        } else if form.token.is_empty() {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_request")
        } else {
            let now = state.now();
            if let Some(patient) = state
                .store
                .revoke_refresh_token(&token_hash(&form.token), &form.client_id, now)
                .await?
            {
                state
                    .store
                    .append_audit(audit(
                        now,
                        EventType::Update,
                        &patient,
                        format!("pgo:{}", form.client_id),
                        format!("pgo:{}", form.client_id),
                        &ids.request_id,
                        format!(
                            "medmij: consent withdrawn by the person at {}",
                            form.client_id
                        ),
                    ))
                    .await?;
            }
            (StatusCode::OK, NO_CACHE).into_response()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_medmij_oauth_client_list() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<OAuthclientlist xmlns="xmlns://afsprakenstelsel.medmij.nl/oauthclientlist/release2/">
  <Tijdstempel>2026-11-01T12:00:00Z</Tijdstempel>
  <Volgnummer>42</Volgnummer>
  <OAuthclients>
    <OAuthclient><Hostname>pgo.example</Hostname><OAuthclientOrganisatienaam>Voorbeeld PGO</OAuthclientOrganisatienaam></OAuthclient>
    <OAuthclient><Hostname>app.example.nl</Hostname><OAuthclientOrganisatienaam>App &amp; Zo</OAuthclientOrganisatienaam></OAuthclient>
  </OAuthclients>
</OAuthclientlist>"#;
        let clients = parse_client_list(xml).unwrap_or_default();
        assert_eq!(clients.len(), 2);
        assert_eq!(clients[1].hostname, "app.example.nl");
        assert_eq!(clients[1].organisation, "App & Zo");
        assert!(parse_client_list("<OAuthclientlist/>").is_err());
        assert!(parse_client_list("<OAuthclient><Hostname>x</Hostname></OAuthclient>").is_err());
    }

    #[test]
    fn reads_our_entry_in_the_zorgaanbiederslijst_format() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<Zorgaanbiederslijst xmlns="xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release2/">
  <Tijdstempel>2026-11-01T12:00:00Z</Tijdstempel>
  <Volgnummer>7</Volgnummer>
  <Zorgaanbieders>
    <Zorgaanbieder>
      <Zorgaanbiedernaam>huisartsenpraktijk-voorbeeld@medmij</Zorgaanbiedernaam>
      <Gegevensdiensten>
        <Gegevensdienst>
          <GegevensdienstId>49</GegevensdienstId>
          <AuthorizationEndpoint><AuthorizationEndpointuri>https://praktijk.example/medmij/autoriseren</AuthorizationEndpointuri></AuthorizationEndpoint>
          <TokenEndpoint><TokenEndpointuri>https://praktijk.example/medmij/token</TokenEndpointuri></TokenEndpoint>
          <Systeemrollen><Systeemrol>
            <Systeemrolcode>MM-2.0-HGB-FHIR</Systeemrolcode>
            <ResourceEndpoint><ResourceEndpointuri>https://praktijk.example/fhir</ResourceEndpointuri></ResourceEndpoint>
          </Systeemrol></Systeemrollen>
        </Gegevensdienst>
        <Gegevensdienst>
          <GegevensdienstId>51</GegevensdienstId>
          <AuthorizationEndpoint><AuthorizationEndpointuri>https://praktijk.example/medmij/autoriseren</AuthorizationEndpointuri></AuthorizationEndpoint>
          <TokenEndpoint><TokenEndpointuri>https://praktijk.example/medmij/token</TokenEndpointuri></TokenEndpoint>
          <Systeemrollen><Systeemrol>
            <Systeemrolcode>MM-3.0-PLB-FHIR</Systeemrolcode>
            <ResourceEndpoint><ResourceEndpointuri>https://praktijk.example/fhir</ResourceEndpointuri></ResourceEndpoint>
          </Systeemrol></Systeemrollen>
        </Gegevensdienst>
      </Gegevensdiensten>
    </Zorgaanbieder>
  </Zorgaanbieders>
</Zorgaanbiederslijst>"#;
        let (name, services) = parse_provider_entry(xml, None).unwrap_or_default();
        assert_eq!(name, "huisartsenpraktijk-voorbeeld@medmij");
        assert_eq!(services.len(), 2);
        assert_eq!(
            services[0].token_endpoint,
            "https://praktijk.example/medmij/token"
        );
        assert_eq!(services[1].roles[0].0, "MM-3.0-PLB-FHIR");
        assert!(parse_provider_entry(xml, Some("andere@medmij")).is_err());
        // Without data service 49 the entry is refused.
        let only_51 = xml.replacen(
            "<GegevensdienstId>49</GegevensdienstId>",
            "<GegevensdienstId>48</GegevensdienstId>",
            1,
        );
        assert!(parse_provider_entry(&only_51, None).is_err());
        let no_role = xml.replacen("MM-2.0-HGB-FHIR", "MM-2.0-XXX-FHIR", 1);
        assert!(parse_provider_entry(&no_role, None).is_err());
    }

    #[test]
    fn a_redirect_must_be_on_the_clients_own_host() {
        assert!(redirect_allowed(
            "https://pgo.example/terug?x=1",
            "pgo.example"
        ));
        assert!(redirect_allowed(
            "https://pgo.example:8443/t",
            "pgo.example"
        ));
        assert!(redirect_allowed("https://PGO.example/t", "pgo.example"));
        assert!(!redirect_allowed(
            "https://user@pgo.example/t",
            "pgo.example"
        ));
        assert!(!redirect_allowed(
            "https://pgo.example.evil.example/t",
            "pgo.example"
        ));
        assert!(!redirect_allowed(
            "https://pgo.example/t#frag",
            "pgo.example"
        ));
        assert!(
            !redirect_allowed("http://pgo.example/t", "pgo.example"),
            "plain http only for localhost"
        );
        assert!(!redirect_allowed("javascript:alert(1)", "pgo.example"));
        assert!(!redirect_allowed("/relative", "pgo.example"));
    }

    /// Hardening finding 7 (issue 22): `host_of` accepted these for a client named localhost.
    #[test]
    fn hardening_7_redirect_uris_are_compared_as_parsed_urls() {
        assert!(redirect_allowed("http://localhost:3000/cb", "localhost"));
        for evil in [
            "http://localhost@evil.example/cb",
            "http://localhost.evil.example/",
            "http://localhost:80@evil.example/",
            "https://localhost\\@evil.example/",
            "http://127.0.0.1/cb",
        ] {
            let allowed = redirect_allowed(evil, "localhost");
            // The backslash form parses as localhost with path "/@evil.example": allowed, and
            // a browser goes to localhost as well.
            assert_eq!(allowed, evil.contains('\\'), "{evil}");
        }
        assert!(!redirect_allowed("http://localhost/cb", "pgo.example"));
    }

    #[test]
    fn request_ids_are_kept_only_when_plain() {
        assert_eq!(
            plain_id("57510be1-73e6-4a75-9db8-ee005cced48f").as_deref(),
            Some("57510be1-73e6-4a75-9db8-ee005cced48f")
        );
        assert_eq!(plain_id("a b"), None);
        assert_eq!(plain_id("x\ny"), None);
        assert_eq!(plain_id(&"a".repeat(65)), None);
        assert_eq!(plain_id(""), None);
    }
}
