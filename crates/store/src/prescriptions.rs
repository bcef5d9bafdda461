//! Repeat-prescription requests (R48): the patient asks, a GP approves (the record gets the new
//! medication agreement in the same transaction as the decision), rejects with a reason, or asks
//! for a consult. An approved request records its hand-off to the pharmacy.

use crate::audit::{AuditEvent, format_instant};
use crate::requests::{Asked, Decision, Kind, Requests, Stored};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::{PatientId, PatientRecord, PracticeId};
use serde_json::Map;
use std::future::Future;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrescriptionStatus {
    /// Waiting for a GP.
    Requested,
    /// Approved: a new medication agreement is in the record and the request went to the pharmacy.
    Approved,
    Rejected,
    /// The GP wants to see the patient first.
    Consult,
}

impl PrescriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Consult => "consult",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        [
            Self::Requested,
            Self::Approved,
            Self::Rejected,
            Self::Consult,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
        .ok_or_else(|| StoreError::Corrupt(format!("prescription status {s:?}")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrescriptionRequest {
    pub id: String,
    pub patient: PatientId,
    /// The medication agreement to repeat.
    pub medication: String,
    pub requested_by: String,
    /// `patient` or `representative:<id>`.
    pub requester_role: String,
    pub pharmacy: String,
    pub remark: String,
    pub requested_at: DateTime<Utc>,
    pub status: PrescriptionStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why rejected, or what the consult is about (the patient reads it).
    pub reason: Option<String>,
    /// The dosage as approved, when the GP changed it.
    pub dosage: Option<String>,
    /// The quantity as approved ("90 tabletten").
    pub quantity: Option<String>,
    /// The agreement the approval created.
    pub new_medication: Option<String>,
    /// When the approved prescription was handed to the pharmacy.
    pub sent_to_pharmacy_at: Option<DateTime<Utc>>,
}

/// A GP's decision on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrescriptionDecision {
    pub status: PrescriptionStatus,
    pub by: String,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
    pub dosage: Option<String>,
    pub quantity: Option<String>,
    pub new_medication: Option<String>,
}

pub trait PrescriptionStore: Send + Sync {
    /// Stores a new request. `Conflict` when one for this medication is already waiting.
    fn request_prescription(
        &self,
        request: &PrescriptionRequest,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A patient's requests, newest first.
    fn prescription_requests(
        &self,
        patient: &PatientId,
    ) -> impl Future<Output = Result<Vec<PrescriptionRequest>, StoreError>> + Send;

    /// The practice's waiting requests, oldest first.
    fn waiting_prescriptions(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<PrescriptionRequest>, StoreError>> + Send;

    /// Decides a waiting request of `patient`. With `record`, the changed record (and its audit
    /// entry) is saved in the same transaction: both happen or neither. `false` when the request
    /// is not waiting (decided meanwhile, or another patient's); then nothing is written.
    fn decide_prescription(
        &self,
        patient: &PatientId,
        id: &str,
        decision: &PrescriptionDecision,
        record: Option<(&PatientRecord, AuditEvent)>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

fn prescription(r: Stored) -> Result<PrescriptionRequest, StoreError> {
    Ok(PrescriptionRequest {
        medication: r.required("medication")?,
        pharmacy: r.required("pharmacy")?,
        remark: r.required("remark")?,
        dosage: r.text("dosage"),
        quantity: r.text("quantity"),
        new_medication: r.text("new_medication"),
        sent_to_pharmacy_at: r.instant("sent_to_pharmacy_at")?,
        status: PrescriptionStatus::parse(&r.status)?,
        id: r.id,
        patient: r.patient,
        requested_by: r.requested_by,
        requester_role: r.requester_role,
        requested_at: r.requested_at,
        decided_by: r.decided_by,
        decided_at: r.decided_at,
        reason: r.reason,
    })
}

impl PrescriptionStore for Store {
    async fn request_prescription(&self, q: &PrescriptionRequest) -> Result<(), StoreError> {
        let mut details = Map::new();
        details.insert("medication".into(), q.medication.clone().into());
        details.insert("pharmacy".into(), q.pharmacy.clone().into());
        details.insert("remark".into(), q.remark.clone().into());
        self.ask(Asked {
            kind: Kind::Prescription,
            id: &q.id,
            patient: &q.patient,
            // One waiting request per medication: a second click does not ask twice.
            subject: &q.medication,
            requested_by: &q.requested_by,
            requester_role: &q.requester_role,
            requested_at: q.requested_at,
            status: PrescriptionStatus::Requested.as_str(),
            details,
        })
        .await
    }

    async fn prescription_requests(
        &self,
        patient: &PatientId,
    ) -> Result<Vec<PrescriptionRequest>, StoreError> {
        let rows = self.requests_of(Kind::Prescription, patient).await?;
        rows.into_iter().map(prescription).collect()
    }

    async fn waiting_prescriptions(
        &self,
        practice: &PracticeId,
    ) -> Result<Vec<PrescriptionRequest>, StoreError> {
        let rows = self.waiting(Kind::Prescription, practice).await?;
        rows.into_iter().map(prescription).collect()
    }

    async fn decide_prescription(
        &self,
        patient: &PatientId,
        id: &str,
        d: &PrescriptionDecision,
        record: Option<(&PatientRecord, AuditEvent)>,
    ) -> Result<bool, StoreError> {
        let sent = (d.status == PrescriptionStatus::Approved).then(|| format_instant(d.at));
        let mut details = Map::new();
        details.insert("dosage".into(), d.dosage.clone().into());
        details.insert("quantity".into(), d.quantity.clone().into());
        details.insert("new_medication".into(), d.new_medication.clone().into());
        details.insert("sent_to_pharmacy_at".into(), sent.into());
        let decision = Decision {
            status: d.status.as_str(),
            by: &d.by,
            at: d.at,
            reason: d.reason.as_deref(),
            details,
            audit: None,
        };
        self.decide_once(Kind::Prescription, patient, id, decision, record)
            .await
    }
}
