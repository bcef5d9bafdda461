//! The practice's decisions about online visibility, as edits of a record: releasing or
//! withholding a result (R26, R27) and shielding an item or lifting the shield (R29-R31).
//! Pure: the caller saves the record and writes the audit entry (R30).

use crate::ids::ResultId;
use crate::record::{Actor, ItemMeta, PatientRecord, ReviewState, Shield};
use crate::visibility::ItemKind;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("no such item in this record")]
    NotFound,
    #[error("this kind of item cannot be shielded")]
    NotShieldable,
    #[error("a reason is required")]
    ReasonRequired,
    #[error("the comment for the patient is longer than {MAX_PATIENT_COMMENT} characters")]
    CommentTooLong,
    #[error("the practice does not offer this choice")]
    NotOffered,
}

/// The longest comment a GP writes for the patient with a result.
pub const MAX_PATIENT_COMMENT: usize = 1000;

fn result<'a>(
    r: &'a mut PatientRecord,
    id: &ResultId,
) -> Result<&'a mut crate::record::LabResult, EditError> {
    r.results
        .iter_mut()
        .find(|x| &x.id == id)
        .ok_or(EditError::NotFound)
}

/// A GP releases a result: visible online from now on, whatever the practice's delay.
pub fn release_result(
    r: &mut PatientRecord,
    id: &ResultId,
    by: Actor,
    at: DateTime<Utc>,
    comment: &str,
) -> Result<(), EditError> {
    let comment = comment.trim();
    if comment.chars().count() > MAX_PATIENT_COMMENT {
        return Err(EditError::CommentTooLong);
    }
    let x = result(r, id)?;
    x.review = ReviewState::Released { by: by.clone(), at };
    if !comment.is_empty() {
        x.patient_comment = Some(comment.to_owned());
    }
    touch(&mut x.meta, by, at);
    Ok(())
}

/// A GP holds a result back until they release it (the automatic release no longer applies).
pub fn withhold_result(
    r: &mut PatientRecord,
    id: &ResultId,
    by: Actor,
    at: DateTime<Utc>,
    reason: &str,
) -> Result<(), EditError> {
    if reason.trim().is_empty() {
        return Err(EditError::ReasonRequired);
    }
    let x = result(r, id)?;
    x.review = ReviewState::Withheld {
        by: by.clone(),
        at,
        reason: reason.trim().to_owned(),
    };
    touch(&mut x.meta, by, at);
    Ok(())
}

/// The patient's choice (R26, N4): lab results as soon as they arrive, or after the GP has
/// looked (at the latest after the practice's delay). "After the GP" is always allowed;
/// "immediately" only where the practice offers the choice.
pub fn choose_result_timing(
    r: &mut PatientRecord,
    settings: &crate::PracticeSettings,
    immediately: bool,
    by: Actor,
    at: DateTime<Utc>,
) -> Result<(), EditError> {
    if immediately && !settings.patients_may_choose_immediate_results {
        return Err(EditError::NotOffered);
    }
    r.patient.wants_results_immediately = immediately;
    touch(&mut r.patient.meta, by, at);
    Ok(())
}

fn touch(meta: &mut ItemMeta, by: Actor, at: DateTime<Utc>) {
    meta.set_updated(by, at);
}

/// The bookkeeping of one item, for shielding.
fn meta_of<'a>(
    r: &'a mut PatientRecord,
    kind: ItemKind,
    id: &str,
) -> Result<&'a mut ItemMeta, EditError> {
    macro_rules! find {
        ($field:ident) => {
            r.$field
                .iter_mut()
                .find(|x| x.id.as_str() == id)
                .map(|x| &mut x.meta)
        };
    }
    let meta = match kind {
        ItemKind::Episode => find!(episodes),
        ItemKind::Contact => find!(contacts),
        ItemKind::JournalLine => find!(journal),
        ItemKind::Medication => find!(medication),
        ItemKind::Allergy => find!(allergies),
        ItemKind::ContraIndication => find!(contra_indications),
        ItemKind::Result => find!(results),
        ItemKind::Treatment => find!(treatments),
        ItemKind::Prophylaxis => find!(prophylaxis),
        ItemKind::Letter => find!(letters),
        ItemKind::Appointment => find!(appointments),
        // Never online anyway, or not shown on their own.
        ItemKind::WorkNote | ItemKind::Problem | ItemKind::Alert => {
            return Err(EditError::NotShieldable);
        }
    };
    meta.ok_or(EditError::NotFound)
}

/// Shields an item from online view (R29) with the reason code and text (R31).
pub fn shield_item(
    r: &mut PatientRecord,
    kind: ItemKind,
    id: &str,
    shield: Shield,
) -> Result<(), EditError> {
    if shield.text.trim().is_empty() {
        return Err(EditError::ReasonRequired);
    }
    let meta = meta_of(r, kind, id)?;
    meta.set_updated(shield.by.clone(), shield.at);
    meta.shield = Some(Box::new(shield));
    Ok(())
}

/// Lifts a shield: the item follows the normal rules again.
pub fn unshield_item(
    r: &mut PatientRecord,
    kind: ItemKind,
    id: &str,
    by: Actor,
    at: DateTime<Utc>,
) -> Result<(), EditError> {
    let meta = meta_of(r, kind, id)?;
    meta.shield = None;
    touch(meta, by, at);
    Ok(())
}
