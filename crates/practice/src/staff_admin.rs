//! Staff management by the practice administrator (issue 5, part 1; issue 22, finding 4):
//! invite a colleague (the link to set their own password and second factor goes to their own
//! e-mail address: the administrator never sees a password or secret), change a role or name,
//! deactivate or reactivate, and reset a login (the old password and second factor stop at once,
//! every session of the account ends, and a new invitation goes to the address on the account).
//! Only accounts of the administrator's own practice; an administrator cannot lock themselves
//! out. Every change is audited, with who invited whom.

use super::Staff;
use super::activation::send_invitation;
use super::roles::{Action, role_nl};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use inzage_domain::StaffRole;
use inzage_store::{EventType, RecordStore, StaffAccount, StaffStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
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
    /// The invitation has not been completed yet.
    waiting: bool,
    /// The account has its own e-mail address (a reset can be sent).
    has_email: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_staff.html")]
struct StaffPage {
    ctx: PageCtx,
    accounts: Vec<Account>,
    roles: Vec<(String, String)>,
    saved: bool,
    error: Option<String>,
    /// After an invitation or reset: to whom it went (the address, partly hidden).
    invited: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    opgeslagen: bool,
    #[serde(default)]
    uitgenodigd: Option<String>,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    session: &Session,
    saved: bool,
    error: Option<String>,
    invited: Option<String>,
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
            waiting: !a.is_activated(),
            has_email: a.email.is_some(),
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
        invited,
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
        q.uitgenodigd,
        StatusCode::OK,
    )
    .await
}

fn field<'a>(f: &'a HashMap<String, String>, k: &str) -> &'a str {
    f.get(k).map_or("", |s| s.as_str())
}

/// An address shown to the administrator after an invitation: enough to recognise, no more.
fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".into(),
    }
}

async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    check_csrf(&session, field(&f, "csrf")).await?;
    staff.require(Action::ManageStaff)?;
    let now = state.now();
    let username = field(&f, "username").trim().to_lowercase();
    let tr = inzage_webkit::i18n::Tr::staff_session(&session).await;
    let refuse = |key: &str| Some(tr.t(key));
    let audit = |what: String, event: EventType| {
        staff.audit_event(now, event, None, format!("practice: {what}"))
    };
    let base = inzage_webkit::base_url(&state, &headers);
    let sent = |account: &StaffAccount| {
        format!(
            "/praktijk/medewerkers?uitgenodigd={}",
            urlencoding(&masked(account.email.as_deref().unwrap_or_default()))
        )
    };
    let error = match field(&f, "actie") {
        "toevoegen" => {
            let Some(role) = parse_role(field(&f, "rol")) else {
                return Err(WebError::Invalid("role"));
            };
            let name = field(&f, "naam").trim();
            let email = field(&f, "email").trim();
            let valid_name = username.len() >= 2
                && username.len() <= 64
                && username
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !valid_name || name.is_empty() {
                refuse("staff-bad-name")
            } else if !inzage_webkit::notify::is_address(email) {
                refuse("staff-bad-email")
            } else if !inzage_webkit::notify::enabled(&state.config) {
                refuse("staff-no-mail")
            } else {
                // No password and no second factor: nobody can log in until the colleague
                // completes the invitation that goes to their own address.
                let account = StaffAccount {
                    username: username.clone(),
                    practice: staff.practice.clone(),
                    display_name: name.to_owned(),
                    role,
                    password_hash: String::new(),
                    totp_secret: String::new(),
                    active: true,
                    created_at: now,
                    email: Some(email.to_owned()),
                    credentials_changed_at: Some(now),
                };
                match state.store.create_staff(&account).await {
                    Err(inzage_store::StoreError::Conflict(_)) => refuse("staff-taken"),
                    Err(e) => return Err(e.into()),
                    Ok(()) => {
                        state
                            .store
                            .append_audit(audit(
                                format!(
                                    "staff account created ({username}, {}), invited by {}",
                                    role_nl(role),
                                    staff.username
                                ),
                                EventType::Create,
                            ))
                            .await?;
                        match send_invitation(&state, &account, &staff.username, &base, now).await {
                            Ok(()) => {
                                return Ok(Redirect::to(&sent(&account)).into_response());
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "staff invitation not sent");
                                refuse("staff-invite-not-sent")
                            }
                        }
                    }
                }
            }
        }
        action @ ("wijzigen" | "opnieuw") => {
            let Some(mut account) = state
                .store
                .staff_account(&username)
                .await?
                .filter(|a| a.practice == staff.practice)
            else {
                return Err(WebError::NotFound);
            };
            if action == "opnieuw" {
                // The old password and second factor stop now, and with them every session;
                // the colleague sets new ones through the link sent to their own address.
                if account.email.is_none() {
                    return render(
                        &state,
                        &staff,
                        &session,
                        false,
                        refuse("staff-no-email"),
                        None,
                        StatusCode::BAD_REQUEST,
                    )
                    .await;
                }
                account.password_hash = String::new();
                account.totp_secret = String::new();
                account.credentials_changed_at = Some(now);
                state.store.update_staff(&staff.practice, &account).await?;
                // A passkey is a credential too: a lost phone must not keep its way in.
                state.store.remove_staff_passkeys(&username).await?;
                state
                    .store
                    .append_audit(audit(
                        format!(
                            "staff login reset ({username}), invited again by {}",
                            staff.username
                        ),
                        EventType::Update,
                    ))
                    .await?;
                return match send_invitation(&state, &account, &staff.username, &base, now).await {
                    Ok(()) => Ok(Redirect::to(&sent(&account)).into_response()),
                    Err(e) => {
                        tracing::warn!(error = %e, "staff invitation not sent");
                        render(
                            &state,
                            &staff,
                            &session,
                            false,
                            refuse("staff-invite-not-sent"),
                            None,
                            StatusCode::SERVICE_UNAVAILABLE,
                        )
                        .await
                    }
                };
            }
            let role = parse_role(field(&f, "rol")).ok_or(WebError::Invalid("role"))?;
            let active = f.contains_key("actief");
            if username == staff.username && (!active || role != StaffRole::Administrator) {
                refuse("staff-not-yourself")
            } else {
                account.role = role;
                account.active = active;
                let name = field(&f, "naam").trim();
                if !name.is_empty() {
                    account.display_name = name.to_owned();
                }
                state.store.update_staff(&staff.practice, &account).await?;
                state
                    .store
                    .append_audit(audit(
                        format!("staff account changed: {action} ({username})"),
                        EventType::Update,
                    ))
                    .await?;
                None
            }
        }
        _ => return Err(WebError::Invalid("action")),
    };
    if error.is_none() {
        return Ok(Redirect::to("/praktijk/medewerkers?opgeslagen=true").into_response());
    }
    render(
        &state,
        &staff,
        &session,
        false,
        error,
        None,
        StatusCode::BAD_REQUEST,
    )
    .await
}

/// Percent-encoding for a query value.
fn urlencoding(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .map(|q| q[2..].to_owned())
        .unwrap_or_default()
}
