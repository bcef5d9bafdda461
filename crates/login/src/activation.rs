//! Activating a portal login with the practice's one-time code (issue 5, part 5). The practice
//! records the patient's consent and hands over a code (`practice::access`); here the patient
//! enters it with their birth date, chooses a username and password, and receives the secret for
//! their authenticator app (the second factor). The code works once and expires; only its hash
//! is stored. Only where the portal's own login is in use (without a configured identity
//! provider such as DigiD, which needs no activation).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use inzage_store::{AuditEvent, Channel, EventType, PortalStore, RecordStore, StaffStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::Form;
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tower_sessions::Session;

const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A new activation code: 16 characters from an alphabet without look-alikes (80 bits),
/// written in groups of four.
pub fn new_code() -> String {
    let raw: String = (0..16)
        .map(|_| {
            let i = rand::random_range(0..CODE_ALPHABET.len());
            char::from(CODE_ALPHABET[i])
        })
        .collect();
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The stored form of a code: SHA-256 of the code without dashes or spaces, upper case.
pub fn code_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

#[derive(Template, WebTemplate)]
#[template(path = "activate.html")]
struct ActivatePage {
    ctx: PageCtx,
    error: Option<String>,
    username: String,
    /// After success: the authenticator secret, shown once.
    secret: Option<String>,
    /// The same as a QR code to scan (a `data:` URL of an SVG).
    qr: Option<String>,
    /// An existing login was given a new password and app.
    reset: bool,
}

pub async fn page(State(state): State<AppState>, session: Session) -> WebResult<Response> {
    if !crate::auth::password_login_enabled(&state) {
        return Err(WebError::NotFound);
    }
    Ok(ActivatePage {
        ctx: PageCtx::anonymous(&session, "/activeren").await?,
        error: None,
        username: String::new(),
        secret: None,
        qr: None,
        reset: false,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct ActivateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    geboortedatum: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<ActivateForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    if !crate::auth::password_login_enabled(&state) {
        return Err(WebError::NotFound);
    }
    let ctx = PageCtx::anonymous(&session, "/activeren").await?;
    let refuse = |ctx: PageCtx, key: &str| {
        let error = Some(ctx.tr.t(key));
        Ok((
            StatusCode::BAD_REQUEST,
            ActivatePage {
                ctx,
                error,
                username: form.username.trim().to_owned(),
                secret: None,
                qr: None,
                reset: false,
            },
        )
            .into_response())
    };
    let username = form.username.trim().to_lowercase();
    if username.len() < 3
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return refuse(ctx, "activate-bad-username");
    }
    if form.password.chars().count() < 12 {
        return refuse(ctx, "activate-short-password");
    }
    if form.password != form.password2 {
        return refuse(ctx, "activate-passwords-differ");
    }
    let now = state.now();
    let hash = code_hash(&form.code);
    // One message for an unknown code, a used or expired one and a wrong birth date: the page
    // tells nothing about which patients exist.
    let Some(invitation) = state.store.open_invitation(&hash, now).await? else {
        return refuse(ctx, "activate-code-wrong");
    };
    let Some(record) = state.store.load_record(&invitation.patient).await? else {
        return refuse(ctx, "activate-code-wrong");
    };
    let birth = NaiveDate::parse_from_str(form.geboortedatum.trim(), "%Y-%m-%d").ok();
    let (Some(bsn), true) = (
        record.patient.bsn.clone(),
        birth == Some(record.patient.birth_date),
    ) else {
        return refuse(ctx, "activate-code-wrong");
    };
    // The person's own existing login with a new code from the practice: a lost phone or
    // password. It keeps its username (and so its PGO account) and gets a new password and a new
    // app; its passkeys go. Anyone else's username is taken.
    let reset = match state.store.idp_account(&username).await? {
        Some(existing) if existing.bsn == bsn => true,
        Some(_) => return refuse(ctx, "activate-username-taken"),
        None => false,
    };
    if !state.store.use_invitation(&hash, now).await? {
        return refuse(ctx, "activate-code-wrong");
    }
    let secret = totp_rs::Secret::generate().to_base32();
    let done = if reset {
        let hash = crate::auth::hash_password(&form.password)
            .map_err(|_| WebError::Invalid("password"))?;
        state
            .store
            .reset_idp_login(&username, &bsn, &hash, &secret)
            .await?
    } else {
        crate::auth::create_account(
            &state.store,
            &username,
            &form.password,
            bsn,
            &record.patient.name.display(),
            Some(secret.clone()),
            now,
        )
        .await
        .is_ok()
    };
    if !done {
        return refuse(ctx, "activate-username-taken");
    }
    state
        .store
        .append_audit(AuditEvent {
            at: now,
            event: EventType::Create,
            patient: Some(record.patient.id.clone()),
            user: format!("idp:{username}"),
            responsible_user: format!("idp:{username}"),
            role: inzage_webkit::page::PATIENT_ROLE.into(),
            channel: Channel::Portal,
            request_id: inzage_webkit::request_id(&headers),
            detail: if reset {
                "portal: login reset with the practice's code (new password and app)".into()
            } else {
                "portal: login activated with the practice's code".into()
            },
        })
        .await?;
    let grouped = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    // The app shows the practice's name above the code: a person with more than one login
    // knows which is which.
    let qr = crate::auth::authenticator_qr(&secret, &record.practice.name, &username);
    Ok(ActivatePage {
        ctx,
        error: None,
        username,
        secret: Some(grouped),
        qr,
        reset,
    }
    .into_response())
}
