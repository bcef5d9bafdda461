//! Sharing the record with other providers (R113-R118): the patient's consent per data category
//! and requesting provider category, the GP's exclusions and the patient's agreed blocks per
//! item, and the professional summary (professionele samenvatting) a locum sees.
//!
//! The consent catalogue follows the national one (Mitz, `background.md` §L items 18-26): a
//! choice is data holder x data category x category of the provider who asks. The data holder is
//! the practice that keeps the record, so a record holds one choice per data category and
//! requesting category that was asked; a category never asked is "not asked". "No" always wins:
//! no emergency declaration opens a record whose patient said no (R115).
//!
//! Like [`crate::visibility`], everything here is pure: the same record and instant give the same
//! answer.

use crate::access::Viewer;
use crate::ids::*;
use crate::record::*;
use crate::time::{age_on, local_date, months_before};
use crate::visibility::{ItemKind, ItemRef, PatientView};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The category of a provider who asks for data (R116; Mitz "categorie raadplegende
/// zorgaanbieder").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderCategory {
    /// A huisartsenpost or a locum GP (waarnemend huisarts).
    Hap,
    /// Another pharmacy than the patient's own.
    Pharmacy,
    /// A hospital, clinic or medical specialist.
    Hospital,
    /// Ambulance care.
    Ambulance,
}

impl ProviderCategory {
    pub const ALL: [Self; 4] = [Self::Hap, Self::Pharmacy, Self::Hospital, Self::Ambulance];

    /// The form and configuration value.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Hap => "huisartsenpost",
            Self::Pharmacy => "apotheek",
            Self::Hospital => "ziekenhuis",
            Self::Ambulance => "ambulance",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.slug() == s)
    }
}

/// The kind of data a choice is about (Mitz "gegevenscategorie"), as a GP practice holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// The professional summary: episodes, recent journal, results, medication, allergies
    /// (huisartswaarneemgegevens, Mitz "behandelgegevens").
    Summary,
    /// Medication and what it must be checked against: current medication, allergies and
    /// contra-indications (Mitz "medicatiegegevens").
    Medication,
}

impl DataCategory {
    pub const ALL: [Self; 2] = [Self::Summary, Self::Medication];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Summary => "samenvatting",
            Self::Medication => "medicatie",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.slug() == s)
    }
}

/// The patient's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentAnswer {
    Yes,
    No,
}

/// How the answer was given (R115).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// Said at the practice's desk or in the consulting room.
    Spoken,
    /// A signed form.
    Written,
    /// In this practice's patient portal.
    Portal,
    /// On the national consent site (volgjezorg.nl, Mitz), entered by the practice.
    NationalSite,
}

impl ConsentMethod {
    pub const AT_THE_PRACTICE: [Self; 3] = [Self::Spoken, Self::Written, Self::NationalSite];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Spoken => "mondeling",
            Self::Written => "schriftelijk",
            Self::Portal => "portaal",
            Self::NationalSite => "landelijk",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Spoken,
            Self::Written,
            Self::Portal,
            Self::NationalSite,
        ]
        .into_iter()
        .find(|c| c.slug() == s)
    }
}

/// Who recorded a choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordedBy {
    /// A staff member, at the desk.
    Staff { id: PractitionerId },
    /// The patient in the portal.
    Patient,
    /// A parent or representative in the portal, under this representation.
    Representative { representation: RepresentationId },
}

/// One choice: may providers of `requester`'s category see this practice's `data`?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeConsent {
    pub data: DataCategory,
    pub requester: ProviderCategory,
    pub answer: ConsentAnswer,
    pub method: ConsentMethod,
    pub recorded_by: RecordedBy,
    pub at: DateTime<Utc>,
}

/// The state of one choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentState {
    NotAsked,
    Yes,
    No,
}

/// The current choice for `data` and `requester`.
pub fn consent_state(
    record: &PatientRecord,
    data: DataCategory,
    requester: ProviderCategory,
) -> ConsentState {
    match record
        .patient
        .exchange_consent
        .iter()
        .find(|c| c.data == data && c.requester == requester)
        .map(|c| c.answer)
    {
        None => ConsentState::NotAsked,
        Some(ConsentAnswer::Yes) => ConsentState::Yes,
        Some(ConsentAnswer::No) => ConsentState::No,
    }
}

/// Records a choice, replacing the previous one for the same data and requester (the record's
/// history keeps the earlier ones). A "no" takes effect at once: the next request is refused.
pub fn set_exchange_consent(
    record: &mut PatientRecord,
    choice: ExchangeConsent,
    actor: Actor,
) -> Result<(), ConsentError> {
    if choice.method == ConsentMethod::Portal
        && matches!(choice.recorded_by, RecordedBy::Staff { .. })
    {
        return Err(ConsentError::MethodNotForStaff);
    }
    if choice.method != ConsentMethod::Portal
        && !matches!(choice.recorded_by, RecordedBy::Staff { .. })
    {
        return Err(ConsentError::MethodNotForPortal);
    }
    let at = choice.at;
    let list = &mut record.patient.exchange_consent;
    list.retain(|c| !(c.data == choice.data && c.requester == choice.requester));
    list.push(choice);
    list.sort_by_key(|c| (c.data, c.requester));
    record.patient.meta.set_updated(actor, at);
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConsentError {
    #[error("staff record a choice given at the desk, in writing or on the national site")]
    MethodNotForStaff,
    #[error("a choice made online is made in the portal")]
    MethodNotForPortal,
    #[error("this person cannot make this choice online")]
    NotOnline,
}

/// What a person who opened the record online may do with the sharing choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnlineConsentRight {
    /// Say yes or no.
    Decide,
    /// Only say no: a 12-15-year-old and their parent decide a "yes" together, at the practice
    /// (background §L item 23); either may stop sharing.
    RefuseOnly,
    /// See the choices only (an authorised carer, or a representative for some sections).
    SeeOnly,
}

/// Who may change the sharing choices online (R115, "parents and representatives follow the
/// access rules"). `viewer` has already been authorised to open the record in the portal; this
/// decides what they may choose on it.
pub fn online_consent_right(
    record: &PatientRecord,
    viewer: &Viewer,
    now: DateTime<Utc>,
) -> OnlineConsentRight {
    let age = age_on(record.patient.birth_date, local_date(now));
    match viewer {
        Viewer::Patient { .. } if age >= 16 => OnlineConsentRight::Decide,
        Viewer::Patient { .. } => OnlineConsentRight::RefuseOnly,
        Viewer::Representative { representation, .. } => {
            let Some(rep) = record
                .representations
                .iter()
                .find(|r| &r.id == representation)
            else {
                return OnlineConsentRight::SeeOnly;
            };
            if rep.scope.is_some() {
                OnlineConsentRight::SeeOnly
            } else if rep.basis.is_parental() {
                if age < 12 {
                    OnlineConsentRight::Decide
                } else {
                    OnlineConsentRight::RefuseOnly
                }
            } else if rep.basis.is_legal_representation() {
                OnlineConsentRight::Decide
            } else {
                // A carer authorised by the patient reads along; the patient decides.
                OnlineConsentRight::SeeOnly
            }
        }
    }
}

/// Why a request for the summary is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// The patient said yes for this data and this category.
    Consent,
    /// Not asked, and the requester declared an emergency with this reason (reviewed by the
    /// practice afterwards).
    Emergency { reason: String },
}

/// Why a request for the summary is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the patient said no to sharing with this category")]
    PatientSaidNo,
    #[error("the patient was not asked; an emergency can be declared with a reason")]
    NotAsked,
    #[error("an emergency reason must say why (at least 10 characters)")]
    ReasonTooShort,
}

/// The shortest emergency reason accepted.
pub const MIN_EMERGENCY_REASON: usize = 10;

/// May a provider of `requester`'s category have `data` now? "No" (for this kind of provider,
/// for any data category) wins over everything, an emergency declaration included (R115); "not
/// asked" opens only with a declared emergency (R114).
pub fn may_share(
    record: &PatientRecord,
    data: DataCategory,
    requester: ProviderCategory,
    emergency_reason: Option<&str>,
) -> Result<Basis, Refusal> {
    // A "no" to this kind of provider for any data category is a no to all of it: the
    // summary holds the medication data, and a patient who refused one of them for the
    // huisartsenpost does not expect the other to be handed out instead.
    let refused_any = DataCategory::ALL
        .into_iter()
        .any(|d| consent_state(record, d, requester) == ConsentState::No);
    if refused_any {
        return Err(Refusal::PatientSaidNo);
    }
    match consent_state(record, data, requester) {
        ConsentState::Yes => Ok(Basis::Consent),
        ConsentState::No => Err(Refusal::PatientSaidNo),
        ConsentState::NotAsked => match emergency_reason.map(str::trim) {
            None | Some("") => Err(Refusal::NotAsked),
            Some(r) if r.chars().count() < MIN_EMERGENCY_REASON => Err(Refusal::ReasonTooShort),
            Some(r) => Ok(Basis::Emergency {
                reason: r.to_owned(),
            }),
        },
    }
}

/// A GP's decision to keep one item out of what other providers get (R117).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryExclusion {
    pub by: Actor,
    pub at: DateTime<Utc>,
}

/// A block the GP agreed to at the patient's request: not shared with this category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub requester: ProviderCategory,
    pub by: Actor,
    pub at: DateTime<Utc>,
}

/// An item's sharing controls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemSharing {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded: Option<Box<SummaryExclusion>>,
    /// A boxed slice (16 bytes in every kept item where a `Vec` takes 24): nearly always empty.
    #[serde(default, skip_serializing_if = "<[Block]>::is_empty")]
    pub blocked_for: Box<[Block]>,
}

impl ItemSharing {
    pub fn is_empty(&self) -> bool {
        self.excluded.is_none() && self.blocked_for.is_empty()
    }

    /// Whether the item goes to a provider of this category.
    pub fn shared_with(&self, requester: ProviderCategory) -> bool {
        self.excluded.is_none() && !self.blocked_for.iter().any(|b| b.requester == requester)
    }
}

/// The kinds of item the GP can keep out of the summary, one at a time (R117).
pub const EXCLUDABLE: [ItemKind; 7] = [
    ItemKind::Episode,
    ItemKind::Contact,
    ItemKind::JournalLine,
    ItemKind::Result,
    ItemKind::Medication,
    ItemKind::Allergy,
    ItemKind::Alert,
];

fn meta_mut<'a>(record: &'a mut PatientRecord, item: &ItemRef) -> Option<&'a mut ItemMeta> {
    let id = item.id.as_str();
    macro_rules! find {
        ($field:ident) => {
            record
                .$field
                .iter_mut()
                .find(|x| x.id.as_str() == id)
                .map(|x| &mut x.meta)
        };
    }
    match item.kind {
        ItemKind::Episode => find!(episodes),
        ItemKind::Contact => find!(contacts),
        ItemKind::JournalLine => find!(journal),
        ItemKind::Result => find!(results),
        ItemKind::Medication => find!(medication),
        ItemKind::Allergy => find!(allergies),
        ItemKind::Alert => find!(alerts),
        ItemKind::Letter => find!(letters),
        _ => None,
    }
}

/// Keeps one item out of the summary for every provider, or lets it go again (R117). This
/// does not touch the item's online visibility.
pub fn exclude_from_summary(
    record: &mut PatientRecord,
    item: &ItemRef,
    excluded: bool,
    by: Actor,
    at: DateTime<Utc>,
) -> Result<(), crate::edit::EditError> {
    if !EXCLUDABLE.contains(&item.kind) {
        return Err(crate::edit::EditError::NotShieldable);
    }
    let meta = meta_mut(record, item).ok_or(crate::edit::EditError::NotFound)?;
    // The decision carries who and when; the item's own content did not change, so its
    // `updated_*` (which restart the retention term) stay.
    meta.sharing.excluded = excluded.then(|| Box::new(SummaryExclusion { by, at }));
    Ok(())
}

/// The kinds a patient may ask to block for a category: an episode, a letter, a result.
pub const BLOCKABLE: [ItemKind; 3] = [ItemKind::Episode, ItemKind::Letter, ItemKind::Result];

/// Records a block the GP agreed to: `item` is not shared with `requester` any more.
pub fn block_item(
    record: &mut PatientRecord,
    item: &ItemRef,
    requester: ProviderCategory,
    by: Actor,
    at: DateTime<Utc>,
) -> Result<(), crate::edit::EditError> {
    if !BLOCKABLE.contains(&item.kind) {
        return Err(crate::edit::EditError::NotShieldable);
    }
    let meta = meta_mut(record, item).ok_or(crate::edit::EditError::NotFound)?;
    if !meta
        .sharing
        .blocked_for
        .iter()
        .any(|b| b.requester == requester)
    {
        // The decision carries who and when; the item itself did not change.
        let mut blocks = std::mem::take(&mut meta.sharing.blocked_for).into_vec();
        blocks.push(Block { requester, by, at });
        meta.sharing.blocked_for = blocks.into_boxed_slice();
    }
    Ok(())
}

/// How far back the summary's journal, measurements and results go (NHG richtlijn v5: the
/// journal lines of the last four months; results "within the journal list", §L items 8, 12).
pub const SUMMARY_MONTHS: u32 = 4;

/// Why an item of the record is not in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftOut {
    /// Not part of this data category's selection (a closed episode without attentiewaarde, a
    /// contact older than four months, a stopped medicine, a letter, ...).
    NotSelected,
    /// The GP kept this item out (R117).
    ExcludedByGp,
    /// The GP agreed to the patient's request not to share it with this category.
    Blocked,
    /// It belongs to an episode or contact that is excluded or blocked.
    ParentWithheld,
    /// A personal work note: never part of the record, never shared.
    WorkNote,
}

/// What a provider of one category gets: a view of the record in the same shape the patient's
/// view has, so the FHIR writers write it, and why each other item is not in it.
pub struct Summary<'a> {
    pub view: PatientView<'a>,
    pub left_out: Vec<(ItemRef, LeftOut)>,
}

/// The professional summary (or medication data) for a provider of `requester`'s category at
/// `now`. It is a different selection from the patient's online view: it holds the S and O
/// lines of recent contacts and results the GP has not released online yet, and never work
/// notes; an item's online shield does not matter here, its sharing controls do.
pub fn summary<'a>(
    record: &'a PatientRecord,
    data: DataCategory,
    requester: ProviderCategory,
    now: DateTime<Utc>,
) -> Summary<'a> {
    let today = local_date(now);
    let cutoff = months_before(today, SUMMARY_MONTHS);
    let mut view = PatientView::whole(record, today);
    view.episodes.clear();
    view.problems.clear();
    view.alerts.clear();
    view.contacts.clear();
    view.journal.clear();
    view.medication.clear();
    view.allergies.clear();
    view.contra_indications.clear();
    view.results.clear();
    view.treatments.clear();
    view.prophylaxis.clear();
    view.letters.clear();
    view.appointments.clear();
    let mut left_out = vec![];
    let summary = data == DataCategory::Summary;

    // Episodes and contacts first: what hangs under a withheld one is withheld with it.
    let mut withheld_parents: Vec<&str> = vec![];
    let mut decide = |kind: ItemKind,
                      id: &str,
                      meta: &ItemMeta,
                      selected: bool,
                      parents: &[Option<&str>],
                      withheld: &[&str]|
     -> bool {
        let item = ItemRef {
            kind,
            id: id.to_owned(),
        };
        let reason = if !selected {
            Some(LeftOut::NotSelected)
        } else if meta.sharing.excluded.is_some() {
            Some(LeftOut::ExcludedByGp)
        } else if !meta.sharing.shared_with(requester) {
            Some(LeftOut::Blocked)
        } else if parents.iter().flatten().any(|p| withheld.contains(p)) {
            Some(LeftOut::ParentWithheld)
        } else {
            None
        };
        match reason {
            Some(r) => {
                left_out.push((item, r));
                false
            }
            None => true,
        }
    };

    for e in &record.episodes {
        let selected = summary && (e.end.is_none() || e.attentiewaarde);
        if decide(
            ItemKind::Episode,
            e.id.as_str(),
            &e.meta,
            selected,
            &[],
            &[],
        ) {
            view.episodes.push(e);
        } else if !e.meta.sharing.shared_with(requester) {
            withheld_parents.push(e.id.as_str());
        }
    }
    for c in &record.contacts {
        let selected = summary && c.date >= cutoff && c.date <= today;
        let parents = [c.episode.as_ref().map(|e| e.as_str())];
        if decide(
            ItemKind::Contact,
            c.id.as_str(),
            &c.meta,
            selected,
            &parents,
            &withheld_parents,
        ) {
            view.contacts.push(c);
        } else if !c.meta.sharing.shared_with(requester)
            || parents
                .iter()
                .flatten()
                .any(|p| withheld_parents.contains(p))
        {
            // Withheld by its own controls or its episode's: what hangs under it goes too.
            withheld_parents.push(c.id.as_str());
        }
    }
    let withheld = withheld_parents.clone();
    for l in &record.journal {
        let selected = summary && l.date >= cutoff && l.date <= today;
        let parents = [
            l.episode.as_ref().map(|e| e.as_str()),
            l.contact.as_ref().map(|c| c.as_str()),
        ];
        if decide(
            ItemKind::JournalLine,
            l.id.as_str(),
            &l.meta,
            selected,
            &parents,
            &withheld,
        ) {
            view.journal.push(l);
        }
    }
    for p in &record.problems {
        let in_episode = record
            .episodes
            .iter()
            .any(|e| e.problem.as_ref() == Some(&p.id) && view.episodes.contains(&e));
        if decide(
            ItemKind::Problem,
            p.id.as_str(),
            &p.meta,
            in_episode,
            &[],
            &[],
        ) {
            view.problems.push(p);
        }
    }
    for a in &record.alerts {
        // Active alerts are the notes for the locum ("bijzonderheden").
        let parents = [a.episode.as_ref().map(|e| e.as_str())];
        if decide(
            ItemKind::Alert,
            a.id.as_str(),
            &a.meta,
            summary && a.active,
            &parents,
            &withheld,
        ) {
            view.alerts.push(a);
        }
    }
    for r in &record.results {
        let day = local_date(r.effective);
        let selected = summary && day >= cutoff && day <= today;
        let parents = [
            r.episode.as_ref().map(|e| e.as_str()),
            r.contact.as_ref().map(|c| c.as_str()),
        ];
        if decide(
            ItemKind::Result,
            r.id.as_str(),
            &r.meta,
            selected,
            &parents,
            &withheld,
        ) {
            view.results.push(r);
        }
    }
    for m in &record.medication {
        let current = m.period_end.is_none_or(|end| end >= today)
            && m.period_start.is_none_or(|start| start <= today);
        let parents = [
            m.episode.as_ref().map(|e| e.as_str()),
            m.contact.as_ref().map(|c| c.as_str()),
        ];
        if decide(
            ItemKind::Medication,
            m.id.as_str(),
            &m.meta,
            current,
            &parents,
            &withheld,
        ) {
            view.medication.push(m);
        }
    }
    for a in &record.allergies {
        if decide(ItemKind::Allergy, a.id.as_str(), &a.meta, true, &[], &[]) {
            view.allergies.push(a);
        }
    }
    for c in &record.contra_indications {
        if decide(
            ItemKind::ContraIndication,
            c.id.as_str(),
            &c.meta,
            true,
            &[],
            &[],
        ) {
            view.contra_indications.push(c);
        }
    }
    macro_rules! not_selected {
        ($($field:ident => $kind:expr),*) => {$(
            for x in &record.$field {
                left_out.push((ItemRef { kind: $kind, id: x.id.to_string() }, LeftOut::NotSelected));
            }
        )*};
    }
    not_selected!(
        treatments => ItemKind::Treatment,
        prophylaxis => ItemKind::Prophylaxis,
        letters => ItemKind::Letter,
        appointments => ItemKind::Appointment
    );
    for n in &record.work_notes {
        left_out.push((
            ItemRef {
                kind: ItemKind::WorkNote,
                id: n.id.to_string(),
            },
            LeftOut::WorkNote,
        ));
    }
    Summary { view, left_out }
}

/// The first day the summary's journal window covers at `now`.
pub fn summary_window_start(now: DateTime<Utc>) -> NaiveDate {
    months_before(local_date(now), SUMMARY_MONTHS)
}

/// The locum's report of a contact (waarneembericht, background §L item 1): what a huisartsenpost
/// or locum sends back to the patient's own GP after seeing the patient, kept until the practice
/// files it into the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocumReport {
    /// The day of the contact.
    pub date: NaiveDate,
    /// The doctor who saw the patient, as their system named them.
    pub locum: String,
    /// The SOEP lines, in the order sent.
    pub lines: Vec<LocumLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocumLine {
    pub soep: Soep,
    pub text: String,
    /// The ICPC code the locum proposes (for an E line: the episode name, NHG v3; §L item 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icpc: Option<crate::codes::IcpcCode>,
}

/// The most lines a report holds, and the longest line.
pub const MAX_REPORT_LINES: usize = 20;
pub const MAX_REPORT_LINE: usize = 4000;

/// Why a report cannot be filed or received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("a report holds 1 to 20 SOEP lines of at most 4000 characters, none empty")]
    Lines,
    #[error("the contact date is in the future")]
    Future,
    #[error("the episode is not in this record")]
    NoSuchEpisode,
    #[error("the contact type is not one of an out-of-hours contact")]
    ContactType,
}

impl LocumReport {
    /// Checks what a sender could get wrong, at `now`.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), ReportError> {
        if self.lines.is_empty()
            || self.lines.len() > MAX_REPORT_LINES
            || self
                .lines
                .iter()
                .any(|l| l.text.trim().is_empty() || l.text.chars().count() > MAX_REPORT_LINE)
            || self.locum.trim().is_empty()
            || self.locum.chars().count() > 300
        {
            return Err(ReportError::Lines);
        }
        if self.date > local_date(now) {
            return Err(ReportError::Future);
        }
        Ok(())
    }
}

/// The out-of-hours contact types (NHG-Tabel 14) a locum report is filed as.
pub const LOCUM_CONTACT_TYPES: [&str; 3] = ["06", "07", "02"];

/// Files a locum report into the record: a contact of `contact_type` on the report's day, with
/// its SOEP lines, both marked as coming from `from` (the huisartsenpost) and the locum,
/// optionally under an existing episode. Nothing changes on an error.
#[allow(clippy::too_many_arguments)]
pub fn file_locum_report(
    record: &mut PatientRecord,
    report: &LocumReport,
    from: &str,
    contact_type: &str,
    episode: Option<EpisodeId>,
    by: Actor,
    now: DateTime<Utc>,
    new_id: &mut dyn FnMut(&str) -> String,
) -> Result<ContactId, ReportError> {
    report.check(now)?;
    if !LOCUM_CONTACT_TYPES.contains(&contact_type) {
        return Err(ReportError::ContactType);
    }
    let contact_type =
        crate::codes::ContactType::parse(contact_type).map_err(|_| ReportError::ContactType)?;
    if episode
        .as_ref()
        .is_some_and(|e| record.episode(e).is_none())
    {
        return Err(ReportError::NoSuchEpisode);
    }
    let meta = || {
        let mut m = ItemMeta::new(by.clone(), now);
        m.source = Source::OtherProvider {
            name: format!("{from} ({})", report.locum.trim()).into(),
        };
        m
    };
    let contact = ContactId::new(new_id("contact")).map_err(|_| ReportError::Lines)?;
    let mut lines = Vec::with_capacity(report.lines.len());
    for l in &report.lines {
        lines.push(JournalLine {
            id: JournalLineId::new(new_id("line")).map_err(|_| ReportError::Lines)?,
            soep: l.soep,
            text: l.text.trim().to_owned(),
            icpc: l.icpc.clone(),
            icpc_display: None,
            date: report.date,
            contact: Some(contact.clone()),
            episode: episode.clone(),
            author: None,
            meta: meta(),
        });
    }
    record.contacts.push(Contact {
        id: contact.clone(),
        contact_type,
        date: report.date,
        end: None,
        practitioner: None,
        episode,
        patient_took_part: Some(true),
        meta: meta(),
    });
    record.journal.extend(lines);
    Ok(contact)
}

/// What a referral letter made from the record holds: what a hospital may have (the summary
/// for the hospital category, so blocks and exclusions hold) and, because the letter itself
/// goes online with the record (R20), only what the patient may read online too: no S or O
/// lines, no result the GP has not released, nothing shielded from the patient.
pub fn referral_view<'a>(
    record: &'a PatientRecord,
    settings: &crate::settings::PracticeSettings,
    now: DateTime<Utc>,
) -> PatientView<'a> {
    let online = crate::visibility::online_view(record, settings, now);
    let mut view = summary(
        record,
        DataCategory::Summary,
        ProviderCategory::Hospital,
        now,
    )
    .view;
    let seen = |kind: ItemKind, id: &str| {
        online.holds(&ItemRef {
            kind,
            id: id.to_owned(),
        })
    };
    view.episodes
        .retain(|x| seen(ItemKind::Episode, x.id.as_str()));
    view.problems
        .retain(|x| seen(ItemKind::Problem, x.id.as_str()));
    view.alerts.retain(|x| seen(ItemKind::Alert, x.id.as_str()));
    view.contacts
        .retain(|x| seen(ItemKind::Contact, x.id.as_str()));
    view.journal
        .retain(|x| seen(ItemKind::JournalLine, x.id.as_str()));
    view.medication
        .retain(|x| seen(ItemKind::Medication, x.id.as_str()));
    view.allergies
        .retain(|x| seen(ItemKind::Allergy, x.id.as_str()));
    view.contra_indications
        .retain(|x| seen(ItemKind::ContraIndication, x.id.as_str()));
    view.results
        .retain(|x| seen(ItemKind::Result, x.id.as_str()));
    view
}
