//! Working in the record (issue 5, part 2): new contacts with SOEP lines, episodes, medication
//! agreements, results, allergies, letters (PDF upload) and personal work notes, and corrections
//! of each. One form page per kind, built from a list of fields; the domain's
//! [`inzage_domain::entry`] functions check and apply the change; [`change_record`] saves it
//! under the patient's edit lock with its audit entry. The store keeps every earlier version,
//! shown under the edit form.

use super::roles::Action;
use super::{Staff, StaffRecord};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use inzage_domain::codes::{ContactType, Nhg45Code, Ucum, system};
use inzage_domain::entry::{self, Author, EntryError};
use inzage_domain::time::local_date;
use inzage_domain::{
    AllergyCategory, AllergyStatus, Coding, ContactDetails, Criticality, EpisodeId, HumanName,
    IcpcCode, LetterDirection, LetterType, PartialDate, PatientRecord, Practitioner,
    PractitionerId, ResultKind, ResultValue, Soep,
};
use inzage_store::{EventType, RecordStore, StaffStore};
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::form::FormData;
use inzage_webkit::glossary::Glossary;
use inzage_webkit::i18n::Tr;
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;

use inzage_webkit::AppState;

mod form_page;
mod parse;
use form_page::*;
use parse::*;
pub use parse::{author, new_id};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/praktijk/patienten/{id}/nieuw/{soort}",
            get(new_form)
                .post(create)
                .layer(DefaultBodyLimit::max(entry::MAX_LETTER_BYTES + 64 * 1024)),
        )
        .route(
            "/praktijk/patienten/{id}/bewerken/{soort}/{item}",
            get(edit_form).post(update),
        )
}

/// The kinds of item staff write, with their URL name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Consult,
    Line,
    Episode,
    Medication,
    Result,
    Allergy,
    Letter,
    Note,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Consult,
        Kind::Line,
        Kind::Episode,
        Kind::Medication,
        Kind::Result,
        Kind::Allergy,
        Kind::Letter,
        Kind::Note,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == s)
    }
    pub fn slug(self) -> &'static str {
        match self {
            Kind::Consult => "consult",
            Kind::Line => "regel",
            Kind::Episode => "episode",
            Kind::Medication => "medicatie",
            Kind::Result => "uitslag",
            Kind::Allergy => "allergie",
            Kind::Letter => "brief",
            Kind::Note => "notitie",
        }
    }
    /// The role-table action that allows writing this kind.
    pub fn action(self) -> Action {
        match self {
            Kind::Consult | Kind::Line => Action::EditJournal,
            Kind::Episode => Action::EditEpisodes,
            Kind::Medication => Action::EditMedication,
            Kind::Result => Action::RegisterResults,
            Kind::Allergy => Action::EditAllergies,
            Kind::Letter => Action::RegisterLetters,
            Kind::Note => Action::WriteWorkNotes,
        }
    }
    /// The store's name for the kind (history rows); a consult is a contact.
    fn store_kind(self) -> &'static str {
        match self {
            Kind::Consult => "contact",
            Kind::Line => "journal_line",
            Kind::Episode => "episode",
            Kind::Medication => "medication",
            Kind::Result => "result",
            Kind::Allergy => "allergy",
            Kind::Letter => "letter",
            Kind::Note => "work_note",
        }
    }
    /// Consults are new only (their lines are corrected one by one); a line is never new alone.
    fn can_create(self) -> bool {
        self != Kind::Line
    }
    fn can_edit(self) -> bool {
        self != Kind::Consult
    }
    /// The link for a new item, when the role allows it.
    pub fn new_href(self, patient: &str, staff: &Staff) -> Option<String> {
        (self.can_create() && super::roles::allowed(staff.role, self.action()))
            .then(|| format!("/praktijk/patienten/{patient}/nieuw/{}", self.slug()))
    }
    /// The link to correct an item, when the role allows it.
    pub fn edit_href(self, patient: &str, item: &str, staff: &Staff) -> String {
        if self.can_edit() && super::roles::allowed(staff.role, self.action()) {
            format!(
                "/praktijk/patienten/{patient}/bewerken/{}/{item}",
                self.slug()
            )
        } else {
            String::new()
        }
    }
}

// ---- saving: the change applied to the freshest record ----

pub(crate) use inzage_webkit::until_fresh;

/// Applies `change` to the freshest stored version of the record and saves it with one audit
/// entry. The save holds only over the version the change was applied to (optimistic
/// concurrency, across every server instance): when another save landed in between, the change
/// is applied again to the record as it is now (after a short random pause, so that writers who
/// collided do not collide again), so two staff members editing the same record at the same
/// moment both keep their change. When that keeps happening the save is refused
/// ([`StoreError::Stale`](inzage_store::StoreError::Stale): a 409 page that says so); nothing is
/// lost or half-written. A refused change saves nothing.
pub async fn change_record<T>(
    rec: &StaffRecord,
    event: EventType,
    describe: impl Fn(&T) -> String,
    mut change: impl FnMut(&mut PatientRecord) -> Result<T, EntryError>,
) -> WebResult<Result<T, EntryError>> {
    until_fresh!(async {
        let mut record = rec
            .state
            .store
            .load_record(&rec.record.patient.id)
            .await?
            .filter(|r| r.patient.practice == rec.staff.practice)
            .ok_or(WebError::NotFound)?;
        let value = match change(&mut record) {
            Err(e) => return Ok(Err(e)),
            Ok(value) => value,
        };
        let audit = rec.staff.audit_event(
            rec.state.now(),
            event,
            Some(record.patient.id.clone()),
            format!("practice: {}", describe(&value)),
        );
        rec.state.store.save_record(&record, audit).await?;
        Ok::<_, WebError>(Ok(value))
    })
}

/// A refused entry in the staff member's language.
pub fn error_text(tr: &Tr, e: &EntryError) -> String {
    fn slug(s: &str) -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect()
    }
    let phrase = |prefix: &str, s: &str| {
        tr.try_t(&format!("{prefix}{}", slug(s)))
            .unwrap_or_else(|| s.to_owned())
    };
    match e {
        EntryError::Required(what) => tr.t1("entry-required", "what", phrase("entry-what-", what)),
        EntryError::TooLong(what) => tr.t1("entry-too-long", "what", phrase("entry-what-", what)),
        EntryError::Invalid(m) => tr.t1("entry-refused", "what", phrase("entry-", m)),
        EntryError::NotFound => tr.t1("entry-refused", "what", phrase("entry-", &e.to_string())),
    }
}

// ---- handlers ----

fn kind_of(s: &str) -> WebResult<Kind> {
    Kind::parse(s).ok_or(WebError::NotFound)
}

#[allow(clippy::too_many_arguments)]
async fn render(
    rec: &StaffRecord,
    kind: Kind,
    item: Option<&str>,
    fields: Vec<Field>,
    error: Option<String>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = rec.staff.ctx(&rec.session, "/praktijk").await?;
    let id = rec.record.patient.id.to_string();
    let (title, action) = match item {
        None => (
            ctx.tr.t(&format!("entry-new-{}", kind.slug())),
            format!("/praktijk/patienten/{id}/nieuw/{}", kind.slug()),
        ),
        Some(item) => (
            ctx.tr.t(&format!("entry-edit-{}", kind.slug())),
            format!("/praktijk/patienten/{id}/bewerken/{}/{item}", kind.slug()),
        ),
    };
    let history = match item {
        None => vec![],
        Some(item) => history(rec, kind, item, &ctx.tr).await?,
    };
    let has = |list: &str| fields.iter().any(|f| f.list == list);
    let glossary = Glossary::dutch();
    let icpc_codes = if has("icpc-codes") {
        glossary.icpc_list()
    } else {
        vec![]
    };
    let lab_codes = if has("lab-codes") {
        glossary.lab_list()
    } else {
        vec![]
    };
    let page = FormPage {
        title,
        patient: rec.record.patient.name.display(),
        action,
        multipart: fields.iter().any(|f| f.kind == "file"),
        error,
        submit: ctx.tr.t("entry-save"),
        fields,
        icpc_codes,
        lab_codes,
        history,
        id,
        ctx,
    };
    Ok((status, page).into_response())
}

async fn new_form(
    rec: StaffRecord,
    Path((_, soort)): Path<(String, String)>,
) -> WebResult<Response> {
    let kind = kind_of(&soort)?;
    if !kind.can_create() {
        return Err(WebError::NotFound);
    }
    rec.access(kind.action(), "entry form").await?;
    let tr = Tr::staff_session(&rec.session).await;
    let fields = fields(kind, &rec.record, None, &tr).ok_or(WebError::NotFound)?;
    render(&rec, kind, None, fields, None, StatusCode::OK).await
}

async fn create(
    rec: StaffRecord,
    Path((_, soort)): Path<(String, String)>,
    data: FormData,
) -> WebResult<Response> {
    check_csrf(&rec.session, data.get("csrf")).await?;
    let kind = kind_of(&soort)?;
    if !kind.can_create() {
        return Err(WebError::NotFound);
    }
    rec.staff.require(kind.action())?;
    let by = author(&rec.staff, rec.state.now())?;
    let outcome = change_record(
        &rec,
        EventType::Create,
        |id: &String| format!("{} added ({id})", kind.store_kind()),
        |r| apply_new(kind, r, &data, &by),
    )
    .await?;
    match outcome {
        Ok(_) => Ok(
            Redirect::to(&format!("/praktijk/patienten/{}", rec.record.patient.id)).into_response(),
        ),
        Err(e) => refused(&rec, kind, None, &data, &e).await,
    }
}

/// The form again with the message, what was typed, status 400; nothing was saved. Showing it
/// again reads the record, so it is audited like any read.
async fn refused(
    rec: &StaffRecord,
    kind: Kind,
    item: Option<&str>,
    data: &FormData,
    e: &EntryError,
) -> WebResult<Response> {
    rec.access(kind.action(), "entry form").await?;
    let tr = Tr::staff_session(&rec.session).await;
    let fields = fields(kind, &rec.record, item, &tr).ok_or(WebError::NotFound)?;
    let status = if *e == EntryError::NotFound {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::BAD_REQUEST
    };
    render(
        rec,
        kind,
        item,
        refill(fields, data),
        Some(error_text(&tr, e)),
        status,
    )
    .await
}

/// A personal work note is its author's alone (R23): another staff member, GP or not, gets 404
/// for it, as if it did not exist, before any of it is read.
fn someone_elses_note(rec: &StaffRecord, kind: Kind, item: &str) -> bool {
    kind == Kind::Note
        && rec
            .record
            .work_notes
            .iter()
            .find(|n| n.id.as_str() == item)
            .is_some_and(|n| n.author.as_str() != own_practitioner_id(&rec.staff))
}

/// The practitioner id under which a staff member writes in the record.
pub fn own_practitioner_id(staff: &Staff) -> String {
    format!("staff-{}", staff.username)
}

async fn edit_form(
    rec: StaffRecord,
    Path((_, soort, item)): Path<(String, String, String)>,
) -> WebResult<Response> {
    let kind = kind_of(&soort)?;
    if !kind.can_edit() {
        return Err(WebError::NotFound);
    }
    rec.staff.require(kind.action())?;
    if someone_elses_note(&rec, kind, &item) {
        return Err(WebError::NotFound);
    }
    let tr = Tr::staff_session(&rec.session).await;
    let fields = fields(kind, &rec.record, Some(&item), &tr).ok_or(WebError::NotFound)?;
    rec.access(kind.action(), "entry form").await?;
    render(&rec, kind, Some(&item), fields, None, StatusCode::OK).await
}

async fn update(
    rec: StaffRecord,
    Path((_, soort, item)): Path<(String, String, String)>,
    data: FormData,
) -> WebResult<Response> {
    check_csrf(&rec.session, data.get("csrf")).await?;
    let kind = kind_of(&soort)?;
    if !kind.can_edit() {
        return Err(WebError::NotFound);
    }
    rec.staff.require(kind.action())?;
    if someone_elses_note(&rec, kind, &item) {
        return Err(WebError::NotFound);
    }
    let by = author(&rec.staff, rec.state.now())?;
    let outcome = change_record(
        &rec,
        EventType::Update,
        |()| format!("{} changed ({item})", kind.store_kind()),
        |r| apply_edit(kind, r, &item, &data, &by),
    )
    .await?;
    match outcome {
        Ok(()) => Ok(
            Redirect::to(&format!("/praktijk/patienten/{}", rec.record.patient.id)).into_response(),
        ),
        Err(EntryError::NotFound) => Err(WebError::NotFound),
        Err(e) => refused(&rec, kind, Some(&item), &data, &e).await,
    }
}

// ---- earlier versions ----

async fn history(rec: &StaffRecord, kind: Kind, item: &str, tr: &Tr) -> WebResult<Vec<Version>> {
    let rows = rec
        .state
        .store
        .item_history(&rec.record.patient.id, kind.store_kind(), item)
        .await?;
    Ok(rows
        .into_iter()
        .rev()
        .map(|(at, payload)| {
            let (by, text) = describe(kind, &payload);
            Version {
                replaced_at: format!(
                    "{} {}",
                    tr.date(local_date(at)),
                    at.with_timezone(&Amsterdam).format("%H:%M")
                ),
                by,
                text,
            }
        })
        .collect())
}

/// Who did something, as staff read it: the username of a staff member, or the process.
pub fn who(a: &inzage_domain::Actor) -> String {
    match a {
        inzage_domain::Actor::Staff(id) => id.as_str().trim_start_matches("staff-").to_owned(),
        inzage_domain::Actor::System(s) => s.clone(),
    }
}

/// One earlier version in a line: who last wrote it, and what it said.
fn describe(kind: Kind, payload: &str) -> (String, String) {
    use inzage_domain as d;
    fn parse<T: serde::de::DeserializeOwned>(p: &str) -> Option<T> {
        serde_json::from_str(p).ok()
    }
    let out = match kind {
        Kind::Consult => {
            parse::<d::Contact>(payload).map(|c| (who(c.meta.updated_by()), c.date.to_string()))
        }
        Kind::Line => parse::<d::JournalLine>(payload).map(|l| {
            let code = l.icpc.map(|c| format!(" [{c}]")).unwrap_or_default();
            (
                who(l.meta.updated_by()),
                format!("{}: {}{code}", l.soep.letter(), l.text),
            )
        }),
        Kind::Episode => parse::<d::Episode>(payload).map(|e| {
            let code = e.icpc.map(|c| format!("{c} ")).unwrap_or_default();
            let end = e
                .end
                .map(|x| format!(" – {}", partial_value(Some(&x))))
                .unwrap_or_default();
            (
                who(e.meta.updated_by()),
                format!("{code}{} ({}{end})", e.title, partial_value(Some(&e.start))),
            )
        }),
        Kind::Medication => parse::<d::MedicationAgreement>(payload).map(|m| {
            let end = m
                .period_end
                .map(|x| format!(" tot {x}"))
                .unwrap_or_default();
            (
                who(m.meta.updated_by()),
                format!("{}: {}{end}", m.product.name, m.dosage_text),
            )
        }),
        Kind::Result => parse::<d::LabResult>(payload).map(|x| {
            let line = inzage_domain::visibility::present::result_line(&x, "nl");
            (
                who(x.meta.updated_by()),
                format!(
                    "{}: {} {}",
                    line.name,
                    line.value,
                    line.unit.unwrap_or_default()
                ),
            )
        }),
        Kind::Allergy => parse::<d::Allergy>(payload).map(|a| {
            (
                who(a.meta.updated_by()),
                format!(
                    "{} ({:?}) {}",
                    a.substance
                        .display
                        .clone()
                        .unwrap_or(a.substance.code.clone()),
                    a.status,
                    a.reaction.unwrap_or_default()
                ),
            )
        }),
        Kind::Letter => parse::<d::Letter>(payload).map(|l| {
            (
                who(l.meta.updated_by()),
                format!("{} ({}, {})", l.title, l.author, l.date),
            )
        }),
        Kind::Note => parse::<d::WorkNote>(payload).map(|n| (who(n.meta.updated_by()), n.text)),
    };
    out.unwrap_or_else(|| (String::new(), "?".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refusal the domain and the practice pages can give has a Dutch text: the messages
    /// are found in the sources, so a new one without a translation fails here.
    #[test]
    fn every_refusal_has_a_dutch_message() {
        let sources = [
            include_str!("../../domain/src/entry.rs"),
            include_str!("../../domain/src/entry/access.rs"),
            include_str!("entry.rs"),
            include_str!("entry/form_page.rs"),
            include_str!("entry/parse.rs"),
            include_str!("access.rs"),
        ];
        let tr = Tr::new("nl");
        let mut checked = 0;
        for src in sources {
            let src = src.split("#[cfg(test)]").next().unwrap_or_default();
            for (variant, make) in [
                (
                    "EntryError::Required(",
                    EntryError::Required as fn(&'static str) -> EntryError,
                ),
                ("EntryError::TooLong(", EntryError::TooLong),
                ("EntryError::Invalid(", EntryError::Invalid),
            ] {
                for part in src.split(variant).skip(1) {
                    let part = part.trim_start();
                    let Some(rest) = part.strip_prefix('"') else {
                        continue;
                    };
                    let msg: &'static str =
                        rest.split('"').next().unwrap_or_default().to_owned().leak();
                    if msg == "id" || msg == "action" {
                        continue;
                    }
                    let text = error_text(&tr, &make(msg));
                    assert!(!text.contains(msg), "no Dutch text for {msg:?}: {text}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 30, "{checked}");
        // Fields named in `text(.., "field")` calls.
        for field in [
            "the line's text",
            "the dosage",
            "the evidence checked",
            "the note",
        ] {
            let text = error_text(&tr, &EntryError::Required(field));
            assert!(!text.contains(field), "{field}");
        }
    }
}
