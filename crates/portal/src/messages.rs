//! "Vraag aan de praktijk" (e-consult, issue 8, R47): the person asks a question about a topic,
//! optionally with a photo or a PDF; the practice answers in the same thread; the person sees
//! the answers, replies, and sees when the question became a consult in the record. The patient
//! and representatives without a limited scope may ask (a carer authorised for some sections
//! only may not: a question is not tied to a section).

use super::{OpenRecord, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use inzage_store::{EventType, Message, MessageStore, Thread, ThreadStatus};
use inzage_webkit::AppState;
use inzage_webkit::attachment::{self as messages, MAX_REQUEST, MAX_SUBJECT, refusal_status};
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::Query;
use inzage_webkit::form::FormData;
use inzage_webkit::requests::{MessageRow, message_rows, status_text, when};
use inzage_webkit::session::check_csrf;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/berichten",
            get(list)
                .post(ask)
                .layer(DefaultBodyLimit::max(MAX_REQUEST)),
        )
        .route(
            "/berichten/{thread}",
            get(show)
                .post(reply)
                .layer(DefaultBodyLimit::max(MAX_REQUEST)),
        )
        .route("/berichten/{thread}/bijlage/{message}", get(attachment))
}

pub struct ThreadRow {
    pub id: String,
    pub subject: String,
    pub updated: String,
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "messages.html")]
struct ListPage {
    ctx: PageCtx,
    allowed: bool,
    threads: Vec<ThreadRow>,
    subject: String,
    text: String,
    sent: bool,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "message_thread.html")]
struct ThreadPage {
    ctx: PageCtx,
    id: String,
    subject: String,
    status: String,
    open: bool,
    consult: bool,
    messages: Vec<MessageRow>,
    attachment_base: String,
    text: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    verstuurd: bool,
}

fn allowed(open: &OpenRecord) -> WebResult<bool> {
    Ok(open.access()?.scope.is_none())
}

/// The overview's line for each question the practice has answered and the person has not
/// closed: "Er is een antwoord op uw vraag ...".
pub(crate) async fn attention(
    open: &OpenRecord,
    tr: &inzage_webkit::i18n::Tr,
) -> WebResult<Vec<crate::Attention>> {
    if !allowed(open)? {
        return Ok(vec![]);
    }
    Ok(open
        .state()
        .store
        .threads(&open.record.patient.id)
        .await?
        .iter()
        .filter(|t| t.status == ThreadStatus::Answered)
        .map(|t| crate::Attention {
            text: tr.t1("attention-answer", "title", t.subject.clone()),
            href: format!("/berichten/{}", t.id),
        })
        .collect())
}

async fn render_list(
    open: &OpenRecord,
    sent: bool,
    typed: Option<(&str, &str)>,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = open.ctx("/berichten").await?;
    let allowed = allowed(open)?;
    let threads = if allowed {
        open.state()
            .store
            .threads(&open.record.patient.id)
            .await?
            .iter()
            .map(|t| ThreadRow {
                id: t.id.clone(),
                subject: t.subject.clone(),
                updated: when(&ctx, t.updated_at),
                status: status_text(&ctx, t),
            })
            .collect()
    } else {
        vec![]
    };
    let (subject, text) = typed.map_or((String::new(), String::new()), |(s, t)| {
        (s.to_owned(), t.to_owned())
    });
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        ListPage {
            ctx,
            allowed,
            threads,
            subject,
            text,
            sent,
            error,
        },
    )
        .into_response())
}

async fn list(open: OpenRecord, Query(q): Query<ListQuery>) -> WebResult<Response> {
    open.audit(EventType::Read, "messages").await?;
    render_list(&open, q.verstuurd, None, None, StatusCode::OK).await
}

async fn ask(open: OpenRecord, form: FormData) -> WebResult<Response> {
    check_csrf(&open.session, form.get("csrf")).await?;
    if !allowed(&open)? {
        return Err(WebError::Forbidden);
    }
    let subject = form.get("onderwerp").trim().to_owned();
    let typed = Some((subject.as_str(), form.get("vraag")));
    let refuse =
        |key: &'static str| render_list(&open, false, typed, Some(key), refusal_status(key));
    if subject.is_empty() {
        return refuse("msg-subject-needed").await;
    }
    if subject.chars().count() > MAX_SUBJECT {
        return refuse("msg-subject-too-long").await;
    }
    let checked = match messages::check(&form, "vraag") {
        Ok(c) => c,
        Err(key) => return refuse(key).await,
    };
    let now = open.now;
    let thread = Thread {
        id: format!("t-{}", &inzage_webkit::session::random_token()[..20]),
        patient: open.record.patient.id.clone(),
        subject,
        started_by: open.login.subject.clone(),
        started_bsn: open.login.bsn.as_str().to_owned(),
        started_role: open.role(),
        started_at: now,
        updated_at: now,
        status: ThreadStatus::Waiting,
        consult: None,
    };
    let first = Message {
        id: format!("m-{}", &inzage_webkit::session::random_token()[..20]),
        thread: thread.id.clone(),
        from_practice: false,
        author: open.login.subject.clone(),
        author_name: open.login.display_name.clone(),
        body: checked.body,
        sent_at: now,
        attachment: None,
    };
    open.state()
        .store
        .start_thread(&thread, &[(&first, checked.attachment.as_ref())])
        .await?;
    open.audit(
        EventType::Create,
        &format!("question {} sent to the practice", thread.id),
    )
    .await?;
    Ok(Redirect::to("/berichten?verstuurd=true").into_response())
}

async fn render_thread(
    open: &OpenRecord,
    id: &str,
    text: &str,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    if !allowed(open)? {
        return Err(WebError::Forbidden);
    }
    let Some((thread, messages)) = open
        .state()
        .store
        .thread(&open.record.patient.id, id)
        .await?
    else {
        return Err(WebError::NotFound);
    };
    let ctx = open.ctx("/berichten").await?;
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        ThreadPage {
            id: thread.id.clone(),
            subject: thread.subject.clone(),
            status: status_text(&ctx, &thread),
            open: thread.status != ThreadStatus::Closed,
            consult: thread.consult.is_some(),
            messages: message_rows(&ctx, &messages),
            attachment_base: format!("/berichten/{}/bijlage", thread.id),
            text: text.to_owned(),
            error,
            ctx,
        },
    )
        .into_response())
}

async fn show(open: OpenRecord, Path(id): Path<String>) -> WebResult<Response> {
    if !allowed(&open)? {
        return Err(WebError::Forbidden);
    }
    open.audit(EventType::Read, &format!("message thread {id}"))
        .await?;
    render_thread(&open, &id, "", None, StatusCode::OK).await
}

async fn reply(open: OpenRecord, Path(id): Path<String>, form: FormData) -> WebResult<Response> {
    check_csrf(&open.session, form.get("csrf")).await?;
    if !allowed(&open)? {
        return Err(WebError::Forbidden);
    }
    let checked = match messages::check(&form, "tekst") {
        Ok(c) => c,
        Err(key) => {
            return render_thread(
                &open,
                &id,
                form.get("tekst"),
                Some(key),
                refusal_status(key),
            )
            .await;
        }
    };
    let message = Message {
        id: format!("m-{}", &inzage_webkit::session::random_token()[..20]),
        thread: id.clone(),
        from_practice: false,
        author: open.login.subject.clone(),
        author_name: open.login.display_name.clone(),
        body: checked.body,
        sent_at: open.now,
        attachment: None,
    };
    let added = open
        .state()
        .store
        .add_message(
            &open.record.patient.id,
            &message,
            checked.attachment.as_ref(),
            false,
        )
        .await?;
    if !added {
        // Not this record's thread, or closed meanwhile.
        return render_thread(
            &open,
            &id,
            form.get("tekst"),
            Some("msg-thread-closed"),
            StatusCode::CONFLICT,
        )
        .await;
    }
    open.audit(EventType::Create, &format!("message added to thread {id}"))
        .await?;
    Ok(Redirect::to(&format!("/berichten/{id}")).into_response())
}

async fn attachment(
    open: OpenRecord,
    Path((thread, message)): Path<(String, String)>,
) -> WebResult<Response> {
    if !allowed(&open)? {
        return Err(WebError::Forbidden);
    }
    let Some(a) = open
        .state()
        .store
        .attachment(&open.record.patient.id, &thread, &message)
        .await?
    else {
        return Err(WebError::NotFound);
    };
    open.audit(
        EventType::Read,
        &format!("attachment of message {message} downloaded"),
    )
    .await?;
    messages::download(a)
}
