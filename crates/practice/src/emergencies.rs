//! The GP's queue of emergency retrievals (issue 20, R114, R115): another provider's system
//! fetched a patient's summary without the patient's "yes", declaring an emergency with a reason.
//! The practice looks at each one afterwards, notes what it found, and marks it reviewed; the
//! patient sees the retrieval in their access log either way.

use super::roles::Action;
use super::{Staff, StaffRecord};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use inzage_store::{EventType, ExchangeStore, RetrievalReview};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

pub const PATH: &str = "/praktijk/noodinzage";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijk/noodinzage", get(queue))
        .route(
            "/praktijk/patienten/{id}/noodinzage/{retrieval}",
            post(review),
        )
}

struct Row {
    id: String,
    patient_id: String,
    patient: String,
    when: String,
    who: String,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_emergencies.html")]
struct QueuePage {
    ctx: PageCtx,
    rows: Vec<Row>,
    done: bool,
}

#[derive(Deserialize)]
struct QueueQuery {
    #[serde(default)]
    nagekeken: bool,
}

async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    Query(q): Query<QueueQuery>,
) -> WebResult<Response> {
    staff.require(Action::ReviewEmergencies)?;
    let ctx = staff.ctx(&session, PATH).await?;
    let waiting = state.store.emergencies_to_review(&staff.practice).await?;
    let records = staff
        .records_for_queue(
            &state,
            waiting.iter().map(|x| &x.patient),
            "emergency retrieval queue",
        )
        .await?;
    let mut rows = vec![];
    for r in waiting {
        let Some((_, record)) = records.iter().find(|(p, _)| *p == r.patient) else {
            continue;
        };
        rows.push(Row {
            id: r.id.clone(),
            patient_id: r.patient.to_string(),
            patient: record.patient.name.display(),
            when: inzage_webkit::requests::when(&ctx, r.at),
            who: format!("{} ({})", r.client_name, r.practitioner),
            reason: r.emergency_reason.clone().unwrap_or_default(),
        });
    }
    Ok(QueuePage {
        ctx,
        rows,
        done: q.nagekeken,
    }
    .into_response())
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    notitie: String,
}

/// The longest review note.
const MAX_NOTE: usize = 1000;

async fn review(
    rec: StaffRecord,
    Path((_, retrieval)): Path<(String, String)>,
    Form(form): Form<ReviewForm>,
) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::ReviewEmergencies)?;
    let note = form.notitie.trim();
    if note.is_empty() || note.chars().count() > MAX_NOTE {
        return Err(WebError::Invalid(
            "a note of what was found (at most 1,000 characters) is required",
        ));
    }
    let patient = rec.record.patient.id.clone();
    // Only a retrieval of this patient (the route's).
    let known = rec
        .state
        .store
        .retrievals_of(&patient)
        .await?
        .iter()
        .any(|r| r.id == retrieval);
    if !known {
        return Err(WebError::NotFound);
    }
    let now = rec.state.now();
    let event = rec.staff.audit_event(
        now,
        EventType::Update,
        Some(patient),
        format!("practice: emergency retrieval {retrieval} reviewed"),
    );
    let done = rec
        .state
        .store
        .review_emergency(
            &rec.staff.practice,
            &retrieval,
            &RetrievalReview {
                by: format!("staff:{}", rec.staff.username),
                at: now,
                note: note.to_owned(),
            },
            event,
        )
        .await?;
    if !done {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to(&format!("{PATH}?nagekeken=true")).into_response())
}
