//! Mapping between a [`PatientRecord`] and its rows: one row per item, stored as JSON of the
//! domain type with its kind and id as keys.

use crate::StoreError;
use inzage_domain::PatientRecord;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) struct ItemRow {
    pub kind: &'static str,
    pub id: String,
    pub payload: String,
}

fn rows_of<T: Serialize>(
    kind: &'static str,
    items: &[T],
    id: impl Fn(&T) -> String,
    out: &mut Vec<ItemRow>,
) -> Result<(), StoreError> {
    for item in items {
        let payload =
            serde_json::to_string(item).map_err(|e| StoreError::Invalid(format!("{kind}: {e}")))?;
        out.push(ItemRow {
            kind,
            id: id(item),
            payload,
        });
    }
    Ok(())
}

macro_rules! kinds {
    ($($field:ident => $kind:literal),* $(,)?) => {
        pub(crate) fn record_rows(r: &PatientRecord) -> Result<Vec<ItemRow>, StoreError> {
            let mut out = Vec::with_capacity(r.item_count() + r.practitioners.len());
            $( rows_of($kind, &r.$field, |x| x.id.to_string(), &mut out)?; )*
            Ok(out)
        }

        /// Puts a stored row back into the record it belongs to.
        pub(crate) fn push_row(r: &mut PatientRecord, kind: &str, payload: &str) -> Result<(), StoreError> {
            match kind {
                $( $kind => r.$field.push(parse(kind, payload)?), )*
                other => return Err(StoreError::Corrupt(format!("unknown item kind {other:?}"))),
            }
            Ok(())
        }
    };
}

kinds!(
    practitioners => "practitioner",
    episodes => "episode",
    problems => "problem",
    alerts => "alert",
    contacts => "contact",
    journal => "journal_line",
    medication => "medication",
    allergies => "allergy",
    contra_indications => "contra_indication",
    results => "result",
    treatments => "treatment",
    prophylaxis => "prophylaxis",
    letters => "letter",
    appointments => "appointment",
    work_notes => "work_note",
    representations => "representation",
);

pub(crate) fn parse<T: DeserializeOwned>(what: &str, payload: &str) -> Result<T, StoreError> {
    serde_json::from_str(payload).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

pub(crate) fn to_json<T: Serialize>(what: &str, v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Invalid(format!("{what}: {e}")))
}
