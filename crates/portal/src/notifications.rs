//! "Meldingen" (issue 8, R119, R120): the person chooses an e-mail address and which notices
//! they want. The choice belongs to the person (their BSN), not to one record: a parent gets the
//! notices about their children's records at the same address. In development mode the mail
//! that would have gone out is shown at `/dev/postvak`.

use super::{OpenRecord, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use inzage_store::{DevMail, NoticeKind, NotifyContact, NotifyStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

pub fn router() -> Router<AppState> {
    Router::new().route("/meldingen", get(page).post(save))
}

/// `/dev/postvak`: merged by the portal only in development mode without an SMTP server.
pub(crate) fn dev_router() -> Router<AppState> {
    Router::new().route("/dev/postvak", get(mailbox))
}

/// The longest address accepted (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;

struct KindRow {
    value: &'static str,
    label: String,
    checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
struct Page {
    ctx: PageCtx,
    enabled: bool,
    email: String,
    kinds: Vec<KindRow>,
    saved: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    opgeslagen: bool,
}

fn label_key(k: NoticeKind) -> &'static str {
    match k {
        NoticeKind::Reply => "notify-kind-reply",
        NoticeKind::Prescription => "notify-kind-prescription",
        NoticeKind::Appointment => "notify-kind-appointment",
        NoticeKind::Released => "notify-kind-released",
    }
}

async fn render(
    open: &OpenRecord,
    typed: Option<(&str, &[NoticeKind])>,
    saved: bool,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = open.ctx("/meldingen").await?;
    let stored = open.state().store.notify_contact(&open.login.bsn).await?;
    let (email, chosen): (String, Vec<NoticeKind>) = match typed {
        Some((e, k)) => (e.to_owned(), k.to_vec()),
        None => stored.map_or_else(
            || (String::new(), NoticeKind::ALL.to_vec()),
            |c| (c.email, c.kinds),
        ),
    };
    let kinds = NoticeKind::ALL
        .into_iter()
        .map(|k| KindRow {
            value: k.as_str(),
            label: ctx.tr.t(label_key(k)),
            checked: chosen.contains(&k),
        })
        .collect();
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        Page {
            enabled: inzage_webkit::notify::enabled(&open.state().config),
            ctx,
            email,
            kinds,
            saved,
            error,
        },
    )
        .into_response())
}

async fn page(open: OpenRecord, Query(q): Query<PageQuery>) -> WebResult<Response> {
    render(&open, None, q.opgeslagen, None, StatusCode::OK).await
}

async fn save(open: OpenRecord, Form(fields): Form<Vec<(String, String)>>) -> WebResult<Response> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    check_csrf(&open.session, field("csrf")).await?;
    let store = &open.state().store;
    if field("actie") == "uit" {
        store.remove_notify_contact(&open.login.bsn).await?;
        return Ok(Redirect::to("/meldingen?opgeslagen=true").into_response());
    }
    let email = field("email").trim().to_owned();
    let kinds: Vec<NoticeKind> = fields
        .iter()
        .filter(|(k, _)| k == "soort")
        .filter_map(|(_, v)| NoticeKind::parse(v))
        .collect();
    let valid = email.chars().count() <= MAX_EMAIL && inzage_webkit::notify::is_address(&email);
    if !valid {
        return render(
            &open,
            Some((&email, &kinds)),
            false,
            Some("notify-email-invalid"),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    store
        .set_notify_contact(&NotifyContact {
            bsn: open.login.bsn.clone(),
            email,
            kinds,
            updated_at: open.now,
        })
        .await?;
    Ok(Redirect::to("/meldingen?opgeslagen=true").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "dev_mailbox.html")]
struct Mailbox {
    ctx: PageCtx,
    mails: Vec<DevMail>,
}

/// The development mailbox: only in development mode without an SMTP server.
async fn mailbox(State(state): State<AppState>, session: Session) -> WebResult<Response> {
    if !state.config.dev_mode || state.config.mail.smtp_url.is_some() {
        return Err(WebError::NotFound);
    }
    let ctx = PageCtx::anonymous(&session, "/dev/postvak").await?;
    let mails = state.store.dev_mails().await?;
    Ok(Mailbox { ctx, mails }.into_response())
}
