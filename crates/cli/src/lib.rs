//! The inzage application: configuration, the commands behind the binary, and the HTTP server.
//! `main.rs` only parses arguments and calls into here, so tests and benchmarks use the same code.

pub mod config;
pub mod demo;
pub mod export;
pub mod generate;
pub mod import;
pub mod pdf;
pub mod serve;

use chrono::{DateTime, Utc};
use inzage_domain::PatientId;
use inzage_store::{AuditEvent, Channel, EventType, RecordStore, Store};

pub type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// Opens (creating a SQLite file's directory if needed) and migrates the store at `url`.
pub async fn open_store(url: &str) -> Result<Store, AnyError> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)?;
        }
    }
    let store = Store::connect(url).await?;
    store.migrate().await?;
    Ok(store)
}

/// The audit entry for something an operator did to a patient's record from the command line.
pub fn cli_audit(
    event: EventType,
    patient: &PatientId,
    at: DateTime<Utc>,
    request_id: String,
    detail: String,
) -> AuditEvent {
    AuditEvent {
        at,
        event,
        patient: Some(patient.clone()),
        user: "cli".into(),
        responsible_user: "cli".into(),
        role: "operator".into(),
        channel: Channel::Cli,
        request_id,
        detail,
    }
}
