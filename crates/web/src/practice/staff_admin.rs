//! Staff management by the practice administrator (issue 5, part 1): add an account (the
//! authenticator secret is shown once), change a role or name, deactivate or reactivate, set a
//! new password, issue a new authenticator secret. Only accounts of the administrator's own
//! practice; an administrator cannot lock themselves out. Every change is audited.

use super::Staff;
use super::roles::{Action, role_nl};
use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::portal::PageCtx;
use crate::session::check_csrf;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use inzage_domain::StaffRole;
use inzage_store::{EventType, RecordStore, StaffStore};
use serde::Deserialize;
use std::collections::HashMap;
use tower_sessions::Session;

pub fn router() -> Router<AppState> {
    Router::new().route("/praktijk/medewerkers", get(page).post(submit))
}

const ROLES: [(StaffRole, &str); 4] = [
    (StaffRole::Gp, "huisarts"),
    (StaffRole::Assistant, "assistent"),
    (StaffRole::PracticeNurse, "poh"),
    (StaffRole::Administrator, "beheerder"),
];

fn role_value(r: StaffRole) -> &'static str {
    ROLES
        .iter()
        .find(|(x, _)| *x == r)
        .map_or("assistent", |(_, v)| v)
}

fn parse_role(s: &str) -> Option<StaffRole> {
    ROLES.iter().find(|(_, v)| *v == s).map(|(r, _)| *r)
}

struct Account {
    username: String,
    name: String,
    role: String,
    role_label: String,
    active: bool,
    is_self: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_staff.html")]
struct StaffPage {
    ctx: PageCtx,
    accounts: Vec<Account>,
    roles: Vec<(String, String)>,
    saved: bool,
    error: Option<String>,
    /// A new authenticator secret, shown once: (username, secret).
    secret: Option<(String, String)>,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    opgeslagen: bool,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    session: &Session,
    saved: bool,
    error: Option<String>,
    secret: Option<(String, String)>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = staff.ctx(session, "/praktijk/medewerkers").await?;
    let accounts = state
        .store
        .list_staff(&staff.practice)
        .await?
        .into_iter()
        .map(|a| Account {
            is_self: a.username == staff.username,
            role: role_value(a.role).to_owned(),
            role_label: role_nl(a.role).to_owned(),
            username: a.username,
            name: a.display_name,
            active: a.active,
        })
        .collect();
    let page = StaffPage {
        accounts,
        roles: ROLES
            .iter()
            .map(|(r, v)| ((*v).to_owned(), role_nl(*r).to_owned()))
            .collect(),
        saved,
        error,
        secret,
        ctx,
    };
    Ok((status, page).into_response())
}

async fn page(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    Query(q): Query<PageQuery>,
) -> WebResult<Response> {
    staff.require(Action::ManageStaff)?;
    render(
        &state,
        &staff,
        &session,
        q.opgeslagen,
        None,
        None,
        StatusCode::OK,
    )
    .await
}

fn field<'a>(f: &'a HashMap<String, String>, k: &str) -> &'a str {
    f.get(k).map_or("", |s| s.as_str())
}

async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    check_csrf(&session, field(&f, "csrf")).await?;
    staff.require(Action::ManageStaff)?;
    let now = state.now();
    let username = field(&f, "username").trim().to_lowercase();
    let tr = crate::i18n::Tr::from_session(&session).await;
    let refuse = |key: &str| Some(tr.t(key));
    let audit = |what: String, event: EventType| {
        staff.audit_event(now, event, None, format!("practice: {what}"))
    };
    let mut secret = None;
    let error = match field(&f, "actie") {
        "toevoegen" => {
            let Some(role) = parse_role(field(&f, "rol")) else {
                return Err(WebError::Invalid("role"));
            };
            let name = field(&f, "naam").trim();
            let valid_name = username.len() >= 2
                && username.len() <= 64
                && username
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !valid_name || name.is_empty() {
                refuse("staff-bad-name")
            } else {
                match super::create_staff(
                    &state.store,
                    &username,
                    field(&f, "wachtwoord"),
                    staff.practice.clone(),
                    role,
                    name,
                    now,
                )
                .await
                {
                    Err(e) if e.contains("12 characters") => refuse("staff-short-password"),
                    Err(_) => refuse("staff-taken"),
                    Ok(s) => {
                        state
                            .store
                            .append_audit(audit(
                                format!("staff account created ({username})"),
                                EventType::Create,
                            ))
                            .await?;
                        secret = Some((username.clone(), s));
                        None
                    }
                }
            }
        }
        action @ ("wijzigen" | "wachtwoord" | "nieuwe_code") => {
            let Some(mut account) = state
                .store
                .staff_account(&username)
                .await?
                .filter(|a| a.practice == staff.practice)
            else {
                return Err(WebError::NotFound);
            };
            let mut problem = None;
            match action {
                "wijzigen" => {
                    let role = parse_role(field(&f, "rol")).ok_or(WebError::Invalid("role"))?;
                    let active = f.contains_key("actief");
                    if username == staff.username && (!active || role != StaffRole::Administrator) {
                        problem = refuse("staff-not-yourself");
                    } else {
                        account.role = role;
                        account.active = active;
                        let name = field(&f, "naam").trim();
                        if !name.is_empty() {
                            account.display_name = name.to_owned();
                        }
                    }
                }
                "wachtwoord" => {
                    let pw = field(&f, "wachtwoord");
                    if pw.chars().count() < 12 {
                        problem = refuse("staff-short-password");
                    } else {
                        account.password_hash = crate::auth::hash_password(pw)
                            .map_err(|_| WebError::Invalid("password"))?;
                    }
                }
                _ => {
                    let s = totp_rs::Secret::generate().to_base32();
                    account.totp_secret = s.clone();
                    secret = Some((username.clone(), s));
                }
            }
            if problem.is_none() {
                state.store.update_staff(&staff.practice, &account).await?;
                state
                    .store
                    .append_audit(audit(
                        format!("staff account changed: {action} ({username})"),
                        EventType::Update,
                    ))
                    .await?;
            }
            problem
        }
        _ => return Err(WebError::Invalid("action")),
    };
    if error.is_none() && secret.is_none() {
        return Ok(Redirect::to("/praktijk/medewerkers?opgeslagen=true").into_response());
    }
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render(&state, &staff, &session, false, error, secret, status).await
}
