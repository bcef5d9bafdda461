//! Mapping FHIR STU3 resources (Nictiz zib2017 / gp-* profiles) to patient records.
//!
//! [`map_resources`] takes every resource of one import (files and Bundles already expanded) and
//! returns one [`PatientRecord`] per Patient resource, plus issues naming file, resource and field.
//! A resource that cannot be mapped is left out whole (an error); a reference that points at
//! nothing is dropped from the item that holds it (a warning), so every record it returns passes
//! `validate_record`.

use crate::node::Node;
use chrono::{DateTime, NaiveDate, Utc};
use inzage_domain::codes::system;
use inzage_domain::time::start_of_local_day;
use inzage_domain::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

mod read;
mod resources;
use read::*;
use resources::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The resource was not imported.
    Error,
    /// The resource was imported, with something left out (named in the message).
    Warning,
}

/// One problem found during import. Carries ids and field names, never medical content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportIssue {
    pub severity: Severity,
    pub file: String,
    /// `Type/id` of the resource, or the type alone when it has no id.
    pub resource: String,
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for ImportIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: ")?;
        if !self.file.is_empty() {
            write!(f, "{}: ", self.file)?;
        }
        write!(f, "{}", self.resource)?;
        if let Some(field) = &self.field {
            write!(f, " ({field})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The result of mapping one import.
#[derive(Debug, Default)]
pub struct Mapped {
    pub records: Vec<PatientRecord>,
    pub issues: Vec<ImportIssue>,
    /// Resources read, by type.
    pub read: BTreeMap<String, usize>,
    /// Compositions are views of contacts and journal lines; they are recognised and not stored.
    pub derived: usize,
    /// `Type/id` of every resource referred to but not among the mapped resources (each also
    /// named by an issue). An importer reading several files can tell from these whether a
    /// file's references point at another file or at nothing.
    pub unresolved: BTreeSet<String>,
}

/// Everything one resource became.
#[allow(clippy::large_enum_variant)] // short-lived, one per resource
enum Item {
    Patient(Box<Patient>, Option<String>),
    Practitioner(Practitioner),
    Organization(Practice),
    /// practitioner id -> organization id
    Role(String, String),
    Episode(String, Episode, Option<String>),
    Problem(String, Problem),
    Alert(String, Alert),
    Contact(String, Contact),
    Journal(String, JournalLine),
    Medication(String, MedicationAgreement, String),
    Product(Product),
    Allergy(String, Allergy),
    Result(String, LabResult),
    /// A letter, with the id of the Binary that holds its PDF when it refers to one.
    Letter(String, Letter, Option<String>),
    /// A PDF (Binary id, bytes), joined to the letter that refers to it.
    Binary(String, Vec<u8>),
    Derived,
    /// Recognised but deliberately not imported, with the reason.
    Ignored(&'static str),
}

struct Ctx {
    meta: ItemMeta,
}

impl Ctx {
    /// The item's meta: who imported it and when, with the resource's business identifiers.
    fn meta(&self, n: &Node) -> ItemMeta {
        let mut meta = self.meta.clone();
        meta.identifiers = identifiers(n).into();
        meta
    }
}

/// Maps every resource of one import. `resources` are `(file name, resource)` pairs with Bundles
/// already expanded; `now` and `actor` stamp the items' meta.
pub fn map_resources(resources: &[(String, Node)], now: DateTime<Utc>, actor: Actor) -> Mapped {
    let ctx = Ctx {
        meta: ItemMeta::new(actor, now),
    };
    let mut out = Mapped::default();
    let mut patients: Vec<(String, Patient, Option<String>)> = vec![];
    let mut practitioners: HashMap<String, Practitioner> = HashMap::new();
    let mut orgs: HashMap<String, Practice> = HashMap::new();
    let mut roles: HashMap<String, String> = HashMap::new();
    let mut products: HashMap<String, Product> = HashMap::new();
    let mut per_patient: HashMap<String, Vec<(String, String, Item)>> = HashMap::new();
    let mut binaries: HashMap<String, Vec<u8>> = HashMap::new();

    for (file, n) in resources {
        *out.read.entry(n.resource_type().to_owned()).or_default() += 1;
        let label = match n.id() {
            Some(id) => format!("{}/{}", n.resource_type(), id),
            None => n.resource_type().to_owned(),
        };
        match map_one(n, &ctx) {
            Err((field, message)) => out.issues.push(ImportIssue {
                severity: Severity::Error,
                file: file.clone(),
                resource: label,
                field: field.map(str::to_owned),
                message,
            }),
            Ok(None) => out.issues.push(ImportIssue {
                severity: Severity::Warning,
                file: file.clone(),
                resource: label,
                field: None,
                message: "resource type not supported; skipped".into(),
            }),
            Ok(Some(Item::Ignored(why))) => out.issues.push(ImportIssue {
                severity: Severity::Warning,
                file: file.clone(),
                resource: label,
                field: None,
                message: why.into(),
            }),
            Ok(Some(item)) => match item {
                Item::Patient(p, org) => patients.push((file.clone(), *p, org)),
                Item::Binary(id, bytes) => {
                    binaries.insert(id, bytes);
                }
                Item::Practitioner(p) => {
                    practitioners.insert(p.id.to_string(), p);
                }
                Item::Organization(o) => {
                    orgs.insert(o.id.to_string(), o);
                }
                Item::Role(p, o) => {
                    roles.insert(p, o);
                }
                Item::Product(p) => {
                    if let Some(id) = p.source_id.clone() {
                        products.insert(id, p);
                    }
                }
                Item::Derived => out.derived += 1,
                Item::Ignored(_) => {}
                Item::Episode(ref pid, ..)
                | Item::Problem(ref pid, _)
                | Item::Alert(ref pid, _)
                | Item::Contact(ref pid, _)
                | Item::Journal(ref pid, _)
                | Item::Medication(ref pid, ..)
                | Item::Allergy(ref pid, _)
                | Item::Result(ref pid, _)
                | Item::Letter(ref pid, ..) => {
                    let pid = pid.clone();
                    per_patient
                        .entry(pid)
                        .or_default()
                        .push((file.clone(), label, item))
                }
            },
        }
    }

    #[allow(clippy::expect_used)] // a literal, valid id
    let default_practice = Practice {
        id: PracticeId::new("import").expect("static id"),
        name: "Huisartsenpraktijk (geïmporteerd)".into(),
        agb: None,
        identifiers: vec![],
        address: None,
        contact: ContactDetails::default(),
    };

    let known_patients: HashSet<String> =
        patients.iter().map(|(_, p, _)| p.id.to_string()).collect();
    for (pid, items) in &per_patient {
        if !known_patients.contains(pid) {
            out.unresolved.insert(format!("Patient/{pid}"));
            for (file, label, _) in items {
                out.issues.push(ImportIssue {
                    severity: Severity::Error,
                    file: file.clone(),
                    resource: label.clone(),
                    field: Some("subject".into()),
                    message: format!("Patient/{pid} is not part of this import"),
                });
            }
        }
    }

    for (_file, mut patient, org) in patients {
        let practice = org
            .and_then(|o| orgs.get(&o).cloned())
            .or_else(|| {
                patient
                    .general_practitioner
                    .as_ref()
                    .and_then(|gp| roles.get(gp.as_str()))
                    .and_then(|o| orgs.get(o).cloned())
            })
            .or_else(|| {
                (orgs.len() == 1)
                    .then(|| orgs.values().next().cloned())
                    .flatten()
            })
            .unwrap_or_else(|| default_practice.clone());
        patient.practice = practice.id.clone();
        let pid = patient.id.to_string();
        let mut r = PatientRecord::new(patient, practice);
        let mut episode_condition: Vec<(usize, String)> = vec![];
        let mut issues: Vec<ImportIssue> = vec![];
        for (file, label, item) in per_patient.remove(&pid).unwrap_or_default() {
            match item {
                Item::Episode(_, e, cond) => {
                    if let Some(c) = cond {
                        episode_condition.push((r.episodes.len(), c));
                    }
                    r.episodes.push(e);
                }
                Item::Problem(_, p) => r.problems.push(p),
                Item::Alert(_, a) => r.alerts.push(a),
                Item::Contact(_, c) => r.contacts.push(c),
                Item::Journal(_, l) => r.journal.push(l),
                Item::Medication(_, mut m, product) => match products.get(&product) {
                    Some(p) => {
                        m.product = p.clone();
                        r.medication.push(m);
                    }
                    None => {
                        out.unresolved.insert(format!("Medication/{product}"));
                        issues.push(ImportIssue {
                            severity: Severity::Error,
                            file,
                            resource: label,
                            field: Some("medicationReference".into()),
                            message: format!("Medication/{product} is not part of this import"),
                        });
                    }
                },
                Item::Allergy(_, a) => r.allergies.push(a),
                Item::Result(_, x) => r.results.push(x),
                Item::Letter(_, mut l, binary) => {
                    if let Some(b) = binary {
                        match binaries.get(&b) {
                            Some(bytes) => {
                                l.content = LetterContent::Pdf {
                                    bytes: bytes.clone(),
                                }
                            }
                            None => {
                                out.unresolved.insert(format!("Binary/{b}"));
                                issues.push(ImportIssue {
                                severity: Severity::Warning,
                                file,
                                resource: label,
                                field: Some("content.attachment.url".into()),
                                message: format!("Binary/{b} is not part of this import; the letter is kept without its document"),
                            });
                            }
                        }
                    }
                    r.letters.push(l);
                }
                _ => {}
            }
        }
        // The episode's ICPC code and problem come from its diagnosis (zib-Problem).
        for (i, cond) in episode_condition {
            if let Some(p) = r.problems.iter().find(|p| p.id.as_str() == cond) {
                let e = &mut r.episodes[i];
                e.problem = Some(p.id.clone());
                if p.code.system == system::ICPC {
                    e.icpc = IcpcCode::parse(&p.code.code).ok();
                    e.icpc_display = p.code.display.as_deref().map(str::to_owned);
                }
                if e.title.is_empty() {
                    e.title = p.code.display.as_deref().unwrap_or_default().to_owned();
                }
            }
        }
        // Attentiewaarde arrives as an active zib-Alert pointing at the episode.
        for a in r.alerts.iter().filter(|a| a.active) {
            if let Some(e) = a
                .episode
                .as_ref()
                .and_then(|id| r.episodes.iter_mut().find(|e| &e.id == id))
            {
                e.attentiewaarde = true;
            }
        }
        resolve_references(&mut r, &practitioners, &mut issues, &mut out.unresolved);
        out.issues.extend(issues);
        out.records.push(r);
    }
    out
}

/// Drops references that point at nothing in the record (with a warning) and pulls in the
/// practitioners the record refers to.
fn resolve_references(
    r: &mut PatientRecord,
    practitioners: &HashMap<String, Practitioner>,
    issues: &mut Vec<ImportIssue>,
    unresolved: &mut BTreeSet<String>,
) {
    let episodes: HashSet<String> = r.episodes.iter().map(|e| e.id.to_string()).collect();
    let contacts: HashSet<String> = r.contacts.iter().map(|c| c.id.to_string()).collect();
    let mut warn = |resource: String, field: &str, target: String| {
        unresolved.insert(target.clone());
        issues.push(ImportIssue {
            severity: Severity::Warning,
            file: String::new(),
            resource,
            field: Some(field.to_owned()),
            message: format!("{target} is not part of this record; the link was left out"),
        })
    };
    macro_rules! check {
        ($items:expr, $ty:literal, $field:ident, $set:ident, $target:literal) => {
            for x in $items.iter_mut() {
                if let Some(id) = &x.$field {
                    if !$set.contains(id.as_str()) {
                        warn(
                            format!("{}/{}", $ty, x.id),
                            stringify!($field),
                            format!("{}/{}", $target, id),
                        );
                        x.$field = None;
                    }
                }
            }
        };
    }
    check!(r.alerts, "Flag", episode, episodes, "EpisodeOfCare");
    check!(r.contacts, "Encounter", episode, episodes, "EpisodeOfCare");
    check!(r.journal, "Observation", episode, episodes, "EpisodeOfCare");
    check!(r.journal, "Observation", contact, contacts, "Encounter");
    check!(
        r.medication,
        "MedicationRequest",
        episode,
        episodes,
        "EpisodeOfCare"
    );
    check!(
        r.medication,
        "MedicationRequest",
        contact,
        contacts,
        "Encounter"
    );
    check!(r.results, "Observation", episode, episodes, "EpisodeOfCare");
    check!(r.results, "Observation", contact, contacts, "Encounter");

    let mut wanted: Vec<PractitionerId> = vec![];
    wanted.extend(r.patient.general_practitioner.clone());
    wanted.extend(r.episodes.iter().filter_map(|e| e.care_manager.clone()));
    wanted.extend(r.problems.iter().filter_map(|e| e.asserter.clone()));
    wanted.extend(r.alerts.iter().filter_map(|e| e.author.clone()));
    wanted.extend(r.contacts.iter().filter_map(|e| e.practitioner.clone()));
    wanted.extend(r.journal.iter().filter_map(|e| e.author.clone()));
    wanted.extend(r.medication.iter().filter_map(|e| e.prescriber.clone()));
    wanted.extend(r.allergies.iter().filter_map(|e| e.recorder.clone()));
    wanted.extend(r.results.iter().filter_map(|e| e.performer.clone()));
    let mut seen = HashSet::new();
    for id in wanted {
        if seen.insert(id.clone())
            && let Some(p) = practitioners.get(id.as_str())
        {
            let mut p = p.clone();
            p.practice = Some(r.practice.id.clone());
            r.practitioners.push(p);
        }
    }
    let present: HashSet<String> = r.practitioners.iter().map(|p| p.id.to_string()).collect();
    let clear = |id: &mut Option<PractitionerId>| {
        if id.as_ref().is_some_and(|p| !present.contains(p.as_str())) {
            *id = None;
        }
    };
    clear(&mut r.patient.general_practitioner);
    r.episodes
        .iter_mut()
        .for_each(|e| clear(&mut e.care_manager));
    r.problems.iter_mut().for_each(|e| clear(&mut e.asserter));
    r.alerts.iter_mut().for_each(|e| clear(&mut e.author));
    r.contacts
        .iter_mut()
        .for_each(|e| clear(&mut e.practitioner));
    r.journal.iter_mut().for_each(|e| clear(&mut e.author));
    r.medication
        .iter_mut()
        .for_each(|e| clear(&mut e.prescriber));
    r.allergies.iter_mut().for_each(|e| clear(&mut e.recorder));
    r.results.iter_mut().for_each(|e| clear(&mut e.performer));
}

/// Expands a parsed document into resources: a Bundle into its entries, anything else as itself.
pub fn expand(file: &str, mut doc: Node, out: &mut Vec<(String, Node)>) {
    if doc.resource_type() == "Bundle" {
        for mut entry in std::mem::take(&mut doc.children)
            .into_iter()
            .filter(|c| c.name == "entry")
        {
            let resource = std::mem::take(&mut entry.children)
                .into_iter()
                .find(|c| c.name == "resource")
                .and_then(|mut r| std::mem::take(&mut r.children).into_iter().next());
            if let Some(res) = resource {
                expand(file, res, out);
            }
        }
    } else {
        out.push((file.to_owned(), doc));
    }
}
