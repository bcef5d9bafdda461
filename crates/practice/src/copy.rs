//! The electronic copy on the practice side (issue 7): a GP or assistant makes the copy of a
//! record to hand to the patient (online summary or full copy, PDF/A or FHIR), and decides the
//! patients' requests for the full copy when the practice checks them first. Every copy made
//! is an export in the patient's access log.

use super::roles::Action;
use super::{Staff, StaffRecord};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use inzage_copy::{Copy, Selection};
use inzage_domain::visibility::online_view;
use inzage_store::{CopyRequest, CopyStore, CorrectionStore, EventType, RecordStore};
use inzage_webkit::AppState;
use inzage_webkit::download::{download, parse_choice};
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijk/patienten/{id}/kopie", get(page).post(submit))
        .route("/praktijk/kopieaanvragen", get(queue))
}

struct RequestRow {
    id: String,
    patient_id: String,
    patient: String,
    requested: String,
    by: String,
    /// The legal deadline: one month after the request.
    answer_by: String,
}

fn row(
    ctx: &PageCtx,
    r: &CopyRequest,
    patient: String,
    record: Option<&inzage_domain::PatientRecord>,
) -> RequestRow {
    let by = match record {
        Some(record) => super::requester(ctx, record, &r.requester_role, true),
        None if r.requester_role.starts_with("representative:") => {
            ctx.tr.t("who-representative-unknown")
        }
        None => ctx.tr.t("who-patient"),
    };
    RequestRow {
        id: r.id.clone(),
        patient_id: r.patient.to_string(),
        patient,
        requested: inzage_webkit::requests::when(ctx, r.requested_at),
        by,
        answer_by: ctx
            .tr
            .date(inzage_webkit::requests::answer_by(r.requested_at)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_copy.html")]
struct CopyPage {
    ctx: PageCtx,
    id: String,
    name: String,
    requests: Vec<RequestRow>,
    done: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    verwerkt: bool,
}

async fn render(
    rec: &StaffRecord,
    done: bool,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    rec.access(Action::HandOutCopies, "copy page").await?;
    let ctx = rec.staff.ctx(&rec.session, "/praktijk").await?;
    let requests = rec
        .state
        .store
        .copy_requests(&rec.record.patient.id)
        .await?
        .into_iter()
        .filter(|r| r.status == inzage_store::CopyRequestStatus::Pending)
        .map(|r| {
            row(
                &ctx,
                &r,
                rec.record.patient.name.display(),
                Some(&rec.record),
            )
        })
        .collect();
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        CopyPage {
            id: rec.record.patient.id.to_string(),
            name: rec.record.patient.name.display(),
            requests,
            done,
            error,
            ctx,
        },
    )
        .into_response())
}

async fn page(rec: StaffRecord, Query(q): Query<PageQuery>) -> WebResult<Response> {
    render(&rec, q.verwerkt, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct CopyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    selectie: String,
    #[serde(default)]
    formaat: String,
    #[serde(default)]
    aanvraag: String,
    #[serde(default)]
    reden: String,
}

async fn submit(
    rec: StaffRecord,
    headers: HeaderMap,
    Form(form): Form<CopyForm>,
) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::HandOutCopies)?;
    let now = rec.state.now();
    match form.actie.as_str() {
        "maken" => {
            let Some((format, selection)) = parse_choice(&form.formaat, &form.selectie) else {
                return Err(WebError::Invalid("selectie of formaat"));
            };
            let settings = rec.state.store.settings(&rec.record.practice.id).await?;
            let statements = rec.state.store.statements(&rec.record.patient.id).await?;
            let copy = match selection {
                Selection::Summary => Copy::summary(online_view(&rec.record, &settings, now), now),
                Selection::Full => Copy::full(&rec.record, &settings, now),
            }
            .with_statements(statements);
            let response = download(
                &copy,
                format,
                &inzage_webkit::base_url(&rec.state, &headers),
            )?;
            let event = rec.staff.audit_event(
                now,
                EventType::Export,
                Some(rec.record.patient.id.clone()),
                format!(
                    "practice: copy {} {} for the patient",
                    selection.code(),
                    format.code()
                ),
            );
            rec.state.store.append_audit(event).await?;
            Ok(response)
        }
        "goedkeuren" | "afwijzen" => {
            let approve = form.actie == "goedkeuren";
            let reason = form.reden.trim();
            if !approve && reason.is_empty() {
                return render(
                    &rec,
                    false,
                    Some("practice-copy-reason-needed"),
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
            let decided = rec
                .state
                .store
                .decide_copy_request(
                    &rec.record.patient.id,
                    &form.aanvraag,
                    approve,
                    &format!("staff:{}", rec.staff.username),
                    now,
                    (!approve).then_some(reason),
                )
                .await?;
            if !decided {
                return render(
                    &rec,
                    false,
                    Some("practice-copy-gone"),
                    StatusCode::CONFLICT,
                )
                .await;
            }
            let event = rec.staff.audit_event(
                now,
                EventType::Update,
                Some(rec.record.patient.id.clone()),
                format!(
                    "practice: copy request {}",
                    if approve { "approved" } else { "declined" }
                ),
            );
            rec.state.store.append_audit(event).await?;
            Ok(Redirect::to(&format!(
                "/praktijk/patienten/{}/kopie?verwerkt=true",
                rec.record.patient.id
            ))
            .into_response())
        }
        _ => Err(WebError::Invalid("actie")),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_copy_queue.html")]
struct QueuePage {
    ctx: PageCtx,
    requests: Vec<RequestRow>,
}

async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
) -> WebResult<Response> {
    staff.require(Action::HandOutCopies)?;
    let ctx = staff.ctx(&session, "/praktijk/kopieaanvragen").await?;
    let mut requests = vec![];
    let pending = state.store.pending_copy_requests(&staff.practice).await?;
    for (r, record) in staff
        .queue_records(&state, pending, |r| &r.patient, "copy request queue")
        .await?
    {
        requests.push(row(&ctx, &r, record.patient.name.display(), Some(&record)));
    }
    Ok(QueuePage { ctx, requests }.into_response())
}
