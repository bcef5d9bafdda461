//! The visibility rules: exactly what a patient, parent or representative may see online, and why
//! everything else is left out (R1-R32 of `spec/requirements.md`).
//!
//! Invariant: this module is the only place that decides patient visibility. Every channel
//! (portal, MedMij, online-summary export, notifications) calls [`visible_record`] (or
//! [`visible_parts`] for some parts of the record, or [`online_view`] for staff previews) and
//! shows exactly what it returns.
//!
//! The functions are pure and deterministic: the same record, viewer, settings and instant
//! always give the same view. Items are borrowed from the record, never copied.

use crate::access::{Access, AccessDenied, OnlineChannel, Viewer, authorize};
use crate::ids::*;
use crate::record::*;
use crate::settings::PracticeSettings;
use crate::time::{local_date, months_before};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
// A fast hash for the short-lived id maps built per record and moment (no untrusted keys).
use rustc_hash::FxHashMap as HashMap;

mod decisions;
mod full_copy;
use decisions::*;
pub use full_copy::{FullCopy, full_copy};

/// The kind of a record item, for exclusion reports and audit entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Episode,
    Problem,
    Alert,
    Contact,
    JournalLine,
    Medication,
    Allergy,
    ContraIndication,
    Result,
    Treatment,
    Prophylaxis,
    Letter,
    Appointment,
    WorkNote,
}

impl ItemKind {
    /// What staff call this kind of item (Dutch), where an item is named to them.
    pub fn name_nl(self) -> &'static str {
        match self {
            Self::Episode => "Episode",
            Self::Problem => "Probleem",
            Self::Alert => "Attentie",
            Self::Contact => "Contact",
            Self::JournalLine => "Journaalregel",
            Self::Medication => "Medicatie",
            Self::Allergy => "Allergie",
            Self::ContraIndication => "Contra-indicatie",
            Self::Result => "Uitslag",
            Self::Treatment => "Behandeling",
            Self::Prophylaxis => "Preventie",
            Self::Letter => "Brief",
            Self::Appointment => "Afspraak",
            Self::WorkNote => "Werkaantekening",
        }
    }
}

/// Names one item of a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ItemRef {
    pub kind: ItemKind,
    pub id: String,
}

impl<'a> PatientView<'a> {
    /// Whether this view holds the item.
    pub fn holds(&self, item: &ItemRef) -> bool {
        let id = item.id.as_str();
        match item.kind {
            ItemKind::Episode => self.episodes.iter().any(|x| x.id.as_str() == id),
            ItemKind::Problem => self.problems.iter().any(|x| x.id.as_str() == id),
            ItemKind::Alert => self.alerts.iter().any(|x| x.id.as_str() == id),
            ItemKind::Contact => self.contacts.iter().any(|x| x.id.as_str() == id),
            ItemKind::JournalLine => self.journal.iter().any(|x| x.id.as_str() == id),
            ItemKind::Medication => self.medication.iter().any(|x| x.id.as_str() == id),
            ItemKind::Allergy => self.allergies.iter().any(|x| x.id.as_str() == id),
            ItemKind::ContraIndication => {
                self.contra_indications.iter().any(|x| x.id.as_str() == id)
            }
            ItemKind::Result => self.results.iter().any(|x| x.id.as_str() == id),
            ItemKind::Treatment => self.treatments.iter().any(|x| x.id.as_str() == id),
            ItemKind::Prophylaxis => self.prophylaxis.iter().any(|x| x.id.as_str() == id),
            ItemKind::Letter => self.letters.iter().any(|x| x.id.as_str() == id),
            ItemKind::Appointment => self.appointments.iter().any(|x| x.id.as_str() == id),
            // Work notes are never in a view (R23).
            ItemKind::WorkNote => false,
        }
    }

    /// What an item of this view is called, for a person ("Suikerziekte", a journal line's
    /// first 80 characters, a medicine, an allergy, "HbA1c (30-11-2026)", a letter's title).
    /// `None` for an item not in the view and for kinds without one title.
    pub fn title_of(&self, item: &ItemRef) -> Option<String> {
        let id = item.id.as_str();
        Some(match item.kind {
            ItemKind::Episode => self
                .episodes
                .iter()
                .find(|x| x.id.as_str() == id)?
                .title
                .clone(),
            ItemKind::JournalLine => {
                let text = &self.journal.iter().find(|x| x.id.as_str() == id)?.text;
                let mut short: String = text.chars().take(80).collect();
                if text.chars().count() > 80 {
                    short.push('…');
                }
                short
            }
            ItemKind::Medication => self
                .medication
                .iter()
                .find(|x| x.id.as_str() == id)?
                .product
                .name
                .clone(),
            ItemKind::Allergy => {
                let a = self.allergies.iter().find(|x| x.id.as_str() == id)?;
                a.substance.label().to_owned()
            }
            ItemKind::Result => {
                let r = self.results.iter().find(|x| x.id.as_str() == id)?;
                format!(
                    "{} ({})",
                    r.name,
                    local_date(r.effective).format("%d-%m-%Y")
                )
            }
            ItemKind::Letter => self
                .letters
                .iter()
                .find(|x| x.id.as_str() == id)?
                .title
                .clone(),
            ItemKind::Contact => {
                let c = self.contacts.iter().find(|x| x.id.as_str() == id)?;
                format!(
                    "{} ({})",
                    c.contact_type.display_nl().unwrap_or("Contact"),
                    c.date.format("%d-%m-%Y")
                )
            }
            _ => return None,
        })
    }

    /// Every item of the record in the shape of a view, nothing left out (work notes aside,
    /// which no view holds): to name items that someone's view leaves out, on staff pages.
    /// Never a view to show a patient.
    pub fn whole(record: &'a PatientRecord, today: NaiveDate) -> Self {
        Self {
            today,
            patient: &record.patient,
            practice: &record.practice,
            general_practitioner: record
                .patient
                .general_practitioner
                .as_ref()
                .and_then(|id| record.practitioner(id)),
            practitioners: record.practitioners.iter().collect(),
            episodes: record.episodes.iter().collect(),
            problems: record.problems.iter().collect(),
            alerts: record.alerts.iter().collect(),
            contacts: record.contacts.iter().collect(),
            journal: record.journal.iter().collect(),
            medication: record.medication.iter().collect(),
            allergies: record.allergies.iter().collect(),
            contra_indications: record.contra_indications.iter().collect(),
            results: record.results.iter().collect(),
            held_results: vec![],
            treatments: record.treatments.iter().collect(),
            prophylaxis: record.prophylaxis.iter().collect(),
            letters: record.letters.iter().collect(),
            appointments: record.appointments.iter().collect(),
            excluded: vec![],
        }
    }
}

/// The patient's own statement about an item of their record (R109, WGBO 7:454 lid 2), once
/// the GP added it: shown with the item, and part of the copy wherever the item is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientStatement {
    pub about: ItemRef,
    pub text: String,
    pub added_at: DateTime<Utc>,
}

/// Why an item is not visible online. Machine-readable (`code`) and explainable to staff (`explain_nl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ExclusionReason {
    /// R7.
    SubjectiveLine,
    /// R8.
    ObjectiveLine,
    /// R9: recorded before the practice's online-inzage start date.
    BeforeJournalStartDate { start: NaiveDate },
    /// R10: the patient did not take part in the contact.
    ContactWithoutPatient,
    /// R29: shielded by a GP.
    Shielded { reason: ShieldReason },
    /// The line or item belongs to a shielded episode.
    EpisodeShielded,
    /// The line belongs to a shielded contact.
    ContactShielded,
    /// R3: closed, no attentiewaarde, no visible E/P line.
    ClosedEpisodeWithoutAttention,
    /// R14: the period of use ended.
    MedicationEnded { on: NaiveDate },
    /// R19: older than the results window.
    OutsideResultsWindow { cutoff: NaiveDate },
    /// R26: received, not yet released; a placeholder is shown instead.
    NotYetReleased { available_from: NaiveDate },
    /// R27.
    WithheldByGp,
    /// R21.
    BeforeCorrespondenceStartDate { start: NaiveDate },
    /// R20: only specialist letters, radiology reports and referral letters go online.
    LetterTypeNotOnline,
    /// R23.
    PersonalWorkNote,
    /// Not part of the online data set: a problem or alert outside any visible episode.
    NotInOnlineSelection,
    /// A contact none of whose E/P lines is visible.
    NoVisibleJournalLines,
    /// The representative's authorisation does not cover this section.
    OutsideAuthorisedScope,
}

impl ExclusionReason {
    pub fn code(&self) -> &'static str {
        match self {
            Self::SubjectiveLine => "s_line",
            Self::ObjectiveLine => "o_line",
            Self::BeforeJournalStartDate { .. } => "before_journal_start_date",
            Self::ContactWithoutPatient => "contact_without_patient",
            Self::Shielded {
                reason: ShieldReason::ThirdParty,
            } => "shielded_third_party",
            Self::Shielded {
                reason: ShieldReason::NotYetDiscussed,
            } => "shielded_not_yet_discussed",
            Self::Shielded {
                reason: ShieldReason::PotentiallyHarmful,
            } => "shielded_potentially_harmful",
            Self::Shielded {
                reason: ShieldReason::Other,
            } => "shielded_other",
            Self::EpisodeShielded => "episode_shielded",
            Self::ContactShielded => "contact_shielded",
            Self::ClosedEpisodeWithoutAttention => "closed_episode_without_attentiewaarde",
            Self::MedicationEnded { .. } => "medication_ended",
            Self::OutsideResultsWindow { .. } => "outside_results_window",
            Self::NotYetReleased { .. } => "not_yet_released",
            Self::WithheldByGp => "withheld_by_gp",
            Self::BeforeCorrespondenceStartDate { .. } => "before_correspondence_start_date",
            Self::LetterTypeNotOnline => "letter_type_not_online",
            Self::PersonalWorkNote => "personal_work_note",
            Self::NotInOnlineSelection => "not_in_online_selection",
            Self::NoVisibleJournalLines => "no_visible_journal_lines",
            Self::OutsideAuthorisedScope => "outside_authorised_scope",
        }
    }

    /// Whether this reason is a practice's decision about one item rather than a standing
    /// selection rule (R123): a result not yet released or withheld by the GP, or a shield
    /// (of the item, its episode or its contact) other than a third party's privacy. A full copy
    /// that holds such an item goes to the practice first.
    pub fn is_held_back(&self) -> bool {
        match self {
            Self::NotYetReleased { .. } | Self::WithheldByGp => true,
            Self::Shielded { reason } => *reason != ShieldReason::ThirdParty,
            Self::EpisodeShielded | Self::ContactShielded => true,
            _ => false,
        }
    }

    /// A plain-Dutch explanation for the staff preview ("Wat ziet de patiënt?").
    pub fn explain_nl(&self) -> String {
        let d = |d: &NaiveDate| d.format("%d-%m-%Y").to_string();
        match self {
            Self::SubjectiveLine => "S-regels zijn nooit online zichtbaar.".into(),
            Self::ObjectiveLine => "O-regels zijn nooit online zichtbaar.".into(),
            Self::BeforeJournalStartDate { start } => {
                format!(
                    "Vastgelegd vóór de startdatum van online inzage ({}).",
                    d(start)
                )
            }
            Self::ContactWithoutPatient => {
                "Contact zonder de patiënt zelf (bijv. overleg of telefoontje van een naaste)."
                    .into()
            }
            Self::Shielded { reason } => format!(
                "Afgeschermd door de huisarts: {}.",
                match reason {
                    ShieldReason::ThirdParty => "privacy van een ander",
                    ShieldReason::NotYetDiscussed => "nog niet besproken",
                    ShieldReason::PotentiallyHarmful => "mogelijk schadelijk zonder uitleg",
                    ShieldReason::Other => "andere reden",
                }
            ),
            Self::EpisodeShielded => "Hoort bij een afgeschermde episode.".into(),
            Self::ContactShielded => "Hoort bij een afgeschermd contact.".into(),
            Self::ClosedEpisodeWithoutAttention => {
                "Afgesloten episode zonder attentiewaarde en zonder zichtbare E/P-regels.".into()
            }
            Self::MedicationEnded { on } => format!("Gebruik gestopt op {}.", d(on)),
            Self::OutsideResultsWindow { cutoff } => {
                format!("Ouder dan de termijn voor uitslagen (vóór {}).", d(cutoff))
            }
            Self::NotYetReleased { available_from } => {
                format!(
                    "Nog niet vrijgegeven; zichtbaar vanaf {} tenzij eerder vrijgegeven.",
                    d(available_from)
                )
            }
            Self::WithheldByGp => "Tegengehouden door de huisarts.".into(),
            Self::BeforeCorrespondenceStartDate { start } => {
                format!(
                    "Brief van vóór de startdatum voor correspondentie ({}).",
                    d(start)
                )
            }
            Self::LetterTypeNotOnline => "Dit soort brief hoort niet bij online inzage.".into(),
            Self::PersonalWorkNote => "Persoonlijke werkaantekening: nooit zichtbaar.".into(),
            Self::NotInOnlineSelection => {
                "Hoort niet bij de online inzage (niet gekoppeld aan een zichtbare episode).".into()
            }
            Self::NoVisibleJournalLines => "Contact zonder zichtbare E- of P-regels.".into(),
            Self::OutsideAuthorisedScope => {
                "Valt buiten de machtiging van deze vertegenwoordiger.".into()
            }
        }
    }
}

/// One item left out, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub item: ItemRef,
    pub reason: ExclusionReason,
}

/// A lab result that exists but is not released yet: shown as "result received, available from
/// <date>", never with its value (R26).
#[derive(Debug, Clone, PartialEq)]
pub struct HeldResult<'a> {
    pub id: &'a ResultId,
    /// `None` when the practice chose not to name the test on placeholders.
    pub test_name: Option<&'a str>,
    pub effective: DateTime<Utc>,
    pub available_from: NaiveDate,
}

/// What the viewer may see of the record at one moment. A view of some parts
/// ([`visible_parts`]) holds nothing of the other parts: its `holds` and `exclusion` answer
/// only for the parts it was made of.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientView<'a> {
    /// The Dutch calendar date the view was computed for.
    pub today: NaiveDate,
    pub patient: &'a Patient,
    pub practice: &'a Practice,
    pub general_practitioner: Option<&'a Practitioner>,
    pub practitioners: Vec<&'a Practitioner>,
    pub episodes: Vec<&'a Episode>,
    pub problems: Vec<&'a Problem>,
    pub alerts: Vec<&'a Alert>,
    pub contacts: Vec<&'a Contact>,
    pub journal: Vec<&'a JournalLine>,
    pub medication: Vec<&'a MedicationAgreement>,
    pub allergies: Vec<&'a Allergy>,
    pub contra_indications: Vec<&'a ContraIndication>,
    pub results: Vec<&'a LabResult>,
    pub held_results: Vec<HeldResult<'a>>,
    pub treatments: Vec<&'a Treatment>,
    pub prophylaxis: Vec<&'a Prophylaxis>,
    pub letters: Vec<&'a Letter>,
    pub appointments: Vec<&'a Appointment>,
    /// Every item left out, with the reason.
    pub excluded: Vec<Exclusion>,
}

impl PatientView<'_> {
    pub fn practitioner(&self, id: &PractitionerId) -> Option<&Practitioner> {
        self.practitioners.iter().copied().find(|p| &p.id == id)
    }
    pub fn episode(&self, id: &EpisodeId) -> Option<&Episode> {
        self.episodes.iter().copied().find(|e| &e.id == id)
    }
    /// The reason an item is not in the view, if it is not.
    pub fn exclusion(&self, kind: ItemKind, id: &str) -> Option<ExclusionReason> {
        self.excluded
            .iter()
            .find(|e| e.item.kind == kind && e.item.id == id)
            .map(|e| e.reason)
    }
}

/// Which parts of a record a view decides and holds. A view of fewer parts costs less: what it
/// does not ask for is neither decided nor shown, and not listed as excluded either. Leaving a
/// part out never shows more: the rules of the parts asked for are the same (an episode still
/// needs its journal lines decided, R4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts(u16);

impl Parts {
    /// Only the patient, the practice and its practitioners (and the access check).
    pub const NONE: Parts = Parts(0);
    /// Episodes with their problems and alerts.
    pub const EPISODES: Parts = Parts(1);
    /// Contacts and journal lines.
    pub const JOURNAL: Parts = Parts(1 << 1);
    pub const MEDICATION: Parts = Parts(1 << 2);
    /// Allergies and contra-indications.
    pub const ALLERGIES: Parts = Parts(1 << 3);
    /// Results, and the results held back (`held_results`).
    pub const RESULTS: Parts = Parts(1 << 4);
    /// Treatments and prophylaxis.
    pub const TREATMENTS: Parts = Parts(1 << 5);
    pub const LETTERS: Parts = Parts(1 << 6);
    pub const APPOINTMENTS: Parts = Parts(1 << 7);
    /// `PatientView::excluded`: every item of the parts asked for that is left out, and why
    /// (and the personal work notes).
    pub const EXCLUSIONS: Parts = Parts(1 << 8);
    /// Every part above: a new part must be added here too.
    pub const ALL: Parts = Parts(
        Self::EPISODES.0
            | Self::JOURNAL.0
            | Self::MEDICATION.0
            | Self::ALLERGIES.0
            | Self::RESULTS.0
            | Self::TREATMENTS.0
            | Self::LETTERS.0
            | Self::APPOINTMENTS.0
            | Self::EXCLUSIONS.0,
    );

    pub const fn with(self, other: Parts) -> Parts {
        Parts(self.0 | other.0)
    }
    pub const fn has(self, part: Parts) -> bool {
        self.0 & part.0 == part.0
    }
}

/// The view for `viewer` after the access check (R33-R41). This is what every patient-facing
/// channel calls.
pub fn visible_record<'a>(
    record: &'a PatientRecord,
    viewer: &Viewer,
    channel: OnlineChannel,
    settings: &PracticeSettings,
    now: DateTime<Utc>,
) -> Result<PatientView<'a>, AccessDenied> {
    visible_parts(record, viewer, channel, settings, now, Parts::ALL)
}

/// [`visible_record`] of only some parts of the record (a MedMij search answers one kind of
/// resource): the same access check, the same rules, less work.
pub fn visible_parts<'a>(
    record: &'a PatientRecord,
    viewer: &Viewer,
    channel: OnlineChannel,
    settings: &PracticeSettings,
    now: DateTime<Utc>,
    parts: Parts,
) -> Result<PatientView<'a>, AccessDenied> {
    let access = authorize(record, viewer, channel, settings, now)?;
    Ok(view_of_parts(record, &access, settings, now, parts))
}

/// What the patient themself would see: the staff preview "Wat ziet de patiënt?".
pub fn online_view<'a>(
    record: &'a PatientRecord,
    settings: &PracticeSettings,
    now: DateTime<Utc>,
) -> PatientView<'a> {
    view_with_access(
        record,
        &Access {
            representation: None,
            scope: None,
        },
        settings,
        now,
    )
}

/// The view under an access already granted (used for staff previews of a representative's view).
pub fn view_with_access<'a>(
    record: &'a PatientRecord,
    access: &Access,
    settings: &PracticeSettings,
    now: DateTime<Utc>,
) -> PatientView<'a> {
    view_of_parts(record, access, settings, now, Parts::ALL)
}

fn view_of_parts<'a>(
    record: &'a PatientRecord,
    access: &Access,
    settings: &PracticeSettings,
    now: DateTime<Utc>,
    parts: Parts,
) -> PatientView<'a> {
    let decisions = Decisions::new(record, settings, now, parts);
    let mut view = PatientView {
        today: decisions.today,
        patient: &record.patient,
        practice: &record.practice,
        general_practitioner: record
            .patient
            .general_practitioner
            .as_ref()
            .and_then(|id| record.practitioner(id)),
        practitioners: record.practitioners.iter().collect(),
        episodes: vec![],
        problems: vec![],
        alerts: vec![],
        contacts: vec![],
        journal: vec![],
        medication: vec![],
        allergies: vec![],
        contra_indications: vec![],
        results: vec![],
        held_results: vec![],
        treatments: vec![],
        prophylaxis: vec![],
        letters: vec![],
        appointments: vec![],
        excluded: vec![],
    };
    let mut excluded = parts.has(Parts::EXCLUSIONS).then_some(&mut view.excluded);
    let excluded = &mut excluded;

    // Routes every item to the view or to `excluded` (when asked for), applying the
    // representative's scope last. A part not asked for has no decisions: nothing is placed.
    fn place<'a, T>(
        items: &'a [T],
        decided: &[Option<ExclusionReason>],
        kind: ItemKind,
        id: impl Fn(&T) -> &str,
        in_scope: bool,
        out: &mut Vec<&'a T>,
        excluded: &mut Option<&mut Vec<Exclusion>>,
    ) {
        for (item, reason) in items.iter().zip(decided) {
            let reason = match reason {
                None if !in_scope => Some(ExclusionReason::OutsideAuthorisedScope),
                r => *r,
            };
            match (reason, excluded.as_deref_mut()) {
                (None, _) => out.push(item),
                (Some(reason), Some(excluded)) => excluded.push(Exclusion {
                    item: ItemRef {
                        kind,
                        id: id(item).to_owned(),
                    },
                    reason,
                }),
                (Some(_), None) => {}
            }
        }
    }

    let d = &decisions;
    place(
        &record.episodes,
        &d.episodes,
        ItemKind::Episode,
        |x| x.id.as_str(),
        access.allows(Section::Episodes),
        &mut view.episodes,
        excluded,
    );
    place(
        &record.problems,
        &d.problems,
        ItemKind::Problem,
        |x| x.id.as_str(),
        access.allows(Section::Episodes),
        &mut view.problems,
        excluded,
    );
    place(
        &record.alerts,
        &d.alerts,
        ItemKind::Alert,
        |x| x.id.as_str(),
        access.allows(Section::Episodes),
        &mut view.alerts,
        excluded,
    );
    place(
        &record.contacts,
        &d.contacts,
        ItemKind::Contact,
        |x| x.id.as_str(),
        access.allows(Section::Journal),
        &mut view.contacts,
        excluded,
    );
    place(
        &record.journal,
        &d.journal,
        ItemKind::JournalLine,
        |x| x.id.as_str(),
        access.allows(Section::Journal),
        &mut view.journal,
        excluded,
    );
    place(
        &record.medication,
        &d.medication,
        ItemKind::Medication,
        |x| x.id.as_str(),
        access.allows(Section::Medication),
        &mut view.medication,
        excluded,
    );
    place(
        &record.allergies,
        &d.allergies,
        ItemKind::Allergy,
        |x| x.id.as_str(),
        access.allows(Section::Allergies),
        &mut view.allergies,
        excluded,
    );
    place(
        &record.contra_indications,
        &d.contra_indications,
        ItemKind::ContraIndication,
        |x| x.id.as_str(),
        access.allows(Section::Allergies),
        &mut view.contra_indications,
        excluded,
    );
    place(
        &record.results,
        &d.results,
        ItemKind::Result,
        |x| x.id.as_str(),
        access.allows(Section::Results),
        &mut view.results,
        excluded,
    );
    place(
        &record.treatments,
        &d.treatments,
        ItemKind::Treatment,
        |x| x.id.as_str(),
        access.allows(Section::Treatments),
        &mut view.treatments,
        excluded,
    );
    place(
        &record.prophylaxis,
        &d.prophylaxis,
        ItemKind::Prophylaxis,
        |x| x.id.as_str(),
        access.allows(Section::Treatments),
        &mut view.prophylaxis,
        excluded,
    );
    place(
        &record.letters,
        &d.letters,
        ItemKind::Letter,
        |x| x.id.as_str(),
        access.allows(Section::Letters),
        &mut view.letters,
        excluded,
    );
    place(
        &record.appointments,
        &d.appointments,
        ItemKind::Appointment,
        |x| x.id.as_str(),
        access.allows(Section::Appointments),
        &mut view.appointments,
        excluded,
    );
    if let Some(excluded) = excluded {
        for note in &record.work_notes {
            excluded.push(Exclusion {
                item: ItemRef {
                    kind: ItemKind::WorkNote,
                    id: note.id.to_string(),
                },
                reason: ExclusionReason::PersonalWorkNote,
            });
        }
    }

    if access.allows(Section::Results) {
        for (r, reason) in record.results.iter().zip(&d.results) {
            if let Some(ExclusionReason::NotYetReleased { available_from }) = reason {
                view.held_results.push(HeldResult {
                    id: &r.id,
                    test_name: settings
                        .held_result_placeholder_names_test
                        .then_some(r.name.as_str()),
                    effective: r.effective,
                    available_from: *available_from,
                });
            }
        }
    }
    view
}

/// Presentation data the views need (R42-R44).
pub mod present;
