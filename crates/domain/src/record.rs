//! The GP record model (H-EPD), after the NHG HIS-Referentiemodel and the zibs.
//!
//! A [`PatientRecord`] holds everything the practice keeps about one patient. Every item carries
//! [`ItemMeta`]: who created and last changed it and when, where it came from, and its
//! online-visibility controls. What a patient may *see* is not decided here but in
//! [`crate::visibility`].

use crate::codes::{AgbCode, Bsn, Coding, ContactType, IcpcCode, Nhg45Code, Ucum};
use crate::ids::*;
use crate::time::PartialDate;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Who did something to the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// A staff member of the practice.
    Staff(PractitionerId),
    /// A process, for example `import` or `generate`.
    System(String),
}

/// Where an item came from (R24).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    OwnPractice,
    /// Data from another provider that became part of the GP record (a letter, a lab result).
    OtherProvider {
        /// Boxed (16 bytes where a `String` takes 24): every kept item carries a `Source`.
        name: Box<str>,
    },
}

/// Why an item is shielded from online view (R29, R31). The reason decides whether the item
/// still goes into the full electronic copy (R32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShieldReason {
    /// Showing it would harm another person's privacy; also left out of the full copy.
    ThirdParty,
    /// The GP has not discussed it with the patient yet.
    NotYetDiscussed,
    /// Reading it online without explanation could harm the patient.
    PotentiallyHarmful,
    Other,
}

/// A GP's decision to keep an item out of online view: reason code, free text, who and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shield {
    pub reason: ShieldReason,
    pub text: String,
    pub by: Actor,
    pub at: DateTime<Utc>,
}

/// Bookkeeping every record item carries.
///
/// Who made the item and when, and who changed it last and when, are read with
/// [`ItemMeta::created_by`], [`ItemMeta::created_at`], [`ItemMeta::updated_by`] and
/// [`ItemMeta::updated_at`], and set with [`ItemMeta::set_updated`] and
/// [`ItemMeta::set_created`]: most items are never changed after they were made, so the last
/// change is kept (boxed) only when it is not the creation. A kept record's every item carries
/// the field: 8 bytes where an actor and a time took 36, with the actor's name a copy of its
/// own. The four are private so that setting one pair cannot move the other, and so that two
/// metas with the same four are equal. Stored as before, with all four fields.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "OwnedMeta")]
pub struct ItemMeta {
    created_by: Actor,
    created_at: DateTime<Utc>,
    /// The last change, when it is not the creation (`None`: never changed since).
    changed: Option<Box<(Actor, DateTime<Utc>)>>,
    pub source: Source,
    /// Set when a GP has shielded the item from online view (boxed: most items are not, and
    /// every kept record's items carry the field).
    pub shield: Option<Box<Shield>>,
    /// Business identifiers the source gave the item (system and value), kept so that a
    /// receiver can recognise the same item again; never a BSN.
    /// A boxed slice: 16 bytes in every kept item where a `Vec` takes 24, and read without
    /// spare room. (Stored without it when empty: see `StoredMeta`.)
    pub identifiers: Box<[Coding]>,
    /// What the GP decided about sharing the item with other providers (R117, blocks the
    /// patient asked for): independent of `shield`, which is about the patient's own view.
    pub sharing: crate::exchange::ItemSharing,
}

/// Reads a list and gives back its spare room. A list read from JSON grows as its elements
/// come (room for four when one came: a one-coding list of codes took 288 bytes instead of 72),
/// and a record kept in the cache holds its lists as long as it is kept: for the qualification
/// patient that spare room was a quarter of the record.
pub(crate) fn shrunk<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut list = Vec::<T>::deserialize(d)?;
    list.shrink_to_fit();
    Ok(list)
}

impl ItemMeta {
    /// Meta for an item created now by `by`, from the practice itself, not shielded.
    pub fn new(by: Actor, at: DateTime<Utc>) -> Self {
        Self {
            created_by: by,
            created_at: at,
            changed: None,
            source: Source::OwnPractice,
            shield: None,
            identifiers: Box::default(),
            sharing: Default::default(),
        }
    }
    /// Who made the item.
    pub fn created_by(&self) -> &Actor {
        &self.created_by
    }
    /// When the item was made.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// Records who made the item and when, keeping its last change as it was (a re-import keeps
    /// the first import's creation, and its own change).
    pub fn set_created(&mut self, by: Actor, at: DateTime<Utc>) {
        let (last_by, last_at) = (self.updated_by().clone(), self.updated_at());
        self.created_by = by;
        self.created_at = at;
        self.set_updated(last_by, last_at);
    }
    /// Who changed the item last (its creator when nobody has since).
    pub fn updated_by(&self) -> &Actor {
        self.changed.as_ref().map_or(&self.created_by, |c| &c.0)
    }
    /// When the item was changed last (when it was made, when it has not been since).
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.changed.as_ref().map_or(self.created_at, |c| c.1)
    }
    /// Records a change by `by` at `at`.
    pub fn set_updated(&mut self, by: Actor, at: DateTime<Utc>) {
        self.changed = (by != self.created_by || at != self.created_at).then(|| Box::new((by, at)));
    }
    /// As [`ItemMeta::set_updated`], by whoever changed it last.
    pub fn set_updated_at(&mut self, at: DateTime<Utc>) {
        let by = self.updated_by().clone();
        self.set_updated(by, at);
    }
}

/// [`ItemMeta`] as it is stored: the last change written out, also when it is the creation.
#[derive(Serialize, Deserialize)]
#[serde(bound(
    serialize = "A: Serialize, T: Serialize, S: Serialize, H: Serialize, \
                 I: Serialize + AsRef<[Coding]>, \
                 G: Serialize + std::borrow::Borrow<crate::exchange::ItemSharing>",
    deserialize = "A: Deserialize<'de>, T: Deserialize<'de>, S: Deserialize<'de>, \
                   H: Deserialize<'de>, I: Deserialize<'de> + Default, G: Deserialize<'de> + Default"
))]
struct StoredMeta<A, T, S, H, I, G> {
    created_by: A,
    created_at: T,
    updated_by: A,
    updated_at: T,
    source: S,
    shield: H,
    #[serde(default, skip_serializing_if = "is_empty_list")]
    identifiers: I,
    #[serde(default, skip_serializing_if = "is_no_sharing")]
    sharing: G,
}

fn is_empty_list<I: AsRef<[Coding]>>(i: &I) -> bool {
    i.as_ref().is_empty()
}

fn is_no_sharing<G: std::borrow::Borrow<crate::exchange::ItemSharing>>(g: &G) -> bool {
    g.borrow().is_empty()
}

type OwnedMeta = StoredMeta<
    Actor,
    DateTime<Utc>,
    Source,
    Option<Box<Shield>>,
    Box<[Coding]>,
    crate::exchange::ItemSharing,
>;

impl From<OwnedMeta> for ItemMeta {
    fn from(m: OwnedMeta) -> Self {
        let mut meta = ItemMeta {
            created_by: m.created_by,
            created_at: m.created_at,
            changed: None,
            source: m.source,
            shield: m.shield,
            identifiers: m.identifiers,
            sharing: m.sharing,
        };
        meta.set_updated(m.updated_by, m.updated_at);
        meta
    }
}

impl Serialize for ItemMeta {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        StoredMeta {
            created_by: &self.created_by,
            created_at: &self.created_at,
            updated_by: self.updated_by(),
            updated_at: &self.updated_at(),
            source: &self.source,
            shield: &self.shield,
            identifiers: &self.identifiers,
            sharing: &self.sharing,
        }
        .serialize(s)
    }
}

/// A coded concept with the text the source wrote beside it (what a FHIR CodeableConcept
/// carries): the text is often more precise than the codes ("half uur voor het sporten"
/// under the code "overig").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodedText {
    #[serde(deserialize_with = "crate::record::shrunk")]
    pub codes: Vec<Coding>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
    Other,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HumanName {
    /// Given names as used (roepnaam first).
    pub given: Vec<String>,
    pub initials: Option<String>,
    /// Voorvoegsels, e.g. "van der".
    pub prefix: Option<String>,
    pub family: String,
}

impl HumanName {
    /// "Jacqueline van der Berg".
    pub fn display(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if let Some(g) = self.given.first() {
            parts.push(g);
        } else if let Some(i) = &self.initials {
            parts.push(i);
        }
        if let Some(p) = &self.prefix {
            parts.push(p);
        }
        parts.push(&self.family);
        parts.join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    pub house_number: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContactDetails {
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    pub id: PatientId,
    pub practice: PracticeId,
    /// Absent only for imported test patients whose BSN was masked at the source.
    pub bsn: Option<Bsn>,
    pub name: HumanName,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    pub address: Option<Address>,
    pub contact: ContactDetails,
    /// The registered GP (R22).
    pub general_practitioner: Option<PractitionerId>,
    /// The patient's recorded consent to make their data available online (R53).
    pub online_consent: Option<OnlineConsent>,
    /// The patient chose to see released-by-delay results immediately (R26, practice permitting).
    pub wants_results_immediately: bool,
    /// The patient's choices about sharing this practice's data with other providers (R113,
    /// R115, R116): one per data category and requesting provider category that was asked.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::record::shrunk"
    )]
    pub exchange_consent: Vec<crate::exchange::ExchangeConsent>,
    pub meta: ItemMeta,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineConsent {
    pub portal: bool,
    pub pgo: bool,
    pub recorded_by: Actor,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Practice {
    pub id: PracticeId,
    pub name: String,
    pub agb: Option<AgbCode>,
    /// Its other identifiers (URA, ...) as the source gave them.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::record::shrunk"
    )]
    pub identifiers: Vec<Coding>,
    pub address: Option<Address>,
    pub contact: ContactDetails,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Huisarts.
    Gp,
    /// Doktersassistent.
    Assistant,
    /// Praktijkondersteuner (POH).
    PracticeNurse,
    Administrator,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Practitioner {
    pub id: PractitionerId,
    pub practice: Option<PracticeId>,
    pub name: HumanName,
    pub agb: Option<AgbCode>,
    /// Other identifiers (UZI number, ...), system and value.
    #[serde(deserialize_with = "crate::record::shrunk")]
    pub identifiers: Vec<Coding>,
    #[serde(deserialize_with = "crate::record::shrunk")]
    pub roles: Vec<StaffRole>,
    pub contact: ContactDetails,
}

/// An episode: the history of one health problem (NHG definition).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Episode {
    pub id: EpisodeId,
    /// The GP's own words for the problem; the main label for the patient (R42).
    pub title: String,
    pub icpc: Option<IcpcCode>,
    /// NHG title for the ICPC code, as the source gave it.
    pub icpc_display: Option<String>,
    pub start: PartialDate,
    /// `None` while the episode is active.
    pub end: Option<PartialDate>,
    /// Of lasting importance: shown prominently, visible even after closing (R2).
    pub attentiewaarde: bool,
    pub first_encounter: Option<NaiveDate>,
    pub last_encounter: Option<NaiveDate>,
    /// The diagnosis (zib-Problem) this episode is about.
    pub problem: Option<ProblemId>,
    pub care_manager: Option<PractitionerId>,
    pub meta: ItemMeta,
}

impl Episode {
    /// Closed episodes have an end date on or before `today`.
    pub fn is_closed(&self, today: NaiveDate) -> bool {
        self.end.is_some_and(|e| e.earliest() <= today)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemStatus {
    Active,
    Inactive,
}

/// A diagnosis or problem (zib-Problem).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub id: ProblemId,
    pub code: Coding,
    pub status: ProblemStatus,
    pub onset: Option<PartialDate>,
    pub abatement: Option<PartialDate>,
    pub asserter: Option<PractitionerId>,
    pub meta: ItemMeta,
}

/// A warning (zib-Alert). The attentiewaarde of an episode arrives from FHIR as such a flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: AlertId,
    pub code: Coding,
    pub active: bool,
    pub start: Option<PartialDate>,
    pub end: Option<PartialDate>,
    pub detail: Option<String>,
    pub episode: Option<EpisodeId>,
    pub author: Option<PractitionerId>,
    pub meta: ItemMeta,
}

/// A (deel)contact: a consult, visit, phone call, ...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub contact_type: ContactType,
    pub date: NaiveDate,
    pub end: Option<NaiveDate>,
    pub practitioner: Option<PractitionerId>,
    pub episode: Option<EpisodeId>,
    /// Staff override of whether the patient took part; `None` means: derive it from the
    /// contact type and the practice settings (R10).
    pub patient_took_part: Option<bool>,
    pub meta: ItemMeta,
}

/// S, O, E or P.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Soep {
    S,
    O,
    E,
    P,
}

impl Soep {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "S" => Self::S,
            "O" => Self::O,
            "E" => Self::E,
            "P" => Self::P,
            _ => return None,
        })
    }
    pub fn letter(self) -> &'static str {
        match self {
            Self::S => "S",
            Self::O => "O",
            Self::E => "E",
            Self::P => "P",
        }
    }
    pub fn display_nl(self) -> &'static str {
        match self {
            Self::S => "Subjectief",
            Self::O => "Objectief",
            Self::E => "Evaluatie",
            Self::P => "Plan",
        }
    }
}

/// One SOEP journal line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalLine {
    pub id: JournalLineId,
    pub soep: Soep,
    pub text: String,
    pub icpc: Option<IcpcCode>,
    pub icpc_display: Option<String>,
    pub date: NaiveDate,
    pub contact: Option<ContactId>,
    pub episode: Option<EpisodeId>,
    pub author: Option<PractitionerId>,
    pub meta: ItemMeta,
}

/// A medicinal product, coded with the G-Standaard (PRK/GPK/HPK/ZI) and/or ATC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// The source system's id of the product resource, kept for re-export.
    pub source_id: Option<String>,
    pub name: String,
    #[serde(deserialize_with = "crate::record::shrunk")]
    pub codes: Vec<Coding>,
}

/// A prescription (zib-MedicationAgreement).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MedicationAgreement {
    pub id: MedicationId,
    pub product: Product,
    pub dosage_text: String,
    /// Structured parts of the dosage as the source coded them (the route; in items stored
    /// before `dosage` existed, also the additional instructions).
    #[serde(deserialize_with = "crate::record::shrunk")]
    pub dosage_codes: Vec<Coding>,
    /// The structured dosage as the source gave it (zib InstructionsForUse): how often, how
    /// much, whether as needed, the additional instructions with their text. Empty for a
    /// dosage written as text only; cleared when the text is changed.
    #[serde(default, skip_serializing_if = "Dosage::is_empty")]
    pub dosage: Dosage,
    pub period_start: Option<NaiveDate>,
    /// `None`: no end date, continuous use.
    pub period_end: Option<NaiveDate>,
    pub authored_on: Option<NaiveDate>,
    pub prescriber: Option<PractitionerId>,
    pub contact: Option<ContactId>,
    pub episode: Option<EpisodeId>,
    pub meta: ItemMeta,
}

/// The structured parts of a dosage instruction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dosage {
    /// How often: `frequency` times per `period` `period_unit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<DoseTiming>,
    /// How much per time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose: Option<DoseQuantity>,
    /// "Zo nodig": `Some` when taken as needed, with the condition when the source coded one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_needed: Option<AsNeeded>,
    /// Additional instructions ("1 uur voor de maaltijd"), each with its text.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::record::shrunk"
    )]
    pub additional: Vec<CodedText>,
}

impl Dosage {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `frequency` times per `period` `period_unit` (FHIR units of time: s, min, h, d, wk, mo, a).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoseTiming {
    pub frequency: Option<u32>,
    pub period: Option<Decimal>,
    pub period_unit: Option<TimeUnit>,
}

/// A unit of time as FHIR's Timing names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TimeUnit {
    #[serde(rename = "s")]
    Second,
    #[serde(rename = "min")]
    Minute,
    #[serde(rename = "h")]
    Hour,
    #[serde(rename = "d")]
    Day,
    #[serde(rename = "wk")]
    Week,
    #[serde(rename = "mo")]
    Month,
    #[serde(rename = "a")]
    Year,
}

impl TimeUnit {
    pub const ALL: [TimeUnit; 7] = [
        Self::Second,
        Self::Minute,
        Self::Hour,
        Self::Day,
        Self::Week,
        Self::Month,
        Self::Year,
    ];
    /// The FHIR code (`d`, `wk`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Self::Second => "s",
            Self::Minute => "min",
            Self::Hour => "h",
            Self::Day => "d",
            Self::Week => "wk",
            Self::Month => "mo",
            Self::Year => "a",
        }
    }
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.code() == code)
    }
}

/// An amount per dose: a value with the unit as the source wrote and coded it
/// (G-Standaard units such as "STUK" are not UCUM).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoseQuantity {
    pub value: Decimal,
    pub unit: Option<String>,
    pub system: Option<String>,
    pub code: Option<String>,
}

/// Taken as needed: just so, or on a coded condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AsNeeded {
    Yes,
    When(CodedText),
}

impl MedicationAgreement {
    /// Current on `today`: no end date or ending on or after today (R13, R14).
    pub fn is_current(&self, today: NaiveDate) -> bool {
        self.period_end.is_none_or(|end| end >= today)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllergyCategory {
    Medication,
    Food,
    Environment,
    Biologic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criticality {
    Low,
    High,
    UnableToAssess,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllergyStatus {
    Active,
    Inactive,
    Resolved,
}

/// An allergy or intolerance (zib-AllergyIntolerance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Allergy {
    pub id: AllergyId,
    pub substance: Coding,
    pub category: AllergyCategory,
    pub criticality: Option<Criticality>,
    pub status: AllergyStatus,
    pub onset: Option<PartialDate>,
    pub reaction: Option<String>,
    /// Coded reaction details (substance, manifestation, severity) as the source gave them.
    #[serde(deserialize_with = "crate::record::shrunk")]
    pub reaction_codes: Vec<Coding>,
    pub note: Option<String>,
    pub recorder: Option<PractitionerId>,
    pub meta: ItemMeta,
}

/// A contra-indication (G-Standaard Thesaurus 40 contra-indicatie-aard).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContraIndication {
    pub id: ContraIndicationId,
    pub code: Coding,
    pub start: Option<PartialDate>,
    pub end: Option<PartialDate>,
    pub meta: ItemMeta,
}

/// NHG-Tabel 45 type: L for lab, D for a practice measurement (blood pressure, weight, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResultKind {
    L,
    D,
}

/// A decimal number as written by the source ("5.40" stays "5.40").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Decimal(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid decimal {0:?}")]
pub struct InvalidDecimal(pub String);

impl Decimal {
    pub fn parse(s: &str) -> Result<Self, InvalidDecimal> {
        let t = s.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        let ok = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && digits.bytes().filter(|&b| b == b'.').count() <= 1
            && !digits.starts_with('.')
            && !digits.ends_with('.');
        if ok {
            Ok(Self(t.to_owned()))
        } else {
            Err(InvalidDecimal(s.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn to_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }
}

impl TryFrom<String> for Decimal {
    type Error = InvalidDecimal;
    fn try_from(s: String) -> Result<Self, InvalidDecimal> {
        Self::parse(&s)
    }
}
impl From<Decimal> for String {
    fn from(d: Decimal) -> String {
        d.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResultValue {
    Quantity { value: Decimal, unit: Option<Ucum> },
    Coded { coding: Coding },
    Text { text: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceRange {
    pub low: Option<Decimal>,
    pub high: Option<Decimal>,
    pub text: Option<String>,
    /// What kind of range it is (normal, recommended, treatment), when the source said so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Coding>,
}

/// Where a value lies against its reference range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangePosition {
    Below,
    Within,
    Above,
}

/// The GP's review of a received result (R26, R27).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReviewState {
    /// Received, not yet reviewed: released automatically after the practice's delay.
    Pending {
        received_at: DateTime<Utc>,
    },
    Released {
        by: Actor,
        at: DateTime<Utc>,
    },
    /// Held back indefinitely by a GP; overrides the automatic release.
    Withheld {
        by: Actor,
        at: DateTime<Utc>,
        reason: String,
    },
}

/// A diagnostic result (NHG-Tabel 45 bepaling).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabResult {
    pub id: ResultId,
    pub kind: ResultKind,
    pub code: Nhg45Code,
    /// NHG display name of the test, e.g. "glucose nuchter, art/cap (lab)".
    pub name: String,
    /// Other codings of the same test (LOINC, ...).
    #[serde(deserialize_with = "crate::record::shrunk")]
    pub other_codes: Vec<Coding>,
    pub value: ResultValue,
    /// Boxed, as `interpretation` is: many results have none, and a kept record holds every
    /// result (a heavy record a thousand).
    pub reference_range: Option<Box<ReferenceRange>>,
    /// Where on the body it was measured ("oraal onder de tong"), when the source said so.
    /// Boxed, as `interpretation` is: few results have one (48 bytes inline in every result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_site: Option<Box<CodedText>>,
    /// Interpretation flag as given by the lab (e.g. H, L), if any.
    pub interpretation: Option<Box<Coding>>,
    pub effective: DateTime<Utc>,
    pub review: ReviewState,
    /// The GP's explanation for the patient ("Iets te hoog, niet erg. We meten over een jaar
    /// opnieuw."), written when releasing the result and shown with it (issue 18).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_comment: Option<String>,
    pub performer: Option<PractitionerId>,
    pub contact: Option<ContactId>,
    pub episode: Option<EpisodeId>,
    pub meta: ItemMeta,
}

impl LabResult {
    /// Below, within or above the reference range, for numeric values with a range.
    pub fn range_position(&self) -> Option<RangePosition> {
        let ResultValue::Quantity { value, .. } = &self.value else {
            return None;
        };
        let range = self.reference_range.as_ref()?;
        let v = value.to_f64();
        if range.low.as_ref().is_some_and(|l| v < l.to_f64()) {
            Some(RangePosition::Below)
        } else if range.high.as_ref().is_some_and(|h| v > h.to_f64()) {
            Some(RangePosition::Above)
        } else if range.low.is_some() || range.high.is_some() {
            Some(RangePosition::Within)
        } else {
            None
        }
    }
}

/// A treatment or procedure ("Behandeling", NHG-Tabel 15 verrichting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Treatment {
    pub id: TreatmentId,
    pub code: Option<Coding>,
    pub description: String,
    pub date: PartialDate,
    pub episode: Option<EpisodeId>,
    pub meta: ItemMeta,
}

/// A "Profylaxe en voorzorg" entry (NHG-Tabel 56), e.g. a vaccination or a precaution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prophylaxis {
    pub id: ProphylaxisId,
    pub code: Option<Coding>,
    pub description: String,
    pub date: PartialDate,
    pub meta: ItemMeta,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterDirection {
    Incoming,
    Outgoing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterType {
    /// A letter from a medical specialist.
    SpecialistLetter,
    /// A hospital discharge letter (from a medical specialist).
    DischargeLetter,
    RadiologyReport,
    /// The GP's referral letter (verwijsbrief).
    ReferralLetter,
    /// Anything else (insurer, employer, municipality, ...).
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LetterContent {
    /// The PDF itself.
    Pdf { bytes: Vec<u8> },
    /// A reference to where the document is kept (document store, URL).
    Reference { uri: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Letter {
    pub id: LetterId,
    pub direction: LetterDirection,
    pub letter_type: LetterType,
    pub date: NaiveDate,
    pub title: String,
    /// Author's name as on the letter (often someone outside the practice).
    pub author: String,
    pub content: LetterContent,
    pub episode: Option<EpisodeId>,
    /// The codes a received document came with (FHIR DocumentReference `type` and `class`); it is
    /// handed out again with them. None for letters made or scanned here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentCodes>,
    pub meta: ItemMeta,
}

/// A received document's own type and class codes, kept as sent. (Its `masterIdentifier` is not
/// kept: the document we hand out is ours and gets our own identity, as the MedMij
/// qualification asks.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentCodes {
    /// The document type (LOINC or SNOMED CT).
    pub type_code: Option<Coding>,
    /// The document class.
    pub class_code: Option<Coding>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    Cancelled,
    Fulfilled,
    NoShow,
}

/// How the patient and the practice meet (issue 18, item 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentMode {
    /// At the practice.
    Visit,
    Phone,
    Video,
}

impl AppointmentMode {
    pub const ALL: [Self; 3] = [Self::Visit, Self::Phone, Self::Video];

    /// The form value.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Visit => "praktijk",
            Self::Phone => "telefonisch",
            Self::Video => "video",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.slug() == s)
    }
}

/// The longest reason for an appointment a patient or the practice writes.
pub const MAX_APPOINTMENT_REASON: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appointment {
    pub id: AppointmentId,
    pub start: DateTime<Utc>,
    pub minutes: u32,
    pub practitioner: Option<PractitionerId>,
    pub kind: String,
    pub status: AppointmentStatus,
    /// Why, in the patient's or the assistant's words ("Uitslag bespreken: ...").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<AppointmentMode>,
    pub meta: ItemMeta,
}

/// A GP's personal work note: not part of the medical record, never shown and never exported (R23).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkNote {
    pub id: WorkNoteId,
    pub author: PractitionerId,
    pub text: String,
    pub meta: ItemMeta,
}

/// What kind of access a representation grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepresentationBasis {
    /// A parent with authority (ouderlijk gezag).
    ParentalAuthority,
    /// A guardian (voogd) with authority.
    Guardianship,
    /// Curator (curatele) of an adult.
    Curatorship,
    /// Mentor (mentorschap) of an adult.
    Mentorship,
    /// A written authorisation by the patient (schriftelijke machtiging), e.g. for a carer.
    WrittenAuthorisation,
    /// A DigiD Machtiging registered by the patient.
    DigidAuthorisation,
}

impl RepresentationBasis {
    /// Parental-type access, subject to the minors rules R33-R38.
    pub fn is_parental(self) -> bool {
        matches!(self, Self::ParentalAuthority | Self::Guardianship)
    }
    pub fn is_legal_representation(self) -> bool {
        matches!(self, Self::Curatorship | Self::Mentorship)
    }
}

/// The record sections an authorisation can be limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Episodes,
    Journal,
    Medication,
    Allergies,
    Results,
    Letters,
    Appointments,
    Treatments,
}

/// The evidence a practice checked before granting a representative access (R41).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// E.g. "uittreksel gezagsregister", "beschikking curatele", "ondertekende machtiging".
    pub kind: String,
    pub checked_by: Actor,
    pub checked_at: DateTime<Utc>,
}

/// Consent of a 12-15 year old for a parent's access (R35), and its withdrawal (R37).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildConsent {
    pub given_at: DateTime<Utc>,
    pub recorded_by: Actor,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// Someone other than the patient who may see the record: parent, legal representative, carer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Representation {
    pub id: RepresentationId,
    pub agent_bsn: Bsn,
    pub agent_name: HumanName,
    pub basis: RepresentationBasis,
    pub valid_from: NaiveDate,
    /// Required for authorisations by the patient (R40); optional for legal bases.
    pub valid_to: Option<NaiveDate>,
    /// `None`: the whole visible record; otherwise only these sections.
    pub scope: Option<Vec<Section>>,
    pub evidence: Option<Evidence>,
    pub child_consent: Option<ChildConsent>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Everything the practice keeps about one patient. Two records are equal when they hold the
/// same; the version each was read at is not part of that.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PatientRecord {
    pub patient: Patient,
    pub practice: Practice,
    /// The practitioners the record refers to.
    pub practitioners: Vec<Practitioner>,
    pub episodes: Vec<Episode>,
    pub problems: Vec<Problem>,
    pub alerts: Vec<Alert>,
    pub contacts: Vec<Contact>,
    pub journal: Vec<JournalLine>,
    pub medication: Vec<MedicationAgreement>,
    pub allergies: Vec<Allergy>,
    pub contra_indications: Vec<ContraIndication>,
    pub results: Vec<LabResult>,
    pub treatments: Vec<Treatment>,
    pub prophylaxis: Vec<Prophylaxis>,
    pub letters: Vec<Letter>,
    pub appointments: Vec<Appointment>,
    pub work_notes: Vec<WorkNote>,
    pub representations: Vec<Representation>,
    /// The stored version this record was read at: `None` for a record built outside the
    /// store (an import, a new patient). Saving a record read at one version is refused when
    /// the store holds another by then, so two edits of one record never silently overwrite
    /// each other, whichever server instance made them (optimistic concurrency). It says where
    /// the record came from, not what it holds: it is not stored with it.
    #[serde(skip)]
    pub stored_version: Option<i64>,
}

impl PartialEq for PatientRecord {
    fn eq(&self, other: &Self) -> bool {
        // Destructured, so that a new field cannot be left out of the comparison unnoticed.
        let Self {
            patient,
            practice,
            practitioners,
            episodes,
            problems,
            alerts,
            contacts,
            journal,
            medication,
            allergies,
            contra_indications,
            results,
            treatments,
            prophylaxis,
            letters,
            appointments,
            work_notes,
            representations,
            stored_version: _,
        } = self;
        *patient == other.patient
            && *practice == other.practice
            && *practitioners == other.practitioners
            && *episodes == other.episodes
            && *problems == other.problems
            && *alerts == other.alerts
            && *contacts == other.contacts
            && *journal == other.journal
            && *medication == other.medication
            && *allergies == other.allergies
            && *contra_indications == other.contra_indications
            && *results == other.results
            && *treatments == other.treatments
            && *prophylaxis == other.prophylaxis
            && *letters == other.letters
            && *appointments == other.appointments
            && *work_notes == other.work_notes
            && *representations == other.representations
    }
}

impl PatientRecord {
    /// Gives back the room its lists grew beyond their items (a record read item by item
    /// doubles each list's room as it grows): for a record kept in memory.
    pub fn shrink_to_fit(&mut self) {
        // Destructured, so that a new list cannot be left out unnoticed.
        let Self {
            patient: _,
            practice: _,
            practitioners,
            episodes,
            problems,
            alerts,
            contacts,
            journal,
            medication,
            allergies,
            contra_indications,
            results,
            treatments,
            prophylaxis,
            letters,
            appointments,
            work_notes,
            representations,
            stored_version: _,
        } = self;
        practitioners.shrink_to_fit();
        episodes.shrink_to_fit();
        problems.shrink_to_fit();
        alerts.shrink_to_fit();
        contacts.shrink_to_fit();
        journal.shrink_to_fit();
        medication.shrink_to_fit();
        allergies.shrink_to_fit();
        contra_indications.shrink_to_fit();
        results.shrink_to_fit();
        treatments.shrink_to_fit();
        prophylaxis.shrink_to_fit();
        letters.shrink_to_fit();
        appointments.shrink_to_fit();
        work_notes.shrink_to_fit();
        representations.shrink_to_fit();
    }

    /// An empty record for a patient.
    pub fn new(patient: Patient, practice: Practice) -> Self {
        Self {
            patient,
            practice,
            practitioners: vec![],
            episodes: vec![],
            problems: vec![],
            alerts: vec![],
            contacts: vec![],
            journal: vec![],
            medication: vec![],
            allergies: vec![],
            contra_indications: vec![],
            results: vec![],
            treatments: vec![],
            prophylaxis: vec![],
            letters: vec![],
            appointments: vec![],
            work_notes: vec![],
            representations: vec![],
            stored_version: None,
        }
    }

    pub fn practitioner(&self, id: &PractitionerId) -> Option<&Practitioner> {
        self.practitioners.iter().find(|p| &p.id == id)
    }
    pub fn episode(&self, id: &EpisodeId) -> Option<&Episode> {
        self.episodes.iter().find(|e| &e.id == id)
    }
    pub fn contact(&self, id: &ContactId) -> Option<&Contact> {
        self.contacts.iter().find(|c| &c.id == id)
    }
    pub fn problem(&self, id: &ProblemId) -> Option<&Problem> {
        self.problems.iter().find(|p| &p.id == id)
    }

    /// Number of medical items (everything but the patient, practice and practitioners).
    pub fn item_count(&self) -> usize {
        self.episodes.len()
            + self.problems.len()
            + self.alerts.len()
            + self.contacts.len()
            + self.journal.len()
            + self.medication.len()
            + self.allergies.len()
            + self.contra_indications.len()
            + self.results.len()
            + self.treatments.len()
            + self.prophylaxis.len()
            + self.letters.len()
            + self.appointments.len()
            + self.work_notes.len()
            + self.representations.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::mem::size_of;

    #[test]
    fn an_items_last_change_is_stored_as_before() {
        let made = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let later = Utc.with_ymd_and_hms(2026, 2, 3, 4, 5, 6).unwrap();
        let gp = Actor::Staff(PractitionerId::new("gp-1").unwrap());
        let mut meta = ItemMeta::new(Actor::System("import".into()), made);
        assert_eq!(meta.updated_by(), &Actor::System("import".into()));
        assert_eq!(meta.updated_at(), made);
        // All four fields are written, also when the last change is the creation.
        let text = serde_json::to_string(&meta).unwrap();
        assert_eq!(
            text,
            r#"{"created_by":{"kind":"system","id":"import"},"created_at":"2026-01-02T03:04:05Z","updated_by":{"kind":"system","id":"import"},"updated_at":"2026-01-02T03:04:05Z","source":{"kind":"own_practice"},"shield":null}"#
        );
        assert_eq!(serde_json::from_str::<ItemMeta>(&text).unwrap(), meta);

        meta.set_updated(gp.clone(), later);
        assert_eq!((meta.updated_by(), meta.updated_at()), (&gp, later));
        assert_eq!(
            (&meta.created_by, meta.created_at),
            (&Actor::System("import".into()), made)
        );
        let read: ItemMeta = serde_json::from_str(&serde_json::to_string(&meta).unwrap()).unwrap();
        assert_eq!(read, meta);
        assert_eq!((read.updated_by(), read.updated_at()), (&gp, later));

        // Only the time changed: the actor stays who changed it last.
        meta.set_updated_at(made);
        assert_eq!((meta.updated_by(), meta.updated_at()), (&gp, made));
        // A change back to the creation is equal to never changed, however it was read.
        meta.set_updated(Actor::System("import".into()), made);
        assert_eq!(meta, ItemMeta::new(Actor::System("import".into()), made));
        // Setting the creation keeps the last change: one kept apart, and one that was the
        // creation (what a re-import does).
        meta.set_updated(gp.clone(), later);
        meta.set_created(Actor::System("first".into()), made);
        assert_eq!((meta.updated_by(), meta.updated_at()), (&gp, later));
        assert_eq!(meta.created_by(), &Actor::System("first".into()));
        let mut import = ItemMeta::new(Actor::System("import".into()), later);
        import.set_created(Actor::System("first".into()), made);
        assert_eq!(
            (import.updated_by(), import.updated_at()),
            (&Actor::System("import".into()), later)
        );
        assert_eq!(
            (import.created_by(), import.created_at()),
            (&Actor::System("first".into()), made)
        );
        // A creation set to the last change: never changed since.
        import.set_created(Actor::System("import".into()), later);
        assert_eq!(import, ItemMeta::new(Actor::System("import".into()), later));
    }

    /// The text is what the derived `Serialize` of the four public fields wrote before the last
    /// change was boxed, with the parts that are left out when empty filled in too.
    #[test]
    fn an_items_meta_is_written_as_the_derived_form_wrote_it() {
        #[derive(Serialize)]
        struct Before<'a> {
            created_by: &'a Actor,
            created_at: DateTime<Utc>,
            updated_by: &'a Actor,
            updated_at: DateTime<Utc>,
            source: &'a Source,
            shield: &'a Option<Box<Shield>>,
            #[serde(skip_serializing_if = "<[Coding]>::is_empty")]
            identifiers: &'a [Coding],
            #[serde(skip_serializing_if = "crate::exchange::ItemSharing::is_empty")]
            sharing: &'a crate::exchange::ItemSharing,
        }
        let made = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let gp = Actor::Staff(PractitionerId::new("gp-1").unwrap());
        let mut full = ItemMeta::new(Actor::System("import".into()), made);
        full.set_updated(gp.clone(), made + chrono::Duration::days(3));
        full.source = Source::OtherProvider {
            name: "Ziekenhuis".into(),
        };
        full.shield = Some(Box::new(Shield {
            reason: ShieldReason::PotentiallyHarmful,
            text: "reden".into(),
            by: gp.clone(),
            at: made,
        }));
        full.identifiers = vec![Coding::new("urn:oid:1.2.3", "abc", None)].into();
        full.sharing.blocked_for = vec![crate::exchange::Block {
            requester: crate::exchange::ProviderCategory::Hospital,
            by: gp,
            at: made,
        }]
        .into();
        for meta in [ItemMeta::new(Actor::System("import".into()), made), full] {
            let before = Before {
                created_by: meta.created_by(),
                created_at: meta.created_at(),
                updated_by: meta.updated_by(),
                updated_at: meta.updated_at(),
                source: &meta.source,
                shield: &meta.shield,
                identifiers: &meta.identifiers,
                sharing: &meta.sharing,
            };
            let text = serde_json::to_string(&meta).unwrap();
            assert_eq!(text, serde_json::to_string(&before).unwrap());
            assert_eq!(serde_json::from_str::<ItemMeta>(&text).unwrap(), meta);
        }
    }

    /// A heavy record keeps 3,680 items, each with an `ItemMeta`: every byte an item carries
    /// inline is kept that many times by the record cache (`record_memory.rs` in the store
    /// measures whole records). Measured on 2026-12-06, after an item's last change was boxed
    /// unless it is another than the creation (`ItemMeta` was 136 bytes, `LabResult` 464,
    /// `JournalLine` 272, `Contact` 216; before an item's rarely filled parts were boxed 160,
    /// 528, 296 and 240).
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn an_item_keeps_its_size() {
        assert!(size_of::<ItemMeta>() <= 112, "{}", size_of::<ItemMeta>());
        assert!(
            size_of::<JournalLine>() <= 248,
            "{}",
            size_of::<JournalLine>()
        );
        assert!(size_of::<LabResult>() <= 440, "{}", size_of::<LabResult>());
        assert!(size_of::<Contact>() <= 192, "{}", size_of::<Contact>());
    }
}
