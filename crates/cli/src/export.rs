//! `inzage export`: a patient's electronic copy written to a file by an operator (for a patient
//! who asks at the desk, or for a hand-over), with an export entry in the patient's access log.

use crate::{AnyError, cli_audit};
use chrono::{DateTime, Utc};
use inzage_copy::{Copy, Format, Selection};
use inzage_domain::PatientId;
use inzage_domain::visibility::online_view;
use inzage_store::{CorrectionStore, EventType, RecordStore, Store};
use std::io::Write;
use std::path::Path;

/// Writes the copy to `output` (through a temporary file in the same directory, renamed when
/// complete, so a failure leaves no half-written copy) and audits it. Returns the bytes written.
pub async fn write_copy(
    store: &Store,
    patient: &str,
    format: &str,
    selection: &str,
    language: &str,
    base: &str,
    output: &Path,
    now: DateTime<Utc>,
) -> Result<usize, AnyError> {
    let format = Format::parse(format).ok_or("unknown format: use pdf, fhir or fhir-stu3")?;
    let selection =
        Selection::parse(selection).ok_or("unknown selection: use samenvatting or volledig")?;
    let id = PatientId::new(patient.to_owned()).map_err(|_| "not a patient id")?;
    let record = store
        .load_record(&id)
        .await?
        .ok_or_else(|| format!("no patient with id {patient}"))?;
    let settings = store.settings(&record.practice.id).await?;
    let copy = match selection {
        Selection::Summary => Copy::summary(online_view(&record, &settings, now), now),
        Selection::Full => Copy::full(&record, &settings, now),
    }
    .with_statements(store.statements(&id).await?)
    .in_language(language);
    let bytes = copy.write(format, base)?;
    let dir = output
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(&bytes)?;
    file.as_file().sync_all()?;
    // Audited before the file appears: no copy leaves without its log entry.
    store
        .append_audit(cli_audit(
            EventType::Export,
            &id,
            now,
            format!("export-{}", now.timestamp()),
            format!(
                "copy {} {} written by an operator",
                selection.code(),
                format.code()
            ),
        ))
        .await?;
    file.persist(output)?;
    Ok(bytes.len())
}
