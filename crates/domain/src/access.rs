//! Who may open a patient's record online, and with which scope (R33-R41, R53).
//!
//! The age rules are evaluated on the Dutch calendar date of `now` from the patient's birth date:
//! - under 12: a parent or guardian with authority only; no own access (R33);
//! - 12 to 15: own access possible (R34); a parent only with the child's recorded consent (R35),
//!   which ends when the child withdraws it (R37);
//! - parental access ends on the 16th birthday (R36); from 16 the patient decides alone (R38);
//! - all of the above for under-16s only when the practice enabled it (R39);
//! - other representatives need a recorded, time-bounded authorisation or a legal basis (R40),
//!   and every representative needs the evidence the practice checked (R41).

use crate::codes::Bsn;
use crate::ids::RepresentationId;
use crate::record::{PatientRecord, Representation, Section};
use crate::settings::PracticeSettings;
use crate::time::{age_on, local_date};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The person asking to see the record, as established by login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// The patient themself, identified by BSN.
    Patient { bsn: Bsn },
    /// Someone acting for the patient under a recorded representation.
    Representative {
        bsn: Bsn,
        representation: RepresentationId,
    },
}

/// Through which online channel the record is opened. The patient consents to each separately
/// (R53): consent to the portal does not open the record to PGO apps, nor the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineChannel {
    /// The practice's patient portal.
    Portal,
    /// A PGO (personal health environment) over MedMij.
    Pgo,
}

/// Why access is refused. Safe to show to the person asking (no medical content).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum AccessDenied {
    #[error("the person logged in is not this patient")]
    NotThisPatient,
    #[error("the patient has not consented to online access")]
    NoOnlineConsent,
    #[error("children under 12 have no own online access")]
    UnderTwelve,
    #[error("online access for patients under 16 is not offered by this practice")]
    Under16NotOffered,
    #[error("no valid authorisation is registered for this person")]
    NoRepresentation,
    #[error("the authorisation has not started yet")]
    RepresentationNotYetValid,
    #[error("the authorisation has ended")]
    RepresentationExpired,
    #[error("the authorisation was revoked")]
    RepresentationRevoked,
    #[error("the practice has not recorded the checked evidence for this authorisation")]
    EvidenceMissing,
    #[error("the child has not consented to parental access")]
    ChildConsentMissing,
    #[error("the child withdrew consent to parental access")]
    ChildConsentWithdrawn,
    #[error("parental access ends when the child turns 16")]
    ChildIsSixteen,
    #[error("an authorisation by the patient must have an end date")]
    AuthorisationWithoutEndDate,
    #[error("this kind of representation does not apply to a patient of this age")]
    BasisNotForThisAge,
}

/// Access granted: by whom, on what basis, and to which sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub representation: Option<RepresentationId>,
    /// `None`: every visible section.
    pub scope: Option<Vec<Section>>,
}

impl Access {
    pub fn allows(&self, s: Section) -> bool {
        self.scope.as_ref().is_none_or(|v| v.contains(&s))
    }
}

/// The last day a representation gives access, when it has one: its end date, and for a parent
/// or guardian the day before the child turns 16 (R36), whichever comes first.
pub fn representation_ends(rep: &Representation, birth_date: NaiveDate) -> Option<NaiveDate> {
    let sixteen = rep
        .basis
        .is_parental()
        .then(|| birth_date.checked_add_months(chrono::Months::new(16 * 12)))
        .flatten()
        .and_then(|d| d.pred_opt());
    match (rep.valid_to, sixteen) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Decides whether `viewer` may open `record` online through `channel` at `now`.
pub fn authorize(
    record: &PatientRecord,
    viewer: &Viewer,
    channel: OnlineChannel,
    settings: &PracticeSettings,
    now: DateTime<Utc>,
) -> Result<Access, AccessDenied> {
    let today = local_date(now);
    let age = age_on(record.patient.birth_date, today);
    if record
        .patient
        .online_consent
        .as_ref()
        .is_none_or(|c| match channel {
            OnlineChannel::Portal => !c.portal,
            OnlineChannel::Pgo => !c.pgo,
        })
    {
        return Err(AccessDenied::NoOnlineConsent);
    }
    match viewer {
        Viewer::Patient { bsn } => {
            if record.patient.bsn.as_ref() != Some(bsn) {
                return Err(AccessDenied::NotThisPatient);
            }
            if age < 12 {
                return Err(AccessDenied::UnderTwelve);
            }
            if age < 16 && !settings.online_access_under_16 {
                return Err(AccessDenied::Under16NotOffered);
            }
            Ok(Access {
                representation: None,
                scope: None,
            })
        }
        Viewer::Representative {
            bsn,
            representation,
        } => {
            let rep = record
                .representations
                .iter()
                .find(|r| &r.id == representation && &r.agent_bsn == bsn)
                .ok_or(AccessDenied::NoRepresentation)?;
            check_representation(rep, age, today, now, settings)?;
            Ok(Access {
                representation: Some(rep.id.clone()),
                scope: rep.scope.clone(),
            })
        }
    }
}

fn check_representation(
    rep: &Representation,
    age: i32,
    today: NaiveDate,
    now: DateTime<Utc>,
    settings: &PracticeSettings,
) -> Result<(), AccessDenied> {
    if rep.revoked_at.is_some_and(|t| t <= now) {
        return Err(AccessDenied::RepresentationRevoked);
    }
    if rep.valid_from > today {
        return Err(AccessDenied::RepresentationNotYetValid);
    }
    if rep.valid_to.is_some_and(|end| end < today) {
        return Err(AccessDenied::RepresentationExpired);
    }
    if rep.evidence.is_none() {
        return Err(AccessDenied::EvidenceMissing);
    }
    if rep.basis.is_parental() {
        if age >= 16 {
            return Err(AccessDenied::ChildIsSixteen);
        }
        if !settings.online_access_under_16 {
            return Err(AccessDenied::Under16NotOffered);
        }
        if age >= 12 {
            let consent = rep
                .child_consent
                .as_ref()
                .ok_or(AccessDenied::ChildConsentMissing)?;
            if consent.given_at > now {
                return Err(AccessDenied::ChildConsentMissing);
            }
            if consent.withdrawn_at.is_some_and(|t| t <= now) {
                return Err(AccessDenied::ChildConsentWithdrawn);
            }
        }
        return Ok(());
    }
    // Curatele, mentorschap and authorisations by the patient are for patients who decide
    // for themselves (16+); below 16 the parental rules apply instead.
    if age < 16 {
        return Err(AccessDenied::BasisNotForThisAge);
    }
    if !rep.basis.is_legal_representation() && rep.valid_to.is_none() {
        return Err(AccessDenied::AuthorisationWithoutEndDate);
    }
    Ok(())
}
