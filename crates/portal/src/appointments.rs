//! "Afspraken" (issue 8, R49): the person sees their appointments, books a free slot the practice
//! opened for online booking (the next 14 days), and cancels up to the practice's limit. A
//! representative may do so when their access covers appointments.

use super::{OpenRecord, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Europe::Amsterdam;
use inzage_domain::{
    Actor, AppointmentId, AppointmentMode, AppointmentStatus, MAX_APPOINTMENT_REASON,
    PatientRecord, Section,
};
use inzage_store::{AgendaStore, AuditEvent, Channel, EventType, Slot};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
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
    /// "Telefonisch · Uitslag bespreken".
    how: String,
    can_cancel: bool,
}

/// The free times of one day, per practitioner.
struct Day {
    label: String,
    /// (practitioner, [(slot id, "10:00 (10 min)")]).
    groups: Vec<(String, Vec<(String, String)>)>,
}

/// Why and how, chosen before a time (issue 18, item 4); carried through the steps.
#[derive(Default)]
struct Chosen {
    reason: String,
    mode: String,
    text: String,
}

/// The booking to confirm.
struct Confirm {
    slot: String,
    when: String,
    who: String,
    minutes: u32,
    how: String,
}

/// The reasons a patient picks from: (form value, text).
const REASONS: [(&str, &str); 6] = [
    ("klacht", "appt-reason-complaint"),
    ("controle", "appt-reason-checkup"),
    ("uitslag", "appt-reason-result"),
    ("medicijnen", "appt-reason-medicines"),
    ("dossier", "appt-reason-record"),
    ("anders", "appt-reason-other"),
];

#[derive(Template, WebTemplate)]
#[template(path = "appointments.html")]
struct AppointmentsPage {
    ctx: PageCtx,
    allowed: bool,
    mine: Vec<Mine>,
    /// Step 1: why and how.
    reasons: Vec<(&'static str, String, bool)>,
    modes: Vec<(&'static str, String, bool)>,
    chosen: Chosen,
    /// Step 2: free times (only once why and how are chosen).
    choosing_time: bool,
    days: Vec<Day>,
    /// Step 3: the booking to confirm.
    confirm: Option<Confirm>,
    /// Cancelling: the appointment to confirm.
    cancel: Option<Mine>,
    cancel_hours: u32,
    max_reason: usize,
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

fn mode_label(tr: &inzage_webkit::i18n::Tr, m: AppointmentMode) -> String {
    tr.t(match m {
        AppointmentMode::Visit => "appt-mode-visit",
        AppointmentMode::Phone => "appt-mode-phone",
        AppointmentMode::Video => "appt-mode-video",
    })
}

/// The reason as stored and shown to the practice: the chosen reason in Dutch (the practice's
/// language), with the person's own words after it.
fn reason_text(chosen: &Chosen) -> Option<String> {
    let key = REASONS.iter().find(|(v, _)| *v == chosen.reason)?.1;
    let label = inzage_webkit::i18n::Tr::new("nl").t(key);
    let text = chosen.text.trim();
    Some(if text.is_empty() {
        label
    } else {
        format!("{label}: {text}")
    })
}

/// Why and how are chosen and valid.
fn valid(chosen: &Chosen) -> bool {
    AppointmentMode::parse(&chosen.mode).is_some()
        && REASONS.iter().any(|(v, _)| *v == chosen.reason)
        && chosen.text.trim().chars().count() <= MAX_APPOINTMENT_REASON
}

/// What the page shows besides the step: the person's appointments.
enum Step<'a> {
    Start,
    Times,
    Confirm(&'a Slot),
    Cancel(&'a Slot),
}

async fn render(
    open: &OpenRecord,
    step: Step<'_>,
    chosen: Chosen,
    notice: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = open.ctx("/afspraken").await?;
    let tr = &ctx.tr;
    let allowed = allowed(open)?;
    let (mut mine, mut days) = (vec![], vec![]);
    let mut cancel = None;
    if allowed {
        for s in booked(open).await? {
            let appointment = open
                .record
                .appointments
                .iter()
                .find(|a| Some(a.id.as_str()) == s.appointment.as_deref());
            let how = appointment
                .map(|a| {
                    [a.mode.map(|m| mode_label(tr, m)), a.reason.clone()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" · ")
                })
                .unwrap_or_default();
            let row = Mine {
                when: when(tr, s.starts_at),
                what: format!("{} ({} min), {}", s.kind, s.minutes, s.practitioner),
                how,
                can_cancel: may_cancel(open, &s),
                slot: s.id.clone(),
            };
            if matches!(step, Step::Cancel(c) if c.id == s.id) {
                cancel = Some(Mine {
                    slot: row.slot.clone(),
                    when: row.when.clone(),
                    what: row.what.clone(),
                    how: row.how.clone(),
                    can_cancel: row.can_cancel,
                });
            }
            mine.push(row);
        }
        if matches!(step, Step::Times) {
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
                let label = tr.day(local.date_naive());
                let time = format!("{} ({} min)", local.format("%H:%M"), s.minutes);
                let full = days.len() == DAYS_SHOWN;
                match days.last_mut() {
                    Some(Day { label: l, groups }) if *l == label => {
                        match groups.iter_mut().find(|(who, _)| *who == s.practitioner) {
                            Some((_, times)) => times.push((s.id, time)),
                            None => groups.push((s.practitioner, vec![(s.id, time)])),
                        }
                    }
                    // A page of choices, not of everything: the first days with free times.
                    _ if full => break,
                    _ => days.push(Day {
                        label,
                        groups: vec![(s.practitioner, vec![(s.id, time)])],
                    }),
                }
            }
        }
    }
    let confirm = match step {
        Step::Confirm(s) => Some(Confirm {
            slot: s.id.clone(),
            when: {
                let local = s.starts_at.with_timezone(&Amsterdam);
                format!("{} {}", tr.day(local.date_naive()), local.format("%H:%M"))
            },
            who: s.practitioner.clone(),
            minutes: s.minutes,
            how: [
                AppointmentMode::parse(&chosen.mode).map(|m| mode_label(tr, m)),
                REASONS
                    .iter()
                    .find(|(v, _)| *v == chosen.reason)
                    .map(|(_, k)| tr.t(k)),
                Some(chosen.text.trim().to_owned()).filter(|t| !t.is_empty()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
        }),
        _ => None,
    };
    let reasons = REASONS
        .iter()
        .map(|(v, k)| (*v, tr.t(k), *v == chosen.reason))
        .collect();
    let modes = AppointmentMode::ALL
        .iter()
        .map(|m| (m.slug(), mode_label(tr, *m), m.slug() == chosen.mode))
        .collect();
    let notice = notice.map(|k| tr.t(k));
    let error = error.map(|k| tr.t(k));
    Ok((
        status,
        AppointmentsPage {
            allowed,
            mine,
            reasons,
            modes,
            choosing_time: matches!(step, Step::Times),
            chosen,
            days,
            confirm,
            cancel,
            cancel_hours: open.settings.cancel_until_hours_before,
            max_reason: MAX_APPOINTMENT_REASON,
            notice,
            error,
            ctx,
        },
    )
        .into_response())
}

/// The page again at `step`, with what went wrong.
async fn refuse(
    open: &OpenRecord,
    step: Step<'_>,
    chosen: Chosen,
    error: &str,
    status: StatusCode,
) -> WebResult<Response> {
    render(open, step, chosen, None, Some(error), status).await
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
    render(
        &open,
        Step::Start,
        Chosen::default(),
        notice,
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct AppointmentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    tijd: String,
    #[serde(default)]
    reden: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    toelichting: String,
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
    let chosen = Chosen {
        reason: form.reden.clone(),
        mode: form.soort.clone(),
        text: form.toelichting.clone(),
    };
    // Step 1 -> 2: why and how first, then the free times.
    if form.actie == "kiezen" {
        return if valid(&chosen) {
            render(&open, Step::Times, chosen, None, None, StatusCode::OK).await
        } else {
            refuse(
                &open,
                Step::Start,
                chosen,
                "appt-choose-first",
                StatusCode::BAD_REQUEST,
            )
            .await
        };
    }
    let state = open.state().clone();
    let Some(slot) = state.store.slot(&form.tijd).await? else {
        return refuse(
            &open,
            Step::Start,
            chosen,
            "appt-unknown",
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    if slot.practice != open.record.practice.id {
        return refuse(
            &open,
            Step::Start,
            chosen,
            "appt-unknown",
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let bookable = |slot: &Slot| slot.online && slot.starts_at >= open.now + Duration::minutes(30);
    match form.actie.as_str() {
        // Step 2 -> 3: the chosen time, to confirm.
        "tijd" => {
            if !valid(&chosen) {
                return refuse(
                    &open,
                    Step::Start,
                    chosen,
                    "appt-choose-first",
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
            if !bookable(&slot) || slot.patient.is_some() {
                return refuse(
                    &open,
                    Step::Times,
                    chosen,
                    "appt-taken",
                    StatusCode::CONFLICT,
                )
                .await;
            }
            render(
                &open,
                Step::Confirm(&slot),
                chosen,
                None,
                None,
                StatusCode::OK,
            )
            .await
        }
        "boeken" => {
            if !valid(&chosen) {
                return refuse(
                    &open,
                    Step::Start,
                    chosen,
                    "appt-choose-first",
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
            if !bookable(&slot) {
                return refuse(
                    &open,
                    Step::Times,
                    chosen,
                    "appt-not-bookable",
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
            let mut record: PatientRecord = open.stored_record().await?;
            // A practice sets how many open bookings one patient may have online (R49).
            let limit = open.settings.max_open_online_bookings;
            if booked(&open).await?.len() >= limit as usize {
                return refuse(
                    &open,
                    Step::Start,
                    chosen,
                    "appt-limit",
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
            let id = format!("afspraak-{:016x}", rand::random::<u64>());
            record.appointments.push(slot.appointment(
                AppointmentId::new(id.clone()).map_err(|_| WebError::Invalid("id"))?,
                reason_text(&chosen),
                AppointmentMode::parse(&chosen.mode),
                Actor::System("portal".into()),
                open.now,
            ));
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
                return refuse(&open, Step::Times, chosen, why, StatusCode::CONFLICT).await;
            }
            notify_appointment(&state, &record, &id).await?;
            Ok(Redirect::to("/afspraken?geboekt=true").into_response())
        }
        // Cancelling asks first.
        "afzeggen-vraag" | "afzeggen" => {
            if slot.patient.as_ref() != Some(&open.record.patient.id) {
                return refuse(
                    &open,
                    Step::Start,
                    chosen,
                    "appt-unknown",
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
            if !may_cancel(&open, &slot) {
                return refuse(
                    &open,
                    Step::Start,
                    chosen,
                    "appt-too-late",
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
            if form.actie == "afzeggen-vraag" {
                return render(
                    &open,
                    Step::Cancel(&slot),
                    chosen,
                    None,
                    None,
                    StatusCode::OK,
                )
                .await;
            }
            let mut record: PatientRecord = open.stored_record().await?;
            if let Some(a) = record
                .appointments
                .iter_mut()
                .find(|a| Some(a.id.as_str()) == slot.appointment.as_deref())
            {
                a.status = AppointmentStatus::Cancelled;
                a.meta.set_updated(Actor::System("portal".into()), open.now);
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
                return refuse(
                    &open,
                    Step::Start,
                    chosen,
                    "appt-unknown",
                    StatusCode::CONFLICT,
                )
                .await;
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
