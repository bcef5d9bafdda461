//! The GP record (H-EPD) as typed data, and the rules that decide what a patient, parent or
//! representative may see of it online.
//!
//! This crate is pure: it does no I/O and depends on no I/O crate (no sqlx, axum, reqwest, tokio).
//! `.ci/run` checks that mechanically. Every "now" comes in as an argument or through [`Clock`].
//!
//! Invariant: only [`visibility`] decides what a patient may see. Channels (portal, MedMij,
//! exports, notifications) call [`visibility::visible_record`] (or `visible_parts`) and never
//! filter on their own.

pub mod access;
pub mod codes;
pub mod edit;
pub mod entry;
pub mod exchange;
pub mod ids;
pub mod locale;
pub mod merge;
pub mod record;
pub mod retention;
pub mod samples;
pub mod selfmeasure;
pub mod settings;
pub mod time;
pub mod validate;
pub mod visibility;

pub use access::{AccessDenied, OnlineChannel, Viewer};
pub use codes::{Bsn, Coding, IcpcCode};
pub use ids::*;
pub use record::*;
pub use settings::PracticeSettings;
pub use time::{Clock, FixedClock, PartialDate, SystemClock};
pub use visibility::{
    Exclusion, ExclusionReason, Parts, PatientView, full_copy, visible_parts, visible_record,
};
