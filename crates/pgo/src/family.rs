//! Family (issue 19, part 7): a person lets someone close to them, with a PGO account of their
//! own, read chosen parts of their data. Read only, ended by either of them at once, and every
//! reading is in the person's log.
//!
//! - The person makes an invitation for chosen parts; it has a code of 12 letters and digits,
//!   shown once and valid for 7 days, stored only as its SHA-256.
//! - The other person logs in to their own account and enters the code; the invitation then
//!   belongs to their account and works no more for anyone else. Nobody can accept their own.
//! - What the reader sees is the data as it is at that moment, limited to the chosen parts.
//! - A grant is looked up through the logged-in account (as owner to end it, as reader to read
//!   it); another account's id finds nothing.

use crate::client::new_id;
use crate::pages::{PARTS, ctx, log, required};
use crate::share::{PartsForm, grouped, new_code, normal_code, part_names, shown_parts};
use crate::view::Line;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Duration;
use inzage_login::auth::Login;
use inzage_store::{PgoCircleStore, PgoFamilyGrant};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::Form;
use inzage_webkit::page::PageCtx;
use inzage_webkit::requests::when;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pgo/familie", get(page).post(invite))
        .route("/pgo/familie/aannemen", post(accept))
        .route("/pgo/familie/stoppen", post(end))
        .route("/pgo/familie/{id}", get(read))
}

/// How long an invitation can be accepted.
const INVITE_DAYS: i64 = 7;
/// The length of an invitation code (31 characters: about 59 bits).
const CODE_LEN: usize = 12;
/// Wrong codes one session may enter before it must start again.
const MAX_WRONG: u32 = 5;
const WRONG_KEY: &str = "pgo_family_wrong";

fn invite_hash(code: &str) -> String {
    hex::encode(Sha256::digest(format!("family:{code}").as_bytes()))
}

struct GivenRow {
    id: String,
    label: String,
    parts: String,
    status: String,
    open: bool,
}

struct ReceivedRow {
    id: String,
    name: String,
    parts: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pgo_family.html")]
struct FamilyPage {
    ctx: PageCtx,
    parts: Vec<(&'static str, String)>,
    given: Vec<GivenRow>,
    received: Vec<ReceivedRow>,
    /// A code just made, shown once.
    made: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    session: &Session,
    account_id: &str,
    made: Option<String>,
    notice: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = ctx(session, "/pgo/familie").await?;
    let now = state.now();
    let given = state
        .store
        .pgo_family_given(account_id)
        .await?
        .into_iter()
        .map(|g| {
            let (status, open) = if g.ended_at.is_some() {
                (ctx.tr.t("pgo-family-ended"), false)
            } else if let Some(at) = g.accepted_at {
                (
                    ctx.tr.ta(
                        "pgo-family-reading-since",
                        &[
                            ("date", when(&ctx, at)),
                            ("name", g.viewer_name.clone().unwrap_or_default()),
                        ],
                    ),
                    true,
                )
            } else if now < g.invite_expires_at {
                (
                    ctx.tr.t1(
                        "pgo-family-invited-until",
                        "date",
                        when(&ctx, g.invite_expires_at),
                    ),
                    true,
                )
            } else {
                (ctx.tr.t("pgo-family-invite-expired"), false)
            };
            GivenRow {
                parts: part_names(&ctx.tr, &g.categories),
                id: g.id,
                label: g.label,
                status,
                open,
            }
        })
        .collect();
    let received = state
        .store
        .pgo_family_received(account_id)
        .await?
        .into_iter()
        .map(|g| ReceivedRow {
            parts: part_names(&ctx.tr, &g.categories),
            id: g.id,
            name: g.owner_name,
        })
        .collect();
    let parts = PARTS.iter().map(|(k, h)| (*k, ctx.tr.t(h))).collect();
    let notice = notice.map(|k| ctx.tr.t(k));
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        FamilyPage {
            ctx,
            parts,
            given,
            received,
            made,
            notice,
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
    render(
        &state,
        &session,
        &account.id,
        None,
        None,
        None,
        StatusCode::OK,
    )
    .await
}

async fn invite(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    body: String,
) -> WebResult<Response> {
    let form = PartsForm::parse(&body)?;
    let one = |name: &str| form.one(name);
    check_csrf(&session, &one("csrf")).await?;
    let account = required(&state, &session, &login).await?;
    let label = one("voor");
    let chosen = form.parts();
    let refuse = |key| {
        render(
            &state,
            &session,
            &account.id,
            None,
            None,
            Some(key),
            StatusCode::BAD_REQUEST,
        )
    };
    if label.is_empty() || label.chars().count() > 100 {
        return refuse("pgo-family-err-label").await;
    }
    if chosen.is_empty() {
        return refuse("pgo-family-err-parts").await;
    }
    let now = state.now();
    let code = new_code(CODE_LEN);
    state
        .store
        .create_pgo_family(&PgoFamilyGrant {
            id: new_id(),
            owner_id: account.id.clone(),
            viewer_id: None,
            label: label.clone(),
            owner_name: account.display_name.clone(),
            viewer_name: None,
            categories: chosen,
            invite_hash: Some(invite_hash(&code)),
            invite_expires_at: now + Duration::days(INVITE_DAYS),
            created_at: now,
            accepted_at: None,
            ended_at: None,
        })
        .await?;
    log(&state, &account.id, "family-invite", &label).await?;
    render(
        &state,
        &session,
        &account.id,
        Some(grouped(&code)),
        None,
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

async fn accept(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Form(form): Form<CodeForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let account = required(&state, &session, &login).await?;
    let wrong = session.get::<u32>(WRONG_KEY).await?.unwrap_or(0);
    if wrong >= MAX_WRONG {
        return render(
            &state,
            &session,
            &account.id,
            None,
            None,
            Some("pgo-family-err-too-many"),
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let code = normal_code(&form.code);
    let accepted = if code.len() == CODE_LEN {
        state
            .store
            .accept_pgo_family(
                &invite_hash(&code),
                (&account.id, &account.display_name),
                state.now(),
            )
            .await?
    } else {
        None
    };
    let Some(grant) = accepted else {
        session.insert(WRONG_KEY, wrong + 1).await?;
        return render(
            &state,
            &session,
            &account.id,
            None,
            None,
            Some("pgo-family-err-code"),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    session.remove::<u32>(WRONG_KEY).await?;
    // The owner reads who accepted, in that account's own name: a code that reached someone else
    // shows at once.
    let who = format!("{} ({})", grant.label, account.display_name);
    log(&state, &grant.owner_id, "family-accepted", &who).await?;
    log(&state, &account.id, "family-joined", &grant.owner_name).await?;
    Ok(Redirect::to(&format!("/pgo/familie/{}", grant.id)).into_response())
}

#[derive(Deserialize)]
struct EndForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    toegang: String,
}

/// Ends a grant the person gave (the reader loses access) or received (they stop reading).
async fn end(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Form(form): Form<EndForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let account = required(&state, &session, &login).await?;
    let given = state
        .store
        .pgo_family_given(&account.id)
        .await?
        .into_iter()
        .find(|g| g.id == form.toegang);
    let received = state
        .store
        .pgo_family_received(&account.id)
        .await?
        .into_iter()
        .find(|g| g.id == form.toegang);
    let Some(grant) = given.or(received) else {
        return Err(WebError::NotFound);
    };
    if state
        .store
        .end_pgo_family(&account.id, &grant.id, state.now())
        .await?
    {
        if grant.owner_id == account.id {
            log(&state, &account.id, "family-end", &grant.label).await?;
        } else {
            log(&state, &grant.owner_id, "family-left", &grant.label).await?;
            log(&state, &account.id, "family-stopped", &grant.owner_name).await?;
        }
    }
    render(
        &state,
        &session,
        &account.id,
        None,
        Some("pgo-family-notice-ended"),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "pgo_family_read.html")]
struct ReadPage {
    ctx: PageCtx,
    name: String,
    sections: Vec<(String, Vec<Line>)>,
}

/// The reader's view of the person's chosen parts; every reading is in the person's log.
async fn read(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let account = required(&state, &session, &login).await?;
    let Some(grant) = state
        .store
        .pgo_family_received(&account.id)
        .await?
        .into_iter()
        .find(|g| g.id == id)
    else {
        return Err(WebError::NotFound);
    };
    log(&state, &grant.owner_id, "family-read", &grant.label).await?;
    let ctx = ctx(&session, "/pgo/familie").await?;
    let sections = shown_parts(&state, &grant.owner_id, &ctx.tr, &grant.categories).await?;
    Ok(ReadPage {
        ctx,
        name: grant.owner_name,
        sections,
    }
    .into_response())
}
