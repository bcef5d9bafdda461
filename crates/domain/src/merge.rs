//! Merging an imported record into the stored one, so that re-importing the same data changes
//! nothing and a partial import never deletes what it does not mention.
//!
//! - items only in the stored record stay;
//! - an item in both whose content is unchanged keeps its stored form (and meta) exactly;
//! - a changed item takes the imported content, keeps who created it and when, and keeps any
//!   shield a GP set (an import never unshields);
//! - practice decisions on the patient (online consent, result preference, sharing consent),
//!   an item's sharing controls (exclusions, blocks) and the representations stay as stored.

use crate::record::*;

/// Record items with an id and meta.
pub trait Item: Clone + PartialEq {
    fn key(&self) -> &str;
    fn meta(&self) -> &ItemMeta;
    fn meta_mut(&mut self) -> &mut ItemMeta;
    /// Carries the practice's own decisions on the stored item over to the imported one.
    fn adopt_decisions(&mut self, old: &Self) {
        if old.meta().shield.is_some() {
            self.meta_mut().shield = old.meta().shield.clone();
        }
        self.meta_mut().sharing = old.meta().sharing.clone();
    }
}

macro_rules! items {
    ($($t:ty),*) => {$(
        impl Item for $t {
            fn key(&self) -> &str { self.id.as_str() }
            fn meta(&self) -> &ItemMeta { &self.meta }
            fn meta_mut(&mut self) -> &mut ItemMeta { &mut self.meta }
        }
    )*};
}
items!(
    Episode,
    Problem,
    Alert,
    Contact,
    JournalLine,
    MedicationAgreement,
    Allergy,
    ContraIndication,
    Treatment,
    Prophylaxis,
    Letter,
    Appointment,
    WorkNote
);

impl Item for LabResult {
    fn key(&self) -> &str {
        self.id.as_str()
    }
    fn meta(&self) -> &ItemMeta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut ItemMeta {
        &mut self.meta
    }
    /// A GP's release or withholding (R26, R27) survives a re-import.
    fn adopt_decisions(&mut self, old: &Self) {
        if old.meta.shield.is_some() {
            self.meta.shield = old.meta.shield.clone();
        }
        self.meta.sharing = old.meta.sharing.clone();
        if !matches!(old.review, ReviewState::Pending { .. }) {
            self.review = old.review.clone();
        }
    }
}

fn merge_meta(old: &ItemMeta, new: &mut ItemMeta) {
    // The first import's creation; the change stays this import's.
    new.set_created(old.created_by().clone(), old.created_at());
    new.shield = old.shield.clone();
    new.sharing = old.sharing.clone();
}

fn same_content<T: Item>(old: &T, new: &T) -> bool {
    let mut probe = new.clone();
    *probe.meta_mut() = old.meta().clone();
    &probe == old
}

fn merge_list<T: Item>(old: &[T], new: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = old.to_vec();
    for mut item in new {
        match out.iter_mut().find(|o| o.key() == item.key()) {
            Some(o) => {
                item.adopt_decisions(o);
                if same_content(o, &item) {
                    continue;
                }
                merge_meta(o.meta(), item.meta_mut());
                *o = item;
            }
            None => out.push(item),
        }
    }
    out
}

/// The record to store after importing `new` over `old` (see the module docs).
pub fn merge_import(old: &PatientRecord, new: PatientRecord) -> PatientRecord {
    let mut patient = new.patient;
    patient.online_consent = old.patient.online_consent.clone();
    patient.wants_results_immediately = old.patient.wants_results_immediately;
    patient.exchange_consent = old.patient.exchange_consent.clone();
    let mut probe = patient.clone();
    probe.meta = old.patient.meta.clone();
    if probe == old.patient {
        patient = old.patient.clone();
    } else {
        merge_meta(&old.patient.meta, &mut patient.meta);
    }
    let mut practitioners = old.practitioners.clone();
    for p in new.practitioners {
        match practitioners.iter_mut().find(|o| o.id == p.id) {
            Some(o) => *o = p,
            None => practitioners.push(p),
        }
    }
    PatientRecord {
        patient,
        practice: new.practice,
        practitioners,
        episodes: merge_list(&old.episodes, new.episodes),
        problems: merge_list(&old.problems, new.problems),
        alerts: merge_list(&old.alerts, new.alerts),
        contacts: merge_list(&old.contacts, new.contacts),
        journal: merge_list(&old.journal, new.journal),
        medication: merge_list(&old.medication, new.medication),
        allergies: merge_list(&old.allergies, new.allergies),
        contra_indications: merge_list(&old.contra_indications, new.contra_indications),
        results: merge_list(&old.results, new.results),
        treatments: merge_list(&old.treatments, new.treatments),
        prophylaxis: merge_list(&old.prophylaxis, new.prophylaxis),
        letters: merge_list(&old.letters, new.letters),
        appointments: merge_list(&old.appointments, new.appointments),
        work_notes: merge_list(&old.work_notes, new.work_notes),
        representations: old.representations.clone(),
        // Merged into what was read: saving it is refused if the record changed meanwhile.
        stored_version: old.stored_version,
    }
}
