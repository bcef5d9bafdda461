//! Practice pages: find a patient, the whole record, "Wat ziet de patiënt?" and the access log.

use super::entry::Kind as EK;
use super::entry::change_record;
use super::roles::Action;
use super::{Staff, StaffRecord};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use inzage_domain::access::{OnlineChannel, Viewer, authorize};
use inzage_domain::edit::{release_result, shield_item, unshield_item, withhold_result};
use inzage_domain::entry::EntryError;
use inzage_domain::time::local_date;
use inzage_domain::visibility::{ItemKind, online_view, view_with_access};
use inzage_domain::{
    Actor, Bsn, JournalLine, PatientId, PatientRecord, PatientView, PractitionerId, ResultId,
    Shield, ShieldReason, Soep,
};
use inzage_store::{EventType, PatientQuery, RecordStore, StaffStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

mod preview;
mod review;
use preview::*;
use review::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijk", get(search_page).post(search))
        .route("/praktijk/patienten/{id}", get(record))
        .route("/praktijk/patienten/{id}/inzage", get(preview))
        .route("/praktijk/patienten/{id}/logboek", get(log))
        .route("/praktijk/uitslagen", get(queue))
        .route("/praktijk/patienten/{id}/uitslagen/{result}", post(review))
        .route("/praktijk/patienten/{id}/afscherming", post(shield))
        .route("/praktijk/patienten/{id}/delen", post(share_item))
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
    bsn_end: Option<String>,
    address: Option<String>,
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
                bsn_end: p.bsn_end,
                address: p.address,
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
    /// Kept out of what other providers get (R117), independent of `shielded`.
    excluded: bool,
    /// The correction form, when this role may correct the item (empty otherwise).
    edit_href: String,
    /// An S or O line: never online, so the only shield that means anything is the one that
    /// keeps someone else's information out of the full copy.
    third_party_only: bool,
    /// A heading row before this one: for journal lines, the contact they belong to, with
    /// its date, kind and author. Empty: none.
    group: String,
}

impl Row {
    /// Whether a GP may keep this item out of the summary for other providers (R117).
    fn excludable(&self) -> bool {
        matches!(
            self.item_kind,
            "episode" | "journal_line" | "medication" | "allergy" | "result"
        )
    }
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
    /// May book an appointment for this patient (opens the agenda for them).
    can_book: bool,
    /// May read the patient's access log (a link only where it leads somewhere).
    can_read_log: bool,
    can_refer: bool,
    /// What was just done, said at the item it was done to ("Afgeschermd.").
    saved: Option<String>,
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

#[derive(Deserialize, Default)]
struct RecordQuery {
    /// What was just done to an item (the page opens at that item and says so).
    #[serde(default)]
    gedaan: String,
}

async fn record(rec: StaffRecord, Query(q): Query<RecordQuery>) -> WebResult<Response> {
    rec.access(Action::ViewRecord, "record").await?;
    let ctx = rec.staff.ctx(&rec.session, "/praktijk").await?;
    let tr = &ctx.tr;
    let r = &rec.record;
    let settings = rec.state.store.settings(&r.practice.id).await?;
    let view = online_view(r, &settings, rec.state.now());
    // Episodes that still run first, then the closed ones; each group newest first.
    let today = inzage_domain::time::local_date(rec.state.now());
    let mut episodes: Vec<_> = r.episodes.iter().collect();
    episodes.sort_by_key(|e| (e.is_closed(today), std::cmp::Reverse(e.start.earliest())));
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
        can_book: super::roles::allowed(rec.staff.role, Action::ManageAgenda),
        can_read_log: super::roles::allowed(rec.staff.role, Action::ViewAuditLog),
        can_refer: super::roles::allowed(rec.staff.role, Action::WriteReferrals),
        saved: match q.gedaan.as_str() {
            "afgeschermd" => Some(tr.t("practice-done-shielded")),
            "opgeheven" => Some(tr.t("practice-done-unshielded")),
            "uitgesloten" => Some(tr.t("sharing-done-excluded")),
            "meegegeven" => Some(tr.t("sharing-done-included")),
            "verwezen" => Some(tr.t("referral-done")),
            _ => None,
        },
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
        episodes: episodes
            .iter()
            .map(|e| Row {
                when: tr.partial_date(&e.start),
                kind: e.icpc.as_ref().map(|c| c.to_string()).unwrap_or_default(),
                text: e.title.clone(),
                hidden_because: hidden(&view, ItemKind::Episode, e.id.as_str()),
                item_kind: "episode",
                item_id: e.id.to_string(),
                shielded: e.meta.shield.is_some(),
                excluded: e.meta.sharing.excluded.is_some(),
                edit_href: EK::Episode.edit_href(&pid, e.id.as_str(), &rec.staff),
                third_party_only: false,
                group: String::new(),
            })
            .collect(),
        journal: journal_rows(r, &view, &pid, &rec.staff, tr),
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
                excluded: m.meta.sharing.excluded.is_some(),
                edit_href: EK::Medication.edit_href(&pid, m.id.as_str(), &rec.staff),
                third_party_only: false,
                group: String::new(),
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
                text: a.substance.label().to_owned(),
                hidden_because: hidden(&view, ItemKind::Allergy, a.id.as_str()),
                item_kind: "allergy",
                item_id: a.id.to_string(),
                shielded: a.meta.shield.is_some(),
                excluded: a.meta.sharing.excluded.is_some(),
                edit_href: EK::Allergy.edit_href(&pid, a.id.as_str(), &rec.staff),
                third_party_only: false,
                group: String::new(),
            })
            .collect(),
        results: r
            .results
            .iter()
            .map(|x| {
                let line = inzage_domain::visibility::present::result_line(x, tr.code());
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
                    excluded: x.meta.sharing.excluded.is_some(),
                    edit_href: EK::Result.edit_href(&pid, x.id.as_str(), &rec.staff),
                    third_party_only: false,
                    group: String::new(),
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
                excluded: l.meta.sharing.excluded.is_some(),
                edit_href: EK::Letter.edit_href(&pid, l.id.as_str(), &rec.staff),
                third_party_only: false,
                group: String::new(),
            })
            .collect(),
        // Personal work notes: only the author's own (R23: not for other staff either).
        work_notes: r
            .work_notes
            .iter()
            .filter(|n| n.author.as_str() == super::entry::own_practitioner_id(&rec.staff))
            .map(|n| Row {
                when: tr.date(local_date(n.meta.created_at())),
                kind: String::new(),
                text: n.text.clone(),
                hidden_because: hidden(&view, ItemKind::WorkNote, n.id.as_str()),
                item_kind: "",
                item_id: String::new(),
                shielded: false,
                excluded: false,
                edit_href: EK::Note.edit_href(&pid, n.id.as_str(), &rec.staff),
                third_party_only: false,
                group: String::new(),
            })
            .collect(),
        ctx,
    };
    Ok(page.into_response())
}

/// The journal as a GP reads it: one group per contact (newest first), headed by its date,
/// kind and author, its lines in S, O, E, P order. Lines without a contact are grouped by
/// day and author.
fn journal_rows(
    r: &PatientRecord,
    view: &PatientView<'_>,
    pid: &str,
    staff: &Staff,
    tr: &inzage_webkit::i18n::Tr,
) -> Vec<Row> {
    let mut lines: Vec<_> = r.journal.iter().collect();
    // The contact a line belongs to, if the record holds it.
    let contact_of = |l: &JournalLine| l.contact.as_ref().and_then(|c| r.contact(c));
    let group_key = |l: &JournalLine| {
        let contact = contact_of(l);
        let date = contact.map_or(l.date, |c| c.date);
        let id = contact.map_or_else(
            || {
                l.author
                    .as_ref()
                    .map_or_else(String::new, |a| a.to_string())
            },
            |c| c.id.to_string(),
        );
        (std::cmp::Reverse(date), id)
    };
    lines.sort_by(|a, b| group_key(a).cmp(&group_key(b)).then(a.soep.cmp(&b.soep)));
    let mut out = Vec::with_capacity(lines.len());
    let mut last_key = None;
    for l in lines {
        let key = group_key(l);
        let group = if last_key.as_ref() != Some(&key) {
            let contact = contact_of(l);
            let date = contact.map_or(l.date, |c| c.date);
            let kind = contact
                .and_then(|c| c.contact_type.display_nl())
                .map(str::to_owned)
                .unwrap_or_else(|| tr.t("practice-contact"));
            let author = contact
                .and_then(|c| c.practitioner.as_ref())
                .or(l.author.as_ref())
                .and_then(|a| r.practitioner(a))
                .map(|p| p.name.display());
            let mut heading = format!("{} · {kind}", tr.date(date));
            if let Some(author) = author {
                heading.push_str(" · ");
                heading.push_str(&author);
            }
            heading
        } else {
            String::new()
        };
        last_key = Some(key);
        out.push(Row {
            when: tr.date(l.date),
            kind: match l.soep {
                Soep::S => "S",
                Soep::O => "O",
                Soep::E => "E",
                Soep::P => "P",
            }
            .into(),
            text: l.text.clone(),
            hidden_because: hidden(view, ItemKind::JournalLine, l.id.as_str()),
            item_kind: "journal_line",
            item_id: l.id.to_string(),
            shielded: l.meta.shield.is_some(),
            excluded: l.meta.sharing.excluded.is_some(),
            edit_href: EK::Line.edit_href(pid, l.id.as_str(), staff),
            third_party_only: matches!(l.soep, Soep::S | Soep::O),
            group,
        });
    }
    out
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
    /// Where the next page of older entries starts (`voor`), if there are more.
    older: Option<i64>,
}

/// Entries on one page of a record's access log; older ones are a link away.
const LOG_PAGE: u32 = 200;

#[derive(serde::Deserialize)]
struct LogQuery {
    /// Entries from before this one (its `seq`): the next page. Anything but a positive number
    /// shows the first page.
    #[serde(default)]
    voor: Option<String>,
}

async fn log(rec: StaffRecord, Query(q): Query<LogQuery>) -> WebResult<Response> {
    rec.access(Action::ViewAuditLog, "access log").await?;
    let ctx = rec.staff.ctx(&rec.session, "/praktijk").await?;
    // A page at a time, newest first: the log grows with every read of the record.
    // One more than a page is read to know whether there are older ones.
    let mut entries = rec
        .state
        .store
        .audit_for_patient_before(
            &rec.record.patient.id,
            inzage_store::AuditFilter::default(),
            q.voor
                .as_deref()
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|seq| *seq > 0),
            LOG_PAGE + 1,
        )
        .await?;
    let older = (entries.len() > LOG_PAGE as usize).then(|| {
        entries.truncate(LOG_PAGE as usize);
        entries.last().map(|last| last.seq)
    });
    let older = older.flatten();
    let rows = entries
        .iter()
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
        older,
        ctx,
    }
    .into_response())
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
