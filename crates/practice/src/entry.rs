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

// ---- the page ----

pub struct Field {
    pub name: &'static str,
    pub label: String,
    /// `text`, `date`, `datetime-local`, `textarea`, `select`, `checkbox`, `file`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub required: bool,
    /// `icpc-codes` or `lab-codes` for a searchable code list.
    pub list: &'static str,
    pub hint: String,
}

pub struct Version {
    pub replaced_at: String,
    pub by: String,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_form.html")]
struct FormPage {
    ctx: PageCtx,
    title: String,
    id: String,
    patient: String,
    action: String,
    multipart: bool,
    error: Option<String>,
    fields: Vec<Field>,
    submit: String,
    icpc_codes: Vec<(String, String)>,
    lab_codes: Vec<(String, String)>,
    history: Vec<Version>,
}

struct F<'a> {
    tr: &'a Tr,
}

impl F<'_> {
    fn field(&self, name: &'static str, kind: &'static str, value: String) -> Field {
        Field {
            name,
            label: self.tr.t(&format!("field-{name}")),
            kind,
            value,
            options: vec![],
            required: false,
            list: "",
            hint: String::new(),
        }
    }
    fn required(&self, name: &'static str, kind: &'static str, value: String) -> Field {
        Field {
            required: true,
            ..self.field(name, kind, value)
        }
    }
    fn select(&self, name: &'static str, value: String, options: Vec<(String, String)>) -> Field {
        Field {
            options,
            ..self.field(name, "select", value)
        }
    }
    fn with_hint(&self, mut f: Field, key: &str) -> Field {
        f.hint = self.tr.t(key);
        f
    }
}

fn episode_options(r: &PatientRecord, tr: &Tr) -> Vec<(String, String)> {
    let today = local_date(Utc::now());
    let mut eps: Vec<_> = r.episodes.iter().collect();
    eps.sort_by_key(|e| (e.is_closed(today), std::cmp::Reverse(e.start.earliest())));
    std::iter::once((String::new(), tr.t("field-no-episode")))
        .chain(eps.into_iter().map(|e| {
            let code = e.icpc.as_ref().map(|c| c.as_str()).unwrap_or_default();
            (
                e.id.to_string(),
                format!("{code} {}", e.title).trim().to_owned(),
            )
        }))
        .collect()
}

fn opts(pairs: &[(&str, &str)], tr: &Tr) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(v, key)| ((*v).to_owned(), tr.t(key)))
        .collect()
}

fn date_value(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn partial_value(d: Option<&PartialDate>) -> String {
    match d {
        None => String::new(),
        Some(PartialDate::Year(y)) => format!("{y:04}"),
        Some(PartialDate::YearMonth(y, m)) => format!("{y:04}-{m:02}"),
        Some(PartialDate::Date(d)) => date_value(Some(*d)),
    }
}

fn local_datetime_value(at: DateTime<Utc>) -> String {
    at.with_timezone(&Amsterdam)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

const LETTER_TYPES: [(&str, &str); 5] = [
    ("specialist", "letter-specialist"),
    ("ontslag", "letter-discharge"),
    ("radiologie", "letter-radiology"),
    ("verwijzing", "letter-referral"),
    ("overig", "letter-other"),
];

fn letter_type_value(t: LetterType) -> &'static str {
    match t {
        LetterType::SpecialistLetter => "specialist",
        LetterType::DischargeLetter => "ontslag",
        LetterType::RadiologyReport => "radiologie",
        LetterType::ReferralLetter => "verwijzing",
        LetterType::Other => "overig",
    }
}

/// The form's fields for `kind`, filled from the item being corrected (or empty for a new one).
fn fields(kind: Kind, r: &PatientRecord, item: Option<&str>, tr: &Tr) -> Option<Vec<Field>> {
    let f = F { tr };
    let today = date_value(Some(local_date(Utc::now())));
    let icpc = |v: String| Field {
        list: "icpc-codes",
        ..f.with_hint(f.field("icpc", "text", v), "field-icpc-hint")
    };
    let ep = |v: String| f.select("episode", v, episode_options(r, tr));
    Some(match kind {
        Kind::Consult => {
            let types = (1..=10)
                .filter_map(|n| ContactType::parse(&format!("{n:02}")).ok())
                .map(|t| {
                    let label = t.display_nl().unwrap_or_default().to_owned();
                    (t.as_str().to_owned(), label)
                })
                .collect();
            vec![
                f.required("datum", "date", today),
                f.select("contactsoort", "03".into(), types),
                ep(String::new()),
                f.field("s", "textarea", String::new()),
                f.field("o", "textarea", String::new()),
                f.field("e", "textarea", String::new()),
                icpc(String::new()),
                f.field("p", "textarea", String::new()),
            ]
        }
        Kind::Line => {
            let l = r.journal.iter().find(|l| Some(l.id.as_str()) == item)?;
            vec![
                f.required("tekst", "textarea", l.text.clone()),
                icpc(l.icpc.as_ref().map(|c| c.to_string()).unwrap_or_default()),
            ]
        }
        Kind::Episode => {
            let e = item.map(|id| r.episodes.iter().find(|e| e.id.as_str() == id));
            let e = match e {
                Some(None) => return None,
                Some(Some(e)) => Some(e),
                None => None,
            };
            vec![
                f.required(
                    "titel",
                    "text",
                    e.map(|e| e.title.clone()).unwrap_or_default(),
                ),
                icpc(
                    e.and_then(|e| e.icpc.as_ref())
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                ),
                f.with_hint(
                    f.required(
                        "begin",
                        "text",
                        e.map_or(today.clone(), |e| partial_value(Some(&e.start))),
                    ),
                    "field-partial-date-hint",
                ),
                f.with_hint(
                    f.field(
                        "einde",
                        "text",
                        partial_value(e.and_then(|e| e.end.as_ref())),
                    ),
                    "field-partial-date-hint",
                ),
                f.field(
                    "attentiewaarde",
                    "checkbox",
                    if e.is_some_and(|e| e.attentiewaarde) {
                        "on".into()
                    } else {
                        String::new()
                    },
                ),
            ]
        }
        Kind::Medication => {
            let m = match item {
                Some(id) => Some(r.medication.iter().find(|m| m.id.as_str() == id)?),
                None => None,
            };
            let atc = m
                .and_then(|m| m.product.codes.iter().find(|c| c.system == system::ATC))
                .map(|c| c.code.clone())
                .unwrap_or_default();
            vec![
                f.required(
                    "middel",
                    "text",
                    m.map(|m| m.product.name.clone()).unwrap_or_default(),
                ),
                f.with_hint(f.field("atc", "text", atc), "field-atc-hint"),
                f.required(
                    "dosering",
                    "text",
                    m.map(|m| m.dosage_text.clone()).unwrap_or_default(),
                ),
                f.required(
                    "begin",
                    "date",
                    m.map_or(today.clone(), |m| date_value(m.period_start)),
                ),
                f.with_hint(
                    f.field("einde", "date", date_value(m.and_then(|m| m.period_end))),
                    "field-end-hint",
                ),
                ep(m.and_then(|m| m.episode.as_ref())
                    .map(|e| e.to_string())
                    .unwrap_or_default()),
            ]
        }
        Kind::Result => {
            let x = match item {
                Some(id) => Some(r.results.iter().find(|x| x.id.as_str() == id)?),
                None => None,
            };
            let (value, unit) = match x.map(|x| &x.value) {
                Some(ResultValue::Quantity { value, unit }) => (
                    value.as_str().to_owned(),
                    unit.as_ref()
                        .map(|u| u.as_str().to_owned())
                        .unwrap_or_default(),
                ),
                Some(ResultValue::Coded { coding }) => (
                    coding
                        .display
                        .clone()
                        .unwrap_or_else(|| coding.code.clone()),
                    String::new(),
                ),
                Some(ResultValue::Text { text }) => (text.clone(), String::new()),
                None => (String::new(), String::new()),
            };
            let range = x.and_then(|x| x.reference_range.as_ref());
            let bound = |b: Option<&inzage_domain::Decimal>| {
                b.map(|d| d.as_str().to_owned()).unwrap_or_default()
            };
            let mut v = vec![];
            if x.is_none() {
                v.push(f.with_hint(
                    f.select(
                        "soort",
                        "D".into(),
                        opts(&[("D", "field-result-d"), ("L", "field-result-l")], tr),
                    ),
                    "field-result-kind-hint",
                ));
            }
            v.extend([
                Field {
                    list: "lab-codes",
                    ..f.with_hint(
                        f.required(
                            "code",
                            "text",
                            x.map(|x| x.code.as_str().to_owned()).unwrap_or_default(),
                        ),
                        "field-nhg45-hint",
                    )
                },
                f.field(
                    "naam",
                    "text",
                    x.map(|x| x.name.clone()).unwrap_or_default(),
                ),
                f.required("waarde", "text", value),
                f.with_hint(f.field("eenheid", "text", unit), "field-unit-hint"),
                f.field("onder", "text", bound(range.and_then(|r| r.low.as_ref()))),
                f.field("boven", "text", bound(range.and_then(|r| r.high.as_ref()))),
                f.required(
                    "moment",
                    "datetime-local",
                    x.map_or_else(
                        || local_datetime_value(Utc::now()),
                        |x| local_datetime_value(x.effective),
                    ),
                ),
                ep(x.and_then(|x| x.episode.as_ref())
                    .map(|e| e.to_string())
                    .unwrap_or_default()),
            ]);
            v
        }
        Kind::Allergy => {
            let a = match item {
                Some(id) => Some(r.allergies.iter().find(|a| a.id.as_str() == id)?),
                None => None,
            };
            let system_value = a.map_or("snk", |a| match a.substance.system.as_str() {
                system::ATC => "atc",
                system::SNOMED => "snomed",
                _ => "snk",
            });
            vec![
                f.required(
                    "stof",
                    "text",
                    a.and_then(|a| a.substance.display.clone())
                        .unwrap_or_default(),
                ),
                f.select(
                    "codestelsel",
                    system_value.into(),
                    opts(
                        &[
                            ("snk", "field-system-snk"),
                            ("atc", "field-system-atc"),
                            ("snomed", "field-system-snomed"),
                        ],
                        tr,
                    ),
                ),
                f.required(
                    "stofcode",
                    "text",
                    a.map(|a| a.substance.code.clone()).unwrap_or_default(),
                ),
                f.select(
                    "categorie",
                    a.map_or("medicatie", |a| match a.category {
                        AllergyCategory::Medication => "medicatie",
                        AllergyCategory::Food => "voeding",
                        AllergyCategory::Environment => "omgeving",
                        AllergyCategory::Biologic => "biologisch",
                    })
                    .into(),
                    opts(
                        &[
                            ("medicatie", "field-cat-medication"),
                            ("voeding", "field-cat-food"),
                            ("omgeving", "field-cat-environment"),
                            ("biologisch", "field-cat-biologic"),
                        ],
                        tr,
                    ),
                ),
                f.select(
                    "ernst",
                    a.and_then(|a| a.criticality)
                        .map_or("", |c| match c {
                            Criticality::Low => "laag",
                            Criticality::High => "hoog",
                            Criticality::UnableToAssess => "onbekend",
                        })
                        .into(),
                    opts(
                        &[
                            ("", "field-not-recorded"),
                            ("laag", "field-crit-low"),
                            ("hoog", "field-crit-high"),
                            ("onbekend", "field-crit-unknown"),
                        ],
                        tr,
                    ),
                ),
                f.select(
                    "status",
                    a.map_or("actief", |a| match a.status {
                        AllergyStatus::Active => "actief",
                        AllergyStatus::Inactive => "inactief",
                        AllergyStatus::Resolved => "over",
                    })
                    .into(),
                    opts(
                        &[
                            ("actief", "field-status-active"),
                            ("inactief", "field-status-inactive"),
                            ("over", "field-status-resolved"),
                        ],
                        tr,
                    ),
                ),
                f.field(
                    "reactie",
                    "text",
                    a.and_then(|a| a.reaction.clone()).unwrap_or_default(),
                ),
                f.field(
                    "toelichting",
                    "textarea",
                    a.and_then(|a| a.note.clone()).unwrap_or_default(),
                ),
            ]
        }
        Kind::Letter => {
            let l = match item {
                Some(id) => Some(r.letters.iter().find(|l| l.id.as_str() == id)?),
                None => None,
            };
            let mut v = vec![
                f.select(
                    "richting",
                    if l.is_some_and(|l| l.direction == LetterDirection::Outgoing) {
                        "uit".into()
                    } else {
                        "in".into()
                    },
                    opts(&[("in", "field-incoming"), ("uit", "field-outgoing")], tr),
                ),
                f.select(
                    "briefsoort",
                    l.map_or("specialist", |l| letter_type_value(l.letter_type))
                        .into(),
                    opts(&LETTER_TYPES, tr),
                ),
                f.required(
                    "datum",
                    "date",
                    l.map_or(today.clone(), |l| date_value(Some(l.date))),
                ),
                f.required(
                    "titel",
                    "text",
                    l.map(|l| l.title.clone()).unwrap_or_default(),
                ),
                f.required(
                    "auteur",
                    "text",
                    l.map(|l| l.author.clone()).unwrap_or_default(),
                ),
                ep(l.and_then(|l| l.episode.as_ref())
                    .map(|e| e.to_string())
                    .unwrap_or_default()),
            ];
            if l.is_none() {
                v.push(f.with_hint(
                    f.required("bestand", "file", String::new()),
                    "field-pdf-hint",
                ));
            }
            v
        }
        Kind::Note => {
            let n = match item {
                Some(id) => Some(r.work_notes.iter().find(|n| n.id.as_str() == id)?),
                None => None,
            };
            vec![f.with_hint(
                f.required(
                    "tekst",
                    "textarea",
                    n.map(|n| n.text.clone()).unwrap_or_default(),
                ),
                "field-note-hint",
            )]
        }
    })
}

/// Puts the submitted values back into the fields, so a refused form keeps what was typed.
fn refill(mut fields: Vec<Field>, data: &FormData) -> Vec<Field> {
    for f in &mut fields {
        match f.kind {
            "checkbox" => {
                f.value = if data.checked(f.name) {
                    "on".into()
                } else {
                    String::new()
                }
            }
            "file" => {}
            _ => f.value = data.get(f.name).to_owned(),
        }
    }
    fields
}

// ---- parsing the submitted form ----

type Parsed<T> = Result<T, EntryError>;

fn date(data: &FormData, name: &'static str) -> Parsed<NaiveDate> {
    let s = data.get(name).trim();
    if s.is_empty() {
        return Err(EntryError::Required("a date"));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| EntryError::Invalid("a date is not valid"))
}

fn optional_date(data: &FormData, name: &'static str) -> Parsed<Option<NaiveDate>> {
    if data.get(name).trim().is_empty() {
        Ok(None)
    } else {
        date(data, name).map(Some)
    }
}

fn partial(data: &FormData, name: &'static str) -> Parsed<Option<PartialDate>> {
    let s = data.get(name).trim();
    if s.is_empty() {
        return Ok(None);
    }
    PartialDate::parse(s)
        .map(Some)
        .map_err(|_| EntryError::Invalid("a date is not valid"))
}

fn icpc(data: &FormData) -> Parsed<Option<(IcpcCode, Option<String>)>> {
    // The searchable list fills in "K86 Hypertensie"; the code is the first word.
    let raw = data
        .get("icpc")
        .split_whitespace()
        .next()
        .unwrap_or_default();
    if raw.is_empty() {
        return Ok(None);
    }
    let code = IcpcCode::parse(&raw.to_uppercase())
        .map_err(|_| EntryError::Invalid("the ICPC code is not valid"))?;
    let title = Glossary::dutch()
        .icpc(code.as_str())
        .map(|e| e.title.clone());
    Ok(Some((code, title)))
}

fn episode(data: &FormData) -> Parsed<Option<EpisodeId>> {
    let s = data.get("episode").trim();
    if s.is_empty() {
        return Ok(None);
    }
    EpisodeId::new(s)
        .map(Some)
        .map_err(|_| EntryError::Invalid("the chosen episode is not in this record"))
}

fn moment(data: &FormData) -> Parsed<DateTime<Utc>> {
    let s = data.get("moment").trim();
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .map_err(|_| EntryError::Invalid("the date and time are not valid"))?;
    Amsterdam
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or(EntryError::Invalid("the date and time are not valid"))
}

fn medication_fields(data: &FormData) -> Parsed<entry::MedicationFields> {
    let atc = data.get("atc").trim().to_uppercase();
    Ok(entry::MedicationFields {
        product: data.get("middel").to_owned(),
        product_code: (!atc.is_empty())
            .then(|| Coding::new(system::ATC, &atc, Some(data.get("middel").trim()))),
        dosage: data.get("dosering").to_owned(),
        start: date(data, "begin")?,
        end: optional_date(data, "einde")?,
        episode: episode(data)?,
    })
}

fn result_fields(data: &FormData, kind: ResultKind) -> Parsed<entry::ResultFields> {
    let code = Nhg45Code::parse(data.get("code").trim())
        .map_err(|_| EntryError::Invalid("the NHG-Tabel 45 code is not valid"))?;
    let unit = match data.get("eenheid").trim() {
        "" => None,
        u => Some(Ucum::parse(u).map_err(|_| EntryError::Invalid("the unit is not valid UCUM"))?),
    };
    let mut name = data.get("naam").trim().to_owned();
    if name.is_empty()
        && let Some(lab) = Glossary::dutch().lab(code.as_str())
    {
        name = lab.name.clone();
    }
    let bound = |n: &str| Some(data.get(n).to_owned()).filter(|s| !s.trim().is_empty());
    Ok(entry::ResultFields {
        kind,
        code,
        name,
        value: data.get("waarde").to_owned(),
        unit,
        low: bound("onder"),
        high: bound("boven"),
        effective: moment(data)?,
        episode: episode(data)?,
    })
}

fn allergy_fields(data: &FormData) -> Parsed<entry::AllergyFields> {
    let sys = match data.get("codestelsel") {
        "atc" => system::ATC,
        "snomed" => system::SNOMED,
        _ => system::SNK,
    };
    Ok(entry::AllergyFields {
        substance: Coding::new(
            sys,
            data.get("stofcode").trim(),
            Some(data.get("stof").trim()),
        ),
        category: match data.get("categorie") {
            "voeding" => AllergyCategory::Food,
            "omgeving" => AllergyCategory::Environment,
            "biologisch" => AllergyCategory::Biologic,
            _ => AllergyCategory::Medication,
        },
        criticality: match data.get("ernst") {
            "laag" => Some(Criticality::Low),
            "hoog" => Some(Criticality::High),
            "onbekend" => Some(Criticality::UnableToAssess),
            _ => None,
        },
        status: match data.get("status") {
            "inactief" => AllergyStatus::Inactive,
            "over" => AllergyStatus::Resolved,
            _ => AllergyStatus::Active,
        },
        reaction: data.get("reactie").to_owned(),
        note: data.get("toelichting").to_owned(),
    })
}

fn letter_fields(data: &FormData) -> Parsed<entry::LetterFields> {
    Ok(entry::LetterFields {
        direction: if data.get("richting") == "uit" {
            LetterDirection::Outgoing
        } else {
            LetterDirection::Incoming
        },
        letter_type: match data.get("briefsoort") {
            "ontslag" => LetterType::DischargeLetter,
            "radiologie" => LetterType::RadiologyReport,
            "verwijzing" => LetterType::ReferralLetter,
            "overig" => LetterType::Other,
            _ => LetterType::SpecialistLetter,
        },
        date: date(data, "datum")?,
        title: data.get("titel").to_owned(),
        author: data.get("auteur").to_owned(),
        episode: episode(data)?,
    })
}

/// A fresh id: the kind and 64 random bits.
pub fn new_id(kind: &str) -> String {
    format!("{kind}-{:016x}", rand::random::<u64>())
}

/// The staff member as an author in the record.
pub fn author(staff: &Staff, at: DateTime<Utc>) -> WebResult<Author> {
    Ok(Author {
        practitioner: Practitioner {
            id: PractitionerId::new(own_practitioner_id(staff))
                .map_err(|_| WebError::Invalid("staff id"))?,
            practice: Some(staff.practice.clone()),
            name: HumanName {
                given: vec![],
                initials: None,
                prefix: None,
                family: staff.display_name.clone(),
            },
            agb: None,
            identifiers: vec![],
            roles: vec![staff.role],
            contact: ContactDetails::default(),
        },
        at,
    })
}

fn apply_new(kind: Kind, r: &mut PatientRecord, data: &FormData, by: &Author) -> Parsed<String> {
    let ids = &mut new_id;
    Ok(match kind {
        Kind::Consult => {
            let contact_type = ContactType::parse(data.get("contactsoort"))
                .map_err(|_| EntryError::Invalid("the kind of contact is not valid"))?;
            let e_code = icpc(data)?;
            let lines = [
                (Soep::S, "s"),
                (Soep::O, "o"),
                (Soep::E, "e"),
                (Soep::P, "p"),
            ]
            .into_iter()
            .map(|(soep, name)| entry::NewLine {
                soep,
                text: data.get(name).to_owned(),
                icpc: if soep == Soep::E {
                    e_code.as_ref().map(|(c, _)| c.clone())
                } else {
                    None
                },
            })
            .collect();
            entry::add_contact(
                r,
                entry::NewContact {
                    contact_type,
                    date: date(data, "datum")?,
                    episode: episode(data)?,
                    lines,
                },
                by,
                ids,
            )?
            .to_string()
        }
        Kind::Line => return Err(EntryError::Invalid("a line is added with a consult")),
        Kind::Episode => {
            let code = icpc(data)?;
            entry::add_episode(r, episode_fields(data, code)?, by, ids)?.to_string()
        }
        Kind::Medication => {
            entry::add_medication(r, medication_fields(data)?, by, ids)?.to_string()
        }
        Kind::Result => {
            let kind = if data.get("soort") == "L" {
                ResultKind::L
            } else {
                ResultKind::D
            };
            entry::add_result(r, result_fields(data, kind)?, by, ids)?.to_string()
        }
        Kind::Allergy => entry::add_allergy(r, allergy_fields(data)?, by, ids)?.to_string(),
        Kind::Letter => {
            let pdf = data.file.clone().unwrap_or_default();
            entry::add_letter(r, letter_fields(data)?, pdf, by, ids)?.to_string()
        }
        Kind::Note => entry::add_work_note(r, data.get("tekst"), by, ids)?.to_string(),
    })
}

fn episode_fields(
    data: &FormData,
    code: Option<(IcpcCode, Option<String>)>,
) -> Parsed<entry::EpisodeFields> {
    let (icpc, icpc_display) = match code {
        Some((c, t)) => (Some(c), t),
        None => (None, None),
    };
    Ok(entry::EpisodeFields {
        title: data.get("titel").to_owned(),
        icpc,
        icpc_display,
        start: partial(data, "begin")?.ok_or(EntryError::Required("the start date"))?,
        end: partial(data, "einde")?,
        attentiewaarde: data.checked("attentiewaarde"),
    })
}

fn apply_edit(
    kind: Kind,
    r: &mut PatientRecord,
    item: &str,
    data: &FormData,
    by: &Author,
) -> Parsed<()> {
    match kind {
        Kind::Consult => Err(EntryError::Invalid("a consult is corrected line by line")),
        Kind::Line => {
            let code = icpc(data)?.map(|(c, _)| c);
            entry::edit_journal_line(r, item, data.get("tekst"), code, by)
        }
        Kind::Episode => {
            let code = icpc(data)?;
            entry::edit_episode(r, item, episode_fields(data, code)?, by)
        }
        Kind::Medication => entry::edit_medication(r, item, medication_fields(data)?, by),
        Kind::Result => {
            let current = r
                .results
                .iter()
                .find(|x| x.id.as_str() == item)
                .ok_or(EntryError::NotFound)?
                .kind;
            entry::edit_result(r, item, result_fields(data, current)?, by)
        }
        Kind::Allergy => entry::edit_allergy(r, item, allergy_fields(data)?, by),
        Kind::Letter => entry::edit_letter(r, item, letter_fields(data)?, by),
        Kind::Note => entry::edit_work_note(r, item, data.get("tekst"), by),
    }
}

// ---- saving: one writer per patient, on the freshest record ----

/// Applies `change` to the freshest stored version of the record, under the patient's edit
/// lock, and saves it with one audit entry. Two staff members editing the same record at the
/// same moment both keep their change. A refused change saves nothing.
pub async fn change_record<T>(
    rec: &StaffRecord,
    event: EventType,
    describe: impl FnOnce(&T) -> String,
    change: impl FnOnce(&mut PatientRecord) -> Result<T, EntryError>,
) -> WebResult<Result<T, EntryError>> {
    let _guard = rec.state.edit_lock(&rec.record.patient.id).await;
    let mut record = rec
        .state
        .store
        .load_record(&rec.record.patient.id)
        .await?
        .filter(|r| r.patient.practice == rec.staff.practice)
        .ok_or(WebError::NotFound)?;
    match change(&mut record) {
        Err(e) => Ok(Err(e)),
        Ok(value) => {
            let audit = rec.staff.audit_event(
                rec.state.now(),
                event,
                Some(record.patient.id.clone()),
                format!("practice: {}", describe(&value)),
            );
            rec.state.store.save_record(&record, audit).await?;
            Ok(Ok(value))
        }
    }
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
    let tr = Tr::from_session(&rec.session).await;
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
    let tr = Tr::from_session(&rec.session).await;
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
    let tr = Tr::from_session(&rec.session).await;
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
            parse::<d::Contact>(payload).map(|c| (who(&c.meta.updated_by), c.date.to_string()))
        }
        Kind::Line => parse::<d::JournalLine>(payload).map(|l| {
            let code = l.icpc.map(|c| format!(" [{c}]")).unwrap_or_default();
            (
                who(&l.meta.updated_by),
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
                who(&e.meta.updated_by),
                format!("{code}{} ({}{end})", e.title, partial_value(Some(&e.start))),
            )
        }),
        Kind::Medication => parse::<d::MedicationAgreement>(payload).map(|m| {
            let end = m
                .period_end
                .map(|x| format!(" tot {x}"))
                .unwrap_or_default();
            (
                who(&m.meta.updated_by),
                format!("{}: {}{end}", m.product.name, m.dosage_text),
            )
        }),
        Kind::Result => parse::<d::LabResult>(payload).map(|x| {
            let line = inzage_domain::visibility::present::result_line(&x);
            (
                who(&x.meta.updated_by),
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
                who(&a.meta.updated_by),
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
                who(&l.meta.updated_by),
                format!("{} ({}, {})", l.title, l.author, l.date),
            )
        }),
        Kind::Note => parse::<d::WorkNote>(payload).map(|n| (who(&n.meta.updated_by), n.text)),
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
            include_str!("entry.rs"),
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
