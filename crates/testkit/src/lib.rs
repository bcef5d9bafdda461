//! What several crates' tests share, written once: the Nictiz qualification patient as our
//! import reads it ([`nictiz`]), the fingerprint of what a patient sees online
//! ([`visible_fingerprint`]), and [`both_backends!`], which runs a scenario on SQLite and on
//! PostgreSQL. Only ever a dev-dependency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod nictiz;

pub use inzage_store::testing::TestDb;

use chrono::{DateTime, Utc};
use inzage_domain::PatientRecord;

/// What the patient sees online of a record (the default practice settings): one line per
/// visible item with the fields the visibility rules and the portal use, sorted. Two records
/// with equal fingerprints look the same to the patient.
pub fn visible_fingerprint(r: &PatientRecord, now: DateTime<Utc>) -> Vec<String> {
    use inzage_domain::visibility::online_view;
    let v = online_view(r, &inzage_domain::PracticeSettings::default(), now);
    let mut out = vec![];
    out.extend(v.episodes.iter().map(|e| {
        format!(
            "episode {} {} {:?} {:?} {:?} {}",
            e.id, e.title, e.icpc, e.start, e.end, e.attentiewaarde
        )
    }));
    out.extend(v.contacts.iter().map(|c| {
        format!(
            "contact {} {} {:?} {:?}",
            c.id, c.date, c.contact_type, c.episode
        )
    }));
    out.extend(v.journal.iter().map(|l| {
        format!(
            "line {} {:?} {} {:?} {} {:?} {:?}",
            l.id, l.soep, l.text, l.icpc, l.date, l.contact, l.episode
        )
    }));
    out.extend(v.medication.iter().map(|m| {
        format!(
            "med {} {} {} {:?} {:?}",
            m.id, m.product.name, m.dosage_text, m.period_start, m.period_end
        )
    }));
    out.extend(v.allergies.iter().map(|a| {
        format!(
            "allergy {} {:?} {:?} {:?}",
            a.id, a.substance.code, a.status, a.criticality
        )
    }));
    out.extend(v.results.iter().map(|x| {
        format!(
            "result {} {} {:?} {:?} {} {:?}",
            x.id,
            x.code.as_str(),
            x.value,
            x.reference_range,
            x.effective,
            x.kind
        )
    }));
    out.sort();
    out
}

/// What a scenario runs on, made from a fresh database (and the value after `with`, if any)
/// by the `setup` function given to [`both_backends!`]; `finish` runs after the scenario.
pub trait Fixture {
    /// The database the fixture was made on, so a PostgreSQL one can be dropped afterwards.
    fn db(&self) -> &TestDb;
}

impl Fixture for TestDb {
    fn db(&self) -> &TestDb {
        self
    }
}

/// Runs each scenario `async fn name(fixture: &F)` on SQLite and on PostgreSQL, each on a fresh
/// database; without a PostgreSQL server the PostgreSQL half prints a message and passes (CI
/// always has one). `setup` is an `async fn(TestDb, Option<A>) -> F` in the calling module; a
/// scenario may name its own `A` after `with`:
///
/// ```ignore
/// inzage_testkit::both_backends!(setup = app; logs_in, locks_out with strict_config());
/// ```
#[macro_export]
macro_rules! both_backends {
    (setup = $setup:ident; $($name:ident $(with $arg:expr)?),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::TestDb::sqlite().await;
                    let fixture = super::$setup(db, $crate::__with!($($arg)?)).await;
                    super::$name(&fixture).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = $crate::TestDb::postgres().await else { return };
                    let fixture = super::$setup(db, $crate::__with!($($arg)?)).await;
                    super::$name(&fixture).await;
                    $crate::Fixture::db(&fixture).drop_database().await;
                }
            )*
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __with {
    () => {
        None
    };
    ($arg:expr) => {
        Some($arg)
    };
}
