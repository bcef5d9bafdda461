//! The audit log entry (NEN 7513) and its hash chain.

use chrono::{DateTime, SecondsFormat, Utc};
use inzage_domain::PatientId;
use sha2::{Digest, Sha256};

/// NEN 7513 event types (R104).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    Create,
    Read,
    Update,
    Delete,
    /// Copy, print or export.
    Export,
    /// Transfer to or from another system (import, MedMij release, download).
    Transfer,
    Search,
    Emergency,
    /// A change to an item's online visibility (R30).
    VisibilityChange,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Read => "read",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Export => "export",
            Self::Transfer => "transfer",
            Self::Search => "search",
            Self::Emergency => "emergency",
            Self::VisibilityChange => "visibility_change",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Create,
            Self::Read,
            Self::Update,
            Self::Delete,
            Self::Export,
            Self::Transfer,
            Self::Search,
            Self::Emergency,
            Self::VisibilityChange,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}

/// Through which channel the access happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Portal,
    Practice,
    Medmij,
    Cli,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Portal => "portal",
            Self::Practice => "practice",
            Self::Medmij => "medmij",
            Self::Cli => "cli",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Portal, Self::Practice, Self::Medmij, Self::Cli]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// An event to log (R105): what, when, which patient, who, on whose behalf, role, channel.
/// `detail` is a short machine-readable note (item kinds and ids, counts): never medical content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    pub event: EventType,
    pub patient: Option<PatientId>,
    pub user: String,
    pub responsible_user: String,
    pub role: String,
    pub channel: Channel,
    pub request_id: String,
    pub detail: String,
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// The chain is broken at this entry: its stored hash does not match its content and
/// predecessor, or an entry is missing before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at entry {seq}")]
pub struct ChainBroken {
    pub seq: i64,
}

/// The hash of the (non-existent) entry before the first.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub(crate) fn format_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// SHA-256 over the length-prefixed fields of the entry and the previous hash.
pub(crate) fn entry_hash(seq: i64, e: &AuditEvent, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    let seq = seq.to_string();
    let at = format_instant(e.at);
    let fields: [&str; 11] = [
        &seq,
        &at,
        e.event.as_str(),
        e.patient.as_ref().map_or("", |p| p.as_str()),
        &e.user,
        &e.responsible_user,
        &e.role,
        e.channel.as_str(),
        &e.request_id,
        &e.detail,
        prev_hash,
    ];
    for f in fields {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}
