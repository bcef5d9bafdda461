//! Signed checkpoints of the audit log's head, kept outside the database (issue 22, finding 6).
//!
//! The keyed chain (`audit.rs`) stops an entry from being rewritten, but deleting the newest
//! entries leaves a shorter chain that is still whole. So the server writes, at a set interval,
//! the head (sequence number and hash) as a small signed file in a directory the operator ships
//! elsewhere (another machine, write-once storage). `inzage audit verify` compares the database
//! with every checkpoint: an entry a checkpoint names must still be there with the same hash.
//! Deleting entries after the newest checkpoint cannot be seen; the interval bounds that window.

use crate::audit::{format_instant, mac_hex};
use crate::backend::parse_instant;
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// One checkpoint: the head of the audit log at a moment, signed with the audit key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub at: DateTime<Utc>,
    pub seq: i64,
    pub hash: String,
    pub mac: String,
}

/// What a comparison with the checkpoints found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointProblem {
    /// A checkpoint names an entry the database no longer has: the log was cut short.
    Missing { seq: i64, file: PathBuf },
    /// The database's entry has another hash than the checkpoint says: it was rewritten.
    Differs { seq: i64, file: PathBuf },
    /// The file's signature does not match (forged, damaged, or another key).
    BadSignature { file: PathBuf },
    /// The file cannot be read as a checkpoint.
    Unreadable { file: PathBuf, why: String },
}

impl std::fmt::Display for CheckpointProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing { seq, file } => write!(
                f,
                "entry {seq} is missing (the log was cut short); checkpoint {}",
                file.display()
            ),
            Self::Differs { seq, file } => write!(
                f,
                "entry {seq} differs from its checkpoint (rewritten); checkpoint {}",
                file.display()
            ),
            Self::BadSignature { file } => {
                write!(f, "checkpoint {} has a bad signature", file.display())
            }
            Self::Unreadable { file, why } => {
                write!(f, "checkpoint {} cannot be read: {why}", file.display())
            }
        }
    }
}

const EXTENSION: &str = "checkpoint";

fn signature(key: &[u8], at: &str, seq: i64, hash: &str) -> String {
    mac_hex(
        key,
        &["inzage-audit-checkpoint-v1", at, &seq.to_string(), hash],
    )
}

impl Checkpoint {
    fn to_text(&self) -> String {
        format!(
            "inzage audit checkpoint v1\nat {}\nseq {}\nhash {}\nmac {}\n",
            format_instant(self.at),
            self.seq,
            self.hash,
            self.mac
        )
    }

    fn parse(text: &str) -> Result<Self, String> {
        let mut lines = text.lines();
        if lines.next() != Some("inzage audit checkpoint v1") {
            return Err("not an inzage audit checkpoint".into());
        }
        let mut field = |name: &str| {
            lines
                .next()
                .and_then(|l| l.strip_prefix(name))
                .and_then(|v| v.strip_prefix(' '))
                .map(str::to_owned)
                .ok_or_else(|| format!("no {name} line"))
        };
        let at = field("at")?;
        let seq = field("seq")?;
        let hash = field("hash")?;
        let mac = field("mac")?;
        Ok(Checkpoint {
            at: parse_instant(&at).map_err(|e| e.to_string())?,
            seq: seq.parse().map_err(|_| "seq is not a number".to_owned())?,
            hash,
            mac,
        })
    }
}

impl Store {
    /// Keys the audit chain and the checkpoints (at least 32 bytes). Every entry written from
    /// now on is an HMAC under it, and `verify_audit_chain` checks with it.
    pub fn set_audit_key(&self, key: &[u8]) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.audit_key.set(key),
            Store::Postgres(s) => s.audit_key.set(key),
        }
    }

    fn audit_key(&self) -> Option<std::sync::Arc<[u8]>> {
        match self {
            Store::Sqlite(s) => s.audit_key.get(),
            Store::Postgres(s) => s.audit_key.get(),
        }
    }

    async fn audit_heads(&self) -> Result<Vec<(i64, String)>, StoreError> {
        delegate!(self, s => s.audit_heads())
    }

    async fn audit_hash_at(&self, seq: i64) -> Result<Option<String>, StoreError> {
        delegate!(self, s => s.audit_hash_at(seq))
    }

    /// Writes a checkpoint of the head of each lane of the log ([`crate::Lane`]: one per
    /// instance that appended) into `dir` (created if needed), unless the newest checkpoint of
    /// that lane there already names that head. Each file appears whole (written aside, then
    /// renamed). Returns those written, lowest lane first. Needs the audit key.
    pub async fn write_audit_checkpoint(
        &self,
        dir: &Path,
        now: DateTime<Utc>,
    ) -> Result<Vec<Checkpoint>, StoreError> {
        let key = self
            .audit_key()
            .ok_or_else(|| StoreError::Config("checkpoints need the audit key".into()))?;
        let heads = self.audit_heads().await?;
        let io = |e: std::io::Error| StoreError::Config(format!("{}: {e}", dir.display()));
        if heads.is_empty() {
            return Ok(Vec::new());
        }
        std::fs::create_dir_all(dir).map_err(io)?;
        let files = read_dir(dir).map_err(io)?;
        let mut written = Vec::new();
        for (seq, hash) in heads {
            let lane = crate::Lane::of(seq);
            // The names start with the `seq`, so the lane's newest is its last by name.
            let newest = files.iter().rev().find(|f| {
                f.file_name()
                    .and_then(|n| n.to_str()?.split('-').next()?.parse::<i64>().ok())
                    .is_some_and(|s| crate::Lane::of(s) == lane)
            });
            if let Some(newest) = newest
                && let Ok(text) = std::fs::read_to_string(newest)
                && let Ok(last) = Checkpoint::parse(&text)
                && last.seq == seq
                && last.hash == hash
            {
                continue;
            }
            let at = format_instant(now);
            let checkpoint = Checkpoint {
                at: now,
                seq,
                mac: signature(&key, &at, seq, &hash),
                hash,
            };
            let name = format!("{seq:015}-{}.{EXTENSION}", now.format("%Y%m%dT%H%M%S%.6fZ"));
            let tmp = dir.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, checkpoint.to_text()).map_err(io)?;
            std::fs::rename(&tmp, dir.join(name)).map_err(io)?;
            written.push(checkpoint);
        }
        Ok(written)
    }

    /// Compares the audit log with every checkpoint in `dir` (none there: nothing to compare).
    /// Returns how many checkpoints were compared, and what is wrong.
    pub async fn check_audit_checkpoints(
        &self,
        dir: &Path,
    ) -> Result<(usize, Vec<CheckpointProblem>), StoreError> {
        let key = self
            .audit_key()
            .ok_or_else(|| StoreError::Config("checkpoints need the audit key".into()))?;
        let files = match read_dir(dir) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((0, vec![])),
            Err(e) => return Err(StoreError::Config(format!("{}: {e}", dir.display()))),
        };
        let mut problems = vec![];
        for file in &files {
            let checkpoint = match std::fs::read_to_string(file)
                .map_err(|e| e.to_string())
                .and_then(|t| Checkpoint::parse(&t))
            {
                Ok(c) => c,
                Err(why) => {
                    problems.push(CheckpointProblem::Unreadable {
                        file: file.clone(),
                        why,
                    });
                    continue;
                }
            };
            let at = format_instant(checkpoint.at);
            if signature(&key, &at, checkpoint.seq, &checkpoint.hash) != checkpoint.mac {
                problems.push(CheckpointProblem::BadSignature { file: file.clone() });
                continue;
            }
            match self.audit_hash_at(checkpoint.seq).await? {
                None => problems.push(CheckpointProblem::Missing {
                    seq: checkpoint.seq,
                    file: file.clone(),
                }),
                Some(h) if h != checkpoint.hash => problems.push(CheckpointProblem::Differs {
                    seq: checkpoint.seq,
                    file: file.clone(),
                }),
                Some(_) => {}
            }
        }
        Ok((files.len(), problems))
    }
}

/// The checkpoint files in `dir`, oldest first (their names start with the sequence number).
fn read_dir(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == EXTENSION)
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    Ok(files)
}
