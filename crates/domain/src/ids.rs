//! Typed identifiers. An id of one kind can never be passed where another kind is expected.
//!
//! Ids are opaque, non-empty strings without whitespace: imported records keep the source system's
//! ids (for example a FHIR resource id) so a re-import finds the same item again. An id never
//! changes once made, so it is kept as a boxed `str` (16 bytes where a `String` takes 24, and
//! every item of a kept record carries four to seven of them).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid id {0:?}: must be 1-128 characters of letters, digits, '-', '.', '_' or ':'")]
pub struct InvalidId(pub String);

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ':'))
}

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(Box<str>);

        impl $name {
            /// Parses an id; see the module docs for the accepted form.
            pub fn new(s: impl Into<String>) -> Result<Self, InvalidId> {
                let s = s.into();
                if valid_id(&s) { Ok(Self(s.into_boxed_str())) } else { Err(InvalidId(s)) }
            }
            pub fn as_str(&self) -> &str { &self.0 }
        }
        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(s: String) -> Result<Self, InvalidId> { Self::new(s) }
        }
        impl From<$name> for String {
            fn from(id: $name) -> String { id.0.into_string() }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(&self.0) }
        }
    )*};
}

typed_id!(
    /// A patient of the practice.
    PatientId,
    /// A practice (one organisation; one database may hold several).
    PracticeId,
    /// A GP, assistant, practice nurse or other staff member.
    PractitionerId,
    EpisodeId,
    /// A zib-Problem (FHIR Condition): a diagnosis, usually the one an episode is about.
    ProblemId,
    /// A zib-Alert (FHIR Flag), for example the attentiewaarde of an episode.
    AlertId,
    /// A (deel)contact, FHIR Encounter.
    ContactId,
    JournalLineId,
    MedicationId,
    AllergyId,
    ContraIndicationId,
    ResultId,
    TreatmentId,
    ProphylaxisId,
    LetterId,
    AppointmentId,
    WorkNoteId,
    RepresentationId,
);
