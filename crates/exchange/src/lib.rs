//! Sharing with other providers (issue 20, R113-R118): a registered provider system (a
//! huisartsenpost, a pharmacy, a hospital, an ambulance service) fetches a patient's
//! professional summary over FHIR, only when the patient said yes for that provider's category,
//! or, when the patient was never asked, after declaring an emergency with a reason, which the
//! practice reviews afterwards. "No" is never overridden. Every request, answered or refused,
//! is in the audit log and in the patient's access log (R118).
//!
//! - `POST /uitwisseling/token`: OAuth 2.0 client credentials (RFC 6749 §4.4), the client
//!   authenticated by HTTP Basic or by `client_id` and `client_secret` in the form; a bearer token
//!   for five minutes. Client certificates (mTLS) are the proxy's job in front of this; see
//!   `docs/exchange.md`.
//! - `GET /uitwisseling/fhir/metadata`: the CapabilityStatement.
//! - `GET /uitwisseling/fhir/Patient/$professional-summary?identifier=<bsn system>|<bsn>&practitioner=..`
//!   `[&data-category=samenvatting|medicatie][&emergency-reason=..]`: a FHIR STU3 `collection`
//!   Bundle in the same Nictiz shapes as the MedMij export (STU3: the GP data standards of the
//!   Netherlands are STU3, and one writer stays one writer).
//!
//! - `POST /uitwisseling/fhir/Composition`: the locum's report of a contact (waarneembericht),
//!   sent by a huisartsenpost's system about a patient of a practice here: a Composition with
//!   the patient's BSN as `subject.identifier`, the contact `date`, the locum as `author[0]`, and
//!   one `section` per SOEP line (coded in the journal-line system, the text as its narrative, an
//!   optional ICPC proposal in the `code-icpc-1-nl` extension), the shape our own export writes.
//!   It waits at the practice until a GP files it into the record.
//!
//! What the summary holds is decided by `inzage_domain::exchange::summary`, never here.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use inzage_domain::codes::{Bsn, system};
use inzage_domain::exchange::{
    Basis, DataCategory, LocumLine, LocumReport, ProviderCategory, Refusal, may_share, summary,
};
use inzage_store::{
    AuditEvent, Channel, EventType, ExchangeClient, ExchangeStore, Outcome, ReceivedReport,
    RecordStore, Retrieval,
};
use inzage_webkit::{AppState, base_url, request_id};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Where the provider systems' FHIR endpoint lives.
pub const FHIR_PATH: &str = "/uitwisseling/fhir";
/// The token endpoint.
pub const TOKEN_PATH: &str = "/uitwisseling/token";
/// The operation a provider system calls.
pub const OPERATION: &str = "$professional-summary";
/// How long an access token lives.
pub const TOKEN_MINUTES: i64 = 5;

const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(TOKEN_PATH, post(token))
        .route(&format!("{FHIR_PATH}/metadata"), get(metadata))
        .route(
            &format!("{FHIR_PATH}/Patient/{{operation}}"),
            get(professional_summary),
        )
        .route(&format!("{FHIR_PATH}/Composition"), post(receive_report))
}

/// The stored form of a client secret or an access token: both are 32 random bytes, so a plain
/// SHA-256 is enough (no password to stretch).
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new random secret or token.
pub fn new_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Registers a provider system; answers the client id and the secret, shown once.
pub async fn register_client(
    store: &impl ExchangeStore,
    name: &str,
    category: ProviderCategory,
    now: DateTime<Utc>,
) -> Result<(String, String), inzage_store::StoreError> {
    let name = name.trim();
    if name.chars().count() < 3 || name.chars().count() > 100 {
        return Err(inzage_store::StoreError::Invalid(
            "a provider system's name has 3 to 100 characters".into(),
        ));
    }
    let id = format!("{}-{}", category.slug(), &new_secret()[..12]);
    let secret = new_secret();
    store
        .add_exchange_client(&ExchangeClient {
            id: id.clone(),
            name: name.to_owned(),
            category,
            secret_hash: secret_hash(&secret),
            created_at: now,
            disabled_at: None,
        })
        .await?;
    Ok((id, secret))
}

// ---- the token endpoint ----

#[derive(Default)]
struct TokenForm {
    grant_type: String,
    client_id: String,
    client_secret: String,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut res = (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"inzage\""),
        );
    }
    res
}

/// The client's id and secret from HTTP Basic (RFC 6749 §2.3.1: form-urlencoded inside), or
/// from the form.
fn client_credentials(headers: &HeaderMap, form: &TokenForm) -> Option<(String, String)> {
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(basic.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        return Some((form_decode(id), form_decode(secret)));
    }
    (!form.client_id.is_empty() && !form.client_secret.is_empty())
        .then(|| (form.client_id.clone(), form.client_secret.clone()))
}

/// One form-urlencoded value, decoded.
fn form_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut form = TokenForm::default();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "grant_type" => form.grant_type = v.into_owned(),
            "client_id" => form.client_id = v.into_owned(),
            "client_secret" => form.client_secret = v.into_owned(),
            _ => {}
        }
    }
    let Some((id, secret)) = client_credentials(&headers, &form) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication is required",
        );
    };
    let now = state.clock.now();
    let client = match state.store.exchange_client(&id).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "storage error (exchange token)");
            return oauth_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "try again later",
            );
        }
    };
    let Some(client) =
        client.filter(|c| c.disabled_at.is_none() && c.secret_hash == secret_hash(&secret))
    else {
        tracing::warn!(channel = "exchange", client = %id, "client authentication failed");
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong secret",
        );
    };
    if form.grant_type != "client_credentials" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only client_credentials is supported",
        );
    }
    let token = new_secret();
    let expires = now + Duration::minutes(TOKEN_MINUTES);
    if let Err(e) = state
        .store
        .store_exchange_token(&secret_hash(&token), &client.id, expires, now)
        .await
    {
        tracing::error!(error = %e, "storage error (exchange token)");
        return oauth_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "try again later",
        );
    }
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        axum::Json(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_MINUTES * 60,
            "scope": "summary",
        })),
    )
        .into_response()
}

// ---- FHIR ----

/// A FHIR error: an OperationOutcome with a status, never internals.
struct Problem {
    status: StatusCode,
    code: &'static str,
    diagnostics: String,
}

impl Problem {
    fn new(status: StatusCode, code: &'static str, diagnostics: impl Into<String>) -> Self {
        Self {
            status,
            code,
            diagnostics: diagnostics.into(),
        }
    }
}

impl From<inzage_store::StoreError> for Problem {
    fn from(e: inzage_store::StoreError) -> Self {
        tracing::error!(error = %e, "storage error (exchange)");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "transient",
            "the service is temporarily unavailable",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = json!({
            "resourceType": "OperationOutcome",
            "issue": [{ "severity": "error", "code": self.code, "diagnostics": self.diagnostics }],
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

fn fhir_json(v: &Value) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        v.to_string(),
    )
        .into_response()
}

fn exchange_base(state: &AppState, headers: &HeaderMap) -> String {
    let fhir = base_url(state, headers);
    format!("{}{FHIR_PATH}", fhir.strip_suffix("/fhir").unwrap_or(&fhir))
}

async fn metadata(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = exchange_base(&state, &headers);
    fhir_json(&json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-04",
        "kind": "instance",
        "software": { "name": "inzage" },
        "implementation": {
            "description": "The professional summary for other providers, on the patient's consent",
            "url": base,
        },
        "fhirVersion": "3.0.2",
        "acceptUnknown": "no",
        "format": ["application/fhir+json"],
        "rest": [{
            "mode": "server",
            "security": {
                "service": [{
                    "coding": [{
                        "system": "http://hl7.org/fhir/restful-security-service",
                        "code": "OAuth",
                    }],
                    "text": "OAuth 2.0 client credentials at /uitwisseling/token",
                }],
            },
            "resource": [{
                "type": "Patient",
                "operation": [{
                    "name": "professional-summary",
                    "definition": { "reference": format!("{base}/OperationDefinition/professional-summary") },
                }],
            }],
        }],
    }))
}

/// The provider system a bearer token belongs to.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<ExchangeClient, Problem> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let unauthorized = || {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "login",
            "a valid bearer access token is required",
        )
    };
    let token = token.ok_or_else(unauthorized)?;
    state
        .store
        .exchange_token_client(&secret_hash(token), state.clock.now())
        .await?
        .ok_or_else(unauthorized)
}

/// The longest free text a provider system sends (a practitioner's name, a reason).
const MAX_TEXT: usize = 300;

#[allow(clippy::disallowed_types)] // axum's, to answer an unreadable query as FHIR does
async fn professional_summary(
    State(state): State<AppState>,
    Path(operation): Path<String>,
    headers: HeaderMap,
    params: Result<axum::extract::Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, Problem> {
    if operation != OPERATION {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "not-supported",
            "only the $professional-summary operation is offered here",
        ));
    }
    let client = caller(&state, &headers).await?;
    let axum::extract::Query(params) = params.map_err(|_| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            "the query string is not valid".to_owned(),
        )
    })?;
    let text = |name: &str| {
        params
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let invalid = |what: &str| Problem::new(StatusCode::BAD_REQUEST, "invalid", what.to_owned());
    let identifier = text("identifier").ok_or_else(|| invalid("identifier is required"))?;
    let bsn = identifier
        .strip_prefix(system::BSN)
        .and_then(|v| v.strip_prefix('|'))
        .ok_or_else(|| {
            invalid("identifier must be a BSN (http://fhir.nl/fhir/NamingSystem/bsn|...)")
        })?;
    let bsn = Bsn::parse(bsn).map_err(|_| invalid("the BSN is not valid"))?;
    let practitioner = text("practitioner")
        .ok_or_else(|| invalid("practitioner (who asks, for the patient's log) is required"))?;
    let data = match text("data-category") {
        None => DataCategory::Summary,
        Some(d) => DataCategory::parse(&d)
            .ok_or_else(|| invalid("data-category is samenvatting or medicatie"))?,
    };
    let reason = text("emergency-reason");
    if practitioner.chars().count() > MAX_TEXT
        || reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > MAX_TEXT)
    {
        return Err(invalid(
            "practitioner and emergency-reason have at most 300 characters",
        ));
    }
    let not_here = || {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "no summary of this patient is available here",
        )
    };
    let Some(patient) = state.store.find_patient_by_bsn(&bsn).await? else {
        return Err(not_here());
    };
    let record = state
        .store
        .load_record_shared(&patient)
        .await?
        .ok_or_else(not_here)?;
    let now = state.clock.now();
    let decision = may_share(&record, data, client.category, reason.as_deref());
    let retrieval = Retrieval {
        id: new_secret()[..24].to_owned(),
        patient: patient.clone(),
        practice: record.practice.id.clone(),
        client_id: client.id.clone(),
        client_name: client.name.clone(),
        category: client.category,
        data,
        practitioner: practitioner.clone(),
        at: now,
        outcome: match &decision {
            Ok(Basis::Consent) => Outcome::Consent,
            Ok(Basis::Emergency { .. }) => Outcome::Emergency,
            Err(_) => Outcome::Refused,
        },
        emergency_reason: match &decision {
            Ok(Basis::Emergency { reason }) => Some(reason.clone()),
            _ => None,
        },
        review: None,
    };
    let audit = AuditEvent {
        at: now,
        event: match &decision {
            Ok(Basis::Consent) => EventType::Read,
            Ok(Basis::Emergency { .. }) => EventType::Emergency,
            Err(_) => EventType::Search,
        },
        patient: Some(patient.clone()),
        user: client.name.clone(),
        responsible_user: practitioner,
        role: client.category.slug().to_owned(),
        channel: Channel::Exchange,
        request_id: request_id(&headers),
        detail: format!(
            "exchange: {} {}",
            data.slug(),
            match retrieval.outcome {
                Outcome::Consent => "shared on consent",
                Outcome::Emergency => "shared in an emergency",
                Outcome::Refused => "refused",
            }
        ),
    };
    state.store.record_retrieval(&retrieval, audit).await?;
    match decision {
        // A "no" is answered as if the patient were not here: the requester is not told that
        // the patient decided anything (background §L item 27).
        Err(Refusal::PatientSaidNo) => Err(not_here()),
        Err(Refusal::NotAsked) => Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the patient has not given consent for your category; in an emergency, ask again with emergency-reason",
        )),
        Err(Refusal::ReasonTooShort) => Err(invalid(
            "emergency-reason must say why (at least 10 characters)",
        )),
        Ok(_) => {
            let summary = summary(&record, data, client.category, now);
            let resources = inzage_fhir::export::gp_resources(&summary.view);
            let base = exchange_base(&state, &headers);
            let mut bundle = inzage_fhir::export::collection(&resources, &base);
            // Between providers the BSN identifies the patient (Wabvpz); the MedMij export
            // leaves it out, this one puts it on the Patient.
            if let Some(entries) = bundle["entry"].as_array_mut()
                && let Some(p) = entries
                    .iter_mut()
                    .find(|e| e["resource"]["resourceType"] == "Patient")
            {
                let ids = p["resource"]["identifier"].take();
                let mut ids = ids.as_array().cloned().unwrap_or_default();
                ids.push(json!({ "system": system::BSN, "value": bsn.as_str() }));
                p["resource"]["identifier"] = Value::Array(ids);
            }
            bundle["id"] = json!(retrieval.id);
            bundle["meta"] =
                json!({ "lastUpdated": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true) });
            Ok(fhir_json(&bundle))
        }
    }
}

// ---- the locum's report (waarneembericht) ----

/// The largest report body accepted.
const MAX_REPORT_BYTES: usize = 256 * 1024;

/// The text of an XHTML narrative `div`, its markup left out and its entities resolved.
fn narrative_text(div: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(div);
    let mut out = String::new();
    loop {
        match reader.read_event().ok()? {
            quick_xml::events::Event::Text(t) => out.push_str(&t.unescape().ok()?),
            quick_xml::events::Event::CData(t) => out.push_str(std::str::from_utf8(&t).ok()?),
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if matches!(e.name().as_ref(), b"br" | b"p" | b"li") && !out.is_empty() =>
            {
                out.push('\n');
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    let text = out.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// A Composition as a locum report, with the patient's BSN; a message naming what is wrong.
fn read_report(v: &Value) -> Result<(Bsn, LocumReport), &'static str> {
    if v["resourceType"] != "Composition" {
        return Err("the body must be a Composition");
    }
    let subject = &v["subject"]["identifier"];
    if subject["system"] != system::BSN {
        return Err("subject.identifier must be the patient's BSN");
    }
    let bsn = subject["value"]
        .as_str()
        .and_then(|b| Bsn::parse(b).ok())
        .ok_or("the BSN is not valid")?;
    let date = v["date"]
        .as_str()
        .and_then(|d| d.get(..10))
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or("date is required (YYYY-MM-DD...)")?;
    let locum = v["author"][0]["display"]
        .as_str()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .ok_or("author[0].display (the locum) is required")?
        .to_owned();
    let mut lines = vec![];
    for section in v["section"].as_array().ok_or("section is required")? {
        let soep = section["code"]["coding"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["system"] == system::SOEP))
            .and_then(|c| c["code"].as_str())
            .and_then(inzage_domain::Soep::parse)
            .ok_or("every section has a SOEP code (http://fhir.nl/fhir/NamingSystem/journaalregeltypen)")?;
        let text = section["text"]["div"]
            .as_str()
            .and_then(narrative_text)
            .ok_or("every section has a narrative text")?;
        let icpc = section["extension"]
            .as_array()
            .and_then(|x| {
                x.iter().find(|e| {
                    e["url"]
                        .as_str()
                        .is_some_and(|u| u.ends_with("code-icpc-1-nl"))
                })
            })
            .and_then(|e| e["valueCodeableConcept"]["coding"][0]["code"].as_str())
            .map(|c| inzage_domain::IcpcCode::parse(c).map_err(|_| "the ICPC code is not valid"))
            .transpose()?;
        lines.push(LocumLine { soep, text, icpc });
    }
    Ok((bsn, LocumReport { date, locum, lines }))
}

async fn receive_report(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    let client = caller(&state, &headers).await?;
    if client.category != ProviderCategory::Hap {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only a huisartsenpost or locum sends a report of a contact",
        ));
    }
    let invalid = |what: &str| Problem::new(StatusCode::BAD_REQUEST, "invalid", what.to_owned());
    if body.len() > MAX_REPORT_BYTES {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-costly",
            "a report is at most 256 KiB",
        ));
    }
    let v: Value = serde_json::from_slice(&body).map_err(|_| invalid("the body is not JSON"))?;
    let (bsn, report) = read_report(&v).map_err(invalid)?;
    let now = state.clock.now();
    report.check(now).map_err(|e| invalid(&e.to_string()))?;
    let not_here = || {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "this patient is not registered with a practice here",
        )
    };
    let patient = state
        .store
        .find_patient_by_bsn(&bsn)
        .await?
        .ok_or_else(not_here)?;
    let record = state
        .store
        .load_record_shared(&patient)
        .await?
        .ok_or_else(not_here)?;
    let id = format!("wb-{}", &new_secret()[..20]);
    let received = ReceivedReport {
        id: id.clone(),
        patient: patient.clone(),
        practice: record.practice.id.clone(),
        client_id: client.id.clone(),
        client_name: client.name.clone(),
        received_at: now,
        report,
        filed: None,
    };
    let audit = AuditEvent {
        at: now,
        event: EventType::Transfer,
        patient: Some(patient),
        user: client.name.clone(),
        responsible_user: received.report.locum.clone(),
        role: client.category.slug().to_owned(),
        channel: Channel::Exchange,
        request_id: request_id(&headers),
        detail: "exchange: locum report received".into(),
    };
    state.store.receive_report(&received, audit).await?;
    let base = exchange_base(&state, &headers);
    let mut created = v;
    created["id"] = json!(id);
    let mut res = (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        created.to_string(),
    )
        .into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("{base}/Composition/{id}")) {
        res.headers_mut().insert(header::LOCATION, location);
    }
    Ok(res)
}
