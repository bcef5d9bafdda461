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

/// The audit key from the configuration: `audit_key` (hex), or the key file, which is created
/// with 32 random bytes (readable by its owner only) when it does not exist yet.
pub fn audit_key(config: &config::Config) -> Result<Vec<u8>, AnyError> {
    let parse = |hex_text: &str, from: &str| -> Result<Vec<u8>, AnyError> {
        let key = hex::decode(hex_text.trim())
            .map_err(|_| format!("{from}: the audit key must be hex"))?;
        if key.len() < inzage_store::MIN_AUDIT_KEY {
            return Err(format!(
                "{from}: the audit key must be at least {} bytes",
                inzage_store::MIN_AUDIT_KEY
            )
            .into());
        }
        Ok(key)
    };
    if let Some(k) = &config.audit_key {
        return parse(k, "audit_key");
    }
    let path = std::path::Path::new(&config.audit_key_file);
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, &config.audit_key_file),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)?;
            }
            let key: [u8; 32] = rand::random();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(path) {
                Ok(mut f) => {
                    std::io::Write::write_all(&mut f, hex::encode(key).as_bytes())?;
                    eprintln!(
                        "created the audit key {} (keep a copy with your other keys)",
                        path.display()
                    );
                    Ok(key.to_vec())
                }
                // Another process made it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    parse(&std::fs::read_to_string(path)?, &config.audit_key_file)
                }
                Err(e) => Err(format!("{}: {e}", path.display()).into()),
            }
        }
        Err(e) => Err(format!("{}: {e}", path.display()).into()),
    }
}

/// Where the checkpoints of the audit log of the database at `url` go.
pub fn checkpoint_dir(config: &config::Config, url: &str) -> std::path::PathBuf {
    if let Some(dir) = &config.audit_checkpoint_dir {
        return dir.into();
    }
    match url.strip_prefix("sqlite://") {
        Some(path) => format!(
            "{}.audit-checkpoints",
            path.split('?').next().unwrap_or(path)
        )
        .into(),
        None => "data/audit-checkpoints".into(),
    }
}

/// [`open_store`] with the audit key of the configuration: how every command opens the store.
pub async fn open_keyed_store(config: &config::Config, url: &str) -> Result<Store, AnyError> {
    let key = audit_key(config)?;
    let store = open_store(url).await?;
    store.set_audit_key(&key)?;
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
