//! The audit log entry (NEN 7513) and its hash chain.
//!
//! Each entry's hash covers its fields and the previous entry's hash. With an audit key (set by
//! the application from its configuration, never stored in the database) the hash is an
//! HMAC-SHA256, so someone who can write the database cannot rewrite an entry and recompute the
//! chain after it. Deleting the newest entries leaves a shorter chain that is still whole: the
//! signed checkpoints of the head, written outside the database (`checkpoint.rs`), catch that.
//!
//! The log is one or more chains, in lanes of `seq` numbers ([`Lane`]): each PostgreSQL
//! instance appends to a lane of its own, so that instances do not take turns at one chain's
//! lock. One instance (and SQLite always) writes lane 0, the whole log as it was before lanes.

use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use inzage_domain::PatientId;
use sha2::{Digest, Sha256};
use std::sync::{Arc, RwLock};

/// How many of `seq`'s low bits number the entries within a lane: lane `L` holds the `seq`s
/// from `L << 40` (exclusive) up to `(L + 1) << 40`, a million million entries each.
pub const LANE_BITS: u32 = 40;

/// A chain of the audit log: the entries whose `seq` lies in its range, each chained from the
/// one before it in the lane, the first from [`GENESIS`]. Lane 0's first entry is `seq` 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lane(pub i64);

impl Lane {
    /// The lane `seq` lies in.
    pub fn of(seq: i64) -> Lane {
        Lane(seq >> LANE_BITS)
    }
    /// The `seq` before the lane's first entry: its end while it is empty.
    pub fn start(self) -> i64 {
        self.0 << LANE_BITS
    }
    /// The first `seq` after the lane.
    pub fn end(self) -> i64 {
        (self.0 + 1) << LANE_BITS
    }
}

/// The secret that keys the audit chain and signs its checkpoints: at least 32 bytes, from the
/// configuration or environment. Shared by a store's clones and its writer task. It also names
/// the lane ([`Lane`]) the store appends its entries to: what a store needs to chain an entry.
#[derive(Clone, Default)]
pub struct AuditKey(Arc<RwLock<Option<Arc<[u8]>>>>, Lane);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.get().is_some() {
            "AuditKey(set)"
        } else {
            "AuditKey(none)"
        })
    }
}

/// The shortest audit key accepted.
pub const MIN_AUDIT_KEY: usize = 32;

impl AuditKey {
    /// No key yet, appending to `lane`.
    pub(crate) fn in_lane(lane: Lane) -> AuditKey {
        AuditKey(Arc::default(), lane)
    }
    /// The lane this store appends to.
    pub(crate) fn lane(&self) -> Lane {
        self.1
    }
    pub(crate) fn get(&self) -> Option<Arc<[u8]>> {
        self.0.read().ok().and_then(|k| k.clone())
    }
    pub(crate) fn set(&self, key: &[u8]) -> Result<(), crate::StoreError> {
        if key.len() < MIN_AUDIT_KEY {
            return Err(crate::StoreError::Config(format!(
                "the audit key must be at least {MIN_AUDIT_KEY} bytes"
            )));
        }
        if let Ok(mut k) = self.0.write() {
            *k = Some(Arc::from(key));
        }
        Ok(())
    }
}

/// HMAC-SHA256 of `parts` (length-prefixed) under `key`, hex.
pub(crate) fn mac_hex(key: &[u8], parts: &[&str]) -> String {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| {
        // HMAC takes keys of any length; this cannot happen.
        unreachable!("HMAC accepts every key length")
    });
    for p in parts {
        m.update(&(p.len() as u64).to_le_bytes());
        m.update(p.as_bytes());
    }
    hex_string(&m.finalize().into_bytes())
}

/// `bytes` as lower-case hex digits, written into one buffer: `hex::encode` pushes each digit
/// onto a `String` as a `char`, and a MedMij request takes several (its token's hash, its audit
/// entry's HMAC, its request id).
pub fn hex_string(bytes: &[u8]) -> String {
    let mut digits = vec![0; 2 * bytes.len()];
    hex::encode_to_slice(bytes, &mut digits)
        .ok()
        .and_then(|()| String::from_utf8(digits).ok())
        // Not reached: the buffer holds exactly the digits, which are ASCII.
        .unwrap_or_else(|| hex::encode(bytes))
}

/// SHA-256 of `data`, hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex_string(&Sha256::digest(data))
}

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
    /// Another provider's system (a huisartsenpost, a pharmacy, a hospital) (R118).
    Exchange,
    Cli,
}

/// Which of a patient's audit entries a page of the log holds (see
/// [`crate::RecordStore::audit_for_patient_before`]); the default holds all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditFilter<'a> {
    /// Only the entries made through one of these channels (`None`: through any).
    pub channels: Option<&'a [Channel]>,
    /// Only the entries made at or after this moment (`None`: however old).
    pub since: Option<DateTime<Utc>>,
}

impl Channel {
    /// Every channel, once.
    pub const ALL: [Channel; 5] = [
        Self::Portal,
        Self::Practice,
        Self::Medmij,
        Self::Exchange,
        Self::Cli,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Portal => "portal",
            Self::Practice => "practice",
            Self::Medmij => "medmij",
            Self::Exchange => "exchange",
            Self::Cli => "cli",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
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

/// The entry's hash over its length-prefixed fields and the previous hash: HMAC-SHA256 under
/// the audit key, or SHA-256 when the store has none (tests of the store alone).
pub(crate) fn entry_hash(seq: i64, e: &AuditEvent, prev_hash: &str, key: Option<&[u8]>) -> String {
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
    if let Some(key) = key {
        return mac_hex(key, &fields);
    }
    let mut h = Sha256::new();
    for f in fields {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    hex_string(&h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(hex_string(&[]), "");
        assert_eq!(hex_string(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        // FIPS 180-2's first example.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
