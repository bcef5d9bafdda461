//! The GP's queue of repeat-prescription requests (issue 8, R48): approve (optionally with a
//! changed dosage and a quantity: the record gets a new medication agreement in the same
//! transaction, and the prescription is recorded as handed to the patient's pharmacy), reject
//! with a reason, or ask the patient to come to the surgery.

use super::entry::{author, new_id};
use super::roles::Action;
use super::{Staff, StaffRecord};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use inzage_domain::entry::repeat_medication;
use inzage_store::{
    EventType, PrescriptionDecision, PrescriptionStatus, PrescriptionStore, RecordStore,
};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijk/herhaalrecepten", get(queue))
        .route(
            "/praktijk/patienten/{id}/herhaalrecept/{request}",
            post(decide),
        )
}

struct Row {
    id: String,
    patient_id: String,
    patient: String,
    medicine: String,
    dosage: String,
    requested: String,
    by: String,
    pharmacy: String,
    remark: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_prescriptions.html")]
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
    staff.require(Action::ApprovePrescriptions)?;
    let ctx = staff.ctx(session, "/praktijk/herhaalrecepten").await?;
    let mut rows = vec![];
    let waiting = state.store.waiting_prescriptions(&staff.practice).await?;
    for (r, record) in staff
        .queue_records(state, waiting, |r| &r.patient, "repeat prescription queue")
        .await?
    {
        let med = record
            .medication
            .iter()
            .find(|m| m.id.as_str() == r.medication);
        let by = super::requester(&ctx, &record, &r.requester_role, false);
        rows.push(Row {
            id: r.id.clone(),
            patient_id: r.patient.to_string(),
            patient: record.patient.name.display(),
            medicine: med.map(|m| m.product.name.clone()).unwrap_or_default(),
            dosage: med.map(|m| m.dosage_text.clone()).unwrap_or_default(),
            requested: inzage_webkit::requests::when(&ctx, r.requested_at),
            by,
            pharmacy: r.pharmacy.clone(),
            remark: r.remark.clone(),
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
    dosering: String,
    #[serde(default)]
    hoeveelheid: String,
    #[serde(default)]
    reden: String,
}

async fn decide(
    rec: StaffRecord,
    Path((_, request)): Path<(String, String)>,
    Form(form): Form<DecideForm>,
) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::ApprovePrescriptions)?;
    let now = rec.state.now();
    let status = match form.actie.as_str() {
        "goedkeuren" => PrescriptionStatus::Approved,
        "afwijzen" => PrescriptionStatus::Rejected,
        "spreekuur" => PrescriptionStatus::Consult,
        _ => return Err(WebError::Invalid("actie")),
    };
    let refuse = |key| {
        render(
            &rec.state,
            &rec.staff,
            &rec.session,
            false,
            Some(key),
            StatusCode::BAD_REQUEST,
        )
    };
    let reason = form.reden.trim();
    if status != PrescriptionStatus::Approved && reason.is_empty() {
        return refuse("rx-reason-needed").await;
    }
    if form.hoeveelheid.chars().count() > 100
        || form.dosering.chars().count() > 500
        || reason.chars().count() > 1000
    {
        return refuse("rx-too-long").await;
    }
    let patient = rec.record.patient.id.clone();
    let Some(waiting) = rec
        .state
        .store
        .prescription_requests(&patient)
        .await?
        .into_iter()
        .find(|r| r.id == request && r.status == PrescriptionStatus::Requested)
    else {
        return render(
            &rec.state,
            &rec.staff,
            &rec.session,
            false,
            Some("rx-gone"),
            StatusCode::CONFLICT,
        )
        .await;
    };
    let mut decision = PrescriptionDecision {
        status,
        by: format!("staff:{}", rec.staff.username),
        at: now,
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
        dosage: None,
        quantity: None,
        new_medication: None,
    };
    // The record as it stands after the decision (changed only by an approval).
    let mut after = None;
    let decided = if status == PrescriptionStatus::Approved {
        let mut record = rec
            .state
            .store
            .load_record(&patient)
            .await?
            .ok_or(WebError::NotFound)?;
        let dosage = form.dosering.trim();
        let by = author(&rec.staff, now)?;
        let new = match repeat_medication(
            &mut record,
            &waiting.medication,
            (!dosage.is_empty()).then_some(dosage),
            &by,
            &mut |k| new_id(k),
        ) {
            Ok(id) => id,
            Err(_) => return refuse("rx-cannot-repeat").await,
        };
        decision.dosage = (!dosage.is_empty()).then(|| dosage.to_owned());
        decision.quantity = Some(form.hoeveelheid.trim().to_owned()).filter(|q| !q.is_empty());
        decision.new_medication = Some(new.to_string());
        let audit = rec.staff.audit_event(
            now,
            EventType::Update,
            Some(patient.clone()),
            format!("practice: repeat prescription {request} approved, new agreement {new}"),
        );
        let decided = rec
            .state
            .store
            .decide_prescription(&patient, &request, &decision, Some((&record, audit)))
            .await?;
        after = Some(record);
        decided
    } else {
        rec.state
            .store
            .decide_prescription(&patient, &request, &decision, None)
            .await?
    };
    if !decided {
        return render(
            &rec.state,
            &rec.staff,
            &rec.session,
            false,
            Some("rx-gone"),
            StatusCode::CONFLICT,
        )
        .await;
    }
    let event = rec.staff.audit_event(
        now,
        if status == PrescriptionStatus::Approved {
            EventType::Transfer
        } else {
            EventType::Update
        },
        Some(patient.clone()),
        match status {
            PrescriptionStatus::Approved => format!(
                "practice: prescription {request} handed to the pharmacy named by the patient"
            ),
            _ => format!(
                "practice: repeat prescription {request} {}",
                status.as_str()
            ),
        },
    );
    rec.state.store.append_audit(event).await?;
    // Those who can see the medicine hear that there is news; what the news is, they read in
    // the portal.
    let new = decision.new_medication.as_deref();
    inzage_webkit::notify::notify_record(
        &rec.state,
        after.as_ref().unwrap_or(&rec.record),
        inzage_store::NoticeKind::Prescription,
        None,
        |view| {
            view.medication
                .iter()
                .any(|m| m.id.as_str() == waiting.medication || Some(m.id.as_str()) == new)
        },
    )
    .await?;
    Ok(Redirect::to("/praktijk/herhaalrecepten?verwerkt=true").into_response())
}
