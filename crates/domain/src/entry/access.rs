//! The access administration (R35, R37, R40, R41, R53): online consent per channel,
//! representatives with their evidence, end dates, revocation, and a child's consent.

use super::*;

// ---- access administration (R35, R37, R40, R41, R53) ----

/// Records the patient's consent to online access, per channel (R53). Withdrawing both
/// channels closes online access altogether.
pub fn set_online_consent(r: &mut PatientRecord, channel: OnlineChannel, given: bool, by: &Author) {
    let mut consent = r.patient.online_consent.clone().unwrap_or(OnlineConsent {
        portal: false,
        pgo: false,
        recorded_by: by.actor(),
        recorded_at: by.at,
    });
    match channel {
        OnlineChannel::Portal => consent.portal = given,
        OnlineChannel::Pgo => consent.pgo = given,
    }
    consent.recorded_by = by.actor();
    consent.recorded_at = by.at;
    r.patient.online_consent = Some(consent);
    by.touch(&mut r.patient.meta);
}

#[derive(Debug, Clone)]
pub struct NewRepresentation {
    pub agent_bsn: Bsn,
    pub agent_name: HumanName,
    pub basis: RepresentationBasis,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub scope: Option<Vec<Section>>,
    /// What the practice checked (R41): "uittreksel gezagsregister", ...
    pub evidence: String,
}

/// Registers a parent, guardian, legal representative or authorised carer, with the evidence
/// the practice checked and who checked it (R41).
pub fn add_representation(
    r: &mut PatientRecord,
    n: NewRepresentation,
    by: &Author,
    new_id: &mut dyn FnMut(&str) -> String,
) -> Result<RepresentationId, EntryError> {
    let evidence = text(&n.evidence, "the evidence checked")?;
    if n.agent_name.family.trim().is_empty() {
        return Err(EntryError::Required("the representative's name"));
    }
    if r.patient.bsn.as_ref() == Some(&n.agent_bsn) {
        return Err(EntryError::Invalid(
            "a patient cannot be their own representative",
        ));
    }
    let by_patient = matches!(
        n.basis,
        RepresentationBasis::WrittenAuthorisation | RepresentationBasis::DigidAuthorisation
    );
    if by_patient && n.valid_to.is_none() {
        return Err(EntryError::Required(
            "an end date for an authorisation by the patient",
        ));
    }
    if n.valid_to.is_some_and(|t| t < n.valid_from) {
        return Err(EntryError::Invalid(
            "the authorisation ends before it starts",
        ));
    }
    if n.scope.as_ref().is_some_and(|s| s.is_empty()) {
        return Err(EntryError::Required("at least one section"));
    }
    let active_twin = r.representations.iter().any(|x| {
        x.agent_bsn == n.agent_bsn
            && x.basis == n.basis
            && x.revoked_at.is_none()
            && x.valid_to
                .is_none_or(|t| t >= crate::time::local_date(by.at))
    });
    if active_twin {
        return Err(EntryError::Invalid(
            "this person already has this authorisation",
        ));
    }
    let id =
        RepresentationId::new(new_id("representation")).map_err(|_| EntryError::Invalid("id"))?;
    r.representations.push(Representation {
        id: id.clone(),
        agent_bsn: n.agent_bsn,
        agent_name: n.agent_name,
        basis: n.basis,
        valid_from: n.valid_from,
        valid_to: n.valid_to,
        scope: n.scope,
        evidence: Some(Evidence {
            kind: evidence,
            checked_by: by.actor(),
            checked_at: by.at,
        }),
        child_consent: None,
        revoked_at: None,
    });
    Ok(id)
}

pub(super) fn representation<'a>(
    r: &'a mut PatientRecord,
    id: &str,
) -> Result<&'a mut Representation, EntryError> {
    find(&mut r.representations, id, |x| x.id.as_str())
}

/// Ends a representation now (the patient or the practice withdraws it; R37, R40).
pub fn revoke_representation(
    r: &mut PatientRecord,
    id: &str,
    by: &Author,
) -> Result<(), EntryError> {
    let x = representation(r, id)?;
    if x.revoked_at.is_some() {
        return Err(EntryError::Invalid(
            "this authorisation was already revoked",
        ));
    }
    x.revoked_at = Some(by.at);
    Ok(())
}

/// Sets or changes the end date of a representation.
pub fn set_representation_end(
    r: &mut PatientRecord,
    id: &str,
    valid_to: Option<NaiveDate>,
) -> Result<(), EntryError> {
    let x = representation(r, id)?;
    if valid_to.is_none()
        && matches!(
            x.basis,
            RepresentationBasis::WrittenAuthorisation | RepresentationBasis::DigidAuthorisation
        )
    {
        return Err(EntryError::Required(
            "an end date for an authorisation by the patient",
        ));
    }
    if valid_to.is_some_and(|t| t < x.valid_from) {
        return Err(EntryError::Invalid(
            "the authorisation ends before it starts",
        ));
    }
    x.valid_to = valid_to;
    Ok(())
}

/// Records that a child of 12-15 consents to a parent's access (R35), or withdraws that
/// consent (R37). Only for parental representations.
pub fn set_child_consent(
    r: &mut PatientRecord,
    id: &str,
    given: bool,
    by: &Author,
) -> Result<(), EntryError> {
    let x = representation(r, id)?;
    if !x.basis.is_parental() {
        return Err(EntryError::Invalid(
            "a child's consent applies to parents and guardians only",
        ));
    }
    if given {
        x.child_consent = Some(ChildConsent {
            given_at: by.at,
            recorded_by: by.actor(),
            withdrawn_at: None,
        });
    } else {
        match &mut x.child_consent {
            Some(c) if c.withdrawn_at.is_none() => c.withdrawn_at = Some(by.at),
            _ => return Err(EntryError::Invalid("there is no consent to withdraw")),
        }
    }
    Ok(())
}
