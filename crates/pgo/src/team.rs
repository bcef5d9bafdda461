//! A care-team space (issue 19, part 7): the person brings the clinicians who treat one
//! condition together ("with one message I inform my GP, dermatologist and specialist at once;
//! we exchange photos and a treatment plan").
//!
//! - The person makes a space with a title and the parts of their data it shows, and invites
//!   each clinician with a link and a code of their own (stored as hashes, as share links are;
//!   five wrong codes close that clinician's link).
//! - Everyone in the space reads the chosen parts (as they are at that moment), the plan and
//!   every message; a message, with a photo or a PDF if wanted, reaches all of them at once.
//! - A clinician who entered the right code is let in for their browser session; every such
//!   opening and every message is in the person's log, by the clinician's name.
//! - The person removes a clinician or closes the whole space at any moment: from then on its
//!   links open nothing, and an open session is refused on its next request.
//! - Title, plan, messages and files are stored encrypted; the log names only who, never what.

use crate::Pgo;
use crate::client::new_id;
use crate::pages::{PARTS, ctx, log, required};
use crate::share::{
    PartsForm, code_hash, grouped, new_code, normal_code, part_names, shown_parts, token_hash,
    valid_token,
};
use crate::view::Line;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use inzage_login::auth::Login;
use inzage_store::{PgoCircleStore, PgoTeam, PgoTeamMember, PgoTeamPost};
use inzage_webkit::AppState;
use inzage_webkit::attachment::{self, MAX_REQUEST, refusal_status};
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::Form;
use inzage_webkit::form::FormData;
use inzage_webkit::page::PageCtx;
use inzage_webkit::requests::when;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use std::sync::Arc;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pgo/zorgteam", get(list).post(create))
        .route("/pgo/zorgteam/{id}", get(space))
        .route("/pgo/zorgteam/{id}/uitnodigen", post(invite))
        .route("/pgo/zorgteam/{id}/lid-verwijderen", post(remove))
        .route("/pgo/zorgteam/{id}/plan", post(plan))
        .route(
            "/pgo/zorgteam/{id}/bericht",
            post(owner_post).layer(DefaultBodyLimit::max(MAX_REQUEST)),
        )
        .route("/pgo/zorgteam/{id}/bestand/{post}", get(owner_file))
        .route("/pgo/zorgteam/{id}/sluiten", post(close))
        .route("/zorgteam/{token}", get(member_page).post(member_code))
        .route(
            "/zorgteam/{token}/bericht",
            post(member_post).layer(DefaultBodyLimit::max(MAX_REQUEST)),
        )
        .route("/zorgteam/{token}/bestand/{post}", get(member_file))
}

/// Wrong codes after which a clinician's link closes.
const MAX_WRONG_CODES: u32 = 5;
/// The longest title and plan.
const MAX_TITLE: usize = 100;
const MAX_PLAN: usize = 5_000;
/// The members a clinician's browser session was let in as.
const MEMBERS_KEY: &str = "pgo_team_members";

// ---- what both sides see ----

#[derive(Clone)]
struct PostView {
    author: String,
    mine: bool,
    at: String,
    body: String,
    file: Option<(String, String)>,
}

fn posts_view(
    ctx: &PageCtx,
    posts: Vec<PgoTeamPost>,
    file_base: &str,
    me: Option<&str>,
) -> Vec<PostView> {
    posts
        .into_iter()
        .map(|p| PostView {
            mine: p.member_id.as_deref() == me,
            author: p.author,
            at: when(ctx, p.at),
            body: p.body,
            file: p
                .attachment
                .map(|(name, _)| (format!("{file_base}/{}", p.id), name)),
        })
        .collect()
}

// ---- the person's side ----

struct TeamRow {
    id: String,
    title: String,
    open: bool,
    /// "2 zorgverleners · 5 berichten".
    meta: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pgo_teams.html")]
struct ListPage {
    ctx: PageCtx,
    parts: Vec<(&'static str, String)>,
    teams: Vec<TeamRow>,
    error: Option<String>,
}

async fn render_list(
    state: &AppState,
    session: &Session,
    account_id: &str,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = ctx(session, "/pgo/zorgteam").await?;
    let mut teams = vec![];
    for t in state.store.pgo_teams(account_id).await? {
        let members = state
            .store
            .pgo_team_members(&t.id)
            .await?
            .iter()
            .filter(|m| m.removed_at.is_none())
            .count();
        let posts = state.store.pgo_team_posts(&t.id).await?.len();
        teams.push(TeamRow {
            open: t.closed_at.is_none(),
            id: t.id,
            title: t.title,
            meta: format!(
                "{} · {}",
                ctx.tr.tc("pgo-team-count-members", members, &[]),
                ctx.tr.tc("pgo-team-count-messages", posts, &[])
            ),
        });
    }
    let parts = PARTS.iter().map(|(k, h)| (*k, ctx.tr.t(h))).collect();
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        ListPage {
            ctx,
            parts,
            teams,
            error,
        },
    )
        .into_response())
}

async fn list(
    State(state): State<AppState>,
    session: Session,
    login: Login,
) -> WebResult<Response> {
    let account = required(&state, &session, &login).await?;
    render_list(&state, &session, &account.id, None, StatusCode::OK).await
}

async fn create(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    body: String,
) -> WebResult<Response> {
    let form = PartsForm::parse(&body)?;
    let one = |name: &str| form.one(name);
    check_csrf(&session, &one("csrf")).await?;
    let account = required(&state, &session, &login).await?;
    let title = one("titel");
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return render_list(
            &state,
            &session,
            &account.id,
            Some("pgo-team-err-title"),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let team = PgoTeam {
        id: new_id(),
        account_id: account.id.clone(),
        title,
        owner_name: account.display_name.clone(),
        categories: form.parts(),
        plan: String::new(),
        created_at: state.now(),
        closed_at: None,
    };
    state.store.create_pgo_team(&team).await?;
    log(&state, &account.id, "team-create", "").await?;
    Ok(Redirect::to(&format!("/pgo/zorgteam/{}", team.id)).into_response())
}

struct MemberRow {
    id: String,
    label: String,
    active: bool,
    /// "2 keer geopend", or that the member was taken out.
    status: String,
}

/// A link just made: shown once, with its code.
struct Made {
    label: String,
    url: String,
    code: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pgo_team.html")]
struct SpacePage {
    ctx: PageCtx,
    id: String,
    title: String,
    open: bool,
    parts: String,
    plan: String,
    members: Vec<MemberRow>,
    posts: Vec<PostView>,
    post_action: String,
    made: Option<Made>,
    error: Option<String>,
}

/// One of the person's own spaces; another account's id finds nothing.
async fn own_team(state: &AppState, account_id: &str, id: &str) -> WebResult<PgoTeam> {
    state
        .store
        .pgo_team(account_id, id)
        .await?
        .ok_or(WebError::NotFound)
}

async fn render_space(
    state: &AppState,
    session: &Session,
    team: PgoTeam,
    made: Option<Made>,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = ctx(session, "/pgo/zorgteam").await?;
    let members = state
        .store
        .pgo_team_members(&team.id)
        .await?
        .into_iter()
        .map(|m| MemberRow {
            active: m.removed_at.is_none(),
            status: if m.removed_at.is_none() {
                ctx.tr.tc("pgo-team-opened", m.openings as usize, &[])
            } else {
                ctx.tr.t("pgo-team-removed")
            },
            id: m.id,
            label: m.label,
        })
        .collect();
    let posts = posts_view(
        &ctx,
        state.store.pgo_team_posts(&team.id).await?,
        &format!("/pgo/zorgteam/{}/bestand", team.id),
        None,
    );
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        SpacePage {
            parts: part_names(&ctx.tr, &team.categories),
            post_action: format!("/pgo/zorgteam/{}/bericht", team.id),
            ctx,
            open: team.closed_at.is_none(),
            id: team.id,
            title: team.title,
            plan: team.plan,
            members,
            posts,
            made,
            error,
        },
    )
        .into_response())
}

/// The answer to a change in a closed space: the space as it is, saying it is closed.
async fn closed(state: &AppState, session: &Session, team: PgoTeam) -> WebResult<Response> {
    render_space(
        state,
        session,
        team,
        None,
        Some("pgo-team-err-closed"),
        StatusCode::CONFLICT,
    )
    .await
}

async fn space(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let account = required(&state, &session, &login).await?;
    let team = own_team(&state, &account.id, &id).await?;
    render_space(&state, &session, team, None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    wie: String,
}

async fn invite(
    State(state): State<AppState>,
    Extension(pgo): Extension<Arc<Pgo>>,
    session: Session,
    login: Login,
    Path(id): Path<String>,
    Form(form): Form<InviteForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let account = required(&state, &session, &login).await?;
    let team = own_team(&state, &account.id, &id).await?;
    let label = form.wie.trim().to_owned();
    if team.closed_at.is_some() {
        return closed(&state, &session, team).await;
    }
    if label.is_empty() || label.chars().count() > MAX_TITLE {
        return render_space(
            &state,
            &session,
            team,
            None,
            Some("pgo-team-err-who"),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let token = inzage_webkit::session::random_token();
    let code = new_code(8);
    state
        .store
        .add_pgo_team_member(&PgoTeamMember {
            id: new_id(),
            team_id: team.id.clone(),
            label: label.clone(),
            token_hash: token_hash(&token),
            code_hash: code_hash(&token, &code),
            created_at: state.now(),
            removed_at: None,
            failed_attempts: 0,
            openings: 0,
        })
        .await?;
    log(&state, &account.id, "team-invite", &label).await?;
    let made = Made {
        label,
        url: format!(
            "{}/zorgteam/{token}",
            pgo.config.origin.trim_end_matches('/')
        ),
        code: grouped(&code),
    };
    render_space(&state, &session, team, Some(made), None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct MemberForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    lid: String,
}

async fn remove(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Path(id): Path<String>,
    Form(form): Form<MemberForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let account = required(&state, &session, &login).await?;
    let team = own_team(&state, &account.id, &id).await?;
    // Only a member of this space; another space's member id finds nothing.
    let Some(member) = state
        .store
        .pgo_team_members(&team.id)
        .await?
        .into_iter()
        .find(|m| m.id == form.lid)
    else {
        return Err(WebError::NotFound);
    };
    if state
        .store
        .remove_pgo_team_member(&team.id, &member.id, state.now())
        .await?
    {
        log(&state, &account.id, "team-remove", &member.label).await?;
    }
    Ok(Redirect::to(&format!("/pgo/zorgteam/{}", team.id)).into_response())
}

#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    plan: String,
}

async fn plan(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Path(id): Path<String>,
    Form(form): Form<PlanForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let account = required(&state, &session, &login).await?;
    let team = own_team(&state, &account.id, &id).await?;
    let text = form.plan.trim();
    if text.chars().count() > MAX_PLAN {
        return render_space(
            &state,
            &session,
            team,
            None,
            Some("pgo-team-err-plan"),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    if !state
        .store
        .set_pgo_team_plan(&account.id, &team.id, text)
        .await?
    {
        return closed(&state, &session, team).await;
    }
    log(&state, &account.id, "team-plan", "").await?;
    Ok(Redirect::to(&format!("/pgo/zorgteam/{}", team.id)).into_response())
}

async fn owner_post(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Path(id): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    check_csrf(&session, form.get("csrf")).await?;
    let account = required(&state, &session, &login).await?;
    let team = own_team(&state, &account.id, &id).await?;
    if team.closed_at.is_some() {
        return closed(&state, &session, team).await;
    }
    let checked = match attachment::check(&form, "tekst") {
        Ok(c) => c,
        Err(key) => {
            return render_space(&state, &session, team, None, Some(key), refusal_status(key))
                .await;
        }
    };
    let post = PgoTeamPost {
        id: new_id(),
        team_id: team.id.clone(),
        member_id: None,
        author: account.display_name.clone(),
        body: checked.body,
        at: state.now(),
        attachment: None,
    };
    state
        .store
        .add_pgo_team_post(&post, checked.attachment.as_ref())
        .await?;
    log(&state, &account.id, "team-post", "").await?;
    Ok(Redirect::to(&format!("/pgo/zorgteam/{}#berichten", team.id)).into_response())
}

async fn owner_file(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Path((id, post)): Path<(String, String)>,
) -> WebResult<Response> {
    let account = required(&state, &session, &login).await?;
    let team = own_team(&state, &account.id, &id).await?;
    let file = state
        .store
        .pgo_team_file(&team.id, &post)
        .await?
        .ok_or(WebError::NotFound)?;
    attachment::download(file)
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn close(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let account = required(&state, &session, &login).await?;
    let team = own_team(&state, &account.id, &id).await?;
    if state
        .store
        .close_pgo_team(&account.id, &team.id, state.now())
        .await?
    {
        log(&state, &account.id, "team-close", "").await?;
    }
    Ok(Redirect::to(&format!("/pgo/zorgteam/{}", team.id)).into_response())
}

// ---- the clinician's side ----

/// The member a link belongs to and their space, while both are open; `None` for a link that
/// is unknown, removed, closed or of a closed space (one answer for all).
async fn usable(state: &AppState, token: &str) -> WebResult<Option<(PgoTeamMember, PgoTeam)>> {
    if !valid_token(token) {
        return Ok(None);
    }
    Ok(state
        .store
        .pgo_team_member_by_token(&token_hash(token))
        .await?
        .filter(|(m, t)| m.removed_at.is_none() && t.closed_at.is_none()))
}

/// The member this browser session was let in as through `token`, if it was.
async fn let_in(
    state: &AppState,
    session: &Session,
    token: &str,
) -> WebResult<Option<(PgoTeamMember, PgoTeam)>> {
    let Some((member, team)) = usable(state, token).await? else {
        return Ok(None);
    };
    let members = session
        .get::<Vec<String>>(MEMBERS_KEY)
        .await?
        .unwrap_or_default();
    Ok(members.contains(&member.id).then_some((member, team)))
}

#[derive(Template, WebTemplate)]
#[template(path = "pgo_team_member.html")]
struct MemberPage {
    ctx: PageCtx,
    token: String,
    /// `None` until the code was right.
    shown: Option<MemberView>,
    error: Option<String>,
    gone: bool,
}

struct MemberView {
    /// Who invited whom, as a sentence.
    intro: String,
    post_action: String,
    title: String,
    plan: String,
    members: Vec<String>,
    sections: Vec<(String, Vec<Line>)>,
    posts: Vec<PostView>,
}

async fn member_render(
    session: &Session,
    token: &str,
    shown: Option<MemberView>,
    error: Option<&str>,
    gone: bool,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = PageCtx::anonymous(session, "/zorgteam").await?;
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        MemberPage {
            ctx,
            token: token.to_owned(),
            shown,
            error,
            gone,
        },
    )
        .into_response())
}

async fn gone(session: &Session) -> WebResult<Response> {
    member_render(session, "", None, None, true, StatusCode::NOT_FOUND).await
}

/// The space as a member reads it, with an error sentence when their last message was refused.
async fn member_space(
    state: &AppState,
    session: &Session,
    token: &str,
    (member, team): (PgoTeamMember, PgoTeam),
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = PageCtx::anonymous(session, "/zorgteam").await?;
    let members = state
        .store
        .pgo_team_members(&team.id)
        .await?
        .into_iter()
        .filter(|m| m.removed_at.is_none())
        .map(|m| m.label)
        .collect();
    let shown = MemberView {
        sections: shown_parts(state, &team.account_id, &ctx.tr, &team.categories).await?,
        posts: posts_view(
            &ctx,
            state.store.pgo_team_posts(&team.id).await?,
            &format!("/zorgteam/{token}/bestand"),
            Some(&member.id),
        ),
        intro: ctx.tr.ta(
            "pgo-team-member-intro",
            &[("name", team.owner_name), ("role", member.label)],
        ),
        post_action: format!("/zorgteam/{token}/bericht"),
        title: team.title,
        plan: team.plan,
        members,
    };
    member_render(session, token, Some(shown), error, false, status).await
}

async fn member_page(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
) -> WebResult<Response> {
    if usable(&state, &token).await?.is_none() {
        return gone(&session).await;
    }
    match let_in(&state, &session, &token).await? {
        Some(found) => member_space(&state, &session, &token, found, None, StatusCode::OK).await,
        None => member_render(&session, &token, None, None, false, StatusCode::OK).await,
    }
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

async fn member_code(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    Form(form): Form<CodeForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let Some((member, team)) = usable(&state, &token).await? else {
        return gone(&session).await;
    };
    if code_hash(&token, &normal_code(&form.code)) != member.code_hash {
        let wrong = state
            .store
            .pgo_team_member_wrong_code(&member.id, MAX_WRONG_CODES, state.now())
            .await?;
        if wrong >= MAX_WRONG_CODES {
            log(&state, &team.account_id, "team-link-closed", &member.label).await?;
            return gone(&session).await;
        }
        return member_render(
            &session,
            &token,
            None,
            Some("pgo-share-err-code"),
            false,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    // A new session id once let in, so an id known before cannot ride along.
    session.cycle_id().await?;
    let mut members = session
        .get::<Vec<String>>(MEMBERS_KEY)
        .await?
        .unwrap_or_default();
    if !members.contains(&member.id) {
        members.push(member.id.clone());
    }
    session.insert(MEMBERS_KEY, members).await?;
    state.store.pgo_team_member_opened(&member.id).await?;
    log(&state, &team.account_id, "team-open", &member.label).await?;
    Ok(Redirect::to(&format!("/zorgteam/{token}")).into_response())
}

async fn member_post(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    form: FormData,
) -> WebResult<Response> {
    check_csrf(&session, form.get("csrf")).await?;
    let Some((member, team)) = let_in(&state, &session, &token).await? else {
        return gone(&session).await;
    };
    let checked = match attachment::check(&form, "tekst") {
        Ok(c) => c,
        Err(key) => {
            let status = refusal_status(key);
            return member_space(&state, &session, &token, (member, team), Some(key), status).await;
        }
    };
    let post = PgoTeamPost {
        id: new_id(),
        team_id: team.id.clone(),
        member_id: Some(member.id.clone()),
        author: member.label.clone(),
        body: checked.body,
        at: state.now(),
        attachment: None,
    };
    state
        .store
        .add_pgo_team_post(&post, checked.attachment.as_ref())
        .await?;
    log(&state, &team.account_id, "team-reply", &member.label).await?;
    Ok(Redirect::to(&format!("/zorgteam/{token}#berichten")).into_response())
}

async fn member_file(
    State(state): State<AppState>,
    session: Session,
    Path((token, post)): Path<(String, String)>,
) -> WebResult<Response> {
    let Some((_, team)) = let_in(&state, &session, &token).await? else {
        return gone(&session).await;
    };
    let file = state
        .store
        .pgo_team_file(&team.id, &post)
        .await?
        .ok_or(WebError::NotFound)?;
    attachment::download(file)
}
