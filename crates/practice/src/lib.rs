//! The practice side (issue 5, first part): staff log in with password and TOTP, find a patient
//! of their own practice, open the whole record, see exactly what the patient (or a
//! representative) sees online, and read the patient's access log. Every read is audited
//! (channel practice); a staff member never reaches another practice's patients.
//!
//! Authorisation is a type here too: handlers get a [`Staff`] (logged in, time-outs checked)
//! and call [`Staff::require`] with their [`roles::Action`]; patient pages get a
//! [`StaffRecord`], which exists only for a patient of the staff member's own practice.

mod access;
mod activation;
mod agenda;
mod blocks;
mod copy;
mod corrections;
mod emergencies;
pub mod entry;
mod login;
mod messages;
mod pages;
mod prescriptions;
mod referral;
mod reports;
pub mod retention;
pub mod roles;
mod security;
mod selfmeasure;
mod staff_admin;

use axum::Router;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use inzage_domain::{PatientId, PatientRecord, PracticeId, StaffRole};
use inzage_store::{AuditEvent, Channel, EventType, RecordStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::page::PageCtx;
use roles::Action;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const STAFF: &str = "staff";

/// The practice menu, each page with the action it needs.
const MENU: [(&str, &str, Action); 14] = [
    ("/praktijk", "practice-search", Action::SearchPatients),
    (
        "/praktijk/uitslagen",
        "practice-queue",
        Action::ReleaseResults,
    ),
    ("/praktijk/agenda", "agenda-title", Action::ViewAgenda),
    (
        "/praktijk/berichten",
        "practice-msg-queue",
        Action::AnswerMessages,
    ),
    (
        "/praktijk/herhaalrecepten",
        "practice-rx-queue",
        Action::ApprovePrescriptions,
    ),
    (
        "/praktijk/correcties",
        "practice-corr-queue",
        Action::DecideCorrections,
    ),
    (
        "/praktijk/zelfmetingen",
        "practice-sm-queue",
        Action::ReviewSelfMeasurements,
    ),
    (
        "/praktijk/noodinzage",
        "emergency-queue",
        Action::ReviewEmergencies,
    ),
    ("/praktijk/niet-delen", "block-queue", Action::DecideBlocks),
    (
        "/praktijk/waarneemberichten",
        "report-queue",
        Action::FileLocumReports,
    ),
    (
        "/praktijk/bewaartermijn",
        "retention-title",
        Action::DecideRetention,
    ),
    (
        "/praktijk/kopieaanvragen",
        "practice-copy-queue",
        Action::HandOutCopies,
    ),
    (
        "/praktijk/instellingen",
        "settings-title",
        Action::ManageSettings,
    ),
    ("/praktijk/medewerkers", "staff-title", Action::ManageStaff),
];

/// Where a staff member lands after logging in: patient search for those who work in records,
/// staff management for the administrator.
pub fn home(role: StaffRole) -> &'static str {
    [Action::SearchPatients, Action::ManageStaff]
        .into_iter()
        .chain(MENU.iter().map(|(_, _, action)| *action))
        .find(|action| roles::allowed(role, *action))
        .and_then(|action| MENU.iter().find(|(_, _, a)| *a == action))
        .map_or("/praktijk", |(href, _, _)| href)
}

pub fn router(state: &AppState) -> Router<AppState> {
    login::router(state)
        .merge(activation::router(state))
        .merge(pages::router())
        .merge(entry::router())
        .merge(access::router())
        .merge(staff_admin::router())
        .merge(copy::router())
        .merge(agenda::router())
        .merge(prescriptions::router())
        .merge(messages::router())
        .merge(corrections::router())
        .merge(selfmeasure::router())
        .merge(emergencies::router())
        .merge(blocks::router())
        .merge(retention::router())
        .merge(reports::router())
        .merge(referral::router())
        .merge(security::router())
}

/// A logged-in staff member.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Staff {
    pub username: String,
    pub practice: PracticeId,
    pub role: StaffRole,
    pub display_name: String,
    pub login_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    #[serde(skip)]
    request_id: String,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> WebResult<Self> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::StaffUnauthenticated)?;
        let Some(mut staff) = session.get::<Staff>(STAFF).await? else {
            return Err(WebError::StaffUnauthenticated);
        };
        let now = state.now();
        if now - staff.last_seen > state.config.idle_timeout
            || now - staff.login_at > state.config.absolute_timeout
        {
            session.flush().await?;
            return Err(WebError::StaffUnauthenticated);
        }
        // A deactivated account or a changed role takes effect at the next request.
        use inzage_store::StaffStore;
        let current = state.store.staff_account(&staff.username).await?;
        // A new password or second factor since this login (a reset, say) ends the session too.
        match current {
            Some(a)
                if a.active
                    && a.practice == staff.practice
                    && a.is_activated()
                    && a.credentials_changed_at.is_none_or(|c| c <= staff.login_at) =>
            {
                staff.role = a.role
            }
            _ => {
                session.flush().await?;
                return Err(WebError::StaffUnauthenticated);
            }
        }
        staff.last_seen = now;
        session.insert(STAFF, &staff).await?;
        staff.request_id = inzage_webkit::request_id(&parts.headers);
        Ok(staff)
    }
}

impl Staff {
    /// Refuses (403) what this staff member's role may not do.
    pub fn require(&self, action: Action) -> WebResult<()> {
        if roles::allowed(self.role, action) {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }

    /// The NEN 7513 entry for something this staff member did.
    pub fn audit_event(
        &self,
        at: DateTime<Utc>,
        event: EventType,
        patient: Option<PatientId>,
        detail: String,
    ) -> AuditEvent {
        AuditEvent {
            at,
            event,
            patient,
            user: format!("staff:{}", self.username),
            responsible_user: format!("staff:{}", self.username),
            role: roles::role_nl(self.role).to_owned(),
            channel: Channel::Practice,
            request_id: self.request_id.clone(),
            detail,
        }
    }

    /// Writes the read entry for one patient whose data a list or queue page shows (before the
    /// page is shown).
    pub async fn audit_read(
        &self,
        state: &AppState,
        patient: &PatientId,
        what: &str,
    ) -> WebResult<()> {
        let event = self.audit_event(
            state.now(),
            EventType::Read,
            Some(patient.clone()),
            format!("practice: {what}"),
        );
        state.store.append_audit(event).await?;
        Ok(())
    }

    /// The records behind a queue of what patients asked the practice (copies, corrections,
    /// repeat prescriptions, questions), in the queue's order. The queue shows each patient's
    /// name and what they asked about, so each record is a read, audited with `what`; a request
    /// whose patient is no longer in the store is left out.
    pub async fn queue_records<R>(
        &self,
        state: &AppState,
        requests: Vec<R>,
        patient: impl Fn(&R) -> &PatientId,
        what: &str,
    ) -> WebResult<Vec<(R, PatientRecord)>> {
        let mut out = Vec::with_capacity(requests.len());
        for request in requests {
            let Some(record) = state.store.load_record(patient(&request)).await? else {
                continue;
            };
            self.audit_read(state, patient(&request), what).await?;
            out.push((request, record));
        }
        Ok(out)
    }

    /// Each patient's record once, however many of their items wait in a queue, each read
    /// audited (`queue_records` over the distinct patients).
    pub async fn records_for_queue<'p>(
        &self,
        state: &AppState,
        patients: impl IntoIterator<Item = &'p PatientId>,
        what: &str,
    ) -> WebResult<Vec<(PatientId, PatientRecord)>> {
        let mut distinct: Vec<PatientId> = vec![];
        for p in patients {
            if !distinct.contains(p) {
                distinct.push(p.clone());
            }
        }
        self.queue_records(state, distinct, |p| p, what).await
    }

    pub async fn ctx(&self, session: &Session, path: &'static str) -> WebResult<PageCtx> {
        let mut ctx = PageCtx::anonymous(session, path).await?;
        ctx.logged_in = true;
        ctx.staff = Some(format!(
            "{} ({})",
            self.display_name,
            roles::role_nl(self.role)
        ));
        ctx.staff_menu = MENU
            .iter()
            .filter(|(_, _, action)| roles::allowed(self.role, *action))
            .map(|(href, key, _)| inzage_webkit::page::NavItem {
                href,
                label: ctx.tr.t(key),
                current: *href == path,
            })
            .collect();
        Ok(ctx)
    }
}

/// A patient of the staff member's own practice, loaded for a patient page. Any other id,
/// including a patient of another practice on the same server, is "not found".
pub struct StaffRecord {
    pub staff: Staff,
    pub record: PatientRecord,
    pub session: Session,
    pub state: AppState,
}

impl FromRequestParts<AppState> for StaffRecord {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> WebResult<Self> {
        let staff = Staff::from_request_parts(parts, state).await?;
        // The route's `{id}` (patient routes may have more parameters after it).
        let Path(params) =
            Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map_err(|_| WebError::NotFound)?;
        let id = params
            .get("id")
            .and_then(|id| PatientId::new(id.clone()).ok())
            .ok_or(WebError::NotFound)?;
        let record = state
            .store
            .load_record(&id)
            .await?
            .filter(|r| r.patient.practice == staff.practice)
            .ok_or(WebError::NotFound)?;
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::StaffUnauthenticated)?;
        Ok(Self {
            staff,
            record,
            session,
            state: state.clone(),
        })
    }
}

impl StaffRecord {
    /// Checks the role, then writes the audit entry for this access. Nothing is shown before
    /// the entry is written.
    pub async fn access(&self, action: Action, what: &str) -> WebResult<()> {
        self.staff.require(action)?;
        self.staff
            .audit_read(&self.state, &self.record.patient.id, what)
            .await
    }
}

/// Creates a staff account with a new TOTP secret; returns the secret (base32) to hand to the
/// person once, for their authenticator app.
pub async fn create_staff(
    store: &inzage_store::Store,
    username: &str,
    password: &str,
    practice: PracticeId,
    role: StaffRole,
    display_name: &str,
    now: DateTime<Utc>,
) -> Result<String, String> {
    use inzage_store::StaffStore;
    if password.chars().count() < 12 {
        return Err("the password must have at least 12 characters".into());
    }
    let secret = totp_rs::Secret::generate().to_base32();
    store
        .create_staff(&inzage_store::StaffAccount {
            username: username.trim().to_lowercase(),
            practice,
            display_name: display_name.to_owned(),
            role,
            password_hash: inzage_login::auth::hash_password(password)?,
            totp_secret: secret.clone(),
            active: true,
            created_at: now,
            email: None,
            credentials_changed_at: None,
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok(secret)
}

/// Who asked, as the practice's queues show it: "De patiënt", or the representative's name (with
/// the basis of their representation when `with_basis`), from the request's audit role
/// (`patient` or `representative:<id>`).
pub(crate) fn requester(
    ctx: &PageCtx,
    record: &PatientRecord,
    role: &str,
    with_basis: bool,
) -> String {
    match role.strip_prefix("representative:") {
        Some(rep) => record
            .representations
            .iter()
            .find(|p| p.id.as_str() == rep)
            .map(|p| {
                let name = p.agent_name.display();
                if with_basis {
                    format!(
                        "{name} ({})",
                        ctx.tr.t(inzage_webkit::page::basis_key(p.basis))
                    )
                } else {
                    name
                }
            })
            .unwrap_or_else(|| ctx.tr.t("who-representative-unknown")),
        None => ctx.tr.t("who-patient"),
    }
}
