//! A PGO's access to the resource server and what it gets back on failure: the bearer token
//! names the patient (R71), [`Pgo::view`] asks the visibility rules for the PGO channel (R53,
//! R73), [`Outcome`] is the FHIR OperationOutcome every error answers with.

use crate::chain::RequestIds;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use inzage_domain::access::{OnlineChannel, Viewer};
use inzage_domain::visibility::{Parts, visible_parts};
use inzage_store::{
    AccessContext, AccessGuard, AccessToken, AuditEvent, Channel, EventType, MedmijStore,
};
use inzage_webkit::AppState;
use serde_json::json;
use std::sync::Arc;

/// The stored form of a bearer token.
pub fn token_hash(token: &str) -> String {
    inzage_store::sha256_hex(token.as_bytes())
}

pub(crate) const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";
pub(crate) const FHIR_XML: &str = "application/fhir+xml; charset=utf-8";

/// A FHIR error: an OperationOutcome with a status, never internals.
#[derive(Debug)]
pub struct Outcome {
    status: StatusCode,
    code: &'static str,
    diagnostics: String,
}

impl Outcome {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        diagnostics: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            diagnostics: diagnostics.into(),
        }
    }
    /// An answer built from a kept access context that is no longer current: nothing was sent
    /// or logged, and [`or_fresh`] builds it again from a fresh read.
    fn stale() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "conflict",
            "the record changed while the answer was made; ask again",
        )
    }
    /// A refusal or a stale answer: what a newer state of the token or the record may change.
    fn depends_on_the_record(&self) -> bool {
        matches!(
            self.status,
            StatusCode::UNAUTHORIZED
                | StatusCode::FORBIDDEN
                | StatusCode::NOT_FOUND
                | StatusCode::CONFLICT
        )
    }
    fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "login",
            "a valid bearer access token is required",
        )
    }
}

impl From<inzage_store::StoreError> for Outcome {
    fn from(e: inzage_store::StoreError) -> Self {
        tracing::error!(error = %e, "storage error (medmij)");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "transient",
            "the service is temporarily unavailable",
        )
    }
}

impl IntoResponse for Outcome {
    fn into_response(self) -> Response {
        let body = json!({
            "resourceType": "OperationOutcome",
            "issue": [{
                "severity": "error",
                "code": self.code,
                "diagnostics": self.diagnostics,
            }],
        });
        let mut res = (
            self.status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
            body.to_string(),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// Who asks, for whose record: from the bearer token alone (R71). The request ids are read here.
pub(crate) struct Pgo {
    pub(crate) access: Arc<AccessToken>,
    record: Arc<inzage_domain::PatientRecord>,
    settings: Arc<inzage_domain::PracticeSettings>,
    /// Set when the context was kept from an earlier request (see [`Pgo::kept_from_request`]).
    guard: Option<Arc<AccessGuard>>,
    request_id: String,
    pub(crate) now: chrono::DateTime<chrono::Utc>,
}

/// Refuses a Patient entry a PGO sends that names someone other than the token's person (by a
/// BSN other than `bsn`); a Patient without a BSN, or with a masked one, only identifies.
pub(crate) fn only_the_tokens_person(
    patient: &inzage_fhir::Node,
    bsn: &str,
    what: &str,
) -> Result<(), Outcome> {
    let other = patient
        .children("identifier")
        .filter(|id| id.str("system") == Some(inzage_domain::codes::system::BSN))
        .filter_map(|id| id.str("value"))
        .any(|v| v != bsn);
    if other {
        return Err(Outcome::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("{what} can only be sent about the person the token is for"),
        ));
    }
    Ok(())
}

/// The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive
/// (RFC 7235 section 2.1, RFC 6750 section 2.1).
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The answer `first` built, or, when it was built from a kept access context (`kept`) and may
/// be of an older state than the database's, the answer `again` builds from a fresh read. A
/// success from a kept context was checked as its audit entry was written (a stale one is a
/// conflict here); a refusal (no consent, not visible, not found) was not, so it is never sent
/// from a kept context. Other errors (a bad query, a failing store) do not depend on the record.
pub(crate) async fn or_fresh(
    kept: bool,
    first: Result<Response, Outcome>,
    again: impl AsyncFnOnce() -> Result<Response, Outcome>,
) -> Result<Response, Outcome> {
    match first {
        Err(o) if kept && o.depends_on_the_record() => again().await,
        answer => answer,
    }
}

impl Pgo {
    /// The request's PGO, from a read of the token, the record and the settings made for this
    /// request.
    pub(crate) async fn from_request(
        state: &AppState,
        headers: &HeaderMap,
        ids: &RequestIds,
    ) -> Result<Self, Outcome> {
        Self::of_request(state, headers, ids, false).await
    }

    /// The request's PGO from the context an earlier request of the same token read, when this
    /// instance keeps it (else as [`Self::from_request`]). Its answer goes out only if
    /// [`Self::audit`] finds that context still current; otherwise the audit answers with a
    /// stale outcome, and the handler builds the answer again ([`or_fresh`]). For answers that
    /// change nothing.
    pub(crate) async fn kept_from_request(
        state: &AppState,
        headers: &HeaderMap,
        ids: &RequestIds,
    ) -> Result<Self, Outcome> {
        Self::of_request(state, headers, ids, true).await
    }

    async fn of_request(
        state: &AppState,
        headers: &HeaderMap,
        ids: &RequestIds,
        kept: bool,
    ) -> Result<Self, Outcome> {
        let now = state.now();
        let token = bearer_token(headers).ok_or_else(Outcome::unauthorized)?;
        let hash = token_hash(token);
        // The token, its patient's record and the practice's settings in one read (or none).
        let context = if kept {
            state.store.kept_access_context(&hash, now).await?
        } else {
            state.store.access_context(&hash, now).await?
        };
        let Some(AccessContext {
            token: access,
            record,
            settings,
            guard,
        }) = context
        else {
            return Err(Outcome::unauthorized());
        };
        ids.set_client(&access.client_id);
        let request_id = ids.request_id.clone();
        // The chain log keeps these ids for every request (R72, R88); the operator's log line
        // is for debugging only, as one line per request costs as much as the request.
        tracing::debug!(medmij_request_id = %request_id, x_correlation_id = %ids.correlation_id, "medmij request");
        Ok(Self {
            access,
            record,
            settings,
            guard,
            request_id,
            now,
        })
    }

    /// The record as the visibility rules let a PGO see it (R53, R73): `parts` of it (the
    /// access check is the same for any parts; `Parts::NONE` holds the patient and practice).
    pub(crate) fn view(&self, parts: Parts) -> Result<inzage_domain::PatientView<'_>, Outcome> {
        let bsn = self
            .record
            .patient
            .bsn
            .clone()
            .ok_or_else(Outcome::unauthorized)?;
        visible_parts(
            &self.record,
            &Viewer::Patient { bsn },
            OnlineChannel::Pgo,
            &self.settings,
            self.now,
            parts,
        )
        .map_err(|_| {
            Outcome::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "the patient's record is not available through a PGO",
            )
        })
    }

    /// Whether the context came from memory rather than from a read for this request.
    pub(crate) fn is_kept(&self) -> bool {
        self.guard.is_some()
    }

    /// An audit event of this request, about the token's patient (no medical content).
    pub(crate) fn audit_event(&self, event: EventType, detail: String) -> AuditEvent {
        AuditEvent {
            at: self.now,
            event,
            patient: Some(self.record.patient.id.clone()),
            user: format!("pgo:{}", self.access.client_id),
            responsible_user: self.access.subject.clone(),
            role: "pgo".into(),
            channel: Channel::Medmij,
            request_id: self.request_id.clone(),
            detail,
        }
    }

    /// One transfer entry per answer, written before anything is sent (no medical content).
    /// For a kept context the entry is written only if the context is still current; if it
    /// is not, nothing is written and the answer is stale (see [`or_fresh`]).
    pub(crate) async fn audit(&self, state: &AppState, detail: String) -> Result<(), Outcome> {
        state
            .store
            .append_audit_if_current(
                self.audit_event(EventType::Transfer, detail),
                self.guard.as_ref(),
            )
            .await?
            .ok_or_else(Outcome::stale)?;
        Ok(())
    }
}
