//! `inzage import <file|dir>`: FHIR STU3 (JSON or XML, resources or Bundles) into the store.
//!
//! Each file is read whole; a file that cannot be parsed is reported and skipped. Resources are
//! mapped by `inzage_fhir`; each patient's record is merged with what is stored
//! (`inzage_domain::merge`) and saved atomically with its audit entry, so a patient's record is
//! either fully updated or untouched. Records are saved in batches (one transaction, a savepoint
//! per record), which keeps that guarantee with far fewer commits. Re-importing the same data changes nothing.

use crate::AnyError;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use inzage_domain::merge::merge_import;
use inzage_domain::time::local_date;
use inzage_domain::{Actor, PatientRecord};
use inzage_fhir::placeholders::substitute_dates;
use inzage_fhir::{ImportIssue, Mapped, Severity, expand, map_resources, parse_document};
use inzage_store::{EventType, RecordStore, SaveOutcome, Store, StoreError};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct ImportSummary {
    pub files: usize,
    pub read: BTreeMap<String, usize>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed_patients: usize,
    pub items_saved: usize,
    pub issues: Vec<ImportIssue>,
}

impl ImportSummary {
    /// Adds what another part of the same import saved.
    fn absorb(&mut self, other: ImportSummary) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.failed_patients += other.failed_patients;
        self.items_saved += other.items_saved;
        self.issues.extend(other.issues);
        add_counts(self, &other.read);
    }
    pub fn errors(&self) -> usize {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count()
    }
    pub fn resources(&self) -> usize {
        self.read.values().sum()
    }
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for i in &self.issues {
            writeln!(f, "{i}")?;
        }
        writeln!(
            f,
            "read {} files, {} resources:",
            self.files,
            self.resources()
        )?;
        for (t, n) in &self.read {
            writeln!(f, "  {t}: {n}")?;
        }
        writeln!(
            f,
            "patients: {} created, {} updated, {} unchanged, {} not saved; {} record items stored",
            self.created, self.updated, self.unchanged, self.failed_patients, self.items_saved
        )?;
        write!(
            f,
            "{} errors (not imported), {} warnings",
            self.errors(),
            self.issues.len() - self.errors()
        )
    }
}

/// The FHIR files to import: `path` itself when it is a file (whatever its name), otherwise every
/// `.json` and `.xml` file below it, in name order.
fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        collect_dir(path, out)
    } else {
        std::fs::metadata(path)?;
        out.push(path.to_owned());
        Ok(())
    }
}

fn collect_dir(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for e in entries {
        if e.is_dir() {
            collect_dir(&e, out)?;
        } else if e.extension().is_some_and(|x| x == "json" || x == "xml") {
            out.push(e);
        }
    }
    Ok(())
}

/// Imports every FHIR file under `path`. `${DATE, T, D, -n}` placeholders (Nictiz fixtures) are
/// resolved against the Dutch date of `now`.
pub async fn import_path(
    store: &Store,
    path: &Path,
    now: DateTime<Utc>,
) -> Result<ImportSummary, AnyError> {
    let mut files = vec![];
    collect_files(path, &mut files).map_err(|e| format!("{}: {e}", path.display()))?;
    if files.is_empty() {
        return Err(format!("{}: no .json or .xml files found", path.display()).into());
    }
    let today = local_date(now);
    let mut summary = ImportSummary {
        files: files.len(),
        ..Default::default()
    };
    // Files are read, parsed and mapped on worker threads, in order, a few ahead of the saves.
    //
    // A Bundle that maps cleanly on its own (one patient, every reference inside it) is saved
    // straight away and freed: a practice export of many patients then streams in bounded memory.
    // So is a Bundle whose only issues are warnings about references it cannot resolve, unless a
    // file read before it that is not saved on its own holds one of them. Everything else (loose
    // resources, Bundles with errors) is the rest: read again once every file has been read and
    // mapped together, in file order, so references across files still resolve. A Bundle saved
    // despite such warnings joins the rest (and is saved again), all of them together, when there
    // is a rest at all or a later file holds what one of them pointed at.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let hasher = RandomState::new();
    let mut read = futures_util::stream::iter(files.iter().cloned().enumerate())
        .map(|(index, f)| {
            let hasher = hasher.clone();
            tokio::task::spawn_blocking(move || read_file(index, f, today, now, &hasher))
        })
        .buffered(workers);
    // What files that are not saved on their own hold (`Targets`).
    let mut held = Targets::new(hasher.clone());
    let mut dangling: Vec<Dangling> = vec![];
    let mut rest: Vec<(usize, PathBuf)> = vec![];
    // Saving runs beside the reading: records wait in a short queue for the batch.
    let (to_save, saves) = tokio::sync::mpsc::channel::<Vec<PatientRecord>>(SAVE_QUEUE);
    let mut batch = Batch::new();
    let mut saved = ImportSummary::default();
    let saving = async {
        // Owned here: when saving stops on an error the queue closes and the reading stops too.
        let mut saves = saves;
        while let Some(records) = saves.recv().await {
            batch.add(store, records, now, &mut saved).await?;
        }
        Ok::<_, AnyError>(())
    };
    let reading = async {
        let to_save = to_save;
        while let Some(file) = read.next().await {
            // The saving stopped on an error (returned below): read no further.
            if to_save.is_closed() {
                break;
            }
            let file = file.map_err(|e| format!("import worker: {e}"))?;
            let records = match file.outcome {
                Outcome::Clean(mapped) => {
                    add_counts(&mut summary, &mapped.read);
                    mapped.records
                }
                Outcome::Dangling(mapped) => {
                    held.add(&file.targets);
                    if mapped.unresolved.iter().any(|t| held.may_hold(t)) {
                        rest.push((file.index, file.path));
                        continue;
                    }
                    dangling.push(Dangling {
                        index: file.index,
                        path: file.path,
                        unresolved: mapped.unresolved,
                        patients: mapped
                            .records
                            .iter()
                            .map(|r| r.patient.id.to_string())
                            .collect(),
                        read: mapped.read,
                        issues: mapped.issues,
                    });
                    mapped.records
                }
                Outcome::Rest => {
                    held.add(&file.targets);
                    rest.push((file.index, file.path));
                    continue;
                }
            };
            // A closed queue means the saving stopped on an error, returned below.
            if to_save.send(records).await.is_err() {
                break;
            }
        }
        Ok::<_, AnyError>(())
    };
    let (read_result, save_result) = tokio::join!(reading, saving);
    if save_result.is_err() || read_result.is_err() {
        // Let a write under way end before the error is reported (it lands whole or not at all).
        let _ = batch.settle(&mut summary).await;
    }
    save_result?;
    read_result?;
    summary.absorb(saved);
    // What was read so far is saved (and counted) before anything is read again.
    batch.finish(store, now, &mut summary).await?;
    // All of them or none: one that joins the rest may point into another.
    let join = !rest.is_empty()
        || dangling
            .iter()
            .any(|d| d.unresolved.iter().any(|t| held.may_hold(t)));
    for d in dangling {
        if join {
            // Its patients were counted when first saved; saving again does not count them twice.
            batch.counted.extend(d.patients);
            rest.push((d.index, d.path));
        } else {
            add_counts(&mut summary, &d.read);
            summary.issues.extend(d.issues);
        }
    }
    if !rest.is_empty() {
        rest.sort_unstable_by_key(|(index, _)| *index);
        let paths: Vec<PathBuf> = rest.into_iter().map(|(_, p)| p).collect();
        let (parsed, issues) = read_and_parse(&paths, today);
        summary.issues.extend(issues);
        let mapped = map_resources(&parsed, now, Actor::System("import".into()));
        add_counts(&mut summary, &mapped.read);
        summary.issues.extend(mapped.issues);
        batch.add(store, mapped.records, now, &mut summary).await?;
    }
    batch.finish(store, now, &mut summary).await?;
    // Many new rows: fresh planner statistics, or the first queries may scan whole tables.
    if summary.created + summary.updated >= STATISTICS_AFTER {
        store.refresh_statistics().await?;
    }
    Ok(summary)
}

/// Groups of records read ahead of the saves (each a file's patients, usually one).
const SAVE_QUEUE: usize = 64;

/// A Bundle saved although some of its references pointed at nothing, remembered until every
/// file has been read.
struct Dangling {
    index: usize,
    path: PathBuf,
    unresolved: BTreeSet<String>,
    patients: Vec<String>,
    read: BTreeMap<String, usize>,
    issues: Vec<ImportIssue>,
}

/// One file, read and mapped by a worker.
struct FileRead {
    index: usize,
    path: PathBuf,
    /// What the file holds that another file's reference may name, when it is not saved on its
    /// own (`Targets::of`); empty for a file saved on its own.
    targets: Vec<u64>,
    outcome: Outcome,
}

enum Outcome {
    /// A Bundle that maps on its own without an issue.
    Clean(Mapped),
    /// A Bundle whose only issues are warnings about references it could not resolve.
    Dangling(Mapped),
    /// Loose resources, a Bundle with errors, or a file that could not be read: read again and
    /// mapped with the rest at the end (its issues are reported then).
    Rest,
}

/// The resources that files not saved on their own hold, as hashes of `Type/id`: a few bytes per
/// resource, and only of the kinds a reference can leave unresolved. A hash that two ids share
/// only makes a Bundle join the rest when it need not have.
struct Targets {
    hasher: RandomState,
    held: HashSet<u64>,
}

/// The kinds `Mapped::unresolved` can name.
const TARGET_KINDS: [&str; 5] = [
    "Patient",
    "EpisodeOfCare",
    "Encounter",
    "Medication",
    "Binary",
];

/// The hashes of what `parsed` holds of `TARGET_KINDS`.
fn targets_of(hasher: &RandomState, parsed: &[(String, inzage_fhir::Node)]) -> Vec<u64> {
    parsed
        .iter()
        .filter(|(_, n)| TARGET_KINDS.contains(&n.resource_type()))
        .filter_map(|(_, n)| {
            n.id()
                .map(|id| hasher.hash_one(format!("{}/{id}", n.resource_type())))
        })
        .collect()
}

impl Targets {
    fn new(hasher: RandomState) -> Self {
        Self {
            hasher,
            held: HashSet::new(),
        }
    }
    fn add(&mut self, targets: &[u64]) {
        self.held.extend(targets);
    }
    fn may_hold(&self, target: &str) -> bool {
        self.held.contains(&self.hasher.hash_one(target))
    }
}

fn read_file(
    index: usize,
    path: PathBuf,
    today: chrono::NaiveDate,
    now: DateTime<Utc>,
    hasher: &RandomState,
) -> FileRead {
    let (parsed, issues) = read_and_parse(std::slice::from_ref(&path), today);
    let is_bundle = parsed.len() > 1
        || parsed
            .first()
            .is_some_and(|(_, n)| n.resource_type() == "Bundle");
    let outcome = if is_bundle && issues.is_empty() {
        let mut mapped = map_resources(&parsed, now, Actor::System("import".into()));
        // A resource of this very file that was not mapped is not found anywhere else either.
        let own: HashSet<String> = parsed
            .iter()
            .filter_map(|(_, n)| n.id().map(|id| format!("{}/{id}", n.resource_type())))
            .collect();
        mapped.unresolved.retain(|target| !own.contains(target));
        if mapped.records.is_empty() {
            Outcome::Rest
        } else if mapped.issues.is_empty() && mapped.unresolved.is_empty() {
            Outcome::Clean(mapped)
        } else if mapped
            .issues
            .iter()
            .all(|i| i.severity == Severity::Warning)
        {
            Outcome::Dangling(mapped)
        } else {
            Outcome::Rest
        }
    } else {
        Outcome::Rest
    };
    let targets = match outcome {
        Outcome::Clean(_) => vec![],
        _ => targets_of(hasher, &parsed),
    };
    FileRead {
        index,
        path,
        targets,
        outcome,
    }
}

/// Records saved by one import after which the database's statistics are refreshed.
const STATISTICS_AFTER: usize = 1000;

fn add_counts(summary: &mut ImportSummary, read: &BTreeMap<String, usize>) {
    for (t, n) in read {
        *summary.read.entry(t.clone()).or_default() += n;
    }
}

/// Records waiting to be saved together: one transaction per batch, each record atomic on its
/// own inside it (see `RecordStore::save_records`). Fewer commits make bulk import faster; the
/// limits keep memory bounded. A batch is written while the next is gathered; a patient of the
/// batch being written is read again only once that write is done. (Two batches written side by
/// side gained nothing on two cores, and on PostgreSQL they could deadlock on the practice rows
/// they both upsert.)
struct Batch {
    records: Vec<PatientRecord>,
    items: usize,
    /// Patients whose outcome was counted at an earlier save in this import.
    counted: HashSet<String>,
    writing: Option<Writing>,
}

/// A batch being written, with its records for the counting afterwards.
type Written = (
    Vec<PatientRecord>,
    Result<Vec<Result<SaveOutcome, StoreError>>, StoreError>,
);

struct Writing {
    patients: HashSet<String>,
    task: tokio::task::JoinHandle<Written>,
}

const BATCH_RECORDS: usize = 64;
const BATCH_ITEMS: usize = 50_000;

impl Batch {
    fn new() -> Self {
        Self {
            records: vec![],
            items: 0,
            counted: HashSet::new(),
            writing: None,
        }
    }

    /// Merges each record with what is stored and queues it, saving whenever the batch is full.
    async fn add(
        &mut self,
        store: &Store,
        records: Vec<PatientRecord>,
        now: DateTime<Utc>,
        summary: &mut ImportSummary,
    ) -> Result<(), AnyError> {
        for record in records {
            let id = record.patient.id.as_str();
            // A patient already waiting in this batch must be saved before it is merged again.
            if self.records.iter().any(|r| r.patient.id.as_str() == id) {
                self.flush(store, now, summary).await?;
            }
            if self
                .writing
                .as_ref()
                .is_some_and(|w| w.patients.contains(id))
            {
                self.settle(summary).await?;
            }
            let merged = match store.load_record(&record.patient.id).await? {
                Some(old) => merge_import(&old, record),
                None => record,
            };
            self.items += merged.item_count();
            self.records.push(merged);
            if self.records.len() >= BATCH_RECORDS || self.items >= BATCH_ITEMS {
                self.flush(store, now, summary).await?;
            }
        }
        Ok(())
    }

    /// Starts writing what waits (after the previous write is done).
    async fn flush(
        &mut self,
        store: &Store,
        now: DateTime<Utc>,
        summary: &mut ImportSummary,
    ) -> Result<(), AnyError> {
        let records = std::mem::take(&mut self.records);
        self.items = 0;
        if records.is_empty() {
            return Ok(());
        }
        self.settle(summary).await?;
        let patients = records.iter().map(|r| r.patient.id.to_string()).collect();
        let store = store.clone();
        let task = tokio::spawn(async move {
            let batch = records
                .iter()
                .map(|r| {
                    let audit = crate::cli_audit(
                        EventType::Transfer,
                        &r.patient.id,
                        now,
                        format!("import-{}", now.timestamp_micros()),
                        format!("fhir import: {} items", r.item_count()),
                    );
                    (r, audit)
                })
                .collect();
            let outcomes = store.save_records(batch).await;
            (records, outcomes)
        });
        self.writing = Some(Writing { patients, task });
        Ok(())
    }

    /// Saves what waits and waits for every write.
    async fn finish(
        &mut self,
        store: &Store,
        now: DateTime<Utc>,
        summary: &mut ImportSummary,
    ) -> Result<(), AnyError> {
        self.flush(store, now, summary).await?;
        self.settle(summary).await
    }

    /// Waits for the batch being written, if any, and counts what it did.
    async fn settle(&mut self, summary: &mut ImportSummary) -> Result<(), AnyError> {
        let Some(writing) = self.writing.take() else {
            return Ok(());
        };
        let (records, outcomes) = writing
            .task
            .await
            .map_err(|e| format!("import writer: {e}"))?;
        for (record, outcome) in records.iter().zip(outcomes?) {
            let items = record.item_count();
            match outcome {
                Ok(_) if self.counted.contains(record.patient.id.as_str()) => {}
                Ok(SaveOutcome::Created) => {
                    summary.created += 1;
                    summary.items_saved += items;
                }
                Ok(SaveOutcome::Updated) => {
                    summary.updated += 1;
                    summary.items_saved += items;
                }
                Ok(SaveOutcome::Unchanged) => summary.unchanged += 1,
                Err(e) => {
                    summary.failed_patients += 1;
                    summary.issues.push(ImportIssue {
                        severity: Severity::Error,
                        file: String::new(),
                        resource: format!("Patient/{}", record.patient.id),
                        field: None,
                        message: format!("record not saved: {e}"),
                    });
                }
            }
        }
        Ok(())
    }
}

fn read_and_parse(
    files: &[PathBuf],
    today: chrono::NaiveDate,
) -> (Vec<(String, inzage_fhir::Node)>, Vec<ImportIssue>) {
    let mut resources = vec![];
    let mut issues = vec![];
    for f in files {
        let name = f.display().to_string();
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                issues.push(issue(&name, format!("cannot read file: {e}")));
                continue;
            }
        };
        let text = if text.contains("${DATE") {
            substitute_dates(&text, today)
        } else {
            text
        };
        match parse_document(&text) {
            Ok(doc) => expand(&name, doc, &mut resources),
            Err(e) => issues.push(issue(&name, e.to_string())),
        }
    }
    (resources, issues)
}

fn issue(file: &str, message: String) -> ImportIssue {
    ImportIssue {
        severity: Severity::Error,
        file: file.to_owned(),
        resource: "(file)".into(),
        field: None,
        message,
    }
}
