//! The visibility rules: exactly what a patient, parent or representative may see online, and why
//! everything else is left out (R1-R32 of `spec/requirements.md`).
//!
//! Invariant: this module is the only place that decides patient visibility. Every channel
//! (portal, MedMij, online-summary export, notifications) calls [`visible_record`] (or
//! [`online_view`] for staff previews) and shows exactly what it returns.
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
use std::collections::HashMap;

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

/// Names one item of a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ItemRef {
    pub kind: ItemKind,
    pub id: String,
}

impl PatientView<'_> {
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
                a.substance
                    .display
                    .clone()
                    .unwrap_or_else(|| a.substance.code.clone())
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
            _ => return None,
        })
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

/// What the viewer may see of the record at one moment.
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

/// The view for `viewer` after the access check (R33-R41). This is what every patient-facing
/// channel calls.
pub fn visible_record<'a>(
    record: &'a PatientRecord,
    viewer: &Viewer,
    channel: OnlineChannel,
    settings: &PracticeSettings,
    now: DateTime<Utc>,
) -> Result<PatientView<'a>, AccessDenied> {
    let access = authorize(record, viewer, channel, settings, now)?;
    Ok(view_with_access(record, &access, settings, now))
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
    let decisions = Decisions::new(record, settings, now);
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
    let excluded = &mut view.excluded;

    // Routes every item to the view or to `excluded`, applying the representative's scope last.
    fn place<'a, T>(
        items: &'a [T],
        decided: &[Option<ExclusionReason>],
        kind: ItemKind,
        id: impl Fn(&T) -> &str,
        in_scope: bool,
        out: &mut Vec<&'a T>,
        excluded: &mut Vec<Exclusion>,
    ) {
        for (item, reason) in items.iter().zip(decided) {
            let reason = match reason {
                None if !in_scope => Some(ExclusionReason::OutsideAuthorisedScope),
                r => *r,
            };
            match reason {
                None => out.push(item),
                Some(reason) => excluded.push(Exclusion {
                    item: ItemRef {
                        kind,
                        id: id(item).to_owned(),
                    },
                    reason,
                }),
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
    for note in &record.work_notes {
        excluded.push(Exclusion {
            item: ItemRef {
                kind: ItemKind::WorkNote,
                id: note.id.to_string(),
            },
            reason: ExclusionReason::PersonalWorkNote,
        });
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

/// The per-item decisions for one record at one moment, in record order. `None` = visible.
struct Decisions {
    today: NaiveDate,
    episodes: Vec<Option<ExclusionReason>>,
    problems: Vec<Option<ExclusionReason>>,
    alerts: Vec<Option<ExclusionReason>>,
    contacts: Vec<Option<ExclusionReason>>,
    journal: Vec<Option<ExclusionReason>>,
    medication: Vec<Option<ExclusionReason>>,
    allergies: Vec<Option<ExclusionReason>>,
    contra_indications: Vec<Option<ExclusionReason>>,
    results: Vec<Option<ExclusionReason>>,
    treatments: Vec<Option<ExclusionReason>>,
    prophylaxis: Vec<Option<ExclusionReason>>,
    letters: Vec<Option<ExclusionReason>>,
    appointments: Vec<Option<ExclusionReason>>,
}

fn shielded(meta: &ItemMeta) -> Option<ExclusionReason> {
    meta.shield
        .as_ref()
        .map(|s| ExclusionReason::Shielded { reason: s.reason })
}

impl Decisions {
    fn new(record: &PatientRecord, settings: &PracticeSettings, now: DateTime<Utc>) -> Self {
        let today = local_date(now);
        let contacts: HashMap<&str, &Contact> =
            record.contacts.iter().map(|c| (c.id.as_str(), c)).collect();
        let episodes: HashMap<&str, &Episode> =
            record.episodes.iter().map(|e| (e.id.as_str(), e)).collect();
        let contact_with_patient = |c: &Contact| {
            c.patient_took_part
                .unwrap_or_else(|| settings.contact_type_includes_patient(&c.contact_type))
        };

        // The episode a line belongs to: its own link, else its contact's.
        fn line_episode_of<'r>(
            l: &'r JournalLine,
            contacts: &HashMap<&str, &'r Contact>,
        ) -> Option<&'r str> {
            l.episode.as_ref().map(|e| e.as_str()).or_else(|| {
                l.contact
                    .as_ref()
                    .and_then(|c| contacts.get(c.as_str()))
                    .and_then(|c| c.episode.as_ref())
                    .map(|e| e.as_str())
            })
        }

        // Journal lines (R5-R10).
        let journal: Vec<Option<ExclusionReason>> = record
            .journal
            .iter()
            .map(|l| {
                let contact = l.contact.as_ref().and_then(|c| contacts.get(c.as_str()));
                let episode = line_episode_of(l, &contacts).and_then(|e| episodes.get(e));
                if l.soep == Soep::S {
                    Some(ExclusionReason::SubjectiveLine)
                } else if l.soep == Soep::O {
                    Some(ExclusionReason::ObjectiveLine)
                } else if let Some(r) = shielded(&l.meta) {
                    Some(r)
                } else if l.date < settings.journal_start_date {
                    Some(ExclusionReason::BeforeJournalStartDate {
                        start: settings.journal_start_date,
                    })
                } else if contact.is_some_and(|c| c.meta.shield.is_some()) {
                    Some(ExclusionReason::ContactShielded)
                } else if contact.is_some_and(|c| !contact_with_patient(c)) {
                    Some(ExclusionReason::ContactWithoutPatient)
                } else if episode.is_some_and(|e| e.meta.shield.is_some()) {
                    Some(ExclusionReason::EpisodeShielded)
                } else {
                    None
                }
            })
            .collect();

        // Episodes with at least one visible E/P line (R4).
        let mut episodes_with_visible_lines: HashMap<&str, ()> = HashMap::new();
        for (l, reason) in record.journal.iter().zip(&journal) {
            if reason.is_none()
                && let Some(e) = line_episode_of(l, &contacts)
            {
                episodes_with_visible_lines.insert(e, ());
            }
        }

        // Episodes (R1-R4).
        let episode_decisions: Vec<Option<ExclusionReason>> = record
            .episodes
            .iter()
            .map(|e| {
                if let Some(r) = shielded(&e.meta) {
                    Some(r)
                } else if !e.is_closed(today)
                    || e.attentiewaarde
                    || episodes_with_visible_lines.contains_key(e.id.as_str())
                {
                    None
                } else {
                    Some(ExclusionReason::ClosedEpisodeWithoutAttention)
                }
            })
            .collect();
        let visible_episode: HashMap<&str, bool> = record
            .episodes
            .iter()
            .zip(&episode_decisions)
            .map(|(e, r)| (e.id.as_str(), r.is_none()))
            .collect();
        let is_visible_episode = |id: Option<&EpisodeId>| {
            id.is_some_and(|e| visible_episode.get(e.as_str()).copied().unwrap_or(false))
        };

        // Problems and alerts: only as part of a visible episode.
        let problems = record
            .problems
            .iter()
            .map(|p| {
                shielded(&p.meta).or_else(|| {
                    let in_visible_episode = record
                        .episodes
                        .iter()
                        .zip(&episode_decisions)
                        .any(|(e, r)| r.is_none() && e.problem.as_ref() == Some(&p.id));
                    (!in_visible_episode).then_some(ExclusionReason::NotInOnlineSelection)
                })
            })
            .collect();
        let alerts = record
            .alerts
            .iter()
            .map(|a| {
                shielded(&a.meta).or_else(|| {
                    (!is_visible_episode(a.episode.as_ref()))
                        .then_some(ExclusionReason::NotInOnlineSelection)
                })
            })
            .collect();

        // Contacts: visible when at least one of their E/P lines is.
        let mut contacts_with_visible_lines: HashMap<&str, ()> = HashMap::new();
        for (l, reason) in record.journal.iter().zip(&journal) {
            if let (None, Some(c)) = (reason, &l.contact) {
                contacts_with_visible_lines.insert(c.as_str(), ());
            }
        }
        let contact_decisions = record
            .contacts
            .iter()
            .map(|c| {
                if let Some(r) = shielded(&c.meta) {
                    Some(r)
                } else if contacts_with_visible_lines.contains_key(c.id.as_str()) {
                    None
                } else if !contact_with_patient(c) {
                    Some(ExclusionReason::ContactWithoutPatient)
                } else if c.date < settings.journal_start_date {
                    Some(ExclusionReason::BeforeJournalStartDate {
                        start: settings.journal_start_date,
                    })
                } else {
                    Some(ExclusionReason::NoVisibleJournalLines)
                }
            })
            .collect();

        // Medication (R13, R14).
        let medication = record
            .medication
            .iter()
            .map(|m| {
                shielded(&m.meta).or_else(|| match m.period_end {
                    Some(end) if end < today => Some(ExclusionReason::MedicationEnded { on: end }),
                    _ => None,
                })
            })
            .collect();

        // Results (R17-R19, R26-R28).
        let cutoff = months_before(today, settings.results_window_months);
        let immediate = settings.patients_may_choose_immediate_results
            && record.patient.wants_results_immediately;
        let results = record
            .results
            .iter()
            .map(|r| {
                if let Some(s) = shielded(&r.meta) {
                    return Some(s);
                }
                if local_date(r.effective) < cutoff {
                    return Some(ExclusionReason::OutsideResultsWindow { cutoff });
                }
                match &r.review {
                    ReviewState::Released { .. } => None,
                    ReviewState::Withheld { .. } => Some(ExclusionReason::WithheldByGp),
                    ReviewState::Pending { received_at } => {
                        let available_from = local_date(*received_at)
                            .checked_add_days(Days::new(u64::from(
                                settings.result_release_delay_days,
                            )))
                            .unwrap_or(NaiveDate::MAX);
                        if immediate || today >= available_from {
                            None
                        } else {
                            Some(ExclusionReason::NotYetReleased { available_from })
                        }
                    }
                }
            })
            .collect();

        // Letters (R20, R21).
        let letters = record
            .letters
            .iter()
            .map(|l| {
                shielded(&l.meta).or_else(|| {
                    if l.letter_type == LetterType::Other {
                        Some(ExclusionReason::LetterTypeNotOnline)
                    } else if l.date < settings.correspondence_start_date {
                        Some(ExclusionReason::BeforeCorrespondenceStartDate {
                            start: settings.correspondence_start_date,
                        })
                    } else {
                        None
                    }
                })
            })
            .collect();

        Self {
            today,
            episodes: episode_decisions,
            problems,
            alerts,
            contacts: contact_decisions,
            journal,
            medication,
            // R15, R16: allergies (also inactive ones) and contra-indications are visible.
            allergies: record.allergies.iter().map(|a| shielded(&a.meta)).collect(),
            contra_indications: record
                .contra_indications
                .iter()
                .map(|c| shielded(&c.meta))
                .collect(),
            results,
            // R11, R12.
            treatments: record
                .treatments
                .iter()
                .map(|t| shielded(&t.meta))
                .collect(),
            prophylaxis: record
                .prophylaxis
                .iter()
                .map(|p| shielded(&p.meta))
                .collect(),
            letters,
            appointments: record
                .appointments
                .iter()
                .map(|a| shielded(&a.meta))
                .collect(),
        }
    }
}

/// The full electronic copy (afschrift, R102): the whole medical record except personal work
/// notes (R23) and items shielded to protect a third party (R31, R32). Items that are only held
/// back from online view are included and listed in `not_online` with the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct FullCopy<'a> {
    pub patient: &'a Patient,
    pub practice: &'a Practice,
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
    pub treatments: Vec<&'a Treatment>,
    pub prophylaxis: Vec<&'a Prophylaxis>,
    pub letters: Vec<&'a Letter>,
    pub appointments: Vec<&'a Appointment>,
    /// Included items that are not visible online, with the reason (to mark them in the copy).
    pub not_online: Vec<Exclusion>,
    /// Items left out of the copy: work notes and third-party-shielded items.
    pub left_out: Vec<Exclusion>,
}

impl<'a> FullCopy<'a> {
    /// The items in this copy that the practice held back online by a decision about them
    /// (R123): while there are any, a patient's request goes to the practice's copy queue.
    pub fn held_back(&self) -> impl Iterator<Item = &Exclusion> {
        self.not_online.iter().filter(|e| e.reason.is_held_back())
    }

    /// The copy in the shape of a view, so everything that writes a view (portal pages, FHIR,
    /// PDF) writes the full copy too. `excluded` holds what the copy leaves out; held results
    /// are in `results` (the copy carries them, marked through `not_online`).
    pub fn to_view(&self, today: NaiveDate) -> PatientView<'a> {
        PatientView {
            today,
            patient: self.patient,
            practice: self.practice,
            general_practitioner: self
                .patient
                .general_practitioner
                .as_ref()
                .and_then(|id| self.practitioners.iter().copied().find(|p| &p.id == id)),
            practitioners: self.practitioners.clone(),
            episodes: self.episodes.clone(),
            problems: self.problems.clone(),
            alerts: self.alerts.clone(),
            contacts: self.contacts.clone(),
            journal: self.journal.clone(),
            medication: self.medication.clone(),
            allergies: self.allergies.clone(),
            contra_indications: self.contra_indications.clone(),
            results: self.results.clone(),
            held_results: vec![],
            treatments: self.treatments.clone(),
            prophylaxis: self.prophylaxis.clone(),
            letters: self.letters.clone(),
            appointments: self.appointments.clone(),
            excluded: self.left_out.clone(),
        }
    }
}

pub fn full_copy<'a>(
    record: &'a PatientRecord,
    settings: &PracticeSettings,
    now: DateTime<Utc>,
) -> FullCopy<'a> {
    let online = online_view(record, settings, now);
    let mut copy = FullCopy {
        patient: &record.patient,
        practice: &record.practice,
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
        treatments: vec![],
        prophylaxis: vec![],
        letters: vec![],
        appointments: vec![],
        not_online: vec![],
        left_out: vec![],
    };
    let third_party = ExclusionReason::Shielded {
        reason: ShieldReason::ThirdParty,
    };
    let online_reason: HashMap<(ItemKind, &str), ExclusionReason> = online
        .excluded
        .iter()
        .map(|e| ((e.item.kind, e.item.id.as_str()), e.reason))
        .collect();

    fn take<'a, T>(
        items: &'a [T],
        kind: ItemKind,
        id: impl Fn(&T) -> &str,
        meta: impl Fn(&T) -> &ItemMeta,
        online_reason: &HashMap<(ItemKind, &str), ExclusionReason>,
        third_party: ExclusionReason,
        out: &mut Vec<&'a T>,
        not_online: &mut Vec<Exclusion>,
        left_out: &mut Vec<Exclusion>,
    ) {
        for item in items {
            let item_ref = ItemRef {
                kind,
                id: id(item).to_owned(),
            };
            if meta(item)
                .shield
                .as_ref()
                .is_some_and(|s| s.reason == ShieldReason::ThirdParty)
            {
                left_out.push(Exclusion {
                    item: item_ref,
                    reason: third_party,
                });
                continue;
            }
            if let Some(reason) = online_reason.get(&(kind, id(item))) {
                not_online.push(Exclusion {
                    item: item_ref,
                    reason: *reason,
                });
            }
            out.push(item);
        }
    }

    macro_rules! take_all {
        ($($field:ident => $kind:expr),* $(,)?) => {$(
            take(&record.$field, $kind, |x| x.id.as_str(), |x| &x.meta, &online_reason, third_party,
                 &mut copy.$field, &mut copy.not_online, &mut copy.left_out);
        )*};
    }
    take_all!(
        episodes => ItemKind::Episode,
        problems => ItemKind::Problem,
        alerts => ItemKind::Alert,
        contacts => ItemKind::Contact,
        journal => ItemKind::JournalLine,
        medication => ItemKind::Medication,
        allergies => ItemKind::Allergy,
        contra_indications => ItemKind::ContraIndication,
        results => ItemKind::Result,
        treatments => ItemKind::Treatment,
        prophylaxis => ItemKind::Prophylaxis,
        letters => ItemKind::Letter,
        appointments => ItemKind::Appointment,
    );
    // A line whose episode or contact is shielded for a third party goes too: it would reveal it.
    let hidden_parents: Vec<String> = copy
        .left_out
        .iter()
        .filter(|e| matches!(e.item.kind, ItemKind::Episode | ItemKind::Contact))
        .map(|e| e.item.id.clone())
        .collect();
    if !hidden_parents.is_empty() {
        let mut kept = Vec::with_capacity(copy.journal.len());
        for l in copy.journal.drain(..) {
            let parent_hidden = l
                .episode
                .as_ref()
                .is_some_and(|e| hidden_parents.iter().any(|h| h == e.as_str()))
                || l.contact
                    .as_ref()
                    .is_some_and(|c| hidden_parents.iter().any(|h| h == c.as_str()));
            if parent_hidden {
                copy.left_out.push(Exclusion {
                    item: ItemRef {
                        kind: ItemKind::JournalLine,
                        id: l.id.to_string(),
                    },
                    reason: third_party,
                });
            } else {
                kept.push(l);
            }
        }
        copy.journal = kept;
    }
    for note in &record.work_notes {
        copy.left_out.push(Exclusion {
            item: ItemRef {
                kind: ItemKind::WorkNote,
                id: note.id.to_string(),
            },
            reason: ExclusionReason::PersonalWorkNote,
        });
    }
    copy
}

/// Presentation data the views need (R42-R44).
pub mod present {
    use super::*;

    /// An episode's labels: the GP's own title first (R42), the ICPC code and NHG title second.
    pub struct EpisodeLabel<'a> {
        pub primary: &'a str,
        pub secondary: Option<String>,
    }

    pub fn episode_label(e: &Episode) -> EpisodeLabel<'_> {
        let code = e.icpc.as_ref().map(|c| c.as_str());
        let secondary = match (code, e.icpc_display.as_deref()) {
            (Some(c), Some(t)) => Some(format!("{c} {t}")),
            (Some(c), None) => Some(c.to_owned()),
            (None, Some(t)) => Some(t.to_owned()),
            (None, None) => None,
        };
        let primary = if e.title.trim().is_empty() {
            e.icpc_display.as_deref().or(code).unwrap_or("Episode")
        } else {
            e.title.as_str()
        };
        EpisodeLabel { primary, secondary }
    }

    /// The title of a contact's report (R43): the episode title, or the ICPC display of the E line.
    pub fn contact_title(view: &PatientView<'_>, contact: &Contact) -> String {
        if let Some(e) = contact.episode.as_ref().and_then(|id| view.episode(id)) {
            return episode_label(e).primary.to_owned();
        }
        view.journal
            .iter()
            .find(|l| l.contact.as_ref() == Some(&contact.id) && l.soep == Soep::E)
            .and_then(|l| {
                l.icpc_display
                    .clone()
                    .or_else(|| l.icpc.as_ref().map(|c| c.to_string()))
            })
            .unwrap_or_else(|| {
                contact
                    .contact_type
                    .display_nl()
                    .unwrap_or("Contact")
                    .to_owned()
            })
    }

    /// A result as shown (R44): name, value, unit, reference range and where the value lies.
    pub struct ResultLine {
        pub name: String,
        pub value: String,
        pub unit: Option<String>,
        pub range: Option<String>,
        pub position: Option<RangePosition>,
    }

    pub fn result_line(r: &LabResult) -> ResultLine {
        let (value, unit) = match &r.value {
            ResultValue::Quantity { value, unit } => (
                value.as_str().to_owned(),
                unit.as_ref().map(|u| u.to_string()),
            ),
            ResultValue::Coded { coding } => (
                coding
                    .display
                    .clone()
                    .unwrap_or_else(|| coding.code.clone()),
                None,
            ),
            ResultValue::Text { text } => (text.clone(), None),
        };
        let range = r
            .reference_range
            .as_ref()
            .map(|rr| match (&rr.low, &rr.high) {
                (Some(l), Some(h)) => format!("{} - {}", l.as_str(), h.as_str()),
                (Some(l), None) => format!("> {}", l.as_str()),
                (None, Some(h)) => format!("< {}", h.as_str()),
                (None, None) => rr.text.clone().unwrap_or_default(),
            });
        ResultLine {
            name: r.name.clone(),
            value,
            unit,
            range,
            position: r.range_position(),
        }
    }
}
