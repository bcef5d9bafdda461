//! MedMij data service 52, "Meetwaarden vitale functies" (Nictiz SelfMeasurements 2.0), on the
//! provider side, at its own base `/meetwaarden/fhir` (the Zorgaanbiederslijst names it as the
//! service's resource endpoint), so that a search there can never answer with the practice's own
//! results, and a search of data service 49 never with what a patient measured (R127).
//!
//! - `POST /meetwaarden/fhir`: a `batch` Bundle of Observations (and optionally the Patient) a
//!   PGO sends (`Receiving-XIS`). Every entry is checked before anything is stored; then all
//!   measurements are stored in one transaction with one audit entry, as new in the practice's
//!   queue, or nothing is (a batch with one bad entry is refused whole, saying which entry).
//! - `GET /meetwaarden/fhir/Observation` with `code`, `category` and `date`, and
//!   `Observation/$lastn` (`Serving-XIS`): the patient's own measurements, whatever the GP
//!   decided about them (they stay the patient's).
//! - `GET /meetwaarden/fhir/Observation/{id}` and `/metadata`.
//!
//! The patient is the token's (R71), the PGO consent and the audit work as for data service 49.

use crate::chain::RequestIds;
use crate::pgo::{FHIR_JSON, Outcome, Pgo};
use crate::resource::search::{Paging, compare, date_filter, date_of, token_matches};
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use inzage_fhir::Node;
use inzage_fhir::export::searchset_page;
use inzage_fhir::vitals::{measurement_resource, read_measurement};
use inzage_store::{EventType, SelfMeasurementStore};
use inzage_webkit::AppState;
use serde_json::{Value, json};

/// Where data service 52 is served, below the origin.
pub const BASE_PATH: &str = "/meetwaarden/fhir";
/// The largest batch accepted: a year of several measurements a day fits easily.
pub const MAX_BATCH: usize = 4 * 1024 * 1024;
/// The most measurements in one batch.
pub const MAX_MEASUREMENTS: usize = 1_000;
const LIMITS: inzage_fhir::Limits = inzage_fhir::Limits {
    max_depth: 40,
    max_elements: 200_000,
};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(BASE_PATH, post(batch))
        .route(&format!("{BASE_PATH}/metadata"), get(metadata))
        .route(&format!("{BASE_PATH}/Observation"), get(search))
        .route(&format!("{BASE_PATH}/Observation/$lastn"), get(lastn))
        .route(&format!("{BASE_PATH}/Observation/{{id}}"), get(read))
}

fn invalid(diagnostics: impl Into<String>) -> Outcome {
    Outcome::new(StatusCode::BAD_REQUEST, "invalid", diagnostics)
}

/// The base of data service 52 as the PGO sees it.
fn base(state: &AppState, headers: &HeaderMap) -> String {
    let fhir = inzage_webkit::base_url(state, headers);
    format!("{}{BASE_PATH}", fhir.trim_end_matches("/fhir"))
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        body.to_string(),
    )
        .into_response()
}

fn new_id() -> String {
    format!("sm-{}", &inzage_webkit::session::random_token()[..20])
}

/// The reference to the token's patient that every answer uses.
fn patient_reference(view: &inzage_domain::PatientView<'_>) -> Value {
    json!({
        "reference": format!("Patient/{}", view.patient.id),
        "display": view.patient.name.display(),
    })
}

/// `POST /meetwaarden/fhir`: measurements from a PGO. The token is checked before the body is
/// read; the body is read only up to [`MAX_BATCH`].
async fn batch(
    State(state): State<AppState>,
    axum::Extension(ids): axum::Extension<RequestIds>,
    request: axum::extract::Request,
) -> Result<Response, Outcome> {
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let pgo = Pgo::from_request(&state, &headers, &ids).await?;
    let view = pgo.view(inzage_domain::Parts::NONE)?;
    let body = axum::body::to_bytes(body, MAX_BATCH).await.map_err(|_| {
        Outcome::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-long",
            format!(
                "a request may be at most {} MB; send the measurements in several requests",
                MAX_BATCH / 1024 / 1024
            ),
        )
    })?;
    let text = std::str::from_utf8(&body).map_err(|_| invalid("the body is not UTF-8"))?;
    let bundle =
        inzage_fhir::parse_document_within(text, LIMITS).map_err(|e| invalid(e.to_string()))?;
    let kind = bundle.str("type").unwrap_or_default().to_owned();
    if bundle.resource_type() != "Bundle" || !matches!(kind.as_str(), "batch" | "transaction") {
        return Err(invalid("a Bundle of type batch is expected"));
    }
    let bsn = view
        .patient
        .bsn
        .as_ref()
        .map(|b| b.as_str().to_owned())
        .unwrap_or_default();
    let now = pgo.now;
    let client = pgo.access.client_id.clone();
    // Each entry: the Patient (position) or a measurement.
    let mut measurements = vec![];
    let mut answers: Vec<Option<usize>> = vec![];
    for (i, entry) in bundle.children("entry").enumerate() {
        let label = format!("entry {}", i + 1);
        let resource = entry
            .child("resource")
            .and_then(|r: &Node| r.children.first())
            .ok_or_else(|| invalid(format!("{label}: every entry needs a resource")))?;
        let method = entry.str_at(&["request", "method"]).unwrap_or("POST");
        match resource.resource_type() {
            "Patient" => {
                crate::pgo::only_the_tokens_person(resource, &bsn, "measurements")?;
                answers.push(None);
            }
            "Observation" if method == "POST" => {
                let m = read_measurement(resource, &new_id(), &view.patient.id, now, &client)
                    .map_err(|e| invalid(format!("{label}: {e}")))?;
                answers.push(Some(measurements.len()));
                measurements.push(m);
            }
            "Observation" => {
                return Err(invalid(format!(
                    "{label}: measurements are sent as new (POST); a measurement already sent \
                     cannot be changed here"
                )));
            }
            other => {
                return Err(invalid(format!(
                    "{label}: {other} is not accepted here (Observation, Patient)"
                )));
            }
        }
    }
    if measurements.is_empty() {
        return Err(invalid("the Bundle holds no measurement (Observation)"));
    }
    if measurements.len() > MAX_MEASUREMENTS {
        return Err(invalid(format!(
            "at most {MAX_MEASUREMENTS} measurements at a time"
        )));
    }
    state
        .store
        .add_self_measurements(
            &view.practice.id,
            &measurements,
            pgo.audit_event(
                EventType::Create,
                format!(
                    "medmij: {} self-measurement(s) received",
                    measurements.len()
                ),
            ),
        )
        .await?;

    let base = base(&state, &headers);
    let representation = headers
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("return=representation"));
    let patient = patient_reference(&view);
    let patient_resource =
        inzage_fhir::export::gp_resources_for(&view, &[], inzage_fhir::export::Frame::PATIENT)
            .patient;
    let entries: Vec<Value> = answers
        .iter()
        .map(|a| {
            let (resource, status) = match a {
                Some(m) => (
                    measurement_resource(&measurements[*m], &patient),
                    "201 Created",
                ),
                None => (patient_resource.to_value(), "200 OK"),
            };
            let ty = resource["resourceType"].as_str().unwrap_or_default();
            let id = resource["id"].as_str().unwrap_or_default();
            let mut e = json!({
                "fullUrl": format!("{base}/{ty}/{id}"),
                "response": { "status": status, "location": format!("{ty}/{id}") },
            });
            if representation {
                e["resource"] = resource;
            }
            e
        })
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "resourceType": "Bundle",
            "id": new_id(),
            "type": format!("{kind}-response"),
            "entry": entries,
        }),
    ))
}

/// The patient's measurements as resources, newest first.
async fn resources_of(state: &AppState, pgo: &Pgo) -> Result<Vec<Value>, Outcome> {
    let view = pgo.view(inzage_domain::Parts::NONE)?;
    let patient = patient_reference(&view);
    Ok(state
        .store
        .self_measurements(&view.patient.id)
        .await?
        .iter()
        .map(|m| measurement_resource(m, &patient))
        .collect())
}

fn params_of(query: Option<&str>) -> Result<Vec<(String, String)>, Outcome> {
    serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| invalid("the query string is not valid"))
}

/// The measurements that match every parameter; a parameter's comma-separated values are
/// alternatives.
fn matching<'a>(
    all: &'a [Value],
    params: &[(String, String)],
    extra: &[&str],
) -> Result<Vec<&'a Value>, Outcome> {
    let mut matches: Vec<&Value> = all.iter().collect();
    for (key, value) in params {
        match key.as_str() {
            "_format" | "_count" | "_offset" => {}
            k if extra.contains(&k) => {}
            "code" => matches.retain(|r| {
                value
                    .split(',')
                    .any(|v| token_matches(v, &r["code"]["coding"]))
            }),
            "category" => matches.retain(|r| {
                value.split(',').any(|v| {
                    r["category"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|c| token_matches(v, &c["coding"]))
                })
            }),
            "date" => {
                let (prefix, day) = date_filter(value)?;
                matches.retain(|r| {
                    date_of(&r["effectiveDateTime"]).is_some_and(|d| compare(prefix, d, day))
                });
            }
            _ => {
                return Err(Outcome::new(
                    StatusCode::BAD_REQUEST,
                    "not-supported",
                    format!("search parameter {key} is not supported for Observation here"),
                ));
            }
        }
    }
    Ok(matches)
}

async fn answer(
    state: &AppState,
    pgo: &Pgo,
    headers: &HeaderMap,
    at: String,
    query: Option<String>,
    page: &[&Value],
    total: usize,
    paging_links: Vec<(&'static str, String)>,
) -> Result<Response, Outcome> {
    let self_link = match query.as_deref() {
        Some(q) if !q.is_empty() => format!("{at}?{q}"),
        _ => at,
    };
    pgo.audit(
        state,
        format!("medmij: self-measurements search, {} resources", page.len()),
    )
    .await?;
    let mut links = vec![("self", self_link)];
    links.extend(paging_links);
    let bundle = searchset_page(page, &[], &base(state, headers), total, &links);
    Ok(json_response(StatusCode::OK, &bundle))
}

/// `GET Observation?code=&category=&date=`.
async fn search(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    axum::Extension(ids): axum::Extension<RequestIds>,
    headers: HeaderMap,
) -> Result<Response, Outcome> {
    let pgo = Pgo::from_request(&state, &headers, &ids).await?;
    let params = params_of(query.as_deref())?;
    let paging = Paging::of(&params)?;
    let all = resources_of(&state, &pgo).await?;
    let matches = matching(&all, &params, &[])?;
    let at = format!("{}/Observation", base(&state, &headers));
    let links = paging.links(matches.len(), &at, &params);
    let page = paging.page(&matches);
    answer(
        &state,
        &pgo,
        &headers,
        at,
        query,
        page,
        matches.len(),
        links,
    )
    .await
}

/// `GET Observation/$lastn?code=...&max=`: the latest `max` (default 1) of each code.
async fn lastn(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    axum::Extension(ids): axum::Extension<RequestIds>,
    headers: HeaderMap,
) -> Result<Response, Outcome> {
    let pgo = Pgo::from_request(&state, &headers, &ids).await?;
    let params = params_of(query.as_deref())?;
    let max = match params.iter().rfind(|(k, _)| k == "max") {
        Some((_, v)) => v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|m| *m > 0)
            .ok_or_else(|| invalid("max must be a whole number of 1 or more"))?,
        None => 1,
    };
    let all = resources_of(&state, &pgo).await?;
    // Newest first already: keep the first `max` of each code.
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    let latest: Vec<&Value> = matching(&all, &params, &["max"])?
        .into_iter()
        .filter(|r| {
            let code = r["code"]["coding"][0]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let n = seen.entry(code).or_default();
            *n += 1;
            *n <= max
        })
        .collect();
    let at = format!("{}/Observation/$lastn", base(&state, &headers));
    answer(
        &state,
        &pgo,
        &headers,
        at,
        query,
        &latest,
        latest.len(),
        vec![],
    )
    .await
}

/// `GET Observation/{id}`: one of the token's patient's measurements; anything else is unknown.
async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Extension(ids): axum::Extension<RequestIds>,
    headers: HeaderMap,
) -> Result<Response, Outcome> {
    let pgo = Pgo::from_request(&state, &headers, &ids).await?;
    let all = resources_of(&state, &pgo).await?;
    let found = all.iter().find(|r| r["id"] == id.as_str()).ok_or_else(|| {
        Outcome::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Observation is not known".to_owned(),
        )
    })?;
    pgo.audit(&state, "medmij: self-measurement read".into())
        .await?;
    Ok(json_response(StatusCode::OK, found))
}

/// The CapabilityStatement of data service 52 (public, as FHIR requires).
async fn metadata(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = base(&state, &headers);
    let body = json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": state.now().format("%Y-%m-%d").to_string(),
        "publisher": "inzage",
        "kind": "instance",
        "software": { "name": "inzage", "version": env!("CARGO_PKG_VERSION") },
        "implementation": {
            "description": "MedMij Meetwaarden vitale functies (data service 52), FHIR STU3",
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
            "resource": [{
                "type": "Observation",
                "documentation": "The patient's own measurements (blood pressure, weight, height, \
                    temperature, blood glucose, heart rate, oxygen saturation, pain score).",
                "interaction": [{ "code": "read" }, { "code": "search-type" }],
                "searchParam": [
                    { "name": "code", "type": "token" },
                    { "name": "category", "type": "token" },
                    { "name": "date", "type": "date" },
                    { "name": "_count", "type": "number" },
                    { "name": "_offset", "type": "number" },
                ],
            }],
            "interaction": [{
                "code": "batch",
                "documentation": format!(
                    "Observations (and the Patient) the patient measured: at most \
                     {MAX_MEASUREMENTS} in a request of at most {} MB; all are stored or none.",
                    MAX_BATCH / 1024 / 1024
                ),
            }],
            "operation": [{
                "name": "lastn",
                "definition": { "reference": "http://hl7.org/fhir/OperationDefinition/Observation-lastn" },
            }],
        }],
    });
    json_response(StatusCode::OK, &body)
}
