//! The MedMij resource server for data service 49 "Huisartsgegevens" (issue 6, part 2): the
//! seven searches a PGO makes, answered as FHIR STU3 searchset Bundles in JSON or XML (the
//! handlers build JSON; [`negotiate`] writes XML for a client that asked for it).
//!
//! The patient comes from the bearer token alone (R71); the record goes through
//! `visible_record` for the PGO channel (the patient's PGO consent, R53, and every visibility
//! rule, R73) before anything is built; [`inzage_fhir::export`] writes what the rules allow.
//! Every answer is one `transfer` audit entry (channel medmij) with the `MedMij-Request-ID`
//! (R72). Errors are OperationOutcomes without internals.

use crate::AppState;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use inzage_domain::access::{OnlineChannel, Viewer};
use inzage_domain::visibility::visible_record;
use inzage_fhir::export::{GpResources, Group, gp_resources_of, searchset_page};
use inzage_store::{
    AccessToken, AuditEvent, ChainEvent, ChainEventKind, Channel, EventType, MedmijStore,
    RecordStore,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/fhir",
            // The handler reads the body itself, after the token, within its own cap.
            axum::routing::post(crate::medmij_receive::transaction),
        )
        .route("/fhir/metadata", get(metadata))
        .route("/fhir/{resource_type}", get(search))
        .route(
            "/fhir/{resource_type}/_search",
            axum::routing::post(search_post),
        )
        .route("/fhir/{resource_type}/{id}", get(read))
        .layer(axum::middleware::from_fn_with_state(state, negotiate))
}

/// The wire format a FHIR client asked for (<https://hl7.org/fhir/STU3/http.html#mime-type>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Xml,
}

/// What the request named: `asked` is false when neither `_format` nor Accept named FHIR, JSON
/// or XML (a browser, say), so a Binary read may answer with the document itself.
#[derive(Debug, Clone, Copy)]
struct Negotiated {
    format: Format,
    asked: bool,
}

fn media_type(s: &str) -> Option<Format> {
    match s.trim().to_ascii_lowercase().as_str() {
        "json" | "application/json" | "application/fhir+json" | "application/json+fhir" => {
            Some(Format::Json)
        }
        "xml"
        | "text/xml"
        | "application/xml"
        | "application/fhir+xml"
        | "application/xml+fhir" => Some(Format::Xml),
        _ => None,
    }
}

/// `_format` wins over Accept; in Accept the first FHIR, JSON or XML type named counts; with
/// neither the answer is JSON. An unknown `_format` is refused (406).
fn negotiated(query: Option<&str>, headers: &HeaderMap) -> Result<Negotiated, Outcome> {
    let param = query
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|p| p.into_iter().find(|(k, _)| k == "_format"))
        .map(|(_, v)| v);
    if let Some(f) = param {
        let media = f.split(';').next().unwrap_or_default();
        return media_type(media)
            .map(|format| Negotiated {
                format,
                asked: true,
            })
            .ok_or_else(|| {
                Outcome::new(
                    StatusCode::NOT_ACCEPTABLE,
                    "not-supported",
                    "_format must be json or xml",
                )
            });
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Ok(accept
        .split(',')
        .find_map(|part| media_type(part.split(';').next().unwrap_or_default()))
        .map(|format| Negotiated {
            format,
            asked: true,
        })
        .unwrap_or(Negotiated {
            format: Format::Json,
            asked: false,
        }))
}

/// The identifiers of one MedMij request (R72, R88): read from its headers (or made up when
/// missing), and the PGO's client id once the token is known.
#[derive(Debug, Clone)]
pub(crate) struct RequestIds {
    pub(crate) request_id: String,
    pub(crate) correlation_id: String,
    client: Arc<Mutex<String>>,
}

impl RequestIds {
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        Self {
            request_id: header_id(headers, "medmij-request-id")
                .unwrap_or_else(|| crate::session::random_token()[..16].to_owned()),
            correlation_id: header_id(headers, "x-correlation-id").unwrap_or_default(),
            client: Arc::default(),
        }
    }
    pub(crate) fn set_client(&self, client: &str) {
        if let Ok(mut c) = self.client.lock() {
            client.clone_into(&mut c);
        }
    }
    fn client(&self) -> String {
        self.client.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// Months the chain log is kept unless configured otherwise (R88: at least 24, at most 36).
pub const CHAIN_LOG_MONTHS: u32 = 24;

/// Removes chain-log events older than `months` months before `now` (R88); returns how many.
pub async fn purge_chain_log(
    store: &inzage_store::Store,
    now: chrono::DateTime<chrono::Utc>,
    months: u32,
) -> Result<u64, inzage_store::StoreError> {
    let cutoff = now
        .checked_sub_months(chrono::Months::new(months))
        .unwrap_or(now);
    store.purge_chain_log(cutoff).await
}

/// Writes one chain-log event (R88). A failure is logged and does not change the answer.
pub(crate) async fn chain_event(
    state: &AppState,
    kind: ChainEventKind,
    ids: &RequestIds,
    status: StatusCode,
    resource: &str,
) {
    let event = ChainEvent {
        at: state.now(),
        kind,
        request_id: ids.request_id.clone(),
        correlation_id: ids.correlation_id.clone(),
        client_id: ids.client(),
        status: status.as_u16(),
        resource: resource.to_owned(),
    };
    if let Err(e) = state.store.log_chain(&[event]).await {
        tracing::warn!(error = %e, "chain log event not written");
    }
}

/// What a FHIR request asked for, for the chain log: the resource type or the interaction.
fn asked_for(method: &axum::http::Method, path: &str) -> String {
    let rest = path
        .strip_prefix("/fhir")
        .unwrap_or(path)
        .trim_start_matches('/');
    match rest.split('/').next() {
        Some("") | None if method == axum::http::Method::POST => "transaction".into(),
        Some(ty) if !ty.is_empty() && ty.chars().all(|c| c.is_ascii_alphanumeric() || c == '$') => {
            ty.into()
        }
        _ => "other".into(),
    }
}

/// Every handler answers in JSON; a client that asked for XML gets the same resource as FHIR
/// XML (`inzage_fhir::xml`), OperationOutcomes included. Every request is one chain-log event.
async fn negotiate(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let ids = RequestIds::from_headers(request.headers());
    let resource = asked_for(request.method(), request.uri().path());
    let response = negotiate_inner(&ids, request, next).await;
    chain_event(
        &state,
        ChainEventKind::ResourceRequest,
        &ids,
        response.status(),
        &resource,
    )
    .await;
    response
}

async fn negotiate_inner(
    ids: &RequestIds,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    request.extensions_mut().insert(ids.clone());
    let n = match negotiated(request.uri().query(), request.headers()) {
        Ok(n) => n,
        Err(refused) => return refused.into_response(),
    };
    request.extensions_mut().insert(n);
    let response = next.run(request).await;
    let is_fhir_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == FHIR_JSON.as_bytes());
    if n.format == Format::Json || !is_fhir_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Outcome::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "exception",
            "the answer could not be written",
        )
        .into_response();
    };
    let xml = serde_json::from_slice::<Value>(&bytes)
        .map_err(|e| e.to_string())
        .and_then(|v| inzage_fhir::xml::to_xml(&v).map_err(|e| e.to_string()));
    match xml {
        Ok(xml) => {
            parts
                .headers
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_XML));
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, axum::body::Body::from(xml))
        }
        Err(e) => {
            // Our own JSON that the XML writer does not know: a defect, never silently cut.
            tracing::error!(error = %e, "FHIR XML could not be written");
            Outcome::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "exception",
                "the answer could not be written as XML",
            )
            .into_response()
        }
    }
}

/// A resource type served: its profile, its `_include`s and its search parameters (name, type).
type Supported = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// What this server supports, exactly: a search and a read of each type below and nothing
/// else (JSON and XML, STU3), besides reading a letter's `Binary`.
const SUPPORTED: [Supported; 13] = [
    (
        "Patient",
        "http://fhir.nl/fhir/StructureDefinition/nl-core-patient",
        &["Patient:general-practitioner"],
        &[],
    ),
    (
        "Practitioner",
        "http://fhir.nl/fhir/StructureDefinition/nl-core-practitioner",
        &[],
        &[],
    ),
    (
        "Organization",
        "http://fhir.nl/fhir/StructureDefinition/nl-core-organization",
        &[],
        &[],
    ),
    (
        "EpisodeOfCare",
        "http://fhir.nl/fhir/StructureDefinition/nl-core-episodeofcare",
        &[],
        &[],
    ),
    (
        "Condition",
        "http://nictiz.nl/fhir/StructureDefinition/zib-Problem",
        &[],
        &[],
    ),
    (
        "Flag",
        "http://nictiz.nl/fhir/StructureDefinition/zib-Alert",
        &[],
        &[],
    ),
    (
        "Encounter",
        "http://nictiz.nl/fhir/StructureDefinition/gp-Encounter",
        &[],
        &[],
    ),
    (
        "Composition",
        "http://nictiz.nl/fhir/StructureDefinition/gp-EncounterReport",
        &[],
        &[("type", "token")],
    ),
    (
        "Observation",
        "http://nictiz.nl/fhir/StructureDefinition/gp-DiagnosticResult",
        &["Observation:related-target", "Observation:specimen"],
        &[("code", "token"), ("date", "date")],
    ),
    (
        "MedicationRequest",
        "http://nictiz.nl/fhir/StructureDefinition/zib-MedicationAgreement",
        &["MedicationRequest:medication"],
        &[("category", "token"), ("periodofuse", "date")],
    ),
    (
        "Medication",
        "http://nictiz.nl/fhir/StructureDefinition/zib-Product",
        &[],
        &[],
    ),
    (
        "AllergyIntolerance",
        "http://nictiz.nl/fhir/StructureDefinition/zib-AllergyIntolerance",
        &[],
        &[("category", "token")],
    ),
    (
        "DocumentReference",
        "http://nictiz.nl/fhir/StructureDefinition/IHE.MHD.Minimal.DocumentReference",
        &[],
        &[("status", "token"), ("indexed", "date")],
    ),
];

/// The CapabilityStatement (public, as FHIR requires).
async fn metadata(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = base_url(&state, &headers);
    let mut resources: Vec<Value> = SUPPORTED
        .iter()
        .map(|(ty, profile, includes, params)| {
            let mut r = json!({
                "type": ty,
                "profile": { "reference": profile, "display": profile },
                "interaction": [{ "code": "read" }, { "code": "search-type" }],
            });
            if *ty == "Observation" {
                r["documentation"] = json!(
                    "A search answers the results and measurements (gp-LaboratoryResult, \
                     gp-DiagnosticResult); a read also finds the journal lines (gp-JournalEntry) \
                     that the contact reports refer to."
                );
            }
            if !includes.is_empty() {
                r["searchInclude"] = json!(includes);
            }
            let mut search_params: Vec<Value> = params
                .iter()
                .map(|(name, kind)| json!({ "name": name, "type": kind }))
                .collect();
            search_params.extend([
                json!({ "name": "_count", "type": "number",
                        "documentation": format!("at most {MAX_COUNT} per page; without it every match is on one page") }),
                json!({ "name": "_offset", "type": "number",
                        "documentation": "where the page starts; the next and previous links carry it" }),
            ]);
            r["searchParam"] = json!(search_params);
            r
        })
        .collect();
    resources.push(json!({
        "type": "Binary",
        "interaction": [{ "code": "read" }],
        "documentation": "A letter's PDF, as the DocumentReference's attachment url names it.",
    }));
    let body = json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": state.now().format("%Y-%m-%d").to_string(),
        "publisher": "inzage",
        "kind": "instance",
        "software": { "name": "inzage", "version": env!("CARGO_PKG_VERSION") },
        "implementation": {
            "description": "MedMij Huisartsgegevens (data service 49), FHIR STU3",
            "url": base,
        },
        "fhirVersion": "3.0.2",
        "acceptUnknown": "no",
        "format": ["application/fhir+json", "application/fhir+xml"],
        "rest": [{
            "mode": "server",
            "security": {
                "service": [{ "coding": [{
                    "system": "http://hl7.org/fhir/restful-security-service",
                    "code": "OAuth",
                    "display": "OAuth",
                }]}],
                "description": "Bearer access tokens from the MedMij authorization flow; the token names the patient.",
            },
            "resource": resources,
            // Documents from a PGO to the practice (medmij_receive).
            "interaction": [{
                "code": "transaction",
                "documentation": format!(
                    "DocumentReference, Binary (PDF), DocumentManifest and Patient: documents for the practice. \
                     At most {} documents of at most {} MB each (PDF), in a request of at most {} MB.",
                    crate::medmij_receive::MAX_DOCUMENTS,
                    crate::messages::MAX_ATTACHMENT / 1_000_000,
                    crate::medmij_receive::MAX_BUNDLE / 1_000_000,
                ),
            }],
        }],
    });
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        body.to_string(),
    )
        .into_response()
}

/// The stored form of a bearer token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";
const FHIR_XML: &str = "application/fhir+xml; charset=utf-8";

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

/// The request identifiers MedMij asks us to log (R72): a well-formed id or a fresh one.
fn header_id(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_owned)
}

/// The base URL resources are addressed under: the configured public origin, or this host.
pub(crate) fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let origin = state.config.public_origin.clone().unwrap_or_else(|| {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
            })
            .unwrap_or("localhost");
        format!("http://{host}")
    });
    format!("{}/fhir", origin.trim_end_matches('/'))
}

/// A search parameter's token value `system|code` (either part may be empty).
fn token_matches(param: &str, codings: &Value) -> bool {
    let (system, code) = param.split_once('|').unwrap_or(("", param));
    codings.as_array().into_iter().flatten().any(|c| {
        (system.is_empty() || c["system"] == system) && (code.is_empty() || c["code"] == code)
    })
}

/// A date search value with its prefix: `ge2026-01-01` and the like.
fn date_filter(value: &str) -> Result<(&str, NaiveDate), Outcome> {
    let (prefix, date) = match value.get(..2) {
        Some(p @ ("ge" | "gt" | "le" | "lt" | "eq")) => (p, &value[2..]),
        _ => ("eq", value),
    };
    let day = date.get(..10).unwrap_or(date);
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(|d| (prefix, d))
        .map_err(|_| {
            Outcome::new(
                StatusCode::BAD_REQUEST,
                "invalid",
                format!("not a date search value: {value}"),
            )
        })
}

fn compare(prefix: &str, actual: NaiveDate, wanted: NaiveDate) -> bool {
    match prefix {
        "ge" => actual >= wanted,
        "gt" => actual > wanted,
        "le" => actual <= wanted,
        "lt" => actual < wanted,
        _ => actual == wanted,
    }
}

fn date_of(v: &Value) -> Option<NaiveDate> {
    v.as_str()
        .and_then(|s| s.get(..10))
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// The patient's visible resources of one type. A search of Observation answers the results
/// (gp-LaboratoryResult, gp-DiagnosticResult); a read also finds the journal lines
/// (gp-JournalEntry) that the contact reports point at.
fn of_type<'a>(ty: &str, res: &'a GpResources, read: bool) -> Option<Vec<&'a Value>> {
    Some(match ty {
        "Patient" => vec![&res.patient],
        "Practitioner" => res.practitioners.iter().collect(),
        "Organization" => vec![&res.organization],
        "EpisodeOfCare" => res.episodes.iter().collect(),
        "Condition" => res.conditions.iter().collect(),
        "Flag" => res.flags.iter().collect(),
        "Encounter" => res.encounters.iter().collect(),
        "Composition" => res.compositions.iter().collect(),
        "Observation" if read => res.results.iter().chain(&res.journal).collect(),
        "Observation" => res.results.iter().collect(),
        "MedicationRequest" => res.medication_requests.iter().collect(),
        "Medication" => res.medications.iter().collect(),
        "AllergyIntolerance" => res.allergies.iter().collect(),
        "DocumentReference" => res.documents.iter().collect(),
        _ => return None,
    })
}

/// The groups of resources that hold a type (only what is asked for is built).
fn groups_of(ty: &str, read: bool) -> &'static [Group] {
    match ty {
        "Patient" | "Practitioner" | "Organization" => &[],
        "EpisodeOfCare" | "Condition" | "Flag" => &[Group::Episodes],
        "Encounter" | "Composition" => &[Group::Encounters],
        "Observation" if read => &[Group::Results, Group::Journal],
        "Observation" => &[Group::Results],
        "MedicationRequest" | "Medication" => &[Group::Medication],
        "AllergyIntolerance" => &[Group::Allergies],
        "DocumentReference" | "Binary" => &[Group::Documents],
        _ => &Group::ALL,
    }
}

fn unsupported_type(ty: &str) -> Outcome {
    Outcome::new(
        StatusCode::NOT_FOUND,
        "not-supported",
        format!("resource type {ty} is not supported by this service"),
    )
}

/// The matches of one search over the patient's visible resources, in the record's order.
fn matching<'a>(
    ty: &str,
    params: &[(String, String)],
    res: &'a GpResources,
) -> Result<Vec<&'a Value>, Outcome> {
    let mut matches = of_type(ty, res, false).ok_or_else(|| unsupported_type(ty))?;
    for (key, value) in params {
        match (ty, key.as_str()) {
            (_, "_include" | "_format" | "_count" | "_offset" | "patient" | "subject") => {}
            ("Composition", "type") => {
                matches.retain(|r| token_matches(value, &r["type"]["coding"]))
            }
            ("Observation", "code") => {
                matches.retain(|r| token_matches(value, &r["code"]["coding"]))
            }
            ("Observation", "date") => {
                let (prefix, day) = date_filter(value)?;
                matches.retain(|r| {
                    date_of(&r["effectiveDateTime"]).is_some_and(|d| compare(prefix, d, day))
                });
            }
            ("MedicationRequest", "category") => {
                matches.retain(|r| token_matches(value, &r["category"]["coding"]))
            }
            ("MedicationRequest", "periodofuse") => {
                let (prefix, day) = date_filter(value)?;
                matches.retain(|r| {
                    let period = r["extension"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|e| e["url"] == "http://nictiz.nl/fhir/StructureDefinition/zib-Medication-PeriodOfUse");
                    // Without an end, use goes on: it overlaps every later date.
                    match period.and_then(|p| date_of(&p["valuePeriod"]["end"])) {
                        None => true,
                        Some(end) => match prefix {
                            "ge" | "gt" => compare(prefix, end, day),
                            _ => true,
                        },
                    }
                })
            }
            ("DocumentReference", "status") => matches.retain(|r| r["status"] == value.as_str()),
            ("DocumentReference", "indexed") => {
                let (prefix, day) = date_filter(value)?;
                matches.retain(|r| date_of(&r["indexed"]).is_some_and(|d| compare(prefix, d, day)));
            }
            ("AllergyIntolerance", "category") => matches.retain(|r| {
                r["category"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c == value)
            }),
            _ => {
                return Err(Outcome::new(
                    StatusCode::BAD_REQUEST,
                    "not-supported",
                    format!("search parameter {key} is not supported for {ty}"),
                ));
            }
        }
    }
    Ok(matches)
}

/// What the `_include` parameters add to a page of matches.
fn included<'a>(
    ty: &str,
    params: &[(String, String)],
    page: &[&'a Value],
    res: &'a GpResources,
) -> Result<Vec<&'a Value>, Outcome> {
    let includes = params
        .iter()
        .filter(|(k, _)| k == "_include")
        .map(|(_, v)| v.as_str());
    let mut included: Vec<&Value> = vec![];
    for inc in includes {
        match inc {
            "Patient:general-practitioner" if ty == "Patient" => {
                let id = res.patient["generalPractitioner"][0]["reference"]
                    .as_str()
                    .and_then(|r| r.strip_prefix("Practitioner/"));
                included.extend(
                    res.practitioners
                        .iter()
                        .filter(|p| Some(p["id"].as_str().unwrap_or_default()) == id),
                );
            }
            "MedicationRequest:medication" if ty == "MedicationRequest" => {
                for m in page {
                    let id = m["medicationReference"]["reference"]
                        .as_str()
                        .and_then(|r| r.strip_prefix("Medication/"));
                    included.extend(
                        res.medications
                            .iter()
                            .filter(|x| {
                                Some(x["id"].as_str().unwrap_or_default()) == id
                                    && !included.iter().any(|y| y["id"] == x["id"])
                            })
                            .collect::<Vec<_>>(),
                    );
                }
            }
            // Nothing in our record is linked this way (yet): nothing to include.
            "Observation:related-target" | "Observation:specimen" if ty == "Observation" => {}
            _ => {
                return Err(Outcome::new(
                    StatusCode::BAD_REQUEST,
                    "not-supported",
                    format!("_include={inc} is not supported for {ty}"),
                ));
            }
        }
    }
    Ok(included)
}

/// The largest page a search answers with; a larger `_count` gets this many.
pub(crate) const MAX_COUNT: usize = 1000;

/// `_count` and `_offset` of a search: which page of the matches to answer with. Without
/// `_count` every match is on one page.
#[derive(Debug, Clone, Copy)]
struct Paging {
    count: Option<usize>,
    offset: usize,
}

impl Paging {
    fn of(params: &[(String, String)]) -> Result<Self, Outcome> {
        let number = |name: &str| -> Result<Option<usize>, Outcome> {
            params
                .iter()
                .rfind(|(k, _)| k == name)
                .map(|(_, v)| {
                    v.trim().parse::<usize>().map_err(|_| {
                        Outcome::new(
                            StatusCode::BAD_REQUEST,
                            "invalid",
                            format!("{name} must be a whole number of 0 or more"),
                        )
                    })
                })
                .transpose()
        };
        Ok(Self {
            count: number("_count")?.map(|c| c.min(MAX_COUNT)),
            offset: number("_offset")?.unwrap_or(0),
        })
    }

    /// The `first`, `previous`, `next` and `last` links of a paged answer: the same search
    /// (`params` without paging) at another offset.
    fn links(
        &self,
        total: usize,
        at: &str,
        params: &[(String, String)],
    ) -> Vec<(&'static str, String)> {
        let Some(count) = self.count.filter(|c| *c > 0) else {
            return vec![];
        };
        let link = |offset: usize| {
            let mut p: Vec<(String, String)> = params
                .iter()
                .filter(|(k, _)| k != "_count" && k != "_offset")
                .cloned()
                .collect();
            p.push(("_count".into(), count.to_string()));
            p.push(("_offset".into(), offset.to_string()));
            format!(
                "{at}?{}",
                serde_urlencoded::to_string(&p).unwrap_or_default()
            )
        };
        let last = total.saturating_sub(1) / count * count;
        let mut out = vec![("first", link(0))];
        if self.offset > 0 {
            out.push((
                "previous",
                link(self.offset.saturating_sub(count).min(last)),
            ));
        }
        if self.offset + count < total {
            out.push(("next", link(self.offset + count)));
        }
        out.push(("last", link(last)));
        out
    }

    fn page<'a, 'b>(&self, matches: &'b [&'a Value]) -> &'b [&'a Value] {
        let from = self.offset.min(matches.len());
        let to = self
            .count
            .map_or(matches.len(), |c| from.saturating_add(c).min(matches.len()));
        &matches[from..to]
    }
}

/// Who asks, for whose record: from the bearer token alone (R71). The request ids are read here.
pub(crate) struct Pgo {
    pub(crate) access: AccessToken,
    record: Arc<inzage_domain::PatientRecord>,
    settings: inzage_domain::PracticeSettings,
    request_id: String,
    pub(crate) now: chrono::DateTime<chrono::Utc>,
}

/// The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive
/// (RFC 7235 section 2.1, RFC 6750 section 2.1).
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl Pgo {
    pub(crate) async fn from_request(
        state: &AppState,
        headers: &HeaderMap,
        ids: &RequestIds,
    ) -> Result<Self, Outcome> {
        let now = state.now();
        let token = bearer_token(headers).ok_or_else(Outcome::unauthorized)?;
        let Some(access) = state.store.access_token(&token_hash(token), now).await? else {
            return Err(Outcome::unauthorized());
        };
        ids.set_client(&access.client_id);
        let request_id = ids.request_id.clone();
        tracing::info!(medmij_request_id = %request_id, x_correlation_id = %ids.correlation_id, "medmij request");
        let record = state
            .store
            .load_record_shared(&access.patient)
            .await?
            .ok_or_else(Outcome::unauthorized)?;
        let settings = state.store.settings(&record.practice.id).await?;
        Ok(Self {
            access,
            record,
            settings,
            request_id,
            now,
        })
    }

    /// The record as the visibility rules let a PGO see it (R53, R73).
    pub(crate) fn view(&self) -> Result<inzage_domain::PatientView<'_>, Outcome> {
        let bsn = self
            .record
            .patient
            .bsn
            .clone()
            .ok_or_else(Outcome::unauthorized)?;
        visible_record(
            &self.record,
            &Viewer::Patient { bsn },
            OnlineChannel::Pgo,
            &self.settings,
            self.now,
        )
        .map_err(|_| {
            Outcome::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "the patient's record is not available through a PGO",
            )
        })
    }

    /// One transfer entry per answer, written before anything is sent (no medical content).
    pub(crate) async fn audit(&self, state: &AppState, detail: String) -> Result<(), Outcome> {
        state
            .store
            .append_audit(AuditEvent {
                at: self.now,
                event: EventType::Transfer,
                patient: Some(self.record.patient.id.clone()),
                user: format!("pgo:{}", self.access.client_id),
                responsible_user: self.access.subject.clone(),
                role: "pgo".into(),
                channel: Channel::Medmij,
                request_id: self.request_id.clone(),
                detail,
            })
            .await?;
        Ok(())
    }
}

async fn search(
    State(state): State<AppState>,
    Path(ty): Path<String>,
    RawQuery(query): RawQuery,
    axum::Extension(ids): axum::Extension<RequestIds>,
    headers: HeaderMap,
) -> Result<Response, Outcome> {
    let pgo = Pgo::from_request(&state, &headers, &ids).await?;
    answer_search(&state, pgo, ty, query, &headers).await
}

/// `POST [type]/_search` (<https://hl7.org/fhir/STU3/http.html#search>): the parameters in an
/// `application/x-www-form-urlencoded` body, together with any in the URL. The token is
/// checked before the body is read.
async fn search_post(
    State(state): State<AppState>,
    Path(ty): Path<String>,
    RawQuery(query): RawQuery,
    axum::Extension(ids): axum::Extension<RequestIds>,
    request: axum::extract::Request,
) -> Result<Response, Outcome> {
    let (parts, body) = request.into_parts();
    let pgo = Pgo::from_request(&state, &parts.headers, &ids).await?;
    let form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return Err(Outcome::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-supported",
            "a search by POST takes application/x-www-form-urlencoded",
        ));
    }
    let body = axum::body::to_bytes(body, crate::MAX_FORM)
        .await
        .map_err(|_| {
            Outcome::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-long",
                "the search parameters are too long",
            )
        })?;
    let body = std::str::from_utf8(&body)
        .map_err(|_| Outcome::new(StatusCode::BAD_REQUEST, "invalid", "the body is not UTF-8"))?;
    let merged = [query.as_deref().unwrap_or_default(), body.trim()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("&");
    answer_search(&state, pgo, ty, Some(merged), &parts.headers).await
}

/// A search for the PGO whose token was checked, with its query string.
async fn answer_search(
    state: &AppState,
    pgo: Pgo,
    ty: String,
    query: Option<String>,
    headers: &HeaderMap,
) -> Result<Response, Outcome> {
    let params: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).map_err(|_| {
            Outcome::new(
                StatusCode::BAD_REQUEST,
                "invalid",
                "the query string is not valid",
            )
        })?;
    let paging = Paging::of(&params)?;
    let view = pgo.view()?;
    // Only what this search answers with.
    let resources = gp_resources_of(&view, groups_of(&ty, false));
    let matches = matching(&ty, &params, &resources)?;
    let page = paging.page(&matches);
    let includes = included(&ty, &params, page, &resources)?;
    let base = base_url(state, headers);
    let at = format!("{base}/{ty}");
    let self_link = match query.as_deref() {
        Some(q) if !q.is_empty() => format!("{at}?{q}"),
        _ => at.clone(),
    };
    pgo.audit(
        state,
        format!(
            "medmij: {ty} search, {} resources",
            page.len() + includes.len()
        ),
    )
    .await?;
    let mut links = vec![("self", self_link)];
    links.extend(paging.links(matches.len(), &at, &params));
    let bundle = searchset_page(page, &includes, &base, matches.len(), &links);
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        bundle.to_string(),
    )
        .into_response())
}

/// A read by id (`[type]/{id}`) of any resource a search answer refers to, under the same
/// visibility rules: what the patient's PGO cannot see is "not known" (404), as is anything of
/// another patient. `Binary/{id}` is a letter's PDF: a FHIR client (`_format` or Accept naming
/// FHIR, JSON or XML) gets the Binary resource; anyone else the PDF itself.
async fn read(
    State(state): State<AppState>,
    Path((ty, id)): Path<(String, String)>,
    axum::Extension(negotiated): axum::Extension<Negotiated>,
    axum::Extension(ids): axum::Extension<RequestIds>,
    headers: HeaderMap,
) -> Result<Response, Outcome> {
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ':'))
    {
        return Err(Outcome::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            format!("not a valid id or search: {ty}/{id}"),
        ));
    }
    let pgo = Pgo::from_request(&state, &headers, &ids).await?;
    let view = pgo.view()?;
    let not_found = || {
        Outcome::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("{ty}/{id} is not known"),
        )
    };
    match ty.as_str() {
        "Binary" => {
            // Only a letter the patient may see now.
            let letter = view
                .letters
                .iter()
                .find(|l| l.id.as_str() == id)
                .ok_or_else(not_found)?;
            let resource = inzage_fhir::export::binary(letter).ok_or_else(not_found)?;
            pgo.audit(&state, "medmij: Binary read (letter)".into())
                .await?;
            if negotiated.asked {
                Ok((
                    [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
                    resource.to_string(),
                )
                    .into_response())
            } else {
                let inzage_domain::LetterContent::Pdf { bytes } = &letter.content else {
                    return Err(not_found());
                };
                Ok((
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/pdf"),
                    )],
                    bytes.clone(),
                )
                    .into_response())
            }
        }
        _ => {
            // Any resource a search answer can refer to, built under the same rules.
            let resources = gp_resources_of(&view, groups_of(&ty, true));
            let found = of_type(&ty, &resources, true)
                .ok_or_else(|| unsupported_type(&ty))?
                .into_iter()
                .find(|r| r["id"] == id.as_str())
                .ok_or_else(not_found)?;
            pgo.audit(&state, format!("medmij: {ty} read")).await?;
            Ok((
                [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
                found.to_string(),
            )
                .into_response())
        }
    }
}
