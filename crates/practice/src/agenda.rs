//! The practice's agenda (issue 8, R49): the day schedule with who booked which slot, why and
//! how (at the practice, by phone, by video); adding a row of slots (date, first time, number,
//! length, kind, who, open for online booking); and booking a free slot for a caller, opened
//! from the patient's record (`?patient=`, issue 18 item 4).

use super::Staff;
use super::roles::Action;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use inzage_domain::time::{local_date, start_of_local_day};
use inzage_domain::{
    Actor, AppointmentId, AppointmentMode, MAX_APPOINTMENT_REASON, PatientId, PractitionerId,
};
use inzage_store::{AgendaStore, EventType, RecordStore, Slot};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijk/agenda", get(page).post(add))
        .route("/praktijk/agenda/boeken", axum::routing::post(book))
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
    /// "Telefonisch · Uitslag bespreken: ..." for a booked slot.
    how: String,
    slot: String,
    /// Free, and in the future: staff may book it for the caller.
    bookable: bool,
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
    /// Booking for this caller: (patient id, name).
    for_patient: Option<(String, String)>,

    modes: Vec<(&'static str, String)>,
    max_reason: usize,
    error: Option<String>,
}

#[derive(Deserialize)]
struct DayQuery {
    #[serde(default)]
    dag: String,
    #[serde(default)]
    patient: String,
}

fn mode_label(tr: &inzage_webkit::i18n::Tr, m: AppointmentMode) -> String {
    tr.t(match m {
        AppointmentMode::Visit => "appt-mode-visit",
        AppointmentMode::Phone => "appt-mode-phone",
        AppointmentMode::Video => "appt-mode-video",
    })
}

async fn render(
    state: &AppState,
    staff: &Staff,
    session: &Session,
    day: NaiveDate,
    for_patient: Option<PatientId>,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    staff.require(Action::ViewAgenda)?;
    let ctx = staff.ctx(session, "/praktijk/agenda").await?;
    let tr = &ctx.tr;
    let from = start_of_local_day(day);
    let to = start_of_local_day(day + Duration::days(1));
    let can_book = super::roles::allowed(staff.role, Action::ManageAgenda);
    // The caller to book for: a patient of this practice, named on the page (a read, audited).
    let for_patient = match for_patient.filter(|_| can_book) {
        Some(p) => match state.store.load_record(&p).await? {
            Some(r) if r.practice.id == staff.practice => {
                staff
                    .audit_read(state, &p, "agenda, booking for the patient")
                    .await?;
                Some((p.to_string(), r.patient.name.display()))
            }
            _ => None,
        },
        None => None,
    };
    let now = state.now();
    let mut rows = vec![];
    for s in state.store.slots_between(&staff.practice, from, to).await? {
        let mut how = String::new();
        let patient = match &s.patient {
            Some(p) => match state.store.load_record(p).await? {
                Some(r) => {
                    // The schedule names the patient: a read of their record, audited.
                    staff.audit_read(state, p, "day schedule").await?;
                    if let Some(a) = r
                        .appointments
                        .iter()
                        .find(|a| Some(a.id.as_str()) == s.appointment.as_deref())
                    {
                        how = [a.mode.map(|m| mode_label(tr, m)), a.reason.clone()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" · ");
                    }
                    Some((p.to_string(), r.patient.name.display()))
                }
                None => None,
            },
            None => None,
        };
        rows.push(Row {
            how,
            slot: s.id.clone(),
            bookable: s.patient.is_none() && s.starts_at > now,
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
            can_add: can_book,
            for_patient,
            modes: AppointmentMode::ALL
                .iter()
                .map(|m| (m.slug(), mode_label(&ctx.tr, *m)))
                .collect(),
            max_reason: MAX_APPOINTMENT_REASON,
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
    let patient = PatientId::new(q.patient).ok();
    render(&state, &staff, &session, day, patient, None, StatusCode::OK).await
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
            None,
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

#[derive(Deserialize)]
struct BookForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    tijd: String,
    #[serde(default)]
    patient: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    reden: String,
}

/// An assistant books a free slot (online or not) for a caller, with why and how; the
/// appointment goes into the patient's record in the same transaction.
async fn book(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    Form(form): Form<BookForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    staff.require(Action::ManageAgenda)?;
    let patient = PatientId::new(form.patient.clone()).map_err(|_| WebError::NotFound)?;
    let Some(slot) = state.store.slot(&form.tijd).await? else {
        return Err(WebError::NotFound);
    };
    let day = local_date(slot.starts_at);
    let refuse = |key| {
        render(
            &state,
            &staff,
            &session,
            day,
            Some(patient.clone()),
            Some(key),
            StatusCode::BAD_REQUEST,
        )
    };
    if slot.practice != staff.practice {
        return Err(WebError::NotFound);
    }
    let reason = form.reden.trim();
    let Some(mode) = AppointmentMode::parse(&form.soort) else {
        return refuse("agenda-book-invalid").await;
    };
    if reason.is_empty() || reason.chars().count() > MAX_APPOINTMENT_REASON {
        return refuse("agenda-book-invalid").await;
    }
    if slot.patient.is_some() || slot.starts_at <= state.now() {
        return refuse("appt-taken").await;
    }
    let Some(mut record) = state.store.load_record(&patient).await? else {
        return Err(WebError::NotFound);
    };
    if record.practice.id != staff.practice {
        return Err(WebError::NotFound);
    }
    let id = format!("afspraak-{:016x}", rand::random::<u64>());
    let actor = PractitionerId::new(format!("staff-{}", staff.username))
        .map(Actor::Staff)
        .map_err(|_| WebError::Invalid("staff id"))?;
    record.appointments.push(slot.appointment(
        AppointmentId::new(id.clone()).map_err(|_| WebError::Invalid("id"))?,
        Some(reason.to_owned()),
        Some(mode),
        actor,
        state.now(),
    ));
    let entry = staff.audit_event(
        state.now(),
        EventType::Create,
        Some(patient.clone()),
        format!("practice: appointment {id} booked for the patient"),
    );
    let booked = state
        .store
        .book_slot(
            &slot.id,
            false,
            None,
            &format!("staff:{}", staff.username),
            state.now(),
            &id,
            (&record, entry),
        )
        .await?;
    if !booked {
        return refuse("appt-taken").await;
    }
    Ok(Redirect::to(&format!("/praktijk/agenda?dag={}", day.format("%Y-%m-%d"))).into_response())
}
