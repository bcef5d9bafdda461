//! The locum's reports of contacts (waarneemberichten, issue 20): a huisartsenpost's system sent
//! them (`inzage_exchange`, `POST /uitwisseling/fhir/Composition`); they wait here until a GP
//! files each into the patient's record as an out-of-hours contact with its SOEP lines, marked as
//! coming from the huisartsenpost and the locum, optionally under an existing episode.

use super::entry::until_fresh;
use super::roles::Action;
use super::{Staff, StaffRecord};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use inzage_domain::EpisodeId;
use inzage_domain::exchange::{LOCUM_CONTACT_TYPES, file_locum_report};
use inzage_store::{EventType, ExchangeStore, RecordStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

pub const PATH: &str = "/praktijk/waarneemberichten";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijk/waarneemberichten", get(queue))
        .route(
            "/praktijk/patienten/{id}/waarneemberichten/{report}",
            post(file),
        )
}

struct Line {
    soep: &'static str,
    text: String,
    icpc: String,
}

struct Row {
    id: String,
    patient_id: String,
    patient: String,
    from: String,
    date: String,
    received: String,
    lines: Vec<Line>,
    episodes: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_reports.html")]
struct QueuePage {
    ctx: PageCtx,
    rows: Vec<Row>,
    contact_types: Vec<(String, String)>,
    done: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct QueueQuery {
    #[serde(default)]
    opgenomen: bool,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    session: &Session,
    done: bool,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    staff.require(Action::FileLocumReports)?;
    let ctx = staff.ctx(session, PATH).await?;
    let waiting = state.store.reports_to_file(&staff.practice).await?;
    let records = staff
        .records_for_queue(
            state,
            waiting.iter().map(|x| &x.patient),
            "locum report queue",
        )
        .await?;
    let tr = &ctx.tr;
    let mut rows = vec![];
    for r in waiting {
        let Some((_, record)) = records.iter().find(|(p, _)| *p == r.patient) else {
            continue;
        };
        rows.push(Row {
            id: r.id.clone(),
            patient_id: r.patient.to_string(),
            patient: record.patient.name.display(),
            from: format!("{} ({})", r.client_name, r.report.locum),
            date: tr.date(r.report.date),
            received: inzage_webkit::requests::when(&ctx, r.received_at),
            lines: r
                .report
                .lines
                .iter()
                .map(|l| Line {
                    soep: l.soep.letter(),
                    text: l.text.clone(),
                    icpc: l.icpc.as_ref().map(|c| c.to_string()).unwrap_or_default(),
                })
                .collect(),
            episodes: record
                .episodes
                .iter()
                .filter(|e| e.end.is_none())
                .map(|e| (e.id.to_string(), e.title.clone()))
                .collect(),
        });
    }
    let contact_types = LOCUM_CONTACT_TYPES
        .iter()
        .filter_map(|c| {
            let t = inzage_domain::codes::ContactType::parse(c).ok()?;
            Some(((*c).to_owned(), t.display_nl()?.to_owned()))
        })
        .collect();
    let error = error.map(|k| tr.t(k));
    Ok((
        status,
        QueuePage {
            ctx,
            rows,
            contact_types,
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
    render(&state, &staff, &session, q.opgenomen, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct FileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    episode: String,
}

async fn file(
    rec: StaffRecord,
    Path((_, report)): Path<(String, String)>,
    Form(form): Form<FileForm>,
) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::FileLocumReports)?;
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
    let patient = rec.record.patient.id.clone();
    let Some(waiting) = rec
        .state
        .store
        .reports_to_file(&rec.staff.practice)
        .await?
        .into_iter()
        .find(|r| r.id == report && r.patient == patient)
    else {
        return refuse("block-gone", StatusCode::CONFLICT).await;
    };
    let episode = match form.episode.as_str() {
        "" => None,
        e => Some(EpisodeId::new(e).map_err(|_| WebError::Invalid("episode"))?),
    };
    let now = rec.state.now();
    let by = super::entry::author(&rec.staff, now)?.actor();
    let filed = until_fresh!(async {
        let mut record = rec
            .state
            .store
            .load_record(&patient)
            .await?
            .ok_or(WebError::NotFound)?;
        let Ok(contact) = file_locum_report(
            &mut record,
            &waiting.report,
            &waiting.client_name,
            &form.soort,
            episode.clone(),
            by.clone(),
            now,
            &mut |k| super::entry::new_id(k),
        ) else {
            return Ok(None);
        };
        let audit = rec.staff.audit_event(
            now,
            EventType::Create,
            Some(patient.clone()),
            format!("practice: locum report {report} filed as contact {contact}"),
        );
        Ok::<_, WebError>(Some(
            rec.state
                .store
                .file_report(
                    &rec.staff.practice,
                    &report,
                    &record,
                    contact.as_str(),
                    &format!("staff:{}", rec.staff.username),
                    now,
                    audit,
                )
                .await?,
        ))
    })?;
    let Some(filed) = filed else {
        return refuse("report-cannot-file", StatusCode::BAD_REQUEST).await;
    };
    if !filed {
        return refuse("block-gone", StatusCode::CONFLICT).await;
    }
    Ok(Redirect::to(&format!("{PATH}?opgenomen=true")).into_response())
}
