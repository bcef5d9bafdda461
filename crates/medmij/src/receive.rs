//! Documents a PGO sends to the practice (MedMij data service 51, the "receive" side; Nictiz
//! PDF/A scenario 3): `POST /fhir` with a FHIR `transaction` Bundle of DocumentReferences and the
//! Binaries that hold their PDFs, optionally with a DocumentManifest and the Patient.
//!
//! The documents do not go into the medical record by themselves: they arrive as one question
//! thread to the practice (the same queue as the portal's questions), one message per document
//! with its PDF attached, so that a GP reads them and decides what belongs in the record. The
//! patient is the token's patient; a Patient entry only identifies and must not name someone
//! else. Everything is checked before anything is stored, and the thread with all its messages
//! is stored in one transaction: all documents or none. The answer is a `transaction-response`
//! Bundle; with `Prefer: return=representation` it carries the resources as we now hold them.

use crate::pgo::{Outcome, Pgo};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use inzage_fhir::Node;
use inzage_fhir::export::concept;
use inzage_store::{Attachment, Message, MessageStore, Thread, ThreadStatus};
use inzage_webkit::AppState;
use inzage_webkit::attachment::MAX_ATTACHMENT;
use serde_json::{Value, json};

/// The largest request body accepted: three PDFs of the largest size (5 MB each), base64-encoded,
/// and 512 KiB for the rest of the Bundle (about 20.5 MB). More documents fit when they are
/// smaller; a PGO with more sends several Bundles. Said in the CapabilityStatement and README.
pub const MAX_BUNDLE: usize = 3 * (MAX_ATTACHMENT / 3 * 4 + 4) + 512 * 1024;
/// The most documents in one Bundle.
pub const MAX_DOCUMENTS: usize = 10;
/// How deep and how many elements a received Bundle may have. Ten documents with a manifest and
/// the Patient are a few hundred elements; a Bundle of tiny elements is refused long before its
/// tree could grow large (each element costs about 150 bytes of memory).
pub const BUNDLE_LIMITS: inzage_fhir::Limits = inzage_fhir::Limits {
    max_depth: 60,
    max_elements: 10_000,
};

const MHD_REFERENCE: &str =
    "http://nictiz.nl/fhir/StructureDefinition/IHE.MHD.Minimal.DocumentReference";
const MHD_MANIFEST: &str = "http://nictiz.nl/fhir/StructureDefinition/IHE.MHD.DocumentManifest";

fn invalid(diagnostics: impl Into<String>) -> Outcome {
    Outcome::new(StatusCode::BAD_REQUEST, "invalid", diagnostics)
}

/// One document as sent: its entry position, title, type and PDF.
struct Document {
    entry: usize,
    title: String,
    type_code: Option<inzage_domain::Coding>,
    pdf: Vec<u8>,
}

/// What a Bundle carries, checked: the documents, the manifest's entry and description, the
/// Patient's entry and the Binaries' entries (in the order sent).
struct Received {
    documents: Vec<Document>,
    manifest: Option<(usize, Option<String>, Option<inzage_domain::Coding>)>,
    patient: Option<usize>,
    binaries: Vec<(usize, usize)>,
}

fn coding(n: Option<&Node>) -> Option<inzage_domain::Coding> {
    let c = n?.child("coding")?;
    Some(inzage_domain::Coding::new(
        c.str("system")?,
        c.str("code")?,
        c.str("display"),
    ))
}

fn pdf_of(base64_text: &str, what: &str) -> Result<Vec<u8>, Outcome> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_text.trim())
        .map_err(|_| invalid(format!("{what}: the content is not base64")))?;
    if bytes.len() > MAX_ATTACHMENT {
        return Err(Outcome::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-long",
            format!("{what}: a document may be at most 5 MB"),
        ));
    }
    // By content, not by the declared type.
    if infer::get(&bytes).map(|t| t.mime_type()) != Some("application/pdf") {
        return Err(invalid(format!("{what}: only PDF documents are accepted")));
    }
    Ok(bytes)
}

/// Reads and checks the Bundle. `bsn` is the token's patient's: a Patient entry with another
/// BSN is refused.
fn read_bundle(bundle: &Node, bsn: &str) -> Result<Received, Outcome> {
    if bundle.resource_type() != "Bundle" || bundle.str("type") != Some("transaction") {
        return Err(invalid("a Bundle of type transaction is expected"));
    }
    let entries: Vec<(Option<&str>, &Node)> = bundle
        .children("entry")
        .map(|e| {
            let resource = e
                .child("resource")
                .and_then(|r| r.children.first())
                .ok_or_else(|| invalid("every entry needs a resource"))?;
            Ok((e.str("fullUrl"), resource))
        })
        .collect::<Result<_, Outcome>>()?;
    let binary_at = |url: &str| {
        entries.iter().position(|(full, r)| {
            r.resource_type() == "Binary"
                && (*full == Some(url) || r.id().is_some_and(|id| url == format!("Binary/{id}")))
        })
    };
    let mut out = Received {
        documents: vec![],
        manifest: None,
        patient: None,
        binaries: vec![],
    };
    let mut used_binaries = vec![];
    for (i, (_, r)) in entries.iter().enumerate() {
        let label = format!("entry {}", i + 1);
        match r.resource_type() {
            "Patient" => {
                crate::pgo::only_the_tokens_person(r, bsn, "documents")?;
                out.patient = Some(i);
            }
            "DocumentManifest" => {
                out.manifest = Some((
                    i,
                    r.str("description").map(str::to_owned),
                    coding(r.child("type")),
                ));
            }
            "Binary" => {}
            "DocumentReference" => {
                let attachment = r.at(&["content", "attachment"]).ok_or_else(|| {
                    invalid(format!("{label}: the DocumentReference has no attachment"))
                })?;
                let pdf = match (
                    attachment.str("data"),
                    attachment.url.as_deref().or_else(|| attachment.str("url")),
                ) {
                    (Some(data), _) => pdf_of(data, &label)?,
                    (None, Some(url)) => {
                        let b = binary_at(url).ok_or_else(|| {
                            invalid(format!("{label}: the attachment's url does not name a Binary in this Bundle"))
                        })?;
                        used_binaries.push(b);
                        let (_, binary) = entries[b];
                        if binary.str("contentType") != Some("application/pdf") {
                            return Err(invalid(format!(
                                "entry {}: only PDF documents are accepted",
                                b + 1
                            )));
                        }
                        out.binaries.push((b, out.documents.len()));
                        pdf_of(
                            binary.str("content").unwrap_or_default(),
                            &format!("entry {}", b + 1),
                        )?
                    }
                    (None, None) => {
                        return Err(invalid(format!(
                            "{label}: the attachment has neither data nor url"
                        )));
                    }
                };
                let type_code = coding(r.child("type"));
                let title = r
                    .str("description")
                    .or_else(|| attachment.str("title"))
                    .or_else(|| type_code.as_ref().and_then(|c| c.display.as_deref()))
                    .unwrap_or("Document")
                    .chars()
                    .take(inzage_webkit::attachment::MAX_SUBJECT)
                    .collect();
                out.documents.push(Document {
                    entry: i,
                    title,
                    type_code,
                    pdf,
                });
            }
            other => {
                return Err(invalid(format!(
                    "{label}: {other} is not accepted here (DocumentReference, Binary, DocumentManifest, Patient)"
                )));
            }
        }
    }
    if out.documents.is_empty() {
        return Err(invalid("the Bundle holds no DocumentReference"));
    }
    if out.documents.len() > MAX_DOCUMENTS {
        return Err(invalid(format!(
            "at most {MAX_DOCUMENTS} documents at a time"
        )));
    }
    // A Binary no document points at would be lost: refuse rather than drop it.
    if let Some((i, _)) = entries
        .iter()
        .enumerate()
        .find(|(i, (_, r))| r.resource_type() == "Binary" && !used_binaries.contains(i))
    {
        return Err(invalid(format!(
            "entry {}: no DocumentReference points at this Binary",
            i + 1
        )));
    }
    Ok(out)
}

/// The body, at most [`MAX_BUNDLE`] bytes (a larger one is refused as soon as it passes the cap).
async fn read_body(body: axum::body::Body) -> Result<Bytes, Outcome> {
    axum::body::to_bytes(body, MAX_BUNDLE).await.map_err(|_| {
        Outcome::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-long",
            format!(
                "a request may be at most {} MB; send more documents in several requests",
                MAX_BUNDLE / 1_000_000
            ),
        )
    })
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", &inzage_webkit::session::random_token()[..20])
}

/// `POST /fhir`: documents from a PGO to the practice. The bearer token is checked before a
/// byte of the body is read, and the body is read only up to [`MAX_BUNDLE`].
pub(crate) async fn transaction(
    State(state): State<AppState>,
    axum::Extension(ids): axum::Extension<crate::chain::RequestIds>,
    request: axum::extract::Request,
) -> Result<Response, Outcome> {
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let pgo = Pgo::from_request(&state, &headers, &ids).await?;
    let view = pgo.view(inzage_domain::Parts::NONE)?;
    let body = read_body(body).await?;
    let bsn = view
        .patient
        .bsn
        .as_ref()
        .map(|b| b.as_str().to_owned())
        .unwrap_or_default();
    let text = std::str::from_utf8(&body).map_err(|_| invalid("the body is not UTF-8"))?;
    let bundle = inzage_fhir::parse_document_within(text, BUNDLE_LIMITS)
        .map_err(|e| invalid(e.to_string()))?;
    let received = read_bundle(&bundle, &bsn)?;

    let now = pgo.now;
    let client = pgo.access.client_id.clone();
    let count = received.documents.len();
    let subject = received
        .manifest
        .as_ref()
        .and_then(|(_, d, _)| d.clone())
        .unwrap_or_else(|| match count {
            1 => format!("Document via uw app: {}", received.documents[0].title),
            n => format!("{n} documenten via uw app"),
        })
        .chars()
        .take(inzage_webkit::attachment::MAX_SUBJECT)
        .collect();
    let thread = Thread {
        id: new_id("t"),
        patient: view.patient.id.clone(),
        subject,
        started_by: format!("pgo:{client}"),
        started_bsn: bsn,
        started_role: "patient".into(),
        started_at: now,
        updated_at: now,
        status: ThreadStatus::Waiting,
        consult: None,
    };
    let author_name = view.patient.name.display();
    let messages: Vec<(Message, Attachment)> = received
        .documents
        .iter()
        .map(|d| {
            let id = new_id("m");
            let message = Message {
                id: id.clone(),
                thread: thread.id.clone(),
                from_practice: false,
                author: format!("pgo:{client}"),
                author_name: author_name.clone(),
                body: format!("Document verstuurd met de app {client}: {}", d.title),
                sent_at: now,
                attachment: None,
            };
            let attachment = Attachment {
                name: format!("document-{}.pdf", &id[2..10]),
                media_type: "application/pdf".into(),
                bytes: d.pdf.clone(),
            };
            (message, attachment)
        })
        .collect();
    let pairs: Vec<(&Message, Option<&Attachment>)> =
        messages.iter().map(|(m, a)| (m, Some(a))).collect();
    state.store.start_thread(&thread, &pairs).await?;
    pgo.audit(
        &state,
        format!(
            "medmij: {count} document(s) received into thread {}",
            thread.id
        ),
    )
    .await?;

    // The answer: one entry per entry sent, in the same order.
    let base = inzage_webkit::base_url(&state, &headers);
    let representation = headers
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("return=representation"));
    let resources =
        inzage_fhir::export::gp_resources_for(&view, &[], inzage_fhir::export::Frame::PATIENT);
    let patient_ref = json!({
        "reference": format!("Patient/{}", view.patient.id),
        "display": author_name,
    });
    let mut answers: Vec<Option<(Value, &str)>> = vec![None; bundle.children("entry").count()];
    if let Some(i) = received.patient {
        answers[i] = Some((resources.patient.to_value(), "200 OK"));
    }
    let mut doc_refs = vec![];
    for (d, (m, _)) in received.documents.iter().zip(&messages) {
        let doc = json!({
            "resourceType": "DocumentReference",
            "id": m.id,
            "meta": { "profile": [MHD_REFERENCE] },
            "status": "current",
            "type": match &d.type_code {
                Some(c) => concept(std::slice::from_ref(c), None).to_value(),
                None => json!({ "text": "Document" }),
            },
            "subject": patient_ref,
            "indexed": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "description": d.title,
            "content": [{ "attachment": {
                "contentType": "application/pdf",
                "url": format!("Binary/{}", m.id),
                "title": d.title,
            }}],
        });
        doc_refs.push(
            json!({ "reference": format!("DocumentReference/{}", m.id), "display": d.title }),
        );
        answers[d.entry] = Some((doc, "201 Created"));
    }
    for (b, doc) in &received.binaries {
        use base64::Engine;
        let (m, a) = &messages[*doc];
        answers[*b] = Some((
            json!({
                "resourceType": "Binary",
                "id": m.id,
                "contentType": "application/pdf",
                "content": base64::engine::general_purpose::STANDARD.encode(&a.bytes),
            }),
            "201 Created",
        ));
    }
    if let Some((i, description, type_code)) = &received.manifest {
        let mut manifest = json!({
            "resourceType": "DocumentManifest",
            "id": thread.id,
            "meta": { "profile": [MHD_MANIFEST] },
            "status": "current",
            "subject": patient_ref,
            "created": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "content": doc_refs.iter().map(|r| json!({ "pReference": r })).collect::<Vec<_>>(),
        });
        if let Some(c) = type_code {
            manifest["type"] = concept(std::slice::from_ref(c), None).to_value();
        }
        if let Some(d) = description {
            manifest["description"] = json!(d);
        }
        answers[*i] = Some((manifest, "201 Created"));
    }
    let entries: Vec<Value> = answers
        .into_iter()
        .map(|a| {
            // `read_bundle` accepted only entries that each get an answer above.
            let (resource, status) = a.unwrap_or((Value::Null, "500 Internal Server Error"));
            let ty = resource["resourceType"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let id = resource["id"].as_str().unwrap_or_default().to_owned();
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
    let answer = json!({
        "resourceType": "Bundle",
        "id": new_id("r"),
        "type": "transaction-response",
        "entry": entries,
    });
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(crate::pgo::FHIR_JSON),
        )],
        answer.to_string(),
    )
        .into_response())
}
