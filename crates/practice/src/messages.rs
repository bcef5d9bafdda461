//! Questions from patients (e-consult, issue 8, R47) on the practice side: the queue of
//! questions waiting for an answer, a patient's threads, answering (optionally closing the
//! thread), and converting a thread into an e-consult contact in the record (the question as
//! the S line, the answers as the P line), saved in the same transaction as the thread's mark.
//! Every view of a thread is an audited read of the patient's record; an answer sends the asker
//! a notice without content.

use super::entry::{author, new_id};
use super::roles::Action;
use super::{Staff, StaffRecord};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use inzage_domain::codes::ContactType;
use inzage_domain::entry::{NewContact, NewLine, add_contact};
use inzage_domain::time::local_date;
use inzage_domain::{Bsn, Soep};
use inzage_store::{EventType, Message, MessageStore, NoticeKind, RecordStore, ThreadStatus};
use inzage_webkit::AppState;
use inzage_webkit::attachment::{self as messages, MAX_REQUEST};
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::form::FormData;
use inzage_webkit::page::PageCtx;
use inzage_webkit::requests::{MessageRow, message_rows, status_text, when};
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijk/berichten", get(queue))
        .route("/praktijk/patienten/{id}/berichten", get(patient_threads))
        .route(
            "/praktijk/patienten/{id}/berichten/{thread}",
            get(show)
                .post(answer)
                .layer(DefaultBodyLimit::max(MAX_REQUEST)),
        )
        .route(
            "/praktijk/patienten/{id}/berichten/{thread}/consult",
            post(convert),
        )
        .route(
            "/praktijk/patienten/{id}/berichten/{thread}/bijlage/{message}",
            get(attachment),
        )
}

struct Row {
    patient_id: String,
    patient: String,
    thread: String,
    subject: String,
    since: String,
    status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_messages.html")]
struct ListPage {
    ctx: PageCtx,
    title: String,
    /// The queue (all patients) or one patient's threads.
    queue: bool,
    rows: Vec<Row>,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_thread.html")]
struct ThreadPage {
    ctx: PageCtx,
    patient_id: String,
    patient: String,
    id: String,
    subject: String,
    status: String,
    open: bool,
    consult: bool,
    may_convert: bool,
    messages: Vec<MessageRow>,
    attachment_base: String,
    text: String,
    done: bool,
    error: Option<String>,
}

async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
) -> WebResult<Response> {
    staff.require(Action::AnswerMessages)?;
    let ctx = staff.ctx(&session, "/praktijk/berichten").await?;
    let mut rows = vec![];
    let waiting = state.store.waiting_threads(&staff.practice).await?;
    // The queue names the patient and the subject.
    for (t, record) in staff
        .queue_records(&state, waiting, |t| &t.patient, "question queue")
        .await?
    {
        rows.push(Row {
            patient_id: t.patient.to_string(),
            patient: record.patient.name.display(),
            thread: t.id.clone(),
            subject: t.subject.clone(),
            since: when(&ctx, t.updated_at),
            status: status_text(&ctx, &t),
        });
    }
    Ok(ListPage {
        title: ctx.tr.t("practice-msg-queue"),
        ctx,
        queue: true,
        rows,
    }
    .into_response())
}

async fn patient_threads(rec: StaffRecord) -> WebResult<Response> {
    rec.access(Action::AnswerMessages, "questions of the patient")
        .await?;
    let ctx = rec.staff.ctx(&rec.session, "/praktijk/berichten").await?;
    let rows = rec
        .state
        .store
        .threads(&rec.record.patient.id)
        .await?
        .iter()
        .map(|t| Row {
            patient_id: rec.record.patient.id.to_string(),
            patient: rec.record.patient.name.display(),
            thread: t.id.clone(),
            subject: t.subject.clone(),
            since: when(&ctx, t.updated_at),
            status: status_text(&ctx, t),
        })
        .collect();
    Ok(ListPage {
        title: ctx
            .tr
            .t1("practice-msg-of", "name", rec.record.patient.name.display()),
        ctx,
        queue: false,
        rows,
    }
    .into_response())
}

#[derive(Deserialize)]
struct ShowQuery {
    #[serde(default)]
    verstuurd: bool,
}

async fn render(
    rec: &StaffRecord,
    id: &str,
    text: &str,
    done: bool,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let patient = &rec.record.patient;
    let Some((thread, messages)) = rec.state.store.thread(&patient.id, id).await? else {
        return Err(WebError::NotFound);
    };
    // Showing the thread (also again after a refused answer) is a read of the record.
    rec.access(Action::AnswerMessages, &format!("question thread {id}"))
        .await?;
    let ctx = rec.staff.ctx(&rec.session, "/praktijk/berichten").await?;
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        ThreadPage {
            patient_id: patient.id.to_string(),
            patient: patient.name.display(),
            id: thread.id.clone(),
            subject: thread.subject.clone(),
            status: status_text(&ctx, &thread),
            open: thread.status != ThreadStatus::Closed,
            consult: thread.consult.is_some(),
            may_convert: super::roles::allowed(rec.staff.role, Action::EditJournal),
            messages: message_rows(&ctx, &messages),
            attachment_base: format!(
                "/praktijk/patienten/{}/berichten/{}/bijlage",
                patient.id, thread.id
            ),
            text: text.to_owned(),
            done,
            error,
            ctx,
        },
    )
        .into_response())
}

async fn show(
    rec: StaffRecord,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<ShowQuery>,
) -> WebResult<Response> {
    rec.staff.require(Action::AnswerMessages)?;
    render(&rec, &id, "", q.verstuurd, None, StatusCode::OK).await
}

async fn answer(
    rec: StaffRecord,
    Path((_, id)): Path<(String, String)>,
    form: FormData,
) -> WebResult<Response> {
    check_csrf(&rec.session, form.get("csrf")).await?;
    rec.staff.require(Action::AnswerMessages)?;
    let checked = match messages::check(&form, "tekst") {
        Ok(c) => c,
        Err(key) => {
            let status = messages::refusal_status(key);
            return render(&rec, &id, form.get("tekst"), false, Some(key), status).await;
        }
    };
    let patient = rec.record.patient.id.clone();
    let now = rec.state.now();
    let message = Message {
        id: format!("m-{}", &inzage_webkit::session::random_token()[..20]),
        thread: id.clone(),
        from_practice: true,
        author: format!("staff:{}", rec.staff.username),
        author_name: rec.staff.display_name.clone(),
        body: checked.body,
        sent_at: now,
        attachment: None,
    };
    let added = rec
        .state
        .store
        .add_message(
            &patient,
            &message,
            checked.attachment.as_ref(),
            form.checked("afsluiten"),
        )
        .await?;
    if !added {
        return render(
            &rec,
            &id,
            form.get("tekst"),
            false,
            Some("msg-thread-closed"),
            StatusCode::CONFLICT,
        )
        .await;
    }
    let event = rec.staff.audit_event(
        now,
        EventType::Create,
        Some(patient.clone()),
        format!("practice: answer to question thread {id}"),
    );
    rec.state.store.append_audit(event).await?;
    // The person who asked gets a notice, if they want one and can still open the record.
    if let Some((thread, _)) = rec.state.store.thread(&patient, &id).await?
        && let Ok(asker) = Bsn::parse(&thread.started_bsn)
    {
        inzage_webkit::notify::notify_record(
            &rec.state,
            &rec.record,
            NoticeKind::Reply,
            Some(&asker),
            |_| true,
        )
        .await?;
    }
    Ok(Redirect::to(&format!(
        "/praktijk/patienten/{}/berichten/{id}?verstuurd=true",
        patient
    ))
    .into_response())
}

#[derive(Deserialize)]
struct ConvertForm {
    #[serde(default)]
    csrf: String,
}

async fn convert(
    rec: StaffRecord,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<ConvertForm>,
) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::AnswerMessages)?;
    rec.staff.require(Action::EditJournal)?;
    let patient = rec.record.patient.id.clone();
    let Some((thread, messages)) = rec.state.store.thread(&patient, &id).await? else {
        return Err(WebError::NotFound);
    };
    if thread.consult.is_some() {
        return render(
            &rec,
            &id,
            "",
            false,
            Some("msg-already-consult"),
            StatusCode::CONFLICT,
        )
        .await;
    }
    let now = rec.state.now();
    let join = |from_practice: bool| {
        messages
            .iter()
            .filter(|m| m.from_practice == from_practice)
            .map(|m| m.body.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    let question = format!(
        "Vraag via het portaal: {}\n\n{}",
        thread.subject,
        join(false)
    );
    let mut record = rec
        .state
        .store
        .load_record(&patient)
        .await?
        .ok_or(WebError::NotFound)?;
    let by = author(&rec.staff, now)?;
    let contact = NewContact {
        contact_type: ContactType::parse("05").map_err(|_| WebError::Invalid("contact type"))?,
        date: local_date(now),
        episode: None,
        lines: vec![
            NewLine {
                soep: Soep::S,
                text: question,
                icpc: None,
            },
            NewLine {
                soep: Soep::P,
                text: join(true),
                icpc: None,
            },
        ],
    };
    let contact = match add_contact(&mut record, contact, &by, &mut |k| new_id(k)) {
        Ok(c) => c,
        Err(_) => {
            return render(
                &rec,
                &id,
                "",
                false,
                Some("msg-too-long-for-consult"),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let audit = rec.staff.audit_event(
        now,
        EventType::Create,
        Some(patient.clone()),
        format!("practice: question thread {id} recorded as e-consult {contact}"),
    );
    let converted = rec
        .state
        .store
        .convert_thread(&patient, &id, contact.as_str(), &record, audit)
        .await?;
    if !converted {
        return render(
            &rec,
            &id,
            "",
            false,
            Some("msg-already-consult"),
            StatusCode::CONFLICT,
        )
        .await;
    }
    Ok(Redirect::to(&format!("/praktijk/patienten/{patient}/berichten/{id}")).into_response())
}

async fn attachment(
    rec: StaffRecord,
    Path((_, thread, message)): Path<(String, String, String)>,
) -> WebResult<Response> {
    rec.staff.require(Action::AnswerMessages)?;
    let Some(a) = rec
        .state
        .store
        .attachment(&rec.record.patient.id, &thread, &message)
        .await?
    else {
        return Err(WebError::NotFound);
    };
    rec.access(
        Action::AnswerMessages,
        &format!("attachment of message {message}"),
    )
    .await?;
    messages::download(a)
}
