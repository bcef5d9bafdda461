//! "Afspraken" (issue 8, R49): the person sees their appointments, books a free slot the practice
//! opened for online booking (the next 14 days), and cancels up to the practice's limit. A
//! representative may do so when their access covers appointments.

use super::{OpenRecord, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Europe::Amsterdam;
use inzage_domain::{
    Actor, Appointment, AppointmentId, AppointmentStatus, ItemMeta, PatientRecord, Section,
};
use inzage_store::{AgendaStore, AuditEvent, Channel, EventType, RecordStore, Slot};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::session::check_csrf;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/afspraken", get(page).post(submit))
}

/// How far ahead free slots are offered.
const DAYS_AHEAD: i64 = 14;
/// How many days with free slots one page lists.
const DAYS_SHOWN: usize = 5;

struct Mine {
    slot: String,
    when: String,
    what: String,
    can_cancel: bool,
}

struct Day {
    label: String,
    slots: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "appointments.html")]
struct AppointmentsPage {
    ctx: PageCtx,
    allowed: bool,
    mine: Vec<Mine>,
    days: Vec<Day>,
    cancel_hours: u32,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    geboekt: bool,
    #[serde(default)]
    afgezegd: bool,
}

fn allowed(open: &OpenRecord) -> WebResult<bool> {
    Ok(open.access()?.allows(Section::Appointments))
}

fn when(tr: &inzage_webkit::i18n::Tr, t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&Amsterdam);
    format!("{} {}", tr.date(local.date_naive()), local.format("%H:%M"))
}

/// This record's booked slots still to come.
async fn booked(open: &OpenRecord) -> WebResult<Vec<Slot>> {
    Ok(open
        .state()
        .store
        .slots_between(
            &open.record.practice.id,
            open.now,
            open.now + Duration::days(365),
        )
        .await?
        .into_iter()
        .filter(|s| s.patient.as_ref() == Some(&open.record.patient.id))
        .collect())
}

/// The overview's line for the next booked appointment.
pub(crate) async fn attention(
    open: &OpenRecord,
    tr: &inzage_webkit::i18n::Tr,
) -> WebResult<Vec<crate::Attention>> {
    if !allowed(open)? {
        return Ok(vec![]);
    }
    let mut mine = booked(open).await?;
    mine.sort_by_key(|s| s.starts_at);
    Ok(mine
        .first()
        .map(|s| crate::Attention {
            text: tr.ta(
                "attention-appointment",
                &[
                    ("date", when(tr, s.starts_at)),
                    ("name", s.practitioner.clone()),
                ],
            ),
            href: "/afspraken".into(),
        })
        .into_iter()
        .collect())
}

fn may_cancel(open: &OpenRecord, slot: &Slot) -> bool {
    slot.starts_at - open.now >= Duration::hours(i64::from(open.settings.cancel_until_hours_before))
}

async fn render(
    open: &OpenRecord,
    notice: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = open.ctx("/afspraken").await?;
    let allowed = allowed(open)?;
    let (mut mine, mut days) = (vec![], vec![]);
    if allowed {
        for s in booked(open).await? {
            mine.push(Mine {
                when: when(&ctx.tr, s.starts_at),
                what: format!("{} ({} min), {}", s.kind, s.minutes, s.practitioner),
                can_cancel: may_cancel(open, &s),
                slot: s.id,
            });
        }
        let free = open
            .state()
            .store
            .slots_between(
                &open.record.practice.id,
                open.now + Duration::minutes(30),
                open.now + Duration::days(DAYS_AHEAD),
            )
            .await?
            .into_iter()
            .filter(|s| s.online && s.patient.is_none());
        for s in free {
            let local = s.starts_at.with_timezone(&Amsterdam);
            let label = ctx.tr.date(local.date_naive());
            let text = format!(
                "{} · {} ({} min) · {}",
                local.format("%H:%M"),
                s.kind,
                s.minutes,
                s.practitioner
            );
            let full = days.len() == DAYS_SHOWN;
            match days.last_mut() {
                Some(Day { label: l, slots }) if *l == label => slots.push((s.id, text)),
                // A page of choices, not of everything: the first days with free times.
                _ if full => break,
                _ => days.push(Day {
                    label,
                    slots: vec![(s.id, text)],
                }),
            }
        }
    }
    let notice = notice.map(|k| ctx.tr.t(k));
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        AppointmentsPage {
            allowed,
            mine,
            days,
            cancel_hours: open.settings.cancel_until_hours_before,
            notice,
            error,
            ctx,
        },
    )
        .into_response())
}

async fn page(open: OpenRecord, Query(q): Query<PageQuery>) -> WebResult<Response> {
    open.audit(EventType::Read, "appointments").await?;
    let notice = if q.geboekt {
        Some("appt-booked")
    } else if q.afgezegd {
        Some("appt-cancelled")
    } else {
        None
    };
    render(&open, notice, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct AppointmentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    tijd: String,
}

fn audit(open: &OpenRecord, event: EventType, what: String) -> AuditEvent {
    AuditEvent {
        at: open.now,
        event,
        patient: Some(open.record.patient.id.clone()),
        user: open.login.subject.clone(),
        responsible_user: open.login.subject.clone(),
        role: open.role(),
        channel: Channel::Portal,
        request_id: format!("appointment-{}", open.now.timestamp_micros()),
        detail: format!("portal: {what}"),
    }
}

async fn submit(open: OpenRecord, Form(form): Form<AppointmentForm>) -> WebResult<Response> {
    check_csrf(&open.session, &form.csrf).await?;
    if !allowed(&open)? {
        return Err(WebError::Forbidden);
    }
    let state = open.state().clone();
    let Some(slot) = state.store.slot(&form.tijd).await? else {
        return render(&open, None, Some("appt-unknown"), StatusCode::BAD_REQUEST).await;
    };
    if slot.practice != open.record.practice.id {
        return render(&open, None, Some("appt-unknown"), StatusCode::BAD_REQUEST).await;
    }
    let _guard = state.edit_lock(&open.record.patient.id).await;
    let mut record: PatientRecord = state
        .store
        .load_record(&open.record.patient.id)
        .await?
        .ok_or(WebError::NoRecord)?;
    match form.actie.as_str() {
        "boeken" => {
            if !slot.online || slot.starts_at < open.now + Duration::minutes(30) {
                return render(
                    &open,
                    None,
                    Some("appt-not-bookable"),
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
            // A practice sets how many open bookings one patient may have online (R49).
            let limit = open.settings.max_open_online_bookings;
            if booked(&open).await?.len() >= limit as usize {
                return render(&open, None, Some("appt-limit"), StatusCode::BAD_REQUEST).await;
            }
            let id = format!("afspraak-{:016x}", rand::random::<u64>());
            record.appointments.push(Appointment {
                id: AppointmentId::new(id.clone()).map_err(|_| WebError::Invalid("id"))?,
                start: slot.starts_at,
                minutes: slot.minutes,
                practitioner: None,
                kind: format!("{} ({})", slot.kind, slot.practitioner),
                status: AppointmentStatus::Booked,
                meta: ItemMeta::new(Actor::System("portal".into()), open.now),
            });
            let entry = audit(&open, EventType::Create, format!("appointment {id} booked"));
            let booked = state
                .store
                .book_slot(
                    &slot.id,
                    true,
                    Some(limit),
                    &open.login.subject,
                    open.now,
                    &id,
                    (&record, entry),
                )
                .await?;
            if !booked {
                // Taken meanwhile, or another booking of this patient reached the limit first.
                let why = if self::booked(&open).await?.len() >= limit as usize {
                    "appt-limit"
                } else {
                    "appt-taken"
                };
                return render(&open, None, Some(why), StatusCode::CONFLICT).await;
            }
            notify_appointment(&state, &record, &id).await?;
            Ok(Redirect::to("/afspraken?geboekt=true").into_response())
        }
        "afzeggen" => {
            if slot.patient.as_ref() != Some(&open.record.patient.id) {
                return render(&open, None, Some("appt-unknown"), StatusCode::BAD_REQUEST).await;
            }
            if !may_cancel(&open, &slot) {
                return render(&open, None, Some("appt-too-late"), StatusCode::BAD_REQUEST).await;
            }
            if let Some(a) = record
                .appointments
                .iter_mut()
                .find(|a| Some(a.id.as_str()) == slot.appointment.as_deref())
            {
                a.status = AppointmentStatus::Cancelled;
                a.meta.updated_by = Actor::System("portal".into());
                a.meta.updated_at = open.now;
            }
            let what = format!(
                "appointment {} cancelled",
                slot.appointment.as_deref().unwrap_or("?")
            );
            let entry = audit(&open, EventType::Update, what);
            let cancelled = state
                .store
                .cancel_slot(&slot.id, &open.record.patient.id, (&record, entry))
                .await?;
            if !cancelled {
                return render(&open, None, Some("appt-unknown"), StatusCode::CONFLICT).await;
            }
            if let Some(id) = &slot.appointment {
                notify_appointment(&state, &record, id).await?;
            }
            Ok(Redirect::to("/afspraken?afgezegd=true").into_response())
        }
        _ => Err(WebError::Invalid("actie")),
    }
}

/// Everyone who can see this appointment and wants such notices gets one (the person who
/// booked, too: a confirmation without content).
async fn notify_appointment(
    state: &inzage_webkit::AppState,
    record: &PatientRecord,
    appointment: &str,
) -> WebResult<()> {
    inzage_webkit::notify::notify_record(
        state,
        record,
        inzage_store::NoticeKind::Appointment,
        None,
        |view| {
            view.appointments
                .iter()
                .any(|a| a.id.as_str() == appointment)
        },
    )
    .await
}
