//! The GP's queue of measurements patients took themselves and sent from a PGO (data service 52,
//! R127). They stay the patient's: the queue shows what came in, from which app, and the GP
//! marks each as taken into account ("overnemen") or not; either way it is never turned into a
//! practice measurement, and the patient's PGO can still retrieve it.

use super::roles::Action;
use super::{Staff, StaffRecord};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use inzage_domain::selfmeasure::Review;
use inzage_store::{EventType, SelfMeasurementStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijk/zelfmetingen", get(queue))
        .route(
            "/praktijk/patienten/{id}/zelfmetingen/{measurement}",
            post(review),
        )
}

struct Row {
    id: String,
    patient_id: String,
    patient: String,
    what: String,
    value: String,
    measured: String,
    received: String,
    app: String,
    comment: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_selfmeasurements.html")]
struct QueuePage {
    ctx: PageCtx,
    rows: Vec<Row>,
    done: bool,
}

#[derive(Deserialize)]
struct QueueQuery {
    #[serde(default)]
    verwerkt: bool,
}

async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    Query(q): Query<QueueQuery>,
) -> WebResult<Response> {
    staff.require(Action::ReviewSelfMeasurements)?;
    let ctx = staff.ctx(&session, "/praktijk/zelfmetingen").await?;
    let waiting = state.store.self_measurement_queue(&staff.practice).await?;
    // Each patient's record is loaded and its read audited once, however many measurements
    // they sent.
    let records = staff
        .records_for_queue(
            &state,
            waiting.iter().map(|x| &x.patient),
            "self-measurement queue",
        )
        .await?;
    let mut rows = vec![];
    for m in waiting {
        let Some((_, record)) = records.iter().find(|(p, _)| *p == m.patient) else {
            continue;
        };
        rows.push(Row {
            id: m.id.clone(),
            patient_id: m.patient.to_string(),
            patient: record.patient.name.display(),
            what: ctx.tr.t(&format!("vital-{}", m.kind.key())),
            value: m.summary(),
            measured: inzage_webkit::requests::when(&ctx, m.effective_at),
            received: inzage_webkit::requests::when(&ctx, m.received_at),
            app: m.sent_by.clone(),
            comment: m.comment.clone(),
        });
    }
    Ok(QueuePage {
        ctx,
        rows,
        done: q.verwerkt,
    }
    .into_response())
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    actie: String,
}

async fn review(
    rec: StaffRecord,
    Path((_, measurement)): Path<(String, String)>,
    Form(form): Form<ReviewForm>,
) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::ReviewSelfMeasurements)?;
    let now = rec.state.now();
    let by = format!("staff:{}", rec.staff.username);
    let review = match form.actie.as_str() {
        "overnemen" => Review::Accepted { by, at: now },
        "niet-overnemen" => Review::Declined { by, at: now },
        _ => return Err(WebError::Invalid("actie")),
    };
    let patient = rec.record.patient.id.clone();
    // Only a measurement of this patient (the route's), of this practice.
    let known = rec
        .state
        .store
        .self_measurements(&patient)
        .await?
        .iter()
        .any(|m| m.id == measurement);
    if !known {
        return Err(WebError::NotFound);
    }
    let event = rec.staff.audit_event(
        now,
        EventType::Update,
        Some(patient),
        format!(
            "practice: self-measurement {measurement} {}",
            form.actie.replace('-', " ")
        ),
    );
    let done = rec
        .state
        .store
        .review_self_measurement(&rec.staff.practice, &measurement, review, event)
        .await?;
    if !done {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to("/praktijk/zelfmetingen?verwerkt=true").into_response())
}
