//! The full electronic copy (afschrift, R102): the whole record except work notes and items
//! shielded to protect a third party, with why each included item is not online.

use super::*;

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
