//! How long a record is kept, and destroying (parts of) it (R107, R108, R111; `background.md` §L
//! items 30-39; `docs/retention.md`).
//!
//! - A record is kept 20 years after its last **medical** change (WGBO 7:454 lid 3). Which
//!   changes count is open in the law (§L item 32); we count a change to medical content only:
//!   an item of the record created or changed. Administrative changes (address, consent,
//!   representatives, appointments) do not restart the term; the GP's personal work notes are
//!   not part of the record at all.
//! - Nothing is destroyed automatically: a daily job reports records whose term has ended, and a
//!   GP decides (destroy, or keep longer with a reason, as "the care of a good provider" may
//!   require).
//! - A patient may ask to destroy the record or parts of it (WGBO 7:455): the GP decides, within
//!   three months, with the legal exceptions (the substantial interest of someone else, a law
//!   that requires keeping it, a pending or expected procedure; §L items 33-35).
//! - Access logs are never destroyed with the record: they are kept at least five years (R107);
//!   the application never deletes them at all (R106).

use crate::ids::*;
use crate::record::*;
use crate::time::local_date;
use crate::visibility::{ItemKind, ItemRef};
use chrono::{DateTime, Months, NaiveDate, Utc};

/// Years a record is kept after its last medical change (R108).
pub const RECORD_YEARS: u32 = 20;
/// Years an access log entry is kept at least (R107).
pub const ACCESS_LOG_YEARS: u32 = 5;
/// Months within which a destruction request is carried out or refused (R111).
pub const DESTRUCTION_MONTHS: u32 = 3;

/// The moment of the record's last medical change: the latest creation or change of any of its
/// medical items; the patient's registration when it has none.
pub fn last_medical_change(r: &PatientRecord) -> DateTime<Utc> {
    let mut latest = r.patient.meta.created_at();
    let mut see = |m: &ItemMeta| {
        latest = latest.max(m.created_at()).max(m.updated_at());
    };
    macro_rules! all {
        ($($field:ident),*) => {$(
            for x in &r.$field {
                see(&x.meta);
            }
        )*};
    }
    all!(
        episodes,
        problems,
        alerts,
        contacts,
        journal,
        medication,
        allergies,
        contra_indications,
        results,
        treatments,
        prophylaxis,
        letters
    );
    latest
}

/// The last day the record must be kept: 20 years after the day of its last medical change.
pub fn kept_until(last_change: DateTime<Utc>) -> NaiveDate {
    local_date(last_change)
        .checked_add_months(Months::new(12 * RECORD_YEARS))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether the term has ended on `today` (the day after `kept_until`).
pub fn term_ended(last_change: DateTime<Utc>, today: NaiveDate) -> bool {
    today > kept_until(last_change)
}

/// The day by which a destruction request must be decided and carried out.
pub fn destruction_deadline(requested_at: DateTime<Utc>) -> NaiveDate {
    local_date(requested_at)
        .checked_add_months(Months::new(DESTRUCTION_MONTHS))
        .unwrap_or(NaiveDate::MAX)
}

/// The kinds a patient can name for destruction: what they see online as one thing.
pub const DESTROYABLE: [ItemKind; 5] = [
    ItemKind::Episode,
    ItemKind::JournalLine,
    ItemKind::Result,
    ItemKind::Letter,
    ItemKind::Medication,
];

/// Why a destruction cannot be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DestroyError {
    #[error("no such item in this record")]
    NotFound,
    #[error("this kind of item cannot be destroyed on its own")]
    NotDestroyable,
}

/// Removes the named items from the record, with what only makes sense with them: an episode
/// takes its journal lines, its problem and its alerts along; results, medication and letters
/// that pointed at it stay, no longer linked (they are facts of their own, a medicine's history
/// matters for safety). Answers every item removed, for the store to remove its history too.
pub fn destroy_items(
    r: &mut PatientRecord,
    items: &[ItemRef],
) -> Result<Vec<ItemRef>, DestroyError> {
    for item in items {
        if !DESTROYABLE.contains(&item.kind) {
            return Err(DestroyError::NotDestroyable);
        }
        let id = item.id.as_str();
        let present = match item.kind {
            ItemKind::Episode => r.episodes.iter().any(|x| x.id.as_str() == id),
            ItemKind::JournalLine => r.journal.iter().any(|x| x.id.as_str() == id),
            ItemKind::Result => r.results.iter().any(|x| x.id.as_str() == id),
            ItemKind::Letter => r.letters.iter().any(|x| x.id.as_str() == id),
            ItemKind::Medication => r.medication.iter().any(|x| x.id.as_str() == id),
            _ => false,
        };
        if !present {
            return Err(DestroyError::NotFound);
        }
    }
    let named = |kind: ItemKind, id: &str| items.iter().any(|i| i.kind == kind && i.id == id);
    let episodes: Vec<EpisodeId> = r
        .episodes
        .iter()
        .filter(|e| named(ItemKind::Episode, e.id.as_str()))
        .map(|e| e.id.clone())
        .collect();
    let problems: Vec<ProblemId> = r
        .episodes
        .iter()
        .filter(|e| episodes.contains(&e.id))
        .filter_map(|e| e.problem.clone())
        .collect();
    let in_episode = |e: &Option<EpisodeId>| e.as_ref().is_some_and(|e| episodes.contains(e));
    let mut removed = vec![];
    let mut take = |kind: ItemKind, id: &str, gone: bool| {
        if gone {
            removed.push(ItemRef {
                kind,
                id: id.to_owned(),
            });
        }
        !gone
    };
    r.episodes
        .retain(|x| take(ItemKind::Episode, x.id.as_str(), episodes.contains(&x.id)));
    r.journal.retain(|x| {
        let gone = named(ItemKind::JournalLine, x.id.as_str()) || in_episode(&x.episode);
        take(ItemKind::JournalLine, x.id.as_str(), gone)
    });
    r.problems
        .retain(|x| take(ItemKind::Problem, x.id.as_str(), problems.contains(&x.id)));
    r.alerts
        .retain(|x| take(ItemKind::Alert, x.id.as_str(), in_episode(&x.episode)));
    r.results.retain(|x| {
        take(
            ItemKind::Result,
            x.id.as_str(),
            named(ItemKind::Result, x.id.as_str()),
        )
    });
    r.letters.retain(|x| {
        take(
            ItemKind::Letter,
            x.id.as_str(),
            named(ItemKind::Letter, x.id.as_str()),
        )
    });
    r.medication.retain(|x| {
        take(
            ItemKind::Medication,
            x.id.as_str(),
            named(ItemKind::Medication, x.id.as_str()),
        )
    });
    // What pointed at a destroyed episode stays, unlinked.
    for e in r.contacts.iter_mut().map(|x| &mut x.episode) {
        if in_episode(e) {
            *e = None;
        }
    }
    for x in &mut r.results {
        if in_episode(&x.episode) {
            x.episode = None;
        }
    }
    for x in &mut r.medication {
        if in_episode(&x.episode) {
            x.episode = None;
        }
    }
    for x in &mut r.letters {
        if in_episode(&x.episode) {
            x.episode = None;
        }
    }
    for x in &mut r.treatments {
        if in_episode(&x.episode) {
            x.episode = None;
        }
    }
    Ok(removed)
}
