//! `inzage import <file|dir>`: FHIR STU3 (JSON or XML, resources or Bundles) into the store.
//!
//! Each file is read whole; a file that cannot be parsed is reported and skipped. Resources are
//! mapped by `inzage_fhir`; each patient's record is merged with what is stored
//! (`inzage_domain::merge`) and saved atomically with its audit entry, so a patient's record is
//! either fully updated or untouched. Records are saved in batches (one transaction, a savepoint
//! per record), which keeps that guarantee with far fewer commits. Re-importing the same data changes nothing.

use crate::AnyError;
use chrono::{DateTime, Utc};
use inzage_domain::Actor;
use inzage_domain::merge::merge_import;
use inzage_domain::time::local_date;
use inzage_fhir::placeholders::substitute_dates;
use inzage_fhir::{ImportIssue, Severity, expand, map_resources, parse_document};
use inzage_store::{EventType, RecordStore, SaveOutcome, Store};
use std::collections::BTreeMap;
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
    // A Bundle that maps cleanly on its own (one patient, every reference inside it) is saved
    // straight away and freed: a practice export of many patients then streams in bounded memory.
    // Everything else (loose resources, Bundles that point outside themselves) is mapped together
    // at the end, so references across files still resolve.
    let mut deferred = vec![];
    let mut batch = Batch::new();
    for f in &files {
        let (parsed, issues) = read_and_parse(std::slice::from_ref(f), today);
        summary.issues.extend(issues);
        let is_bundle = parsed.len() > 1
            || parsed
                .first()
                .is_some_and(|(_, n)| n.resource_type() == "Bundle");
        if is_bundle {
            let mapped = map_resources(&parsed, now, Actor::System("import".into()));
            if mapped.issues.is_empty() && !mapped.records.is_empty() {
                add_counts(&mut summary, &mapped.read);
                batch.add(store, mapped.records, now, &mut summary).await?;
                continue;
            }
        }
        deferred.extend(parsed);
    }
    if !deferred.is_empty() {
        let mapped = map_resources(&deferred, now, Actor::System("import".into()));
        add_counts(&mut summary, &mapped.read);
        summary.issues.extend(mapped.issues);
        batch.add(store, mapped.records, now, &mut summary).await?;
    }
    batch.flush(store, now, &mut summary).await?;
    // Many new rows: fresh planner statistics, or the first queries may scan whole tables.
    if summary.created + summary.updated >= STATISTICS_AFTER {
        store.refresh_statistics().await?;
    }
    Ok(summary)
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
/// limits keep memory bounded.
struct Batch {
    records: Vec<inzage_domain::PatientRecord>,
    items: usize,
}

const BATCH_RECORDS: usize = 64;
const BATCH_ITEMS: usize = 50_000;

impl Batch {
    fn new() -> Self {
        Self {
            records: vec![],
            items: 0,
        }
    }

    /// Merges each record with what is stored and queues it, saving whenever the batch is full.
    async fn add(
        &mut self,
        store: &Store,
        records: Vec<inzage_domain::PatientRecord>,
        now: DateTime<Utc>,
        summary: &mut ImportSummary,
    ) -> Result<(), AnyError> {
        for record in records {
            // A patient already waiting in this batch must be saved before it is merged again.
            if self
                .records
                .iter()
                .any(|r| r.patient.id == record.patient.id)
            {
                self.flush(store, now, summary).await?;
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
        let outcomes = store.save_records(batch).await?;
        for (record, outcome) in records.iter().zip(outcomes) {
            let items = record.item_count();
            match outcome {
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
