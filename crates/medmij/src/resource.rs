//! The MedMij resource server for data service 49 "Huisartsgegevens" (issue 6, part 2): the
//! seven searches a PGO makes, answered as FHIR STU3 searchset Bundles in JSON or XML (the
//! handlers build JSON; [`negotiate`] writes XML for a client that asked for it).
//!
//! The patient comes from the bearer token alone (R71); the record goes through
//! `visible_parts` for the PGO channel (the patient's PGO consent, R53, and every visibility
//! rule, R73; only the parts the asked type is built from) before anything is built; [`inzage_fhir::export`] writes what the rules allow.
//! Every answer is one `transfer` audit entry (channel medmij) with the `MedMij-Request-ID`
//! (R72). Errors are OperationOutcomes without internals.

use crate::chain::{RequestIds, chain_event};
use crate::pgo::{FHIR_JSON, FHIR_XML, Outcome, Pgo, or_fresh};
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use inzage_fhir::export::{GpResources, Group, gp_resources_for, searchset_page_text};
use inzage_store::ChainEventKind;
use inzage_webkit::{AppState, base_url};
use serde_json::{Value, json};
use std::task::Poll;

pub(crate) mod search;
use search::*;

/// The resource server's routes (without `POST /fhir`, see `crate::fhir_router`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/fhir/metadata", get(metadata))
        .route("/fhir/{resource_type}", get(search))
        .route(
            "/fhir/{resource_type}/_search",
            axum::routing::post(search_post),
        )
        .route("/fhir/{resource_type}/{id}", get(read))
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
    // The first `_format`, as the search reads its parameters (decoded, nothing copied that
    // needs no decoding).
    let param = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "_format")
            .map(|(_, v)| v)
    });
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

/// What a FHIR request asked for, for the chain log: the resource type or the interaction.
fn asked_for(method: &axum::http::Method, path: &str) -> String {
    let rest = path
        .strip_prefix(crate::measurements::BASE_PATH)
        .or_else(|| path.strip_prefix("/fhir"))
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
pub(crate) async fn negotiate(
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
                    crate::receive::MAX_DOCUMENTS,
                    inzage_webkit::attachment::MAX_ATTACHMENT / 1_000_000,
                    crate::receive::MAX_BUNDLE / 1_000_000,
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

async fn search(
    State(state): State<AppState>,
    Path(ty): Path<String>,
    axum::Extension(ids): axum::Extension<RequestIds>,
    request: axum::extract::Request,
) -> Result<Response, Outcome> {
    // The headers and the query string as the request holds them (axum's `HeaderMap` and
    // `RawQuery` extractors copy them).
    let (parts, _) = request.into_parts();
    let (headers, query) = (&parts.headers, parts.uri.query());
    let pgo = Pgo::kept_from_request(&state, headers, &ids).await?;
    let kept = pgo.is_kept();
    let first = answer_search(&state, pgo, &ty, query, headers).await;
    or_fresh(kept, first, async || {
        let pgo = Pgo::from_request(&state, headers, &ids).await?;
        answer_search(&state, pgo, &ty, query, headers).await
    })
    .await
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
    let pgo = Pgo::kept_from_request(&state, &parts.headers, &ids).await?;
    let kept = pgo.is_kept();
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
    let body = axum::body::to_bytes(body, inzage_webkit::MAX_FORM)
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
    let first = answer_search(&state, pgo, &ty, Some(&merged), &parts.headers).await;
    or_fresh(kept, first, async || {
        let pgo = Pgo::from_request(&state, &parts.headers, &ids).await?;
        answer_search(&state, pgo, &ty, Some(&merged), &parts.headers).await
    })
    .await
}

/// A search for the PGO whose token was checked, with its query string.
async fn answer_search(
    state: &AppState,
    pgo: Pgo,
    ty: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, Outcome> {
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| {
            Outcome::new(
                StatusCode::BAD_REQUEST,
                "invalid",
                "the query string is not valid",
            )
        })?;
    let paging = Paging::of(&params)?;
    // Only what this search answers with: those parts of the record decided and built.
    let groups = groups_of(ty, false);
    let view = pgo.view(Group::parts(groups))?;
    let resources = gp_resources_for(&view, groups, frame_of(ty, &params));
    let matches = matching(ty, &params, &resources)?;
    let page = paging.page(&matches);
    let includes = included(ty, &params, page, &resources)?;
    let base = base_url(state, headers);
    let at = format!("{base}/{ty}");
    let self_link = match query {
        Some(q) if !q.is_empty() => format!("{at}?{q}"),
        _ => at.clone(),
    };
    let mut links = vec![("self", self_link)];
    links.extend(paging.links(matches.len(), &at, &params));
    // The answer is written while its audit entry is committed (the first poll queues the
    // entry unless the queue is full; then the bundle is written on this thread) and sent only
    // once the entry is stored.
    let detail = format!(
        "medmij: {ty} search, {} resources",
        page.len() + includes.len()
    );
    let mut audited = std::pin::pin!(pgo.audit(state, detail));
    let queued = std::future::poll_fn(|cx| Poll::Ready(audited.as_mut().poll(cx))).await;
    let bundle = searchset_page_text(page, &includes, &base, matches.len(), &links);
    // The resources are freed before the wait for the commit, not held through it: with 64
    // connections, 64 answers' resources were held at once.
    drop(includes);
    drop(matches);
    drop(resources);
    drop(view);
    match queued {
        Poll::Ready(done) => done?,
        Poll::Pending => audited.await?,
    }
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
        bundle,
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
    request: axum::extract::Request,
) -> Result<Response, Outcome> {
    // The request's headers, not a copy (as `search`).
    let (parts, _) = request.into_parts();
    let headers = &parts.headers;
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
    let pgo = Pgo::kept_from_request(&state, headers, &ids).await?;
    let kept = pgo.is_kept();
    let first = answer_read(&state, pgo, &ty, &id, negotiated).await;
    or_fresh(kept, first, async || {
        let pgo = Pgo::from_request(&state, headers, &ids).await?;
        answer_read(&state, pgo, &ty, &id, negotiated).await
    })
    .await
}

/// A read by id for the PGO whose token was checked.
async fn answer_read(
    state: &AppState,
    pgo: Pgo,
    ty: &str,
    id: &str,
    negotiated: Negotiated,
) -> Result<Response, Outcome> {
    let groups = groups_of(ty, true);
    let view = pgo.view(Group::parts(groups))?;
    let not_found = || {
        Outcome::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("{ty}/{id} is not known"),
        )
    };
    match ty {
        "Binary" => {
            // Only a letter the patient may see now.
            let letter = view
                .letters
                .iter()
                .find(|l| l.id.as_str() == id)
                .ok_or_else(not_found)?;
            let resource = inzage_fhir::export::binary(letter).ok_or_else(not_found)?;
            // The answer is made before its audit entry is written: an entry is an answer sent.
            let answer = if negotiated.asked {
                (
                    [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
                    resource.to_string(),
                )
                    .into_response()
            } else {
                let inzage_domain::LetterContent::Pdf { bytes } = &letter.content else {
                    return Err(not_found());
                };
                (
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/pdf"),
                    )],
                    bytes.clone(),
                )
                    .into_response()
            };
            drop(view);
            pgo.audit(state, "medmij: Binary read (letter)".into())
                .await?;
            Ok(answer)
        }
        _ => {
            // Any resource a search answer can refer to, built under the same rules.
            let resources = gp_resources_for(&view, groups, frame_of(ty, &[]));
            let found = of_type(ty, &resources, true)
                .ok_or_else(|| unsupported_type(ty))?
                .into_iter()
                .find(|r| r["id"] == id)
                .ok_or_else(not_found)?
                .to_string();
            // As a search: the resources are freed before the wait for the audit entry.
            drop(resources);
            drop(view);
            pgo.audit(state, format!("medmij: {ty} read")).await?;
            Ok((
                [(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON))],
                found,
            )
                .into_response())
        }
    }
}
