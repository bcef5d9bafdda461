//! Hardening finding 10 (issue 22): generated input against the MedMij list parsers and every
//! form decoder, through the whole application as a client would send it. Nothing may panic or
//! answer 5xx: bad input is a clear 4xx (or a redirect to a login). Bounded case counts keep the
//! suite fast (`PROPTEST_CASES` raises them); failing inputs are kept by proptest in
//! `tests/fuzz.proptest-regressions` and tried first from then on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use axum::body::Body;
use axum::http::Request;
use inzage_medmij::authorize::{parse_client_list, parse_provider_entry};
use inzage_medmij::lists::{parse_provider_list, parse_service_names, parse_whitelist};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use support::*;
use tower::ServiceExt;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn hardening_10_the_medmij_list_parsers_take_any_text(text in "\\PC{0,300}") {
        let _ = parse_client_list(&text);
        let _ = parse_provider_entry(&text, None);
        let _ = parse_provider_entry(&text, Some("x@medmij"));
        let _ = parse_provider_list(&text);
        let _ = parse_service_names(&text);
        let _ = parse_whitelist(&text);
    }

    #[test]
    fn hardening_10_the_medmij_list_parsers_take_element_soup(
        parts in prop::collection::vec(prop::sample::select(vec![
            "<OAuthclientlist>", "</OAuthclientlist>", "<OAuthclient>", "</OAuthclient>",
            "<Hostname>", "</Hostname>", "<OAuthclientOrganisatienaam>",
            "</OAuthclientOrganisatienaam>", "<Zorgaanbieder>", "</Zorgaanbieder>",
            "<Zorgaanbiedernaam>", "</Zorgaanbiedernaam>", "<Gegevensdienst>",
            "</Gegevensdienst>", "<GegevensdienstId>", "</GegevensdienstId>", "<Systeemrol>",
            "</Systeemrol>", "<Systeemrolcode>", "</Systeemrolcode>", "49", "x.example",
            "&amp;", "&bogus;", "<![CDATA[", "]]>", "<!--", "-->",
            "<Zorgaanbiederslijst xmlns=\"xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release2/\">",
            "</Zorgaanbiederslijst>", "<Zorgaanbieders>", "</Zorgaanbieders>",
            "<Whitelist xmlns=\"xmlns://afsprakenstelsel.medmij.nl/whitelist/release2/\">",
            "</Whitelist>", "<MedMijNodes>", "</MedMijNodes>", "<MedMijNode>", "</MedMijNode>",
            "<Tijdstempel>2026-11-01T12:00:00Z</Tijdstempel>", "<Volgnummer>1</Volgnummer>",
        ]), 0..60)
    ) {
        let xml = parts.concat();
        let _ = parse_client_list(&xml);
        let _ = parse_provider_entry(&xml, None);
        let _ = parse_provider_list(&xml);
        let _ = parse_service_names(&xml);
        let _ = parse_whitelist(&xml);
    }
}

/// Every route that decodes a form or a body, with the content type it expects.
const FORM_ROUTES: &[(&str, &str)] = &[
    ("/inloggen", "application/x-www-form-urlencoded"),
    ("/inloggen/code", "application/x-www-form-urlencoded"),
    ("/activeren", "application/x-www-form-urlencoded"),
    ("/taal", "application/x-www-form-urlencoded"),
    ("/kiezen", "application/x-www-form-urlencoded"),
    ("/meldingen", "application/x-www-form-urlencoded"),
    ("/berichten", "multipart/form-data; boundary=b"),
    ("/praktijk/inloggen", "application/x-www-form-urlencoded"),
    (
        "/praktijk/inloggen/code",
        "application/x-www-form-urlencoded",
    ),
    ("/praktijk/activeren", "application/x-www-form-urlencoded"),
    ("/praktijk/medewerkers", "application/x-www-form-urlencoded"),
    (
        "/praktijk/patienten/adult/nieuw/consult",
        "multipart/form-data; boundary=b",
    ),
    ("/medmij/token", "application/x-www-form-urlencoded"),
    ("/uitwisseling/token", "application/x-www-form-urlencoded"),
    ("/medmij/toestemming", "application/x-www-form-urlencoded"),
    ("/fhir", "application/fhir+json"),
    (
        "/fhir/Observation/_search",
        "application/x-www-form-urlencoded",
    ),
];

#[test]
fn hardening_10_every_form_decoder_answers_bad_input_without_failing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(async {
        let app = TestApp::new(inzage_store::testing::TestDb::sqlite().await, test_config()).await;
        give_token(&app, "adult", "token-fuzz").await;
        app
    });
    let body = prop_oneof![
        "[a-z0-9=&%+._-]{0,200}",
        "(csrf|username|password|code|lang|back|record|grant_type|client_id|redirect_uri|actie|tekst)=[^&]{0,40}(&[a-z_]{1,10}=[^&]{0,40}){0,6}",
        "--b\r\nContent-Disposition: form-data; name=\"[a-z]{1,8}\"(; filename=\"[a-z.]{0,8}\")?\r\n\r\n[^-]{0,60}\r\n(--b--\r\n)?",
        "\\{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":\\[[^\\]]{0,80}\\]\\}",
        "\\PC{0,120}",
    ];
    let mut runner = TestRunner::new(Config {
        cases: 96,
        ..Config::default()
    });
    runner
        .run(
            &(prop::sample::select(FORM_ROUTES), body),
            |((path, content_type), body)| {
                let status = rt.block_on(async {
                    let req = Request::post(path)
                        .header("content-type", content_type)
                        .header("authorization", "Bearer token-fuzz")
                        .body(Body::from(body.clone()))
                        .unwrap();
                    app.app.clone().oneshot(req).await.unwrap().status()
                });
                prop_assert!(
                    !status.is_server_error(),
                    "{path} answered {status} to {body:?}"
                );
                Ok(())
            },
        )
        .unwrap();
}
