//! The MedMij resource server (data service 49) over HTTP on both backends: the seven searches
//! for the Nictiz qualification patient give the qualification's counts; the patient comes from
//! the token only; no token, an expired or revoked token, or no PGO consent gets nothing; nothing
//! hidden ever leaves (planted markers); every answer is one audit entry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use axum::http::StatusCode;
use chrono::{Duration, Months};
use inzage_domain::time::local_date;
use inzage_domain::*;
use inzage_store::{Channel, EventType, MedmijStore, RecordStore};
use serde_json::Value;
use std::collections::BTreeMap;
use support::*;

const TOKEN: &str = "0aed465d-aab0-4417-9b3c-e6f635892fea";
/// The synthetic adult, with PGO consent and a token for `token`.
async fn adult_with_token(app: &TestApp, token: &str) -> PatientRecord {
    let mut adult = app
        .store
        .load_record(&PatientId::new("adult").unwrap())
        .await
        .unwrap()
        .unwrap();
    set_pgo_consent(app, &mut adult, true).await;
    give_token(app, "adult", token).await;
    adult
}

/// The seven searches of the qualification, as a PGO sends them.
fn queries(app: &TestApp) -> Vec<String> {
    let today = local_date(app.clock.now());
    let window = today.checked_sub_months(Months::new(14)).unwrap();
    vec![
        "/fhir/Patient?_include=Patient:general-practitioner".into(),
        "/fhir/EpisodeOfCare".into(),
        format!(
            "/fhir/MedicationRequest?periodofuse=ge{today}&category=http://snomed.info/sct%7C16076005&_include=MedicationRequest:medication"
        ),
        "/fhir/AllergyIntolerance?category=medication".into(),
        format!(
            "/fhir/Observation?code=https://referentiemodel.nhg.org/tabellen/nhg-tabel-45-diagnostische-bepalingen%7C&_include=Observation:related-target&_include=Observation:specimen&date=ge{window}"
        ),
        "/fhir/Composition?type=http://loinc.org%7C67781-5".into(),
        "/fhir/Encounter".into(),
    ]
}

async fn fetch(c: &mut Client<'_>, path: &str, token: &str) -> Page {
    let auth = format!("Bearer {token}");
    c.get_with(
        path,
        &[
            ("authorization", auth.as_str()),
            ("accept", "application/fhir+json"),
            ("medmij-request-id", "6d1f3a5e-1b2c-4d3e-8f90-123456789abc"),
            ("x-correlation-id", "corr-1"),
        ],
    )
    .await
}

fn counts(bundle: &Value) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for e in bundle["entry"].as_array().into_iter().flatten() {
        *out.entry(e["resource"]["resourceType"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    out
}

/// Hardening finding 7 (issue 22): MGO may search by `POST [type]/_search` with the parameters
/// in a form body. Each of the seven searches gives the same resources as its GET; without a
/// token the body is not read.
async fn hardening_7_search_by_post_answers_as_the_get(app: &TestApp) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut r = nictiz_record(app);
    set_pgo_consent(app, &mut r, true).await;
    give_token(app, r.patient.id.as_str(), TOKEN).await;
    let mut c = app.client();
    let auth = format!("Bearer {TOKEN}");
    let ids = |p: &Page| -> Vec<String> {
        let b: Value = serde_json::from_str(&p.body).unwrap();
        b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["fullUrl"].as_str().unwrap().to_owned())
            .collect()
    };
    for path in queries(app) {
        let got = fetch(&mut c, &path, TOKEN).await;
        let (ty, params) = path.split_once('?').unwrap_or((&path, ""));
        let p = c
            .post_with(
                &format!("{ty}/_search"),
                &[
                    ("authorization", auth.as_str()),
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("accept", "application/fhir+json"),
                ],
                params,
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{path}: {}", p.body);
        assert_eq!(ids(&p), ids(&got), "{path}");
        assert!(!ids(&p).is_empty(), "{path}");
    }
    let read = Arc::new(AtomicUsize::new(0));
    let p = c
        .post_body(
            "/fhir/Observation/_search",
            &[("content-type", "application/x-www-form-urlencoded")],
            counted_body(3, read.clone()),
        )
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert_eq!(read.load(Ordering::SeqCst), 0);
}

async fn the_seven_searches_give_the_qualification_counts(app: &TestApp) {
    let mut r = nictiz_record(app);
    set_pgo_consent(app, &mut r, true).await;
    give_token(app, r.patient.id.as_str(), TOKEN).await;
    let expected: [&[(&str, usize)]; 7] = [
        &[("Patient", 1), ("Practitioner", 1)],
        &[("EpisodeOfCare", 7)],
        &[("MedicationRequest", 3), ("Medication", 3)],
        &[("AllergyIntolerance", 1)],
        &[("Observation", 18)],
        &[("Composition", 18)],
        &[("Encounter", 18)],
    ];
    let mut c = app.client();
    for (path, want) in queries(app).iter().zip(expected) {
        let before = app.audit_count().await;
        let p = fetch(&mut c, path, TOKEN).await;
        assert_eq!(p.status, StatusCode::OK, "{path}: {}", p.body);
        assert!(p.content_type.starts_with("application/fhir+json"));
        // The security headers as on every answer.
        assert_eq!(p.csp, inzage_webkit::csp::POLICY, "{path}");
        let bundle: Value = serde_json::from_str(&p.body).unwrap();
        assert_eq!(bundle["type"], "searchset");
        let want: BTreeMap<String, usize> =
            want.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
        assert_eq!(counts(&bundle), want, "{path}");
        // total counts the matches only; the self link carries every parameter.
        let matches = bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["search"]["mode"] == "match")
            .count();
        assert_eq!(bundle["total"].as_u64().unwrap() as usize, matches);
        let self_link = bundle["link"][0]["url"].as_str().unwrap();
        if let Some((_, q)) = path.split_once('?') {
            assert!(self_link.ends_with(q), "{self_link}");
        }
        for e in bundle["entry"].as_array().unwrap() {
            let url = e["fullUrl"].as_str().unwrap();
            assert!(
                url.starts_with("http://") && url.ends_with(e["resource"]["id"].as_str().unwrap())
            );
        }
        // One transfer entry per answer, with the MedMij-Request-ID.
        assert_eq!(app.audit_count().await, before + 1);
        let last = app
            .store
            .audit_for_patient(&r.patient.id)
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(last.event.event, EventType::Transfer);
        assert_eq!(last.event.channel, Channel::Medmij);
        assert_eq!(last.event.user, "pgo:pgo.example");
        assert_eq!(
            last.event.request_id,
            "6d1f3a5e-1b2c-4d3e-8f90-123456789abc"
        );
    }
    // The frame of the record on its own: a search answers with what it asks for, and the
    // patient's GP only when included.
    for (path, want) in [
        ("/fhir/Patient", &[("Patient", 1)][..]),
        ("/fhir/Organization", &[("Organization", 1)]),
        // The qualification patient's GP is the one practitioner its visible items name.
        ("/fhir/Practitioner", &[("Practitioner", 1)]),
    ] {
        let p = fetch(&mut c, path, TOKEN).await;
        assert_eq!(p.status, StatusCode::OK, "{path}: {}", p.body);
        let bundle: Value = serde_json::from_str(&p.body).unwrap();
        let want: BTreeMap<String, usize> =
            want.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
        assert_eq!(counts(&bundle), want, "{path}");
        let id = bundle["entry"][0]["resource"]["id"].as_str().unwrap();
        let ty = &path["/fhir/".len()..];
        let read = fetch(&mut c, &format!("{path}/{id}"), TOKEN).await;
        assert_eq!(read.status, StatusCode::OK, "{ty}/{id}: {}", read.body);
        let read: Value = serde_json::from_str(&read.body).unwrap();
        assert_eq!(read, bundle["entry"][0]["resource"], "{ty}/{id}");
    }
    // A PGO presents its token; it is never given a cookie.
    assert!(c.cookie_names().is_empty(), "{:?}", c.cookie_names());
    // No journal line types S or O anywhere, and no BSN.
    let compositions = fetch(&mut c, &queries(app)[5], TOKEN).await.body;
    assert!(!compositions.contains("\"code\":\"S\"") && !compositions.contains("\"code\":\"O\""));
    for path in queries(app) {
        let body = fetch(&mut c, &path, TOKEN).await.body;
        assert!(
            !body.contains(FIXTURE_BSN) && !body.contains("NamingSystem/bsn"),
            "{path}"
        );
    }
}

async fn nothing_without_a_valid_token_and_pgo_consent(app: &TestApp) {
    let mut adult = app
        .store
        .load_record(&PatientId::new("adult").unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut c = app.client();
    // No token, an unknown one.
    let p = c.get("/fhir/Patient").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.body.contains("OperationOutcome"));
    assert_eq!(
        fetch(&mut c, "/fhir/Patient", "nope").await.status,
        StatusCode::UNAUTHORIZED
    );
    // Consent to the portal only opens nothing to a PGO (R53).
    set_pgo_consent(app, &mut adult, false).await;
    give_token(app, "adult", "token-adult").await;
    let before = app.audit_count().await;
    let p = fetch(&mut c, "/fhir/Patient", "token-adult").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    assert_eq!(app.audit_count().await, before, "nothing released");
    set_pgo_consent(app, &mut adult, true).await;
    assert_eq!(
        fetch(&mut c, "/fhir/Patient", "token-adult").await.status,
        StatusCode::OK
    );
    // An unsupported type or parameter is a clear error, not a silent full answer.
    assert_eq!(
        fetch(&mut c, "/fhir/Appointment", "token-adult")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch(&mut c, "/fhir/Encounter?date=ge2020-01-01", "token-adult")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        fetch(&mut c, "/fhir/Observation?date=gister", "token-adult")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // Revoked: at once; expired: after 15 minutes.
    app.store
        .revoke_access_tokens(&adult.patient.id, "pgo.example", app.clock.now())
        .await
        .unwrap();
    assert_eq!(
        fetch(&mut c, "/fhir/Patient", "token-adult").await.status,
        StatusCode::UNAUTHORIZED
    );
    give_token(app, "adult", "token-adult-2").await;
    app.clock.advance(Duration::minutes(16));
    assert_eq!(
        fetch(&mut c, "/fhir/Patient", "token-adult-2").await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn no_search_ever_releases_hidden_data(app: &TestApp) {
    adult_with_token(app, "token-markers").await;
    let mut c = app.client();
    let mut released = 0;
    for path in queries(app) {
        let p = fetch(&mut c, &path, "token-markers").await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        for marker in NEVER {
            assert!(!p.body.contains(marker), "{path}: {marker}");
        }
        assert!(!p.body.contains(OTHER_PATIENT), "{path}");
        assert!(!p.body.contains(BSN_ADULT), "{path}");
        released += counts(&serde_json::from_str(&p.body).unwrap())
            .values()
            .sum::<usize>();
        // The XML answer carries the same: nothing hidden there either.
        let sep = if path.contains('?') { '&' } else { '?' };
        let p = fetch(&mut c, &format!("{path}{sep}_format=xml"), "token-markers").await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        assert!(p.content_type.starts_with("application/fhir+xml"));
        for marker in NEVER.iter().chain([&OTHER_PATIENT, &BSN_ADULT]) {
            assert!(!p.body.contains(marker), "{path} (xml): {marker}");
        }
    }
    assert!(released > 5, "{released}");
}

/// JSON or XML as the client asks (`_format` first, then Accept), errors included; the same
/// content either way.
async fn json_or_xml_as_the_client_asks(app: &TestApp) {
    adult_with_token(app, "token-xml").await;
    let mut c = app.client();
    let get = |accept: &'static str| [("authorization", "Bearer token-xml"), ("accept", accept)];
    let json = c
        .get_with("/fhir/EpisodeOfCare", &get("application/fhir+json"))
        .await;
    let xml = c
        .get_with("/fhir/EpisodeOfCare", &get("application/fhir+xml"))
        .await;
    assert_eq!(xml.status, StatusCode::OK);
    assert_eq!(xml.content_type, "application/fhir+xml; charset=utf-8");
    assert!(xml.body.starts_with("<?xml"));
    assert!(xml.body.contains(r#"<Bundle xmlns="http://hl7.org/fhir">"#));
    // Same resources, same ids, in both.
    let bundle: Value = serde_json::from_str(&json.body).unwrap();
    let entries = bundle["entry"].as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        let id = e["resource"]["id"].as_str().unwrap();
        assert!(xml.body.contains(&format!(r#"<id value="{id}"/>"#)), "{id}");
    }
    assert_eq!(
        xml.body.matches("<entry>").count(),
        entries.len(),
        "one XML entry per JSON entry"
    );
    // _format wins over Accept, in its short and long forms.
    for f in ["xml", "application/fhir%2Bxml", "text/xml"] {
        let p = c
            .get_with(
                &format!("/fhir/EpisodeOfCare?_format={f}"),
                &get("application/fhir+json"),
            )
            .await;
        assert!(p.content_type.starts_with("application/fhir+xml"), "{f}");
    }
    let p = c
        .get_with(
            "/fhir/EpisodeOfCare?_format=json",
            &get("application/fhir+xml"),
        )
        .await;
    assert!(p.content_type.starts_with("application/fhir+json"));
    // A browser's Accept list naming XML among others.
    let p = c
        .get_with(
            "/fhir/EpisodeOfCare",
            &get("text/html,application/xml;q=0.9,*/*;q=0.8"),
        )
        .await;
    assert!(p.content_type.starts_with("application/fhir+xml"));
    // A format we do not write: 406, as an OperationOutcome.
    let p = c
        .get_with("/fhir/EpisodeOfCare?_format=turtle", &get("*/*"))
        .await;
    assert_eq!(p.status, StatusCode::NOT_ACCEPTABLE);
    assert!(p.body.contains("OperationOutcome"));
    // Errors come as XML too: no token, and an unknown type.
    let p = c
        .get_with("/fhir/EpisodeOfCare", &[("accept", "application/fhir+xml")])
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(
        p.body
            .contains(r#"<OperationOutcome xmlns="http://hl7.org/fhir">"#),
        "{}",
        p.body
    );
    let p = c
        .get_with("/fhir/Questionnaire", &get("application/fhir+xml"))
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.body.contains("<OperationOutcome"));
    // The CapabilityStatement says so, and comes as XML when asked.
    let p = c
        .get_with("/fhir/metadata", &[("accept", "application/fhir+xml")])
        .await;
    assert!(
        p.body.contains(r#"<format value="application/fhir+xml"/>"#),
        "{}",
        p.body
    );
    // The letter as a Binary resource in XML; the PDF itself for a plain request.
    let p = c
        .get_with("/fhir/Binary/adult-l1", &get("application/fhir+xml"))
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.body.contains("<Binary") && p.body.contains(r#"<contentType value="application/pdf"/>"#)
    );
    let p = c
        .get_with(
            "/fhir/Binary/adult-l1",
            &[("authorization", "Bearer token-xml")],
        )
        .await;
    assert_eq!(p.content_type, "application/pdf");
}

async fn the_capability_statement_says_exactly_what_is_supported(app: &TestApp) {
    let mut c = app.client();
    let p = c.get("/fhir/metadata").await;
    assert_eq!(p.status, StatusCode::OK);
    let cs: Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["fhirVersion"], "3.0.2");
    let types: Vec<&str> = cs["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    // Every type it names with a search answers one; one it does not name does not.
    adult_with_token(app, "token-cs").await;
    for r in cs["rest"][0]["resource"].as_array().unwrap() {
        let ty = r["type"].as_str().unwrap();
        let interactions: Vec<&str> = r["interaction"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap())
            .collect();
        assert!(interactions.contains(&"read"), "{ty}");
        let p = fetch(&mut c, &format!("/fhir/{ty}"), "token-cs").await;
        if interactions.contains(&"search-type") {
            assert_eq!(p.status, StatusCode::OK, "{ty}");
        }
    }
    assert_eq!(types.len(), 14);
    // The same statement in FHIR XML, paging parameters and all.
    let xml = c.get("/fhir/metadata?_format=xml").await;
    assert_eq!(xml.status, StatusCode::OK, "{}", xml.body);
    assert!(
        xml.body.contains("<name value=\"_count\"/>"),
        "{}",
        xml.body
    );
    assert_eq!(cs["rest"][0]["interaction"][0]["code"], "transaction");
    assert_eq!(
        fetch(&mut c, "/fhir/Procedure", "token-cs").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn letters_as_documents_and_their_pdf(app: &TestApp) {
    adult_with_token(app, "token-docs").await;
    let mut c = app.client();
    let p = fetch(
        &mut c,
        "/fhir/DocumentReference?status=current",
        "token-docs",
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let bundle: Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(counts(&bundle).get("DocumentReference"), Some(&1));
    let doc = &bundle["entry"][0]["resource"];
    assert_eq!(doc["content"][0]["attachment"]["url"], "Binary/adult-l1");
    assert_eq!(
        doc["content"][0]["attachment"]["contentType"],
        "application/pdf"
    );
    assert!(
        doc["masterIdentifier"]["value"]
            .as_str()
            .unwrap()
            .starts_with("urn:uuid:")
    );
    // A period without letters: a valid, empty searchset.
    let today = local_date(app.clock.now());
    let old = format!(
        "/fhir/DocumentReference?indexed=ge{}&indexed=le{}&status=current",
        today - chrono::Days::new(730),
        today - chrono::Days::new(365)
    );
    let p = fetch(&mut c, &old, "token-docs").await;
    let bundle: Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(bundle["total"], 0);
    assert!(
        bundle["link"][0]["url"]
            .as_str()
            .unwrap()
            .contains("indexed=ge")
    );
    // Invalid search syntax: 400 with an OperationOutcome.
    let p = fetch(&mut c, "/fhir/DocumentReference/$", "token-docs").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("OperationOutcome"));
    // The PDF: as a FHIR Binary for a FHIR client, as the PDF itself otherwise.
    let p = fetch(&mut c, "/fhir/Binary/adult-l1", "token-docs").await;
    assert_eq!(p.status, StatusCode::OK);
    let binary: Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(binary["resourceType"], "Binary");
    assert_eq!(binary["contentType"], "application/pdf");
    let p = c
        .get_with(
            "/fhir/Binary/adult-l1",
            &[("authorization", "Bearer token-docs")],
        )
        .await;
    assert_eq!(p.content_type, "application/pdf");
    assert_eq!(p.bytes, b"%PDF-1.4 letter of VOLWASSEN");
    // Without a token: nothing; an unknown id or another patient's letter: 404.
    assert_eq!(
        c.get("/fhir/Binary/adult-l1").await.status,
        StatusCode::UNAUTHORIZED
    );
    for id in ["nope", "other-l1"] {
        let p = fetch(&mut c, &format!("/fhir/Binary/{id}"), "token-docs").await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{id}");
        assert!(p.body.contains("OperationOutcome"));
    }
}

/// A transaction Bundle as a PGO sends it: the Patient, a manifest, and per document a
/// DocumentReference and the Binary with its PDF.
fn documents_bundle(
    patient_bsn: Option<&str>,
    docs: &[(&str, &[u8])],
    content_type: &str,
) -> String {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut entries = vec![serde_json::json!({
        "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000001",
        "resource": { "resourceType": "Patient", "identifier": patient_bsn.map(|b| vec![serde_json::json!({
            "system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": b })]).unwrap_or_default() },
        "request": { "method": "POST", "url": "Patient" },
    })];
    entries.push(serde_json::json!({
        "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000002",
        "resource": { "resourceType": "DocumentManifest", "status": "current",
                      "description": "Brieven uit het ziekenhuis" },
        "request": { "method": "POST", "url": "DocumentManifest" },
    }));
    for (i, (title, pdf)) in docs.iter().enumerate() {
        let binary = format!("urn:uuid:00000000-0000-4000-8000-0000000001{i:02}");
        entries.push(serde_json::json!({
            "fullUrl": format!("urn:uuid:00000000-0000-4000-8000-0000000000{i:02}"),
            "resource": { "resourceType": "DocumentReference", "status": "current", "description": title,
                "type": { "coding": [{ "system": "http://snomed.info/sct", "code": "11071000146104", "display": "ontslagbrief" }] },
                "content": [{ "attachment": { "contentType": "application/pdf", "url": binary } }] },
            "request": { "method": "POST", "url": "DocumentReference" },
        }));
        entries.push(serde_json::json!({
            "fullUrl": binary,
            "resource": { "resourceType": "Binary", "contentType": content_type, "content": b64(pdf) },
            "request": { "method": "POST", "url": "Binary" },
        }));
    }
    serde_json::json!({ "resourceType": "Bundle", "type": "transaction", "entry": entries })
        .to_string()
}

/// Hardening finding 1 (issue 22): a transaction Bundle whose extension is nested 50,000 levels
/// deep aborted the whole process (stack overflow). Deep and wide Bundles, XML and JSON, are now
/// a 400 OperationOutcome, nothing is stored, and the server answers the next request.
async fn hardening_1_deep_or_wide_bundles_are_refused_and_the_server_answers_on(app: &TestApp) {
    use inzage_store::MessageStore;
    let adult = adult_with_token(app, "token-deep").await;
    let mut c = app.client();
    let levels = 50_000;
    let deep_xml = format!(
        r#"<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/>{}{}</Bundle>"#,
        r#"<extension url="http://example.org/x">"#.repeat(levels),
        "</extension>".repeat(levels)
    );
    let deep_json = format!(
        r#"{{"resourceType":"Bundle","type":"transaction"{}{}}}"#,
        r#","extension":[{"url":"http://example.org/x""#.repeat(levels),
        "}]".repeat(levels)
    );
    let wide_xml = format!(
        r#"<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/>{}</Bundle>"#,
        "<a/>".repeat(200_000)
    );
    let wide_json = format!(
        r#"{{"resourceType":"Bundle","type":"transaction","entry":[{}]}}"#,
        vec!["{}"; 200_000].join(",")
    );
    for (body, media, why) in [
        (
            &deep_xml,
            "application/fhir+xml",
            "nested deeper than 60 levels",
        ),
        (
            &deep_json,
            "application/fhir+json",
            "nested deeper than 60 levels",
        ),
        (
            &wide_xml,
            "application/fhir+xml",
            "more than 10000 elements",
        ),
        (
            &wide_json,
            "application/fhir+json",
            "more than 10000 elements",
        ),
    ] {
        let headers = [
            ("authorization", "Bearer token-deep"),
            ("content-type", media),
            ("accept", "application/fhir+json"),
        ];
        let p = c.post_with("/fhir", &headers, body).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{why}: {}", p.body);
        assert!(
            p.body.contains("OperationOutcome") && p.body.contains(why),
            "{why}: {}",
            p.body
        );
    }
    assert!(
        app.store
            .threads(&adult.patient.id)
            .await
            .unwrap()
            .is_empty()
    );
    // Still answering, and a real Bundle still arrives.
    let p = c
        .get_with("/fhir/Patient", &[("authorization", "Bearer token-deep")])
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let p = c
        .post_with(
            "/fhir",
            &[
                ("authorization", "Bearer token-deep"),
                ("content-type", "application/fhir+json"),
            ],
            &documents_bundle(None, &[("Brief", b"%PDF-1.4 brief")], "application/pdf"),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
}

/// A request body that counts what was read of it: `chunks` pieces of 1 MiB.
fn counted_body(
    chunks: usize,
    read: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> axum::body::Body {
    use std::sync::atomic::Ordering;
    let stream = futures_util::stream::iter((0..chunks).map(move |_| {
        read.fetch_add(1, Ordering::SeqCst);
        Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b' '; 1024 * 1024]))
    }));
    axum::body::Body::from_stream(stream)
}

/// Hardening finding 2 (issue 22): `POST /fhir` read up to ~70 MB before it checked the token.
/// Now a request without a valid token is refused before any of its body is read, and a body
/// past the cap (about 21 MB: three 5 MB PDFs in base64, said in the CapabilityStatement) is
/// refused as soon as it passes it.
async fn hardening_2_the_token_is_checked_before_the_body_is_read_and_the_body_is_capped(
    app: &TestApp,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    adult_with_token(app, "token-cap").await;
    let mut c = app.client();
    for auth in [None, Some("Bearer not-a-token")] {
        let read = Arc::new(AtomicUsize::new(0));
        let mut headers = vec![("content-type", "application/fhir+json")];
        headers.extend(auth.map(|a| ("authorization", a)));
        let p = c
            .post_body("/fhir", &headers, counted_body(70, read.clone()))
            .await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{}", p.body);
        assert_eq!(
            read.load(Ordering::SeqCst),
            0,
            "the body was read before the token"
        );
    }
    let read = Arc::new(AtomicUsize::new(0));
    let p = c
        .post_body(
            "/fhir",
            &[
                ("authorization", "Bearer token-cap"),
                ("content-type", "application/fhir+json"),
            ],
            counted_body(70, read.clone()),
        )
        .await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", p.body);
    assert!(p.body.contains("at most 21 MB"), "{}", p.body);
    let chunks = read.load(Ordering::SeqCst);
    assert!(chunks <= 22, "read {chunks} MiB of a 70 MiB body");
    // The cap is said where a PGO looks for it.
    let p = c.get("/fhir/metadata").await;
    assert!(
        p.body.contains("in a request of at most 21 MB"),
        "{}",
        p.body
    );
}

/// Documents a PGO sends reach the practice as one question thread with a PDF per document,
/// all or nothing; bad input is refused with an OperationOutcome and stores nothing.
async fn a_pgo_sends_documents_to_the_practice(app: &TestApp) {
    use inzage_store::MessageStore;
    let id = PatientId::new("adult").unwrap();
    let mut adult = app.store.load_record(&id).await.unwrap().unwrap();
    set_pgo_consent(app, &mut adult, true).await;
    give_token(app, "adult", "token-send").await;
    let mut c = app.client();
    let headers = [
        ("authorization", "Bearer token-send"),
        ("content-type", "application/fhir+json"),
        ("accept", "application/fhir+json"),
        ("prefer", "return=representation"),
    ];
    let pdf_a: &[u8] = b"%PDF-1.4 ontslagbrief MARKER-SENT-A";
    let pdf_b: &[u8] = b"%PDF-1.7 verwijsbrief MARKER-SENT-B";
    // Refusals first: each leaves nothing behind.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n0000IHDR";
    let big = [b"%PDF-1.4 ".as_slice(), &vec![b'x'; 5 * 1024 * 1024]].concat();
    let not_transaction = documents_bundle(None, &[("A", pdf_a)], "application/pdf")
        .replace("\"transaction\"", "\"collection\"");
    let orphan = {
        let mut b: Value =
            serde_json::from_str(&documents_bundle(None, &[("A", pdf_a)], "application/pdf"))
                .unwrap();
        b["entry"].as_array_mut().unwrap().push(serde_json::json!({
            "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000999",
            "resource": { "resourceType": "Binary", "contentType": "application/pdf", "content": "JVBERi0xLjQK" },
        }));
        b.to_string()
    };
    let foreign = {
        let mut b: Value =
            serde_json::from_str(&documents_bundle(None, &[("A", pdf_a)], "application/pdf"))
                .unwrap();
        b["entry"].as_array_mut().unwrap().push(serde_json::json!({
            "resource": { "resourceType": "Observation", "status": "final", "code": { "text": "x" } },
        }));
        b.to_string()
    };
    for (body, status, why) in [
        (
            documents_bundle(None, &[("A", png)], "application/pdf"),
            StatusCode::BAD_REQUEST,
            "only PDF",
        ),
        (
            documents_bundle(None, &[("A", &big)], "application/pdf"),
            StatusCode::PAYLOAD_TOO_LARGE,
            "5 MB",
        ),
        (not_transaction, StatusCode::BAD_REQUEST, "transaction"),
        (
            orphan,
            StatusCode::BAD_REQUEST,
            "no DocumentReference points at this Binary",
        ),
        (
            foreign,
            StatusCode::BAD_REQUEST,
            "Observation is not accepted",
        ),
        (
            documents_bundle(Some("999999990"), &[("A", pdf_a)], "application/pdf"),
            StatusCode::FORBIDDEN,
            "the person the token is for",
        ),
        ("{not json".to_owned(), StatusCode::BAD_REQUEST, "JSON"),
    ] {
        let p = c.post_with("/fhir", &headers, &body).await;
        assert_eq!(p.status, status, "{why}: {}", p.body);
        assert!(
            p.body.contains("OperationOutcome") && p.body.contains(why),
            "{why}: {}",
            p.body
        );
    }
    // No token: nothing.
    let p = c
        .post_with(
            "/fhir",
            &headers[1..],
            &documents_bundle(None, &[("A", pdf_a)], "application/pdf"),
        )
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(
        app.store.threads(&id).await.unwrap().is_empty(),
        "a refusal stored something"
    );

    // Two documents: one thread, two messages with their PDFs, one audit entry.
    let before = app.audit_count().await;
    let own_bsn = adult.patient.bsn.as_ref().map(|b| b.as_str().to_owned());
    let p = c
        .post_with(
            "/fhir",
            &headers,
            &documents_bundle(
                own_bsn.as_deref(),
                &[("Ontslagbrief", pdf_a), ("Verwijsbrief", pdf_b)],
                "application/pdf",
            ),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(app.audit_count().await, before + 1);
    let answer: Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(answer["type"], "transaction-response");
    let entries = answer["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 6, "one answer per entry sent");
    assert_eq!(entries[0]["response"]["status"], "200 OK");
    assert_eq!(entries[0]["resource"]["resourceType"], "Patient");
    assert!(!p.body.contains("NamingSystem/bsn"), "no BSN in the answer");
    for e in &entries[1..] {
        assert_eq!(e["response"]["status"], "201 Created");
        assert!(
            e["fullUrl"]
                .as_str()
                .unwrap()
                .ends_with(e["resource"]["id"].as_str().unwrap())
        );
    }
    let threads = app.store.threads(&id).await.unwrap();
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0].subject, "Brieven uit het ziekenhuis");
    assert_eq!(threads[0].started_by, "pgo:pgo.example");
    let (_, messages) = app
        .store
        .thread(&id, &threads[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(messages.len(), 2);
    let mut got = vec![];
    for m in &messages {
        assert!(m.body.contains("Ontslagbrief") || m.body.contains("Verwijsbrief"));
        let a = app
            .store
            .attachment(&id, &threads[0].id, &m.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a.media_type, "application/pdf");
        got.push(a.bytes);
    }
    got.sort();
    assert_eq!(got, vec![pdf_a.to_vec(), pdf_b.to_vec()]);
    // The practice sees the thread waiting in its queue.
    let waiting = app.store.waiting_threads(&adult.practice.id).await.unwrap();
    assert!(waiting.iter().any(|t| t.id == threads[0].id));
    // The audit entry names no content.
    let last = app
        .store
        .audit_for_patient(&id)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert!(!last.event.detail.contains("MARKER") && !last.event.detail.contains("Ontslagbrief"));
    // Without Prefer: the minimal answer (no resources).
    let p = c
        .post_with(
            "/fhir",
            &headers[..3],
            &documents_bundle(None, &[("C", pdf_a)], "application/pdf"),
        )
        .await;
    let answer: Value = serde_json::from_str(&p.body).unwrap();
    assert!(
        answer["entry"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e.get("resource").is_none())
    );
    assert_eq!(app.store.threads(&id).await.unwrap().len(), 2);
}

/// R88: every resource request is a chain-log event with its request identifiers, the PGO and
/// the outcome, and nothing about the patient; the log is kept the configured 24 to 36 months.
async fn r88_every_request_is_a_chain_log_event_kept_24_to_36_months(app: &TestApp) {
    use inzage_store::{ChainEvent, ChainEventKind};
    adult_with_token(app, "token-chain").await;
    let start = app.clock.now();
    let mut c = app.client();
    let p = fetch(
        &mut c,
        "/fhir/Observation?code=x%7Cy&date=ge2020-01-01",
        "token-chain",
    )
    .await;
    assert_eq!(p.status, StatusCode::OK);
    let p = c
        .get_with(
            "/fhir/Patient",
            &[
                ("medmij-request-id", "00000000-aaaa-4bbb-8ccc-000000000001"),
                ("x-correlation-id", "corr-2"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    let events = app.store.chain_log(start).await.unwrap();
    assert_eq!(events.len(), 2, "{events:#?}");
    let ok = &events[0];
    assert_eq!(ok.kind, ChainEventKind::ResourceRequest);
    assert_eq!(ok.request_id, "6d1f3a5e-1b2c-4d3e-8f90-123456789abc");
    assert_eq!(ok.correlation_id, "corr-1");
    assert_eq!(ok.client_id, "pgo.example");
    assert_eq!(ok.status, 200);
    // The resource type, never the query's values.
    assert_eq!(ok.resource, "Observation");
    let refused = &events[1];
    assert_eq!((refused.status, refused.client_id.as_str()), (401, ""));
    assert_eq!(refused.request_id, "00000000-aaaa-4bbb-8ccc-000000000001");
    // Nothing in the chain log names the patient.
    let text = format!("{events:?}");
    for personal in ["adult", BSN_ADULT, "VOLWASSEN"] {
        assert!(!text.contains(personal), "{personal}");
    }

    // Retention: 24 months by default (nothing younger goes), 36 at most.
    let now = app.clock.now();
    let at = |months: u32| now.checked_sub_months(Months::new(months)).unwrap() - Duration::days(1);
    let old = |months: u32| ChainEvent {
        at: at(months),
        kind: ChainEventKind::TokenRequest,
        request_id: format!("old-{months}"),
        correlation_id: String::new(),
        client_id: "pgo.example".into(),
        status: 200,
        resource: "token".into(),
    };
    app.store
        .log_chain(&[old(23), old(24), old(35), old(36)])
        .await
        .unwrap();
    let kept = |events: Vec<ChainEvent>| {
        events
            .into_iter()
            .filter(|e| e.request_id.starts_with("old-"))
            .map(|e| e.request_id)
            .collect::<Vec<_>>()
    };
    let everything = now - Duration::days(365 * 10);
    assert_eq!(
        inzage_medmij::purge_chain_log(&app.store, now, 36)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        kept(app.store.chain_log(everything).await.unwrap()),
        ["old-35", "old-24", "old-23"]
    );
    assert_eq!(
        inzage_medmij::purge_chain_log(&app.store, now, 24)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        kept(app.store.chain_log(everything).await.unwrap()),
        ["old-23"]
    );
    // Today's events stay.
    assert_eq!(app.store.chain_log(start).await.unwrap().len(), 2);
}

/// Every `Type/id` a resource refers to (references, and a document's attachment url).
fn references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                match (k.as_str(), x.as_str()) {
                    ("reference", Some(r)) => out.push(r.to_owned()),
                    ("url", Some(u)) if u.starts_with("Binary/") => out.push(u.to_owned()),
                    _ => references(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| references(x, out)),
        _ => {}
    }
}

/// The `Type/id` of every entry of a searchset, in order.
fn entry_ids(body: &str) -> Vec<String> {
    let b: Value = serde_json::from_str(body).unwrap();
    b["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let r = &e["resource"];
            format!(
                "{}/{}",
                r["resourceType"].as_str().unwrap(),
                r["id"].as_str().unwrap()
            )
        })
        .collect()
}

/// Hardening finding 8 (issue 22): every reference in an answer resolves. For the qualification
/// patient and for the synthetic adult (who has hidden items), each type the
/// CapabilityStatement names is searched; every resource an answer refers to is read by id and
/// is the resource named. Items the PGO may not see (S and O lines, shielded items, work
/// notes) and another patient's items are "not known" (404), and no read carries a hidden
/// marker.
async fn hardening_8_every_reference_in_an_answer_resolves(app: &TestApp) {
    let mut nictiz = nictiz_record(app);
    set_pgo_consent(app, &mut nictiz, true).await;
    give_token(app, nictiz.patient.id.as_str(), TOKEN).await;
    let adult = adult_with_token(app, "token-refs").await;
    let mut c = app.client();
    let cs: Value = serde_json::from_str(&c.get("/fhir/metadata").await.body).unwrap();
    let searchable: Vec<String> = cs["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["interaction"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["code"] == "search-type")
        })
        .map(|r| r["type"].as_str().unwrap().to_owned())
        .collect();
    for (token, record) in [(TOKEN, &nictiz), ("token-refs", &adult)] {
        let mut served = std::collections::BTreeSet::new();
        let mut referred = std::collections::BTreeSet::new();
        let mut paths: Vec<String> = searchable.iter().map(|t| format!("/fhir/{t}")).collect();
        paths.extend(queries(app));
        for path in paths {
            let p = fetch(&mut c, &path, token).await;
            assert_eq!(p.status, StatusCode::OK, "{path}: {}", p.body);
            served.extend(entry_ids(&p.body));
            let mut refs = vec![];
            references(&serde_json::from_str(&p.body).unwrap(), &mut refs);
            referred.extend(refs);
        }
        assert!(referred.len() > 5, "{referred:?}");
        if token == TOKEN {
            // The qualification patient's episodes point at diagnoses, its reports at lines.
            for ty in ["Condition/", "Observation/", "Practitioner/", "Medication/"] {
                assert!(referred.iter().any(|r| r.starts_with(ty)), "{ty}");
            }
        }
        for r in &referred {
            let p = fetch(&mut c, &format!("/fhir/{r}"), token).await;
            assert_eq!(p.status, StatusCode::OK, "{token}: {r}: {}", p.body);
            let v: Value = serde_json::from_str(&p.body).unwrap();
            let (ty, id) = r.split_once('/').unwrap();
            assert_eq!(
                (v["resourceType"].as_str(), v["id"].as_str()),
                (Some(ty), Some(id)),
                "{r}"
            );
            for marker in NEVER.iter().chain([&OTHER_PATIENT]) {
                assert!(!p.body.contains(marker), "{r}: {marker}");
            }
        }
        // Whatever a search did not serve and no answer refers to is not known by id.
        let items = record
            .journal
            .iter()
            .map(|l| format!("Observation/{}", l.id))
            .chain(
                record
                    .results
                    .iter()
                    .map(|x| format!("Observation/{}", x.id)),
            )
            .chain(
                record
                    .episodes
                    .iter()
                    .map(|x| format!("EpisodeOfCare/{}", x.id)),
            )
            .chain(
                record
                    .contacts
                    .iter()
                    .map(|x| format!("Encounter/{}", x.id)),
            )
            .chain(
                record
                    .medication
                    .iter()
                    .map(|x| format!("MedicationRequest/{}", x.id)),
            )
            .chain(
                record
                    .allergies
                    .iter()
                    .map(|x| format!("AllergyIntolerance/{}", x.id)),
            );
        let mut hidden = 0;
        for item in items {
            let p = fetch(&mut c, &format!("/fhir/{item}"), token).await;
            if served.contains(&item) || referred.contains(&item) {
                assert_eq!(p.status, StatusCode::OK, "{item}");
            } else {
                assert_eq!(p.status, StatusCode::NOT_FOUND, "{item}: {}", p.body);
                hidden += 1;
            }
        }
        assert!(
            hidden > 0,
            "{token}: the record holds items a PGO may not see"
        );
    }
    // Another patient's items, with a valid token for the adult.
    let other = app
        .store
        .load_record(&PatientId::new("other").unwrap())
        .await
        .unwrap()
        .unwrap();
    for path in [
        format!("/fhir/Patient/{}", other.patient.id),
        format!("/fhir/EpisodeOfCare/{}", other.episodes[0].id),
        format!("/fhir/Observation/{}", other.results[0].id),
    ] {
        let p = fetch(&mut c, &path, "token-refs").await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!p.body.contains(OTHER_PATIENT));
    }
    // A type we do not serve.
    let p = fetch(&mut c, "/fhir/Procedure/x", "token-refs").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    // A read is one audit entry, as a search is.
    let before = app.audit_count().await;
    fetch(
        &mut c,
        &format!("/fhir/Patient/{}", adult.patient.id),
        "token-refs",
    )
    .await;
    assert_eq!(app.audit_count().await, before + 1);
}

/// The path and query of an absolute link.
fn path_of(link: &str) -> String {
    link[link.find("/fhir").unwrap()..].to_owned()
}

fn link(bundle: &Value, relation: &str) -> Option<String> {
    bundle["link"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == relation)
        .map(|l| path_of(l["url"].as_str().unwrap()))
}

/// Hardening finding 8 (issue 22): `_count` pages every search, with `next` and `previous`
/// links that carry the search; following `next` gives each match once, in the order of the
/// unpaged answer; an include comes with the page of the match that needs it.
async fn hardening_8_paging_with_count_and_next_links(app: &TestApp) {
    let mut r = nictiz_record(app);
    set_pgo_consent(app, &mut r, true).await;
    give_token(app, r.patient.id.as_str(), TOKEN).await;
    let mut c = app.client();
    for (path, size) in [
        (queries(app)[4].clone(), 5),
        (queries(app)[6].clone(), 4),
        (queries(app)[2].clone(), 1),
        ("/fhir/EpisodeOfCare".to_owned(), 7),
    ] {
        let whole: Value = serde_json::from_str(&fetch(&mut c, &path, TOKEN).await.body).unwrap();
        let matches = |b: &Value| -> Vec<String> {
            b["entry"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| e["search"]["mode"] == "match")
                .map(|e| e["fullUrl"].as_str().unwrap().to_owned())
                .collect()
        };
        let want = matches(&whole);
        assert!(!want.is_empty(), "{path}");
        let mut next = Some(format!("{path}&_count={size}").replacen(
            "&",
            "?",
            usize::from(!path.contains('?')),
        ));
        let mut got = vec![];
        let mut pages = 0;
        let mut previous_page: Option<Value> = None;
        while let Some(p) = next.take() {
            let page = fetch(&mut c, &p, TOKEN).await;
            assert_eq!(page.status, StatusCode::OK, "{p}: {}", page.body);
            let b: Value = serde_json::from_str(&page.body).unwrap();
            assert_eq!(b["total"].as_u64().unwrap() as usize, want.len(), "{p}");
            let here = matches(&b);
            assert!(here.len() <= size && !here.is_empty(), "{p}");
            // Includes of this page's matches only.
            if path.contains("MedicationRequest:medication") {
                assert_eq!(counts(&b).get("Medication"), Some(&1), "{p}");
            }
            // `previous` goes back to the page before.
            if let Some(before) = &previous_page {
                let back = fetch(&mut c, &link(&b, "previous").unwrap(), TOKEN).await;
                assert_eq!(
                    matches(&serde_json::from_str(&back.body).unwrap()),
                    matches(before)
                );
            } else {
                assert!(link(&b, "previous").is_none());
            }
            got.extend(here);
            next = link(&b, "next");
            // The links keep the search's own parameters.
            if let Some((_, q)) = path.split_once('?') {
                for part in q
                    .split('&')
                    .filter(|x| x.starts_with("date") || x.starts_with("periodofuse"))
                {
                    assert!(
                        next.as_deref().is_none_or(|n| n.contains(part)),
                        "{next:?} lacks {part}"
                    );
                }
            }
            previous_page = Some(b);
            pages += 1;
            assert!(pages <= want.len(), "{path}: paging does not end");
        }
        assert_eq!(got, want, "{path}");
        assert_eq!(pages, want.len().div_ceil(size), "{path}");
    }
    // `_count=0` counts without entries; a bad number is a clear 400.
    let zero = fetch(&mut c, "/fhir/Encounter?_count=0", TOKEN).await;
    let b: Value = serde_json::from_str(&zero.body).unwrap();
    assert_eq!((b["total"].as_u64(), b.get("entry")), (Some(18), None));
    for bad in ["_count=-1", "_count=abc", "_offset=x"] {
        let p = fetch(&mut c, &format!("/fhir/Observation?{bad}"), TOKEN).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(p.body.contains("OperationOutcome"));
    }
    // Past the end: an empty page that still counts the matches.
    let past: Value = serde_json::from_str(
        &fetch(&mut c, "/fhir/Encounter?_count=5&_offset=100", TOKEN)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(
        (past["total"].as_u64(), past.get("entry")),
        (Some(18), None)
    );
    assert!(link(&past, "next").is_none() && link(&past, "previous").is_some());
}

/// Hardening finding 8 (issue 22), checked by a FHIR client we did not write: fhir-kit-client
/// (npm, `tools/fhir-client/pgo.mjs`) pages through every search the CapabilityStatement names
/// by following `next` links, and resolves every reference it finds, over loopback. Needs Node
/// and `npm ci --prefix tools/fhir-client`; skipped with a message without them unless
/// `INZAGE_REQUIRE_NODE_TOOLS=1` (as `.ci/run` sets it).
async fn hardening_8_an_independent_fhir_client_pages_and_resolves(app: &TestApp) {
    let tools =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/fhir-client");
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok();
    if !node || !tools.join("node_modules/fhir-kit-client").is_dir() {
        assert!(
            std::env::var("INZAGE_REQUIRE_NODE_TOOLS").is_err(),
            "fhir-kit-client is required but not installed (npm ci --prefix tools/fhir-client)"
        );
        eprintln!("SKIPPED: node or tools/fhir-client/node_modules missing");
        return;
    }
    let mut r = nictiz_record(app);
    set_pgo_consent(app, &mut r, true).await;
    give_token(app, r.patient.id.as_str(), TOKEN).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = app.app.clone();
    let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let run = |token: &'static str| {
        let tools = tools.clone();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new("node")
                .arg(tools.join("pgo.mjs"))
                .arg(format!("http://127.0.0.1:{port}/fhir"))
                .arg(token)
                .output()
                .unwrap()
        })
    };
    let out = run(TOKEN).await.unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "no report: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(out.status.success(), "{report:#}");
    assert_eq!(report["failures"], serde_json::json!([]));
    assert_eq!(report["types"].as_array().unwrap().len(), 13, "{report}");
    // 18 encounters in pages of 3 alone are 6 pages; every reference was read.
    assert!(report["pages"].as_u64().unwrap() > 30, "{report}");
    assert!(report["resolved"].as_u64().unwrap() > 40, "{report}");
    // The same client with a wrong token gets nothing.
    let out = run("not-a-token").await.unwrap();
    assert!(!out.status.success());
    server.abort();
}

/// A batch of measurements as a PGO sends it (data service 52).
fn measurements_batch(systolic: &str) -> String {
    serde_json::json!({
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {
                "fullUrl": "urn:uuid:8b1c5d2e-0000-4000-8000-000000000001",
                "request": { "method": "POST", "url": "Observation" },
                "resource": {
                    "resourceType": "Observation",
                    "meta": { "profile": ["http://nictiz.nl/fhir/StructureDefinition/zib-BloodPressure"] },
                    "status": "final",
                    "category": [{ "coding": [{ "system": "http://hl7.org/fhir/observation-category", "code": "vital-signs", "display": "Vital Signs" }] }],
                    "code": { "coding": [{ "system": "http://loinc.org", "code": "85354-9", "display": "Blood pressure" }] },
                    "effectiveDateTime": "2026-11-20T07:30:00+01:00",
                    "comment": "MARKER-COMMENT na het opstaan",
                    "component": [
                        { "code": { "coding": [{ "system": "http://loinc.org", "code": "8480-6" }] },
                          "valueQuantity": { "value": systolic.parse::<u32>().unwrap_or(0), "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]" } },
                        { "code": { "coding": [{ "system": "http://loinc.org", "code": "8462-4" }] },
                          "valueQuantity": { "value": 92, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]" } }
                    ]
                }
            },
            {
                "fullUrl": "urn:uuid:8b1c5d2e-0000-4000-8000-000000000002",
                "request": { "method": "POST", "url": "Observation" },
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": { "coding": [{ "system": "http://loinc.org", "code": "29463-7" }] },
                    "effectiveDateTime": "2026-11-21",
                    "valueQuantity": { "value": 72.5, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg" }
                }
            }
        ]
    })
    .to_string()
}

/// R127: measurements a PGO sends arrive in the GP's queue as the patient's, all or none; a GP
/// or practice nurse takes them into account or not, an assistant cannot; they never appear
/// among the practice's results (data service 49), and the PGO retrieves them back from data
/// service 52 whatever the GP decided. Another patient's token finds none of them.
async fn r127_measurements_from_a_pgo_wait_for_the_gp_and_stay_the_patients(app: &TestApp) {
    use inzage_store::SelfMeasurementStore;
    let adult = adult_with_token(app, "token-sm").await;
    let mut c = app.client();
    let headers = [
        ("authorization", "Bearer token-sm"),
        ("content-type", "application/fhir+json"),
        ("accept", "application/fhir+json"),
    ];
    let base = inzage_medmij::measurements::BASE_PATH;
    // Refused whole: one bad entry stores nothing, and says which entry.
    let half = measurements_batch("133").replace("8462-4", "8478-0");
    let p = c.post_with(base, &headers, &half).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "{}", p.body);
    assert!(
        p.body.contains("entry 1") && p.body.contains("diastolic"),
        "{}",
        p.body
    );
    let lab = measurements_batch("133").replace("29463-7", "2345-7");
    let p = c.post_with(base, &headers, &lab).await;
    assert!(p.body.contains("entry 2"), "{}", p.body);
    let p = c
        .post_with(base, &headers[1..], &measurements_batch("133"))
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(
        app.store
            .self_measurements(&adult.patient.id)
            .await
            .unwrap()
            .is_empty()
    );

    let before = app.audit_count().await;
    let p = c
        .post_with(base, &headers, &measurements_batch("133"))
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(app.audit_count().await, before + 1, "one audit entry");
    let answer: Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(answer["type"], "batch-response");
    assert_eq!(answer["entry"][0]["response"]["status"], "201 Created");
    assert!(
        p.body.find("MARKER-COMMENT").is_none(),
        "no representation asked"
    );

    // The practice's own results do not have them; data service 49 does not answer them.
    let results = fetch(&mut c, "/fhir/Observation", "token-sm").await;
    assert!(
        !results.body.contains("85354-9") && !results.body.contains("29463-7"),
        "{}",
        results.body
    );

    // The queue: a GP and a practice nurse see it, an assistant does not.
    let staff = seed_staff(app).await;
    let mut desk = as_staff(app, &staff, "assistent").await;
    assert_eq!(
        desk.get("/praktijk/zelfmetingen").await.status,
        StatusCode::FORBIDDEN
    );
    let mut gp = as_staff(app, &staff, "gp").await;
    let before = app.audit_count().await;
    let queue = gp.get("/praktijk/zelfmetingen").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert_eq!(
        app.audit_count().await,
        before + 1,
        "one read per patient, not per measurement"
    );
    assert!(queue.body.contains("133/92 mm Hg"), "{}", queue.body);
    assert!(queue.body.contains("72,5 kg"));
    assert!(queue.body.contains("MARKER-COMMENT"));
    assert!(queue.body.contains("pgo.example"), "the app that sent it");
    let held = app
        .store
        .self_measurements(&adult.patient.id)
        .await
        .unwrap();
    let bp = held
        .iter()
        .find(|m| m.summary().starts_with("133"))
        .unwrap();
    let csrf = gp.csrf("/praktijk/zelfmetingen").await;
    // Only through the patient it belongs to.
    let wrong = gp
        .post(
            &format!("/praktijk/patienten/child/zelfmetingen/{}", bp.id),
            &[("csrf", csrf.as_str()), ("actie", "overnemen")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let done = gp
        .post(
            &format!("/praktijk/patienten/adult/zelfmetingen/{}", bp.id),
            &[("csrf", csrf.as_str()), ("actie", "overnemen")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let queue = gp.get("/praktijk/zelfmetingen").await;
    assert!(!queue.body.contains("133/92") && queue.body.contains("72,5 kg"));
    let reviewed = app
        .store
        .self_measurements(&adult.patient.id)
        .await
        .unwrap();
    assert!(matches!(
        reviewed.iter().find(|m| m.id == bp.id).unwrap().review,
        inzage_domain::selfmeasure::Review::Accepted { .. }
    ));

    // Retrieved back from data service 52, both, accepted or not.
    let all = fetch(
        &mut c,
        &format!("{base}/Observation?category=vital-signs"),
        "token-sm",
    )
    .await;
    let bundle: Value = serde_json::from_str(&all.body).unwrap();
    assert_eq!(bundle["total"], 2, "{}", all.body);
    let latest = fetch(
        &mut c,
        &format!("{base}/Observation/$lastn?code=http://loinc.org|85354-9"),
        "token-sm",
    )
    .await;
    assert!(latest.body.contains("\"value\":133"), "{}", latest.body);
    let one = fetch(&mut c, &format!("{base}/Observation/{}", bp.id), "token-sm").await;
    assert_eq!(one.status, StatusCode::OK);
    // Another patient's token: none of it.
    let mut elder = app
        .store
        .load_record(&PatientId::new("elder").unwrap())
        .await
        .unwrap()
        .unwrap();
    set_pgo_consent(app, &mut elder, true).await;
    give_token(app, "elder", "token-other").await;
    let other = fetch(&mut c, &format!("{base}/Observation"), "token-other").await;
    let other_bundle: Value = serde_json::from_str(&other.body).unwrap();
    assert_eq!(other_bundle["total"], 0, "{}", other.body);
    let read = fetch(
        &mut c,
        &format!("{base}/Observation/{}", bp.id),
        "token-other",
    )
    .await;
    assert_eq!(read.status, StatusCode::NOT_FOUND);
}

/// Issue 21: a PGO's second request is answered from the access context its first one read,
/// without reading it again. A change another instance makes in between (here the patient's
/// name) is still in the next answer, by search, by search over POST and by read: the kept
/// context is found stale as the answer's audit entry is written, nothing is logged or sent
/// for it, and the answer is made again from a fresh read. Every answer has one entry.
async fn issue21_a_change_between_two_requests_is_in_the_second_answer(app: &TestApp) {
    let adult = adult_with_token(app, "token-kept").await;
    let other = inzage_store::Store::connect(&app.db.url).await.unwrap();
    let mut c = app.client();
    let auth = "Bearer token-kept";
    let rename = async |family: &str| {
        let mut r = other.load_record(&adult.patient.id).await.unwrap().unwrap();
        r.patient.name.family = family.into();
        other.save_record(&r, audit_event(&r, app)).await.unwrap();
    };
    let family = |p: &Page| -> String {
        let v: Value = serde_json::from_str(&p.body).unwrap();
        let patient = v["entry"]
            .as_array()
            .and_then(|e| e.first())
            .map_or(&v, |e| &e["resource"]);
        patient["name"][0]["family"].as_str().unwrap().to_owned()
    };
    for _ in 0..2 {
        let p = fetch(&mut c, "/fhir/Patient", "token-kept").await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    }
    let stale = app.store.stats().access_stale;
    let entries = app.audit_count().await;

    rename("Eerst").await;
    let p = fetch(&mut c, "/fhir/Patient", "token-kept").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(family(&p), "Eerst");

    rename("Daarna").await;
    let p = c
        .post_with(
            "/fhir/Patient/_search",
            &[
                ("authorization", auth),
                ("content-type", "application/x-www-form-urlencoded"),
                ("accept", "application/fhir+json"),
            ],
            "_include=Patient:general-practitioner",
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(family(&p), "Daarna");

    rename("Laatst").await;
    let p = fetch(&mut c, "/fhir/Patient/adult", "token-kept").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(family(&p), "Laatst");

    // Three answers made again, three renames and three answers logged: no entry for an
    // answer that was not sent.
    assert_eq!(app.store.stats().access_stale, stale + 3);
    assert_eq!(app.audit_count().await, entries + 6);
    // Unchanged, the next answers come from the kept context.
    let p = fetch(&mut c, "/fhir/Patient", "token-kept").await;
    assert_eq!(family(&p), "Laatst");
    assert_eq!(app.store.stats().access_stale, stale + 3);

    // A refusal is never sent from a kept context: consent to a PGO withdrawn and given again
    // through the other instance, and the next request after each has its answer of now.
    let consent = async |pgo: bool| {
        let mut r = other.load_record(&adult.patient.id).await.unwrap().unwrap();
        r.patient.online_consent.as_mut().unwrap().pgo = pgo;
        other.save_record(&r, audit_event(&r, app)).await.unwrap();
    };
    consent(false).await;
    for _ in 0..2 {
        let p = fetch(&mut c, "/fhir/Patient", "token-kept").await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
    }
    consent(true).await;
    let p = fetch(&mut c, "/fhir/Patient/adult", "token-kept").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let p = fetch(&mut c, "/fhir/Patient", "token-kept").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    // Revoked through the other instance: refused at the next request.
    other
        .revoke_access_tokens(&adult.patient.id, "pgo.example", app.clock.now())
        .await
        .unwrap();
    let p = fetch(&mut c, "/fhir/Patient", "token-kept").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED, "{}", p.body);
}

both_backends!(
    issue21_a_change_between_two_requests_is_in_the_second_answer,
    r127_measurements_from_a_pgo_wait_for_the_gp_and_stay_the_patients,
    hardening_8_an_independent_fhir_client_pages_and_resolves,
    hardening_8_every_reference_in_an_answer_resolves,
    hardening_8_paging_with_count_and_next_links,
    the_seven_searches_give_the_qualification_counts,
    nothing_without_a_valid_token_and_pgo_consent,
    no_search_ever_releases_hidden_data,
    the_capability_statement_says_exactly_what_is_supported,
    letters_as_documents_and_their_pdf,
    json_or_xml_as_the_client_asks,
    a_pgo_sends_documents_to_the_practice,
    hardening_7_search_by_post_answers_as_the_get,
    hardening_1_deep_or_wide_bundles_are_refused_and_the_server_answers_on,
    hardening_2_the_token_is_checked_before_the_body_is_read_and_the_body_is_capped,
    r88_every_request_is_a_chain_log_event_kept_24_to_36_months,
);
