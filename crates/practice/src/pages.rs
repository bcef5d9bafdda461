//! Practice pages: find a patient, the whole record, "Wat ziet de patiënt?" and the access log.

use super::entry::Kind as EK;
use super::entry::change_record;
use super::roles::Action;
use super::{Staff, StaffRecord};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use inzage_domain::access::{OnlineChannel, Viewer, authorize};
use inzage_domain::edit::{release_result, shield_item, unshield_item, withhold_result};
use inzage_domain::entry::EntryError;
use inzage_domain::time::local_date;
use inzage_domain::visibility::{ItemKind, online_view, view_with_access};
use inzage_domain::{
    Actor, Bsn, PatientId, PatientRecord, PatientView, PractitionerId, ResultId, Shield,
    ShieldReason, Soep,
};
use inzage_store::{EventType, PatientQuery, RecordStore, StaffStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijk", get(search_page).post(search))
        .route("/praktijk/patienten/{id}", get(record))
        .route("/praktijk/patienten/{id}/inzage", get(preview))
        .route("/praktijk/patienten/{id}/logboek", get(log))
        .route("/praktijk/uitslagen", get(queue))
        .route("/praktijk/patienten/{id}/uitslagen/{result}", post(review))
        .route("/praktijk/patienten/{id}/afscherming", post(shield))
        .route(
            "/praktijk/instellingen",
            get(settings_page).post(settings_save),
        )
}

// ---- search ----

/// The search form. Searching is a POST, so a BSN never ends up in a URL (browser history,
/// proxy logs).
#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    naam: String,
    #[serde(default)]
    geboortedatum: String,
    #[serde(default)]
    bsn: String,
}

struct Hit {
    id: String,
    name: String,
    birth: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_search.html")]
struct SearchPage {
    ctx: PageCtx,
    naam: String,
    geboortedatum: String,
    bsn: String,
    searched: bool,
    error: Option<String>,
    hits: Vec<Hit>,
}

async fn search_page(staff: Staff, session: Session) -> WebResult<Response> {
    staff.require(Action::SearchPatients)?;
    Ok(SearchPage {
        ctx: staff.ctx(&session, "/praktijk").await?,
        naam: String::new(),
        geboortedatum: String::new(),
        bsn: String::new(),
        searched: false,
        error: None,
        hits: vec![],
    }
    .into_response())
}

async fn search(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    Form(q): Form<SearchQuery>,
) -> WebResult<Response> {
    check_csrf(&session, &q.csrf).await?;
    staff.require(Action::SearchPatients)?;
    let ctx = staff.ctx(&session, "/praktijk").await?;
    let mut error = None;
    let birth = match q.geboortedatum.trim() {
        "" => None,
        s => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(s, "%d-%m-%Y"))
            .map_err(|_| error = Some(ctx.tr.t("practice-bad-date")))
            .ok(),
    };
    let bsn = match q.bsn.trim() {
        "" => None,
        s => Bsn::parse(s)
            .map_err(|_| error = Some(ctx.tr.t("practice-bad-bsn")))
            .ok(),
    };
    let query = PatientQuery {
        family_name: Some(q.naam.trim().to_owned()).filter(|n| !n.is_empty()),
        birth_date: birth,
        bsn,
    };
    let searched = error.is_none() && query != PatientQuery::default();
    let mut hits = vec![];
    if searched {
        let found = state
            .store
            .search_patients(&staff.practice, &query, 50)
            .await?;
        // The search itself is logged (NEN 7513 "search"): how many were found, not for what.
        let event = staff.audit_event(
            state.now(),
            EventType::Search,
            None,
            format!("practice: patient search, {} found", found.len()),
        );
        state.store.append_audit(event).await?;
        // Each patient on the result page had their name and birth date shown: one entry in
        // each patient's own access log, before the page is sent.
        for p in &found {
            let shown = staff.audit_event(
                state.now(),
                EventType::Search,
                Some(p.id.clone()),
                "practice: shown in a patient search result".into(),
            );
            state.store.append_audit(shown).await?;
        }
        hits = found
            .into_iter()
            .map(|p| Hit {
                id: p.id.to_string(),
                name: p.display_name,
                birth: ctx.tr.date(p.birth_date),
            })
            .collect();
    }
    Ok(SearchPage {
        naam: q.naam,
        geboortedatum: q.geboortedatum,
        bsn: q.bsn,
        searched,
        error,
        hits,
        ctx,
    }
    .into_response())
}

// ---- the whole record ----

/// One line of the record as staff see it, with the visibility decision next to it.
struct Row {
    when: String,
    kind: String,
    text: String,
    /// Why the patient does not see it online (empty: visible).
    hidden_because: String,
    /// For the shield form: the item's kind ("episode", ...; empty: not shieldable) and id.
    item_kind: &'static str,
    item_id: String,
    shielded: bool,
    /// The correction form, when this role may correct the item (empty otherwise).
    edit_href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_record.html")]
struct RecordPage {
    ctx: PageCtx,
    can_shield: bool,
    /// "New ..." links this role may follow: (href, label).
    new_links: Vec<(String, String)>,
    can_manage_access: bool,
    can_copy: bool,
    id: String,
    name: String,
    birth: String,
    bsn: String,
    episodes: Vec<Row>,
    journal: Vec<Row>,
    medication: Vec<Row>,
    allergies: Vec<Row>,
    results: Vec<Row>,
    letters: Vec<Row>,
    work_notes: Vec<Row>,
}

fn hidden(view: &PatientView<'_>, kind: ItemKind, id: &str) -> String {
    view.exclusion(kind, id)
        .map(|r| r.explain_nl())
        .unwrap_or_default()
}

async fn record(rec: StaffRecord) -> WebResult<Response> {
    rec.access(Action::ViewRecord, "record").await?;
    let ctx = rec.staff.ctx(&rec.session, "/praktijk").await?;
    let tr = &ctx.tr;
    let r = &rec.record;
    let settings = rec.state.store.settings(&r.practice.id).await?;
    let view = online_view(r, &settings, rec.state.now());
    let mut journal: Vec<_> = r.journal.iter().collect();
    journal.sort_by_key(|l| std::cmp::Reverse(l.date));
    let pid = r.patient.id.to_string();
    let new_links = EK::ALL
        .into_iter()
        .filter_map(|k| {
            let href = k.new_href(&pid, &rec.staff)?;
            Some((href, tr.t(&format!("entry-link-{}", k.slug()))))
        })
        .collect();
    let page = RecordPage {
        can_shield: super::roles::allowed(rec.staff.role, Action::ShieldItems),
        can_manage_access: super::roles::allowed(rec.staff.role, Action::ManageAccess),
        can_copy: super::roles::allowed(rec.staff.role, Action::HandOutCopies),
        new_links,
        id: r.patient.id.to_string(),
        name: r.patient.name.display(),
        birth: tr.date(r.patient.birth_date),
        bsn: r
            .patient
            .bsn
            .as_ref()
            .map(|b| b.as_str().to_owned())
            .unwrap_or_default(),
        episodes: r
            .episodes
            .iter()
            .map(|e| Row {
                when: tr.partial_date(&e.start),
                kind: e.icpc.as_ref().map(|c| c.to_string()).unwrap_or_default(),
                text: e.title.clone(),
                hidden_because: hidden(&view, ItemKind::Episode, e.id.as_str()),
                item_kind: "episode",
                item_id: e.id.to_string(),
                shielded: e.meta.shield.is_some(),
                edit_href: EK::Episode.edit_href(&pid, e.id.as_str(), &rec.staff),
            })
            .collect(),
        journal: journal
            .iter()
            .map(|l| Row {
                when: tr.date(l.date),
                kind: match l.soep {
                    Soep::S => "S",
                    Soep::O => "O",
                    Soep::E => "E",
                    Soep::P => "P",
                }
                .into(),
                text: l.text.clone(),
                hidden_because: hidden(&view, ItemKind::JournalLine, l.id.as_str()),
                item_kind: "journal_line",
                item_id: l.id.to_string(),
                shielded: l.meta.shield.is_some(),
                edit_href: EK::Line.edit_href(&pid, l.id.as_str(), &rec.staff),
            })
            .collect(),
        medication: r
            .medication
            .iter()
            .map(|m| Row {
                when: m.period_start.map(|d| tr.date(d)).unwrap_or_default(),
                kind: String::new(),
                text: format!("{}: {}", m.product.name, m.dosage_text),
                hidden_because: hidden(&view, ItemKind::Medication, m.id.as_str()),
                item_kind: "medication",
                item_id: m.id.to_string(),
                shielded: m.meta.shield.is_some(),
                edit_href: EK::Medication.edit_href(&pid, m.id.as_str(), &rec.staff),
            })
            .collect(),
        allergies: r
            .allergies
            .iter()
            .map(|a| Row {
                when: a
                    .onset
                    .as_ref()
                    .map(|d| tr.partial_date(d))
                    .unwrap_or_default(),
                kind: String::new(),
                text: a
                    .substance
                    .display
                    .clone()
                    .unwrap_or_else(|| a.substance.code.clone()),
                hidden_because: hidden(&view, ItemKind::Allergy, a.id.as_str()),
                item_kind: "allergy",
                item_id: a.id.to_string(),
                shielded: a.meta.shield.is_some(),
                edit_href: EK::Allergy.edit_href(&pid, a.id.as_str(), &rec.staff),
            })
            .collect(),
        results: r
            .results
            .iter()
            .map(|x| {
                let line = inzage_domain::visibility::present::result_line(x);
                Row {
                    when: tr.date(local_date(x.effective)),
                    kind: x.code.as_str().to_owned(),
                    text: format!(
                        "{}: {} {}",
                        line.name,
                        line.value,
                        line.unit.unwrap_or_default()
                    ),
                    hidden_because: hidden(&view, ItemKind::Result, x.id.as_str()),
                    item_kind: "result",
                    item_id: x.id.to_string(),
                    shielded: x.meta.shield.is_some(),
                    edit_href: EK::Result.edit_href(&pid, x.id.as_str(), &rec.staff),
                }
            })
            .collect(),
        letters: r
            .letters
            .iter()
            .map(|l| Row {
                when: tr.date(l.date),
                kind: String::new(),
                text: l.title.clone(),
                hidden_because: hidden(&view, ItemKind::Letter, l.id.as_str()),
                item_kind: "letter",
                item_id: l.id.to_string(),
                shielded: l.meta.shield.is_some(),
                edit_href: EK::Letter.edit_href(&pid, l.id.as_str(), &rec.staff),
            })
            .collect(),
        // Personal work notes: only the author's own (R23: not for other staff either).
        work_notes: r
            .work_notes
            .iter()
            .filter(|n| n.author.as_str() == super::entry::own_practitioner_id(&rec.staff))
            .map(|n| Row {
                when: tr.date(local_date(n.meta.created_at)),
                kind: String::new(),
                text: n.text.clone(),
                hidden_because: hidden(&view, ItemKind::WorkNote, n.id.as_str()),
                item_kind: "",
                item_id: String::new(),
                shielded: false,
                edit_href: EK::Note.edit_href(&pid, n.id.as_str(), &rec.staff),
            })
            .collect(),
        ctx,
    };
    Ok(page.into_response())
}

// ---- "Wat ziet de patiënt?" ----

struct Seen {
    kind: String,
    text: String,
}

struct Choice {
    value: String,
    label: String,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_preview.html")]
struct PreviewPage {
    ctx: PageCtx,
    id: String,
    name: String,
    viewers: Vec<Choice>,
    denied: Option<String>,
    seen: Vec<Seen>,
    left_out: Vec<Seen>,
}

#[derive(Deserialize)]
struct PreviewQuery {
    /// A representation id: the view of that representative; absent: the patient's own.
    als: Option<String>,
}

async fn preview(rec: StaffRecord, Query(q): Query<PreviewQuery>) -> WebResult<Response> {
    rec.access(Action::PreviewPatientView, "preview of the online view")
        .await?;
    let ctx = rec.staff.ctx(&rec.session, "/praktijk").await?;
    let r = &rec.record;
    let now = rec.state.now();
    let settings = rec.state.store.settings(&r.practice.id).await?;
    // The same decision the portal makes for this person: access first, then the view.
    let viewer = match q.als.as_deref() {
        Some(id) => r
            .representations
            .iter()
            .find(|rep| rep.id.as_str() == id)
            .map(|rep| Viewer::Representative {
                bsn: rep.agent_bsn.clone(),
                representation: rep.id.clone(),
            }),
        None => r
            .patient
            .bsn
            .as_ref()
            .map(|bsn| Viewer::Patient { bsn: bsn.clone() }),
    };
    let (denied, view) =
        match viewer.map(|v| authorize(r, &v, OnlineChannel::Portal, &settings, now)) {
            Some(Ok(access)) => (None, view_with_access(r, &access, &settings, now)),
            Some(Err(why)) => (
                Some(ctx.tr.t(inzage_webkit::page::denied_key(why))),
                online_view(r, &settings, now),
            ),
            None => (
                Some(ctx.tr.t("practice-no-login")),
                online_view(r, &settings, now),
            ),
        };
    let tr = &ctx.tr;
    let mut seen = vec![];
    for e in &view.episodes {
        seen.push(Seen {
            kind: tr.t("nav-episodes"),
            text: e.title.clone(),
        });
    }
    for l in &view.journal {
        seen.push(Seen {
            kind: format!("{} {}", tr.date(l.date), l.soep.letter()),
            text: l.text.clone(),
        });
    }
    for m in &view.medication {
        seen.push(Seen {
            kind: tr.t("nav-medication"),
            text: m.product.name.clone(),
        });
    }
    for x in &view.results {
        seen.push(Seen {
            kind: tr.t("nav-results"),
            text: format!("{} ({})", x.name, tr.date(local_date(x.effective))),
        });
    }
    for h in &view.held_results {
        seen.push(Seen {
            kind: tr.t("nav-results"),
            text: tr.ta(
                "held-result",
                &[
                    ("name", h.test_name.unwrap_or("een uitslag").to_owned()),
                    ("date", tr.date(h.available_from)),
                ],
            ),
        });
    }
    for l in &view.letters {
        seen.push(Seen {
            kind: tr.t("nav-letters"),
            text: l.title.clone(),
        });
    }
    let left_out = view
        .excluded
        .iter()
        .map(|x| Seen {
            kind: format!("{:?} {}", x.item.kind, x.item.id),
            text: x.reason.explain_nl(),
        })
        .collect();
    let mut viewers = vec![Choice {
        value: String::new(),
        label: format!(
            "{} ({})",
            r.patient.name.display(),
            tr.t("practice-the-patient")
        ),
        current: q.als.is_none(),
    }];
    for rep in &r.representations {
        viewers.push(Choice {
            value: rep.id.to_string(),
            label: format!(
                "{} ({})",
                rep.agent_name.display(),
                tr.t(inzage_webkit::page::basis_key(rep.basis))
            ),
            current: q.als.as_deref() == Some(rep.id.as_str()),
        });
    }
    Ok(PreviewPage {
        id: r.patient.id.to_string(),
        name: r.patient.name.display(),
        viewers,
        denied,
        seen,
        left_out,
        ctx,
    }
    .into_response())
}

// ---- the patient's access log ----

struct LogRow {
    when: String,
    who: String,
    role: String,
    what: String,
    channel: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_log.html")]
struct LogPage {
    ctx: PageCtx,
    id: String,
    name: String,
    rows: Vec<LogRow>,
}

async fn log(rec: StaffRecord) -> WebResult<Response> {
    rec.access(Action::ViewAuditLog, "access log").await?;
    let ctx = rec.staff.ctx(&rec.session, "/praktijk").await?;
    let entries = rec
        .state
        .store
        .audit_for_patient(&rec.record.patient.id)
        .await?;
    let rows = entries
        .iter()
        .rev()
        .map(|e| {
            let local = e.event.at.with_timezone(&chrono_tz::Europe::Amsterdam);
            LogRow {
                when: format!(
                    "{} {}",
                    ctx.tr.date(local.date_naive()),
                    local.format("%H:%M:%S")
                ),
                who: e.event.user.clone(),
                role: e.event.role.clone(),
                what: format!("{} — {}", e.event.event.as_str(), e.event.detail),
                channel: e.event.channel.as_str().to_owned(),
            }
        })
        .collect();
    Ok(LogPage {
        id: rec.record.patient.id.to_string(),
        name: rec.record.patient.name.display(),
        rows,
        ctx,
    }
    .into_response())
}

// ---- the review queue, releasing and withholding results, shielding (R26-R31) ----

struct QueueRow {
    patient_id: String,
    patient: String,
    result_id: String,
    test: String,
    value: String,
    received: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_queue.html")]
struct QueuePage {
    ctx: PageCtx,
    rows: Vec<QueueRow>,
}

async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
) -> WebResult<Response> {
    staff.require(Action::ReleaseResults)?;
    let ctx = staff.ctx(&session, "/praktijk/uitslagen").await?;
    let mut rows = vec![];
    // Each patient's record is loaded once and its read audited once, however many of their
    // results wait (the queue is in order of arrival, not of patient).
    let mut records: std::collections::HashMap<PatientId, Option<PatientRecord>> =
        std::collections::HashMap::new();
    for item in state.store.review_queue(&staff.practice).await? {
        if !records.contains_key(&item.patient) {
            let record = state.store.load_record(&item.patient).await?;
            if record.is_some() {
                staff
                    .audit_read(&state, &item.patient, "review queue")
                    .await?;
            }
            records.insert(item.patient.clone(), record);
        }
        let Some(Some(record)) = records.get(&item.patient) else {
            continue;
        };
        let Some(result) = record.results.iter().find(|r| r.id == item.result) else {
            continue;
        };
        let line = inzage_domain::visibility::present::result_line(result);
        rows.push(QueueRow {
            patient_id: item.patient.to_string(),
            patient: record.patient.name.display(),
            result_id: item.result.to_string(),
            test: line.name,
            value: format!("{} {}", line.value, line.unit.unwrap_or_default()),
            received: ctx.tr.date(local_date(item.received_at)),
        });
    }
    Ok(QueuePage { ctx, rows }.into_response())
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    csrf: String,
    action: String,
    #[serde(default)]
    reden: String,
}

fn staff_actor(staff: &Staff) -> WebResult<Actor> {
    PractitionerId::new(format!("staff-{}", staff.username))
        .map(Actor::Staff)
        .map_err(|_| WebError::Invalid("staff id"))
}

async fn review(
    rec: StaffRecord,
    Path((_, result_id)): Path<(String, String)>,
    Form(form): Form<ReviewForm>,
) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::ReleaseResults)?;
    let id = ResultId::new(result_id).map_err(|_| WebError::NotFound)?;
    let by = staff_actor(&rec.staff)?;
    let now = rec.state.now();
    let outcome = change_record(
        &rec,
        EventType::VisibilityChange,
        |what: &&str| format!("{what} ({id})"),
        |record| match form.action.as_str() {
            "vrijgeven" => Ok(release_result(record, &id, by, now).map(|()| "result released")?),
            "achterhouden" => {
                Ok(withhold_result(record, &id, by, now, &form.reden)
                    .map(|()| "result withheld")?)
            }
            _ => Err(EntryError::Invalid("action")),
        },
    )
    .await?;
    match outcome {
        Ok(what) => {
            // A released result that is now visible to someone is news for them (R119); a
            // result still hidden from them (held, shielded, before the online start) is not
            // announced (R122).
            if what == "result released"
                && let Some(record) = rec.state.store.load_record(&rec.record.patient.id).await?
            {
                inzage_webkit::notify::notify_record(
                    &rec.state,
                    &record,
                    inzage_store::NoticeKind::Released,
                    None,
                    |view| view.results.iter().any(|r| r.id == id),
                )
                .await?;
            }
            Ok(Redirect::to("/praktijk/uitslagen").into_response())
        }
        Err(EntryError::NotFound) => Err(WebError::NotFound),
        Err(EntryError::Invalid(_)) => Err(WebError::Invalid("action")),
        Err(_) => Err(WebError::Invalid(
            "a reason is required to withhold a result",
        )),
    }
}

#[derive(Deserialize)]
struct ShieldForm {
    #[serde(default)]
    csrf: String,
    soort: String,
    item: String,
    action: String,
    #[serde(default)]
    reden: String,
    #[serde(default)]
    toelichting: String,
}

fn item_kind(s: &str) -> Option<ItemKind> {
    Some(match s {
        "episode" => ItemKind::Episode,
        "journal_line" => ItemKind::JournalLine,
        "medication" => ItemKind::Medication,
        "allergy" => ItemKind::Allergy,
        "result" => ItemKind::Result,
        "letter" => ItemKind::Letter,
        _ => return None,
    })
}

fn shield_reason(s: &str) -> Option<ShieldReason> {
    Some(match s {
        "derde" => ShieldReason::ThirdParty,
        "niet_besproken" => ShieldReason::NotYetDiscussed,
        "schadelijk" => ShieldReason::PotentiallyHarmful,
        "anders" => ShieldReason::Other,
        _ => return None,
    })
}

async fn shield(rec: StaffRecord, Form(form): Form<ShieldForm>) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::ShieldItems)?;
    let kind = item_kind(&form.soort).ok_or(WebError::Invalid("item kind"))?;
    let by = staff_actor(&rec.staff)?;
    let now = rec.state.now();
    let reason = match form.action.as_str() {
        "afschermen" => Some(shield_reason(&form.reden).ok_or(WebError::Invalid("shield reason"))?),
        "opheffen" => None,
        _ => return Err(WebError::Invalid("action")),
    };
    let outcome = change_record(
        &rec,
        EventType::VisibilityChange,
        |what: &&str| format!("{what} ({} {})", form.soort, form.item),
        |record| match reason {
            Some(reason) => {
                let shield = Shield {
                    reason,
                    text: form.toelichting.clone(),
                    by,
                    at: now,
                };
                Ok(shield_item(record, kind, &form.item, shield).map(|()| "item shielded")?)
            }
            None => Ok(unshield_item(record, kind, &form.item, by, now).map(|()| "shield lifted")?),
        },
    )
    .await?;
    match outcome {
        Ok(_) => Ok(
            Redirect::to(&format!("/praktijk/patienten/{}", rec.record.patient.id)).into_response(),
        ),
        Err(EntryError::NotFound) => Err(WebError::NotFound),
        Err(EntryError::Required(_)) => Err(WebError::Invalid(
            "an explanation is required to shield an item",
        )),
        Err(_) => Err(WebError::Invalid("item kind")),
    }
}

// ---- practice settings (the visibility rules' parameters) ----

#[derive(Template, WebTemplate)]
#[template(path = "practice_settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    settings: inzage_domain::PracticeSettings,
    saved: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct SettingsQuery {
    #[serde(default)]
    opgeslagen: bool,
}

async fn settings_page(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    Query(q): Query<SettingsQuery>,
) -> WebResult<Response> {
    staff.require(Action::ManageSettings)?;
    Ok(SettingsPage {
        ctx: staff.ctx(&session, "/praktijk/instellingen").await?,
        settings: state.store.settings(&staff.practice).await?,
        saved: q.opgeslagen,
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    csrf: String,
    journaal_vanaf: String,
    brieven_vanaf: String,
    uitslagen_maanden: String,
    uitslagen_wachtdagen: String,
    #[serde(default)]
    patient_kiest_direct: Option<String>,
    #[serde(default)]
    naam_bij_wachtende_uitslag: Option<String>,
    #[serde(default)]
    onder_16: Option<String>,
    #[serde(default)]
    afschrift_controle: Option<String>,
    /// Hours before an appointment until which patients may cancel online (absent: unchanged).
    #[serde(default)]
    annuleren_uren: Option<String>,
    /// Open online bookings per patient (absent: unchanged).
    #[serde(default)]
    boekingen_max: Option<String>,
}

async fn settings_save(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    Form(form): Form<SettingsForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    staff.require(Action::ManageSettings)?;
    let current = state.store.settings(&staff.practice).await?;
    let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let number = |s: &str, max: u32| s.trim().parse::<u32>().ok().filter(|n| *n <= max);
    let parsed = (|| {
        Some(inzage_domain::PracticeSettings {
            journal_start_date: date(&form.journaal_vanaf)?,
            correspondence_start_date: date(&form.brieven_vanaf)?,
            results_window_months: number(&form.uitslagen_maanden, 240)?,
            result_release_delay_days: number(&form.uitslagen_wachtdagen, 60)?,
            patients_may_choose_immediate_results: form.patient_kiest_direct.is_some(),
            held_result_placeholder_names_test: form.naam_bij_wachtende_uitslag.is_some(),
            online_access_under_16: form.onder_16.is_some(),
            full_copy_needs_check: form.afschrift_controle.is_some(),
            cancel_until_hours_before: match &form.annuleren_uren {
                Some(h) => number(h, 168)?,
                None => current.cancel_until_hours_before,
            },
            max_open_online_bookings: match &form.boekingen_max {
                Some(n) => number(n, 50)?,
                None => current.max_open_online_bookings,
            },
            ..current.clone()
        })
    })();
    let Some(settings) = parsed else {
        // Nothing is saved; the form comes back with the stored values and the message.
        let ctx = staff.ctx(&session, "/praktijk/instellingen").await?;
        let error = Some(ctx.tr.t("settings-invalid"));
        return Ok((
            axum::http::StatusCode::BAD_REQUEST,
            SettingsPage {
                ctx,
                settings: current,
                saved: false,
                error,
            },
        )
            .into_response());
    };
    state
        .store
        .save_settings(&staff.practice, &settings)
        .await?;
    let event = staff.audit_event(
        state.now(),
        EventType::Update,
        None,
        "practice: visibility settings changed".into(),
    );
    state.store.append_audit(event).await?;
    Ok(Redirect::to("/praktijk/instellingen?opgeslagen=true").into_response())
}
