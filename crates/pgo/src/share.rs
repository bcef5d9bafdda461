//! Share links (R126, design N5): the person lets a clinician read chosen parts of their data
//! for a while, with a link and a code given separately (say the code on the phone, send the
//! link by mail).
//!
//! - The link carries a 256-bit random token; only its SHA-256 is stored. The code (8 letters
//!   and digits, shown to the person once) is stored as the SHA-256 of token and code together,
//!   so the database alone gives neither.
//! - It is read-only, limited to the parts chosen and to its period (1 hour to 30 days), and it
//!   can be revoked at once. Five wrong codes close it.
//! - Every opening is counted with the link and written to the person's log; the page shows the
//!   data as it is at that moment.
//! - Before the code is right, nothing about the person is shown, not even their name; a link
//!   that is unknown, expired, revoked or closed gets the same answer.

use crate::Pgo;
use crate::client::new_id;
use crate::pages::{PARTS, ctx, log, parts, required};
use crate::view::Line;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use chrono::{DateTime, Duration, Utc};
use inzage_login::auth::Login;
use inzage_store::{PgoShare, PgoStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::Form;
use inzage_webkit::page::PageCtx;
use inzage_webkit::requests::when;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pgo/delen", get(page).post(create))
        .route("/pgo/delen/intrekken", post(revoke))
        .route("/delen/{token}", get(open_page).post(open))
}

/// The periods a person can choose, in hours: an hour, a day, three days, a week, 30 days.
const PERIODS: [(i64, &str); 5] = [
    (1, "pgo-share-1h"),
    (24, "pgo-share-1d"),
    (72, "pgo-share-3d"),
    (168, "pgo-share-7d"),
    (720, "pgo-share-30d"),
];
/// Wrong codes after which a link closes.
pub const MAX_WRONG_CODES: u32 = 5;
/// The letters of a code: no 0/O, 1/I/L, so it can be read out on the phone.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) fn code_hash(token: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{token}:{code}").as_bytes()))
}

/// A code as typed: spaces and dashes ignored, any case.
pub(crate) fn normal_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// A new code of `len` characters that can be read out on the phone.
pub(crate) fn new_code(len: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..len)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// A code as shown: in groups of four ("ABCD-EFGH").
pub(crate) fn grouped(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The parts `chosen` of a person's data as someone else reads them: headings in the third
/// person ("Medicijnen die de persoon nu gebruikt"), what the person entered marked as theirs.
pub(crate) async fn shown_parts(
    state: &AppState,
    account_id: &str,
    tr: &inzage_webkit::i18n::Tr,
    chosen: &[String],
) -> WebResult<Vec<(String, Vec<Line>)>> {
    let all = parts(state, account_id, tr, &tr.t("pgo-shared-own-source")).await?;
    Ok(all
        .sections
        .into_iter()
        .filter(|(key, _, _)| chosen.iter().any(|c| c == key))
        .map(|(key, _, lines)| (tr.t(&format!("pgo-shared-part-{key}")), lines))
        .collect())
}

/// A form with chosen parts: its fields in order, as a repeated field (`deel`) needs.
pub(crate) struct PartsForm(Vec<(String, String)>);

impl PartsForm {
    pub(crate) fn parse(body: &str) -> Result<Self, WebError> {
        serde_urlencoded::from_str(body)
            .map(Self)
            .map_err(|_| WebError::Invalid("form"))
    }

    /// The field `name`, trimmed (the last one when repeated; empty when absent).
    pub(crate) fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .rfind(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// The parts named (repeated `deel`), known ones only, each once.
    pub(crate) fn parts(&self) -> Vec<String> {
        let mut parts: Vec<String> = vec![];
        for (k, v) in &self.0 {
            if k == "deel" && PARTS.iter().any(|(p, _)| p == v) && !parts.contains(v) {
                parts.push(v.clone());
            }
        }
        parts
    }
}

/// The names of parts, joined, in the reader's language.
pub(crate) fn part_names(tr: &inzage_webkit::i18n::Tr, chosen: &[String]) -> String {
    chosen
        .iter()
        .filter_map(|k| PARTS.iter().find(|(p, _)| p == k))
        .map(|(_, heading)| tr.t(heading))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a link can be opened now.
fn open_now(s: &PgoShare, now: DateTime<Utc>) -> bool {
    s.revoked_at.is_none() && now < s.expires_at
}

// ---- the person's page ----

struct ShareRow {
    id: String,
    label: String,
    parts: String,
    until: String,
    status: String,
    open: bool,
    openings: u32,
}

/// A link just made: shown once, with its code.
struct Made {
    url: String,
    code: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pgo_share.html")]
struct SharePage {
    ctx: PageCtx,
    parts: Vec<(&'static str, String)>,
    periods: Vec<(i64, String)>,
    shares: Vec<ShareRow>,
    made: Option<Made>,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    session: &Session,
    account_id: &str,
    made: Option<Made>,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = ctx(session, "/pgo/delen").await?;
    let now = state.now();
    let shares = state
        .store
        .pgo_shares(account_id)
        .await?
        .into_iter()
        .map(|s| {
            let open = open_now(&s, now);
            let status = if s.revoked_at.is_some() {
                ctx.tr.t("pgo-share-revoked")
            } else if !open {
                ctx.tr.t("pgo-share-expired")
            } else {
                ctx.tr.t("pgo-share-open")
            };
            ShareRow {
                id: s.id.clone(),
                label: s.label.clone(),
                parts: part_names(&ctx.tr, &s.categories),
                until: when(&ctx, s.expires_at),
                status,
                open,
                openings: s.openings,
            }
        })
        .collect();
    let parts = PARTS.iter().map(|(k, h)| (*k, ctx.tr.t(h))).collect();
    let periods = PERIODS.iter().map(|(h, k)| (*h, ctx.tr.t(k))).collect();
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        SharePage {
            ctx,
            parts,
            periods,
            shares,
            made,
            error,
        },
    )
        .into_response())
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    login: Login,
) -> WebResult<Response> {
    let account = required(&state, &session, &login).await?;
    render(&state, &session, &account.id, None, None, StatusCode::OK).await
}

/// The form: who it is for, the parts (repeated `deel`), the period in hours.
fn read_form(body: &str) -> Result<(String, String, Vec<String>, i64), WebError> {
    let form = PartsForm::parse(body)?;
    let hours = form.one("uren").parse::<i64>().unwrap_or(0);
    Ok((form.one("csrf"), form.one("voor"), form.parts(), hours))
}

async fn create(
    State(state): State<AppState>,
    Extension(pgo): Extension<Arc<Pgo>>,
    session: Session,
    login: Login,
    body: String,
) -> WebResult<Response> {
    let (csrf, label, chosen, hours) = read_form(&body)?;
    check_csrf(&session, &csrf).await?;
    let account = required(&state, &session, &login).await?;
    let refuse = |key| {
        render(
            &state,
            &session,
            &account.id,
            None,
            Some(key),
            StatusCode::BAD_REQUEST,
        )
    };
    if label.is_empty() || label.chars().count() > 100 {
        return refuse("pgo-share-err-label").await;
    }
    if chosen.is_empty() {
        return refuse("pgo-share-err-parts").await;
    }
    if !PERIODS.iter().any(|(h, _)| *h == hours) {
        return refuse("pgo-share-err-period").await;
    }
    let now = state.now();
    let token = inzage_webkit::session::random_token();
    let code = new_code(8);
    let share = PgoShare {
        id: new_id(),
        account_id: account.id.clone(),
        token_hash: token_hash(&token),
        code_hash: code_hash(&token, &code),
        label: label.clone(),
        owner_name: account.display_name.clone(),
        categories: chosen,
        created_at: now,
        expires_at: now + Duration::hours(hours),
        revoked_at: None,
        failed_attempts: 0,
        openings: 0,
    };
    state.store.create_pgo_share(&share).await?;
    log(&state, &account.id, "share", &label).await?;
    let made = Made {
        url: format!("{}/delen/{token}", pgo.config.origin.trim_end_matches('/')),
        code: grouped(&code),
    };
    render(
        &state,
        &session,
        &account.id,
        Some(made),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    link: String,
}

async fn revoke(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Form(form): Form<RevokeForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let account = required(&state, &session, &login).await?;
    // Only the account's own link; another's id finds nothing.
    let Some(share) = state
        .store
        .pgo_shares(&account.id)
        .await?
        .into_iter()
        .find(|s| s.id == form.link)
    else {
        return Err(WebError::NotFound);
    };
    if state
        .store
        .revoke_pgo_share(&account.id, &share.id, state.now())
        .await?
    {
        log(&state, &account.id, "share-revoke", &share.label).await?;
    }
    Ok(Redirect::to("/pgo/delen").into_response())
}

// ---- the clinician's side ----

#[derive(Template, WebTemplate)]
#[template(path = "pgo_shared.html")]
struct SharedPage {
    ctx: PageCtx,
    token: String,
    /// `None` until the code was right: then the person's name, until when, and the parts.
    shown: Option<Shown>,
    error: Option<String>,
    gone: bool,
}

struct Shown {
    name: String,
    until: String,
    sections: Vec<(String, Vec<Line>)>,
}

/// A link token as we make them: 64 hex digits (anything else is not looked up).
pub(crate) fn valid_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn shared_page(
    session: &Session,
    token: &str,
    shown: Option<Shown>,
    error: Option<&str>,
    gone: bool,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = PageCtx::anonymous(session, "/delen").await?;
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        SharedPage {
            ctx,
            token: token.to_owned(),
            shown,
            error,
            gone,
        },
    )
        .into_response())
}

/// The share link as it may be opened now, or `None` (unknown, expired, revoked or closed:
/// one answer for all, so a guess learns nothing).
async fn usable(state: &AppState, token: &str) -> WebResult<Option<PgoShare>> {
    if !valid_token(token) {
        return Ok(None);
    }
    Ok(state
        .store
        .pgo_share_by_token(&token_hash(token))
        .await?
        .filter(|s| open_now(s, state.now())))
}

async fn open_page(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> WebResult<Response> {
    match usable(&state, &token).await? {
        Some(_) => shared_page(&session, &token, None, None, false, StatusCode::OK).await,
        None => shared_page(&session, "", None, None, true, StatusCode::NOT_FOUND).await,
    }
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

async fn open(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    Form(form): Form<CodeForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let Some(share) = usable(&state, &token).await? else {
        return shared_page(&session, "", None, None, true, StatusCode::NOT_FOUND).await;
    };
    if code_hash(&token, &normal_code(&form.code)) != share.code_hash {
        let wrong = state
            .store
            .pgo_share_wrong_code(&share.id, MAX_WRONG_CODES, state.now())
            .await?;
        if wrong >= MAX_WRONG_CODES {
            log(&state, &share.account_id, "share-closed", &share.label).await?;
            return shared_page(&session, "", None, None, true, StatusCode::NOT_FOUND).await;
        }
        return shared_page(
            &session,
            &token,
            None,
            Some("pgo-share-err-code"),
            false,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    state.store.pgo_share_opened(&share.id).await?;
    log(&state, &share.account_id, "share-open", &share.label).await?;
    let ctx = PageCtx::anonymous(&session, "/delen").await?;
    // Headings in the clinician's words (the person's pages say "you").
    let shown = Shown {
        name: share.owner_name.clone(),
        until: when(&ctx, share.expires_at),
        sections: shown_parts(&state, &share.account_id, &ctx.tr, &share.categories).await?,
    };
    shared_page(&session, &token, Some(shown), None, false, StatusCode::OK).await
}
