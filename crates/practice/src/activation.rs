//! Staff onboarding and resets by invitation (issue 22, finding 4). The administrator invites a
//! colleague (or resets a colleague's login); the link goes by e-mail to the staff member's own
//! address, never to the administrator, and only its hash is kept. On `/praktijk/activeren` the
//! staff member sets their own password and receives their own authenticator secret: the
//! administrator never sees a secret. A link works once and expires after three days; a new
//! invitation ends the previous one. The admin's invitation and the activation are audited.

use super::roles::role_nl;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use inzage_login::activation::{code_hash, new_code};
use inzage_store::{
    AuditEvent, Channel, EventType, RecordStore, StaffAccount, StaffInvitation, StaffStore,
};
use inzage_webkit::AppState;
use inzage_webkit::error::WebResult;
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

/// How long an invitation link works.
pub const INVITATION_HOURS: i64 = 72;

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/praktijk/activeren", get(page))
        .merge(inzage_login::auth::rate_limited(
            state,
            Router::new().route("/praktijk/activeren", post(submit)),
        ))
}

/// Why an invitation could not be sent.
#[derive(Debug)]
pub(crate) enum InviteError {
    /// The account has no e-mail address of its own (made on the server).
    NoAddress,
    /// This server sends no e-mail, or sending failed.
    NotSent(String),
}

impl std::fmt::Display for InviteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoAddress => f.write_str("the account has no e-mail address"),
            Self::NotSent(why) => write!(f, "not sent: {why}"),
        }
    }
}

/// Sends `account` a one-time link to set their own password and second factor, at the address
/// on their account. `base` is the portal's origin.
pub(crate) async fn send_invitation(
    state: &AppState,
    account: &StaffAccount,
    invited_by: &str,
    base: &str,
    now: DateTime<Utc>,
) -> Result<(), InviteError> {
    let to = account.email.as_deref().ok_or(InviteError::NoAddress)?;
    if !inzage_webkit::notify::enabled(&state.config) {
        return Err(InviteError::NotSent("no mail server configured".into()));
    }
    let code = new_code();
    state
        .store
        .invite_staff(&StaffInvitation {
            code_hash: code_hash(&code),
            username: account.username.clone(),
            invited_by: invited_by.to_owned(),
            created_at: now,
            expires_at: now + Duration::hours(INVITATION_HOURS),
        })
        .await
        .map_err(|e| InviteError::NotSent(e.to_string()))?;
    let link = format!(
        "{}/praktijk/activeren?code={}",
        base.trim_end_matches('/'),
        code
    );
    let subject = "Uw account voor het praktijkdeel van inzage".to_owned();
    let body = format!(
        "Beste {name},\n\n\
         Er is een account voor u klaargezet in het praktijkdeel van inzage (gebruikersnaam: {user}).\n\
         Open binnen {INVITATION_HOURS} uur deze link en stel zelf uw wachtwoord en uw tweede \
         stap in:\n{link}\n\n\
         De link werkt één keer. Had u dit niet verwacht? Negeer dan dit bericht en meld het bij \
         uw praktijk.\n\n---\n\
         An account was set up for you (username {user}). Open the link above within \
         {INVITATION_HOURS} hours to set your own password and second factor.\n",
        name = account.display_name,
        user = account.username,
    );
    inzage_webkit::notify::send_now(state, to, subject, body)
        .await
        .map_err(InviteError::NotSent)
}

/// What a staff member's authenticator app shows above the code.
const STAFF_ISSUER: &str = "inzage praktijk";

#[derive(Template, WebTemplate)]
#[template(path = "practice_activate.html")]
struct ActivatePage {
    ctx: PageCtx,
    code: String,
    username: Option<String>,
    error: Option<String>,
    /// After success: the authenticator secret, shown once, to the staff member only.
    secret: Option<String>,
    /// The same as a QR code to scan (a `data:` URL of an SVG).
    qr: Option<String>,
}

#[derive(Deserialize)]
struct CodeQuery {
    #[serde(default)]
    code: String,
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<CodeQuery>,
) -> WebResult<Response> {
    let ctx = PageCtx::anonymous(&session, "/praktijk/activeren").await?;
    let open = state
        .store
        .open_staff_invitation(&code_hash(&q.code), state.now())
        .await?;
    let error = open.is_none().then(|| ctx.tr.t("staff-invite-invalid"));
    let status = if open.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    Ok((
        status,
        ActivatePage {
            ctx,
            code: q.code,
            username: open.map(|i| i.username),
            error,
            secret: None,
            qr: None,
        },
    )
        .into_response())
}

#[derive(Deserialize)]
struct ActivateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    wachtwoord: String,
    #[serde(default)]
    wachtwoord2: String,
}

async fn submit(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<ActivateForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let ctx = PageCtx::anonymous(&session, "/praktijk/activeren").await?;
    let now = state.now();
    let hash = code_hash(&form.code);
    let Some(invitation) = state.store.open_staff_invitation(&hash, now).await? else {
        let error = Some(ctx.tr.t("staff-invite-invalid"));
        return Ok((
            StatusCode::NOT_FOUND,
            ActivatePage {
                ctx,
                code: form.code,
                username: None,
                error,
                secret: None,
                qr: None,
            },
        )
            .into_response());
    };
    let problem = if form.wachtwoord.chars().count() < 12 {
        Some("staff-short-password")
    } else if form.wachtwoord != form.wachtwoord2 {
        Some("staff-passwords-differ")
    } else {
        None
    };
    if let Some(key) = problem {
        let error = Some(ctx.tr.t(key));
        return Ok((
            StatusCode::BAD_REQUEST,
            ActivatePage {
                ctx,
                code: form.code,
                username: Some(invitation.username),
                error,
                secret: None,
                qr: None,
            },
        )
            .into_response());
    }
    let password_hash = inzage_login::auth::hash_password(&form.wachtwoord)
        .map_err(|_| inzage_webkit::error::WebError::Invalid("password"))?;
    let secret = totp_rs::Secret::generate().to_base32();
    let Some(username) = state
        .store
        .activate_staff(&hash, &password_hash, &secret, now)
        .await?
    else {
        // Used at the same moment by another request: it works once.
        let error = Some(ctx.tr.t("staff-invite-invalid"));
        return Ok((
            StatusCode::CONFLICT,
            ActivatePage {
                ctx,
                code: String::new(),
                username: None,
                error,
                secret: None,
                qr: None,
            },
        )
            .into_response());
    };
    let role = state
        .store
        .staff_account(&username)
        .await?
        .map_or("medewerker", |a| role_nl(a.role));
    state
        .store
        .append_audit(AuditEvent {
            at: now,
            event: EventType::Update,
            patient: None,
            user: format!("staff:{username}"),
            responsible_user: format!("staff:{username}"),
            role: role.to_owned(),
            channel: Channel::Practice,
            request_id: inzage_webkit::request_id(&headers),
            detail: format!(
                "practice: staff account activated ({username}), invited by {}",
                invitation.invited_by
            ),
        })
        .await?;
    let qr = inzage_login::auth::authenticator_qr(&secret, STAFF_ISSUER, &username);
    Ok(ActivatePage {
        ctx,
        code: String::new(),
        username: Some(username),
        error: None,
        qr,
        secret: Some(secret),
    }
    .into_response())
}
