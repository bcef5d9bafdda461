//! Parsed records kept in memory so that a record is parsed from its rows once per change, not
//! once per request (a PGO's seven searches, a portal visit's pages).
//!
//! Every read still asks the database for the record's version and `updated_at` (one indexed
//! lookup) and uses the kept record only when both match, so a change made by this process, by
//! another instance or by an import is seen at once: the cache can make a read faster, never
//! older. It is bounded by the memory its records take, estimated from their stored size (least
//! recently used first out).

use inzage_domain::PatientRecord;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What identifies one stored state of a record: its version, when it was saved, and the
/// practice's stored form (a practice is shared by many records and saved with any of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub version: i64,
    pub updated_at: String,
    pub practice: String,
}

struct Kept {
    stamp: Stamp,
    record: Arc<PatientRecord>,
    bytes: usize,
    used: u64,
}

/// The kept records by patient id, and the memory they count for together (kept as they come
/// and go, so that a put does not add up every record kept).
#[derive(Default)]
struct Shelf {
    records: HashMap<String, Kept>,
    bytes: usize,
}

pub(crate) struct RecordCache {
    kept: Mutex<Shelf>,
    budget: AtomicUsize,
    clock: AtomicU64,
    /// Reads answered from the cache, and reads that had to parse the stored rows.
    pub(crate) hits: AtomicU64,
    pub(crate) misses: AtomicU64,
}

impl std::fmt::Debug for RecordCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordCache")
            .field("budget", &self.budget.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The default budget: the memory of the records kept.
pub(crate) const DEFAULT_BUDGET: usize = 128 * 1024 * 1024;

/// The memory a parsed record takes, estimated from its stored size (the JSON of its rows) when
/// it is kept: that size. Measured with every allocation counted (`tests/record_memory.rs`),
/// a record of the reference shape takes 0.77 times its stored size and a heavy 20-year record
/// 0.75 times (ids and codes as boxed `str`, codings' systems shared and short codes inline,
/// lists without spare room, an item's rarely filled parts and its last change boxed); the rest covers the
/// allocator's rounding to its size classes, so the budget is about the memory the records
/// take, or somewhat more. Both measured shapes hold no changed items; an item changed since it
/// was made holds its last change in a box of its own (48 bytes as the allocator rounds it,
/// and a copy of the actor's name, more than an unchanged item), so a much edited record sits
/// nearer its stored size. (It was a quarter more than the stored size while a
/// record of the reference shape took 0.92 times.)
pub(crate) fn memory_of(stored: usize) -> usize {
    stored
}

impl RecordCache {
    pub(crate) fn new(budget: usize) -> Self {
        Self {
            kept: Mutex::new(Shelf::default()),
            budget: AtomicUsize::new(budget),
            clock: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// A new budget; 0 keeps nothing. What no longer fits goes at once.
    pub(crate) fn set_budget(&self, budget: usize) {
        self.budget.store(budget, Ordering::Relaxed);
        if let Ok(mut kept) = self.kept.lock() {
            Self::shrink(&mut kept, budget, budget);
        }
    }

    /// Removes the least recently used until the total is at most `target`, if it is over
    /// `budget`.
    fn shrink(kept: &mut Shelf, budget: usize, target: usize) {
        if kept.bytes <= budget {
            return;
        }
        let mut by_age: Vec<(u64, String)> = kept
            .records
            .iter()
            .map(|(id, k)| (k.used, id.clone()))
            .collect();
        by_age.sort_unstable();
        for (_, id) in by_age {
            if kept.bytes <= target {
                break;
            }
            if let Some(gone) = kept.records.remove(&id) {
                kept.bytes -= gone.bytes;
            }
        }
    }

    /// The kept record of patient `id`, if it is of exactly this stored state.
    pub(crate) fn get(&self, id: &str, stamp: &Stamp) -> Option<Arc<PatientRecord>> {
        let found = self.find(id, stamp);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn find(&self, id: &str, stamp: &Stamp) -> Option<Arc<PatientRecord>> {
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        let mut kept = self.kept.lock().ok()?;
        let k = kept.records.get_mut(id)?;
        if &k.stamp != stamp {
            return None;
        }
        k.used = now;
        Some(k.record.clone())
    }

    /// Whether a record taking `bytes` of memory would be kept: not when the cache is off, and
    /// not one that would push out everything else.
    pub(crate) fn would_keep(&self, bytes: usize) -> bool {
        let budget = self.budget.load(Ordering::Relaxed);
        budget != 0 && bytes <= budget / 4
    }

    /// Keeps `record` (taking `bytes` of memory) as patient `id`'s state `stamp`.
    pub(crate) fn put(&self, id: &str, stamp: Stamp, record: Arc<PatientRecord>, bytes: usize) {
        if !self.would_keep(bytes) {
            return;
        }
        let budget = self.budget.load(Ordering::Relaxed);
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        if let Some(replaced) = kept.records.insert(
            id.to_owned(),
            Kept {
                stamp,
                record,
                bytes,
                used: now,
            },
        ) {
            kept.bytes -= replaced.bytes;
        }
        kept.bytes += bytes;
        // Out go the least recently used, down to three quarters of the budget, so that the
        // scan is rare.
        Self::shrink(&mut kept, budget, budget / 4 * 3);
    }

    /// What the kept records count for, together.
    pub(crate) fn bytes(&self) -> usize {
        self.kept.lock().map(|k| k.bytes).unwrap_or(0)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.kept.lock().map(|k| k.records.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inzage_domain::samples;

    fn stamp(v: i64) -> Stamp {
        Stamp {
            version: v,
            updated_at: "2026-11-30T10:00:00Z".into(),
            practice: "{}".into(),
        }
    }

    #[test]
    fn only_the_same_stored_state_is_served() {
        let c = RecordCache::new(1000);
        let r = Arc::new(samples::heavy_record());
        c.put("p", stamp(3), r.clone(), 10);
        assert!(Arc::ptr_eq(&c.get("p", &stamp(3)).unwrap(), &r));
        assert!(c.get("p", &stamp(4)).is_none());
        let mut other_practice = stamp(3);
        other_practice.practice = r#"{"name":"x"}"#.into();
        assert!(c.get("p", &other_practice).is_none());
        let mut later = stamp(3);
        later.updated_at = "2026-11-30T10:00:01Z".into();
        assert!(c.get("p", &later).is_none());
        assert!(c.get("q", &stamp(3)).is_none());
    }

    #[test]
    fn the_memory_counted_follows_the_records_kept() {
        let c = RecordCache::new(1000);
        let r = Arc::new(samples::heavy_record());
        c.put("a", stamp(1), r.clone(), 100);
        c.put("b", stamp(1), r.clone(), 200);
        assert_eq!(c.bytes(), 300);
        // A newer state of a kept record takes its place.
        c.put("a", stamp(2), r.clone(), 150);
        assert_eq!(c.bytes(), 350);
        // Past the budget the least recently used go (b, then a), down to three quarters.
        for id in ["c", "d", "e"] {
            c.put(id, stamp(1), r.clone(), 240);
        }
        assert_eq!(c.bytes(), 720);
        assert_eq!(c.len(), 3);
        assert!(c.get("b", &stamp(1)).is_none() && c.get("a", &stamp(2)).is_none());
        c.set_budget(0);
        assert_eq!(c.bytes(), 0);
    }

    #[test]
    fn the_budget_holds_and_the_least_recently_used_go_first() {
        let c = RecordCache::new(1000);
        let r = Arc::new(samples::heavy_record());
        for i in 0..10 {
            c.put(&format!("p{i}"), stamp(1), r.clone(), 100);
        }
        assert_eq!(c.len(), 10);
        // p0 used again: p1 is now the oldest.
        assert!(c.get("p0", &stamp(1)).is_some());
        c.put("p10", stamp(1), r.clone(), 100);
        assert!(c.len() <= 8, "{}", c.len());
        assert!(c.get("p0", &stamp(1)).is_some());
        assert!(c.get("p1", &stamp(1)).is_none());
        assert!(c.get("p10", &stamp(1)).is_some());
        // Too large to keep at all.
        c.put("big", stamp(1), r.clone(), 300);
        assert!(c.get("big", &stamp(1)).is_none());
        // A smaller budget applies at once; 0 keeps nothing.
        c.set_budget(250);
        assert!(c.len() <= 2, "{}", c.len());
        assert!(c.get("p10", &stamp(1)).is_some());
        c.set_budget(0);
        assert_eq!(c.len(), 0);
        c.put("p0", stamp(1), r, 1);
        assert!(c.get("p0", &stamp(1)).is_none());
    }
}
