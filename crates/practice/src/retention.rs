//! The record's life cycle at the practice (issue 20 part 5, R107, R108, R111;
//! `docs/retention.md`): records whose 20-year term has ended, reported by the daily sweep
//! (`sweep`), wait here for a GP, who destroys one or keeps it longer with a reason and a date;
//! patients' requests to destroy their record or parts of it wait here too, with the date by
//! which they must be carried out (three months), and are carried out or refused with the legal
//! reason the patient reads. Nothing is destroyed without such a decision, and every
//! destruction is kept (what, why, who, when; never content).

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
use chrono::{DateTime, NaiveDate, Utc};
use inzage_domain::retention::{RECORD_YEARS, destroy_items, destruction_deadline, kept_until};
use inzage_domain::time::{local_date, months_before, start_of_local_day};
use inzage_domain::visibility::{ItemKind, ItemRef, PatientView};
use inzage_store::{
    Destruction, DestructionBasis, DestructionRequestStore, EventType, RecordStore, RetentionStore,
    Store, StoreError,
};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

pub const PATH: &str = "/praktijk/bewaartermijn";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijk/bewaartermijn", get(page))
        .route("/praktijk/patienten/{id}/bewaartermijn", post(decide_term))
        .route(
            "/praktijk/patienten/{id}/vernietiging/{request}",
            post(decide_request),
        )
}

/// Records whose last medical change was before this moment have reached the end of their term
/// at `now`: a change on a day before the same calendar day 20 years ago (the anniversary itself
/// is the last day of the term, `retention::kept_until`).
pub fn cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    start_of_local_day(months_before(local_date(now), 12 * RECORD_YEARS))
}

/// The daily sweep (`inzage serve`, once per turn across instances): reports the records whose
/// term ended; deletes nothing. Answers how many were newly reported.
pub async fn sweep(store: &Store, now: DateTime<Utc>) -> Result<u64, StoreError> {
    store
        .sweep_retention(cutoff(now), local_date(now), now)
        .await
}

/// The items of a request's scope ("episode:ep1,letter:l2"), or `None` for the whole record.
fn scope_items(scope: &str) -> Option<Vec<ItemRef>> {
    if scope == "record" {
        return None;
    }
    Some(
        scope
            .split(',')
            .filter_map(|part| {
                let (kind, id) = part.split_once(':')?;
                let kind =
                    serde_json::from_value::<ItemKind>(serde_json::Value::String(kind.into()))
                        .ok()?;
                Some(ItemRef {
                    kind,
                    id: id.to_owned(),
                })
            })
            .collect(),
    )
}

struct DueRow {
    patient_id: String,
    patient: String,
    last_change: String,
    kept_until: String,
    found: String,
}

struct RequestRow {
    id: String,
    patient_id: String,
    patient: String,
    what: String,
    asked: String,
    deadline: String,
    overdue: bool,
    remark: String,
}

struct DoneRow {
    when: String,
    basis: String,
    scope: String,
    by: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_retention.html")]
struct RetentionPage {
    ctx: PageCtx,
    due: Vec<DueRow>,
    requests: Vec<RequestRow>,
    done: Vec<DoneRow>,
    saved: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    verwerkt: bool,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    session: &Session,
    saved: bool,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    staff.require(Action::DecideRetention)?;
    let ctx = staff.ctx(session, PATH).await?;
    let now = state.now();
    let today = local_date(now);
    let tr = &ctx.tr;
    let due = state
        .store
        .retention_due(&staff.practice, cutoff(now))
        .await?
        .into_iter()
        .map(|d| DueRow {
            patient_id: d.patient.to_string(),
            patient: format!("{} ({})", d.family_name, d.birth_date),
            last_change: tr.date(local_date(d.last_change)),
            kept_until: tr.date(kept_until(d.last_change)),
            found: tr.date(local_date(d.found_at)),
        })
        .collect();
    let waiting = state.store.waiting_destructions(&staff.practice).await?;
    let records = staff
        .records_for_queue(
            state,
            waiting.iter().map(|x| &x.patient),
            "destruction request queue",
        )
        .await?;
    let mut requests = vec![];
    for w in waiting {
        let Some((_, record)) = records.iter().find(|(p, _)| *p == w.patient) else {
            continue;
        };
        let whole = PatientView::whole(record, today);
        let what = match scope_items(&w.scope) {
            None => tr.t("retention-whole-record"),
            Some(items) => items
                .iter()
                .map(|i| {
                    whole
                        .title_of(i)
                        .map(|t| format!("{}: {t}", i.kind.name_nl()))
                        .unwrap_or_else(|| tr.t("sharing-block-item-gone"))
                })
                .collect::<Vec<_>>()
                .join("; "),
        };
        let deadline = destruction_deadline(w.requested_at);
        requests.push(RequestRow {
            id: w.id.clone(),
            patient_id: w.patient.to_string(),
            patient: record.patient.name.display(),
            what,
            asked: tr.date(local_date(w.requested_at)),
            deadline: tr.date(deadline),
            overdue: today > deadline,
            remark: w.remark.clone(),
        });
    }
    let done = state
        .store
        .destructions(&staff.practice)
        .await?
        .into_iter()
        .take(50)
        .map(|d| DoneRow {
            when: tr.date(local_date(d.decided_at)),
            basis: tr.t(match d.basis {
                DestructionBasis::Term => "retention-basis-term",
                DestructionBasis::Request => "retention-basis-request",
            }),
            scope: if d.scope == "record" {
                tr.t("retention-whole-record")
            } else {
                tr.tc("retention-items", d.scope.split(',').count(), &[])
            },
            by: d
                .decided_by
                .strip_prefix("staff:")
                .unwrap_or(&d.decided_by)
                .to_owned(),
        })
        .collect();
    let error = error.map(|k| tr.t(k));
    Ok((
        status,
        RetentionPage {
            due,
            requests,
            done,
            saved,
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
    Query(q): Query<PageQuery>,
) -> WebResult<Response> {
    render(&state, &staff, &session, q.verwerkt, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct TermForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    gecontroleerd: String,
    #[serde(default)]
    tot: String,
    #[serde(default)]
    reden: String,
}

/// A reported record: destroyed, or kept longer with a date and a reason.
async fn decide_term(rec: StaffRecord, Form(form): Form<TermForm>) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::DecideRetention)?;
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
    let now = rec.state.now();
    let patient = rec.record.patient.id.clone();
    let practice = rec.staff.practice.clone();
    let by = format!("staff:{}", rec.staff.username);
    // Only a record the sweep reported and that is still due.
    let due = rec
        .state
        .store
        .retention_due(&practice, cutoff(now))
        .await?
        .iter()
        .any(|d| d.patient == patient);
    if !due {
        return refuse("retention-not-due", StatusCode::CONFLICT).await;
    }
    let done = match form.actie.as_str() {
        "vernietigen" => {
            if form.gecontroleerd != "ja" {
                return refuse("retention-confirm", StatusCode::BAD_REQUEST).await;
            }
            let audit = rec.staff.audit_event(
                now,
                EventType::Delete,
                Some(patient.clone()),
                "practice: record destroyed after its retention term".into(),
            );
            let d = Destruction {
                id: format!("term-{}-{:012x}", patient, rand::random::<u64>() >> 16),
                patient: patient.clone(),
                practice,
                basis: DestructionBasis::Term,
                scope: "record".into(),
                requested_at: None,
                decided_by: by,
                decided_at: now,
            };
            rec.state
                .store
                .destroy_record(&d, Some(cutoff(now)), audit)
                .await?
        }
        "bewaren" => {
            let Ok(until) = NaiveDate::parse_from_str(form.tot.trim(), "%Y-%m-%d") else {
                return refuse("retention-date", StatusCode::BAD_REQUEST).await;
            };
            let reason = form.reden.trim();
            if until <= local_date(now) || reason.is_empty() || reason.chars().count() > 500 {
                return refuse("retention-keep-needs", StatusCode::BAD_REQUEST).await;
            }
            let audit = rec.staff.audit_event(
                now,
                EventType::Update,
                Some(patient.clone()),
                format!("practice: record kept beyond its retention term, until {until}"),
            );
            rec.state
                .store
                .keep_longer(&practice, &patient, until, reason, &by, now, audit)
                .await?
        }
        _ => return Err(WebError::Invalid("actie")),
    };
    if !done {
        return refuse("retention-not-due", StatusCode::CONFLICT).await;
    }
    Ok(Redirect::to(&format!("{PATH}?verwerkt=true")).into_response())
}

#[derive(Deserialize)]
struct RequestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    grond: String,
    #[serde(default)]
    toelichting: String,
}

/// The legal grounds to refuse (WGBO 7:455 lid 2, KNMG; §L items 33-35), as the patient reads them.
const GROUNDS: [&str; 3] = ["belang-ander", "wet", "procedure"];

async fn decide_request(
    rec: StaffRecord,
    Path((_, request)): Path<(String, String)>,
    Form(form): Form<RequestForm>,
) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::DecideRetention)?;
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
    let now = rec.state.now();
    let patient = rec.record.patient.id.clone();
    let by = format!("staff:{}", rec.staff.username);
    let Some(waiting) = rec
        .state
        .store
        .destruction_requests(&patient)
        .await?
        .into_iter()
        .find(|r| r.id == request && r.status == "requested")
    else {
        return refuse("block-gone", StatusCode::CONFLICT).await;
    };
    let done = match form.actie.as_str() {
        "weigeren" => {
            let text = form.toelichting.trim();
            if !GROUNDS.contains(&form.grond.as_str())
                || text.is_empty()
                || text.chars().count() > 1000
            {
                return refuse("retention-refuse-needs", StatusCode::BAD_REQUEST).await;
            }
            let tr = inzage_webkit::i18n::Tr::new("nl");
            let reason = format!(
                "{} {text}",
                tr.t(&format!("retention-ground-{}", form.grond))
            );
            let audit = rec.staff.audit_event(
                now,
                EventType::Update,
                Some(patient.clone()),
                format!(
                    "practice: destruction request {request} refused ({})",
                    form.grond
                ),
            );
            rec.state
                .store
                .refuse_destruction(&patient, &request, &by, now, &reason, audit)
                .await?
        }
        "uitvoeren" => {
            let d = Destruction {
                id: request.clone(),
                patient: patient.clone(),
                practice: rec.staff.practice.clone(),
                basis: DestructionBasis::Request,
                scope: waiting.scope.clone(),
                requested_at: Some(waiting.requested_at),
                decided_by: by,
                decided_at: now,
            };
            match scope_items(&waiting.scope) {
                None => {
                    let audit = rec.staff.audit_event(
                        now,
                        EventType::Delete,
                        Some(patient.clone()),
                        format!("practice: record destroyed on the patient's request {request}"),
                    );
                    rec.state.store.destroy_record(&d, None, audit).await?
                }
                Some(items) => {
                    let done = until_fresh!(async {
                        let mut record = rec
                            .state
                            .store
                            .load_record(&patient)
                            .await?
                            .ok_or(WebError::NotFound)?;
                        let Ok(removed) = destroy_items(&mut record, &items) else {
                            return Ok(None);
                        };
                        let audit = rec.staff.audit_event(
                            now,
                            EventType::Delete,
                            Some(patient.clone()),
                            format!(
                                "practice: {} items destroyed on the patient's request {request}",
                                removed.len()
                            ),
                        );
                        Ok::<_, WebError>(Some(
                            rec.state
                                .store
                                .destroy_items(&record, &removed, &d, audit)
                                .await?,
                        ))
                    })?;
                    match done {
                        Some(done) => done,
                        None => {
                            return refuse("sharing-block-item-gone", StatusCode::CONFLICT).await;
                        }
                    }
                }
            }
        }
        _ => return Err(WebError::Invalid("actie")),
    };
    if !done {
        return refuse("block-gone", StatusCode::CONFLICT).await;
    }
    Ok(Redirect::to(&format!("{PATH}?verwerkt=true")).into_response())
}
