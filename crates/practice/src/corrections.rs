//! The GP's queue of patients' correction requests and statements (issue 8, R109, R110). A
//! correction is made in the item itself through the normal edit page (so the original stays in
//! the item history); "verbeterd" is accepted only once the item changed after the request. A
//! decline needs a reason the patient reads; a statement can be added to the item, after which
//! the portal shows it there. The person who asked gets a notice without content.

use super::roles::Action;
use super::{Staff, StaffRecord};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use inzage_domain::Bsn;
use inzage_domain::time::local_date;
use inzage_domain::visibility::full_copy;
use inzage_store::{
    CorrectionKind, CorrectionStatus, CorrectionStore, EventType, NoticeKind, RecordStore,
};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::page::PageCtx;
use inzage_webkit::requests::{ITEM_KINDS, meta};
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijk/correcties", get(queue))
        .route("/praktijk/patienten/{id}/correctie/{request}", post(decide))
}

struct Row {
    id: String,
    patient_id: String,
    patient: String,
    item: String,
    edit: Option<String>,
    statement: bool,
    text: String,
    requested: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_corrections.html")]
struct QueuePage {
    ctx: PageCtx,
    rows: Vec<Row>,
    done: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct QueueQuery {
    #[serde(default)]
    verwerkt: bool,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    session: &Session,
    done: bool,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    staff.require(Action::DecideCorrections)?;
    let ctx = staff.ctx(session, "/praktijk/correcties").await?;
    let mut rows = vec![];
    let settings = state.store.settings(&staff.practice).await?;
    let now = state.now();
    let waiting = state.store.waiting_corrections(&staff.practice).await?;
    for (c, record) in staff
        .queue_records(state, waiting, |c| &c.patient, "correction request queue")
        .await?
    {
        let edit = ITEM_KINDS
            .iter()
            .find(|(k, _)| *k == c.item_kind)
            .map(|(_, soort)| {
                format!(
                    "/praktijk/patienten/{}/bewerken/{soort}/{}",
                    c.patient, c.item_id
                )
            });
        rows.push(Row {
            id: c.id.clone(),
            patient_id: c.patient.to_string(),
            patient: record.patient.name.display(),
            // Named from the whole record (not only what the patient sees online now).
            item: c
                .about()
                .and_then(|item| {
                    full_copy(&record, &settings, now)
                        .to_view(local_date(now))
                        .title_of(&item)
                })
                .unwrap_or_else(|| ctx.tr.t("practice-corr-item-gone")),
            edit,
            statement: c.kind == CorrectionKind::Statement,
            text: c.text.clone(),
            requested: inzage_webkit::requests::when(&ctx, c.requested_at),
        });
    }
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        QueuePage {
            ctx,
            rows,
            done,
            error,
        },
    )
        .into_response())
}

async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    Query(q): Query<QueueQuery>,
) -> WebResult<Response> {
    render(&state, &staff, &session, q.verwerkt, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    toelichting: String,
}

async fn decide(
    rec: StaffRecord,
    Path((_, request)): Path<(String, String)>,
    Form(form): Form<DecideForm>,
) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::DecideCorrections)?;
    let refuse = |key, status| {
        render(
            &rec.state,
            &rec.staff,
            &rec.session,
            false,
            Some(key),
            status,
        )
    };
    let status = match form.actie.as_str() {
        "verbeterd" => CorrectionStatus::Corrected,
        "afwijzen" => CorrectionStatus::Declined,
        "toevoegen" => CorrectionStatus::Attached,
        _ => return Err(WebError::Invalid("actie")),
    };
    let note = form.toelichting.trim();
    if note.chars().count() > 2000 {
        return Err(WebError::Invalid("toelichting"));
    }
    if status == CorrectionStatus::Declined && note.is_empty() {
        return refuse("practice-corr-reason-needed", StatusCode::BAD_REQUEST).await;
    }
    let patient = rec.record.patient.id.clone();
    let Some(waiting) = rec
        .state
        .store
        .corrections(&patient)
        .await?
        .into_iter()
        .find(|c| c.id == request && c.status == CorrectionStatus::Requested)
    else {
        return refuse("practice-corr-gone", StatusCode::CONFLICT).await;
    };
    match status {
        CorrectionStatus::Corrected => {
            // The correction itself is an edit of the item, made before this (R110: versioned).
            let changed = meta(&rec.record, &waiting.item_kind, &waiting.item_id)
                .is_some_and(|m| m.updated_at() > waiting.requested_at);
            if !changed {
                return refuse("practice-corr-not-changed", StatusCode::CONFLICT).await;
            }
        }
        CorrectionStatus::Attached if waiting.kind != CorrectionKind::Statement => {
            return refuse("practice-corr-not-statement", StatusCode::BAD_REQUEST).await;
        }
        CorrectionStatus::Attached
            if meta(&rec.record, &waiting.item_kind, &waiting.item_id).is_none() =>
        {
            return refuse("practice-corr-item-gone", StatusCode::CONFLICT).await;
        }
        _ => {}
    }
    let now = rec.state.now();
    let decided = rec
        .state
        .store
        .decide_correction(
            &patient,
            &request,
            status,
            &format!("staff:{}", rec.staff.username),
            now,
            (!note.is_empty()).then_some(note),
        )
        .await?;
    if !decided {
        return refuse("practice-corr-gone", StatusCode::CONFLICT).await;
    }
    let event = rec.staff.audit_event(
        now,
        EventType::Update,
        Some(patient.clone()),
        format!(
            "practice: {} request {request} for {} {}",
            waiting.kind.as_str(),
            waiting.item_id,
            status.as_str()
        ),
    );
    rec.state.store.append_audit(event).await?;
    if let Ok(asker) = Bsn::parse(&waiting.requested_bsn) {
        inzage_webkit::notify::notify_record(
            &rec.state,
            &rec.record,
            NoticeKind::Reply,
            Some(&asker),
            |_| true,
        )
        .await?;
    }
    Ok(Redirect::to("/praktijk/correcties?verwerkt=true").into_response())
}
