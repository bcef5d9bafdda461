//! The practice's agenda (issue 8, R49): the day schedule with who booked which slot, and adding
//! a row of slots (date, first time, number, length, kind, who, open for online booking).

use super::Staff;
use super::roles::Action;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use inzage_domain::time::{local_date, start_of_local_day};
use inzage_store::{AgendaStore, RecordStore, Slot};
use inzage_webkit::AppState;
use inzage_webkit::error::WebResult;
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

pub fn router() -> Router<AppState> {
    Router::new().route("/praktijk/agenda", get(page).post(add))
}

/// At most this many slots in one row.
const MAX_SLOTS: u32 = 60;

struct Row {
    time: String,
    minutes: u32,
    kind: String,
    practitioner: String,
    online: bool,
    patient: Option<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_agenda.html")]
struct AgendaPage {
    ctx: PageCtx,
    day: String,
    day_label: String,
    previous: String,
    next: String,
    rows: Vec<Row>,
    can_add: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct DayQuery {
    #[serde(default)]
    dag: String,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    session: &Session,
    day: NaiveDate,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    staff.require(Action::ViewAgenda)?;
    let ctx = staff.ctx(session, "/praktijk/agenda").await?;
    let from = start_of_local_day(day);
    let to = start_of_local_day(day + Duration::days(1));
    let mut rows = vec![];
    for s in state.store.slots_between(&staff.practice, from, to).await? {
        let patient = match &s.patient {
            Some(p) => match state.store.load_record(p).await? {
                Some(r) => {
                    // The schedule names the patient: a read of their record, audited.
                    staff.audit_read(state, p, "day schedule").await?;
                    Some((p.to_string(), r.patient.name.display()))
                }
                None => None,
            },
            None => None,
        };
        rows.push(Row {
            time: s
                .starts_at
                .with_timezone(&chrono_tz::Europe::Amsterdam)
                .format("%H:%M")
                .to_string(),
            minutes: s.minutes,
            kind: s.kind,
            practitioner: s.practitioner,
            online: s.online,
            patient,
        });
    }
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        AgendaPage {
            day: day.format("%Y-%m-%d").to_string(),
            day_label: ctx.tr.date(day),
            previous: (day - Duration::days(1)).format("%Y-%m-%d").to_string(),
            next: (day + Duration::days(1)).format("%Y-%m-%d").to_string(),
            rows,
            can_add: super::roles::allowed(staff.role, Action::ManageAgenda),
            error,
            ctx,
        },
    )
        .into_response())
}

async fn page(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    Query(q): Query<DayQuery>,
) -> WebResult<Response> {
    let day =
        NaiveDate::parse_from_str(&q.dag, "%Y-%m-%d").unwrap_or_else(|_| local_date(state.now()));
    render(&state, &staff, &session, day, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    dag: String,
    #[serde(default)]
    van: String,
    #[serde(default)]
    aantal: String,
    #[serde(default)]
    minuten: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    behandelaar: String,
    #[serde(default)]
    online: Option<String>,
}

async fn add(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    Form(form): Form<AddForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    staff.require(Action::ManageAgenda)?;
    let today = local_date(state.now());
    let day = NaiveDate::parse_from_str(form.dag.trim(), "%Y-%m-%d").ok();
    let refuse = |key| {
        render(
            &state,
            &staff,
            &session,
            day.unwrap_or(today),
            Some(key),
            StatusCode::BAD_REQUEST,
        )
    };
    let (Some(day), Some(first), Some(count), Some(minutes)) = (
        day,
        NaiveTime::parse_from_str(form.van.trim(), "%H:%M").ok(),
        form.aantal
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_SLOTS).contains(n)),
        form.minuten
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|m| (5..=120).contains(m)),
    ) else {
        return refuse("agenda-invalid").await;
    };
    let (kind, who) = (form.soort.trim(), form.behandelaar.trim());
    if kind.is_empty() || who.is_empty() || kind.chars().count() > 100 || who.chars().count() > 100
    {
        return refuse("agenda-invalid").await;
    }
    if day < today {
        return refuse("agenda-past").await;
    }
    let first = day.and_time(first);
    let mut slots: Vec<Slot> = vec![];
    for i in 0..count {
        // Wall-clock time in the practice's time zone (a DST change day included).
        let local = first + Duration::minutes(i64::from(i * minutes));
        let Some(starts_at) = Amsterdam
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
        else {
            return refuse("agenda-invalid").await;
        };
        slots.push(Slot {
            id: format!("slot-{:016x}", rand::random::<u64>()),
            practice: staff.practice.clone(),
            practitioner: who.to_owned(),
            starts_at,
            minutes,
            kind: kind.to_owned(),
            online: form.online.is_some(),
            patient: None,
            booked_by: None,
            booked_at: None,
            appointment: None,
        });
    }
    if slots.iter().any(|s| local_date(s.starts_at) != day) {
        return refuse("agenda-invalid").await;
    }
    state.store.add_slots(&slots).await?;
    Ok(Redirect::to(&format!("/praktijk/agenda?dag={}", day.format("%Y-%m-%d"))).into_response())
}
