//! The MedMij authorization server on both backends (R74-R84): the whole flow from the PGO's
//! request through login and consent to data, refresh and revocation; and every way it must
//! refuse: wrong client, wrong redirect, wrong scope, no record for the BSN, no PGO consent,
//! cancelled consent, a reused code, a token request without redirect_uri, an expired token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use axum::body::Body;
use axum::http::Request;
use axum::http::StatusCode;
use chrono::Duration;
use http_body_util::BodyExt;
use inzage_domain::*;
use inzage_medmij::authorize::{MedmijConfig, OAuthClient};
use inzage_store::{MedmijStore, RecordStore};
use serde_json::Value;
use support::*;
use tower::ServiceExt;

const PROVIDER: &str = "huisartsenpraktijk-test@medmij";
const CLIENT: &str = "pgo.example";
const REDIRECT: &str = "https://pgo.example/medmij/terug";

fn config() -> inzage_web::WebConfig {
    inzage_web::WebConfig {
        medmij: Some(MedmijConfig {
            provider_name: PROVIDER.into(),
            clients: vec![OAuthClient {
                hostname: CLIENT.into(),
                organisation: "Voorbeeld PGO".into(),
            }],
            services: vec![],
        }),
        ..test_config()
    }
}

fn authorize_url(client: &str, redirect: &str, scope: &str, response_type: &str) -> String {
    let q = serde_urlencoded::to_string([
        ("response_type", response_type),
        ("client_id", client),
        ("redirect_uri", redirect),
        ("scope", scope),
        ("state", "staat-123"),
        ("MedMij-Request-ID", "57510be1-73e6-4a75-9db8-ee005cced48f"),
        ("iets-onbekends", "wordt-genegeerd"),
    ])
    .unwrap();
    format!("/medmij/autoriseren?{q}")
}

fn query_of(location: &str) -> Vec<(String, String)> {
    let (_, q) = location.split_once('?').unwrap();
    serde_urlencoded::from_str(q).unwrap()
}

fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

async fn set_pgo(app: &TestApp, patient: &str, pgo: bool) {
    let mut r = app
        .store
        .load_record(&PatientId::new(patient).unwrap())
        .await
        .unwrap()
        .unwrap();
    r.patient.online_consent.as_mut().unwrap().pgo = pgo;
    app.store
        .save_record(&r, audit_event(&r, app))
        .await
        .unwrap();
}

/// The PGO's request, the login, and the consent page: returns the page.
async fn to_consent(c: &mut Client<'_>, user: &str) -> Page {
    let p = c
        .get(&authorize_url(CLIENT, REDIRECT, PROVIDER, "code"))
        .await;
    assert_eq!(
        p.location.as_deref(),
        Some("/medmij/toestemming"),
        "{}",
        p.body
    );
    let first = c.get("/medmij/toestemming").await;
    if first.location.as_deref() != Some("/inloggen") {
        // Already logged in: straight to the consent page.
        return first;
    }
    c.login(user).await;
    // After the login the person goes on to the consent page.
    assert_eq!(
        c.get("/kiezen").await.location.as_deref(),
        Some("/medmij/toestemming")
    );
    let page = c.get("/medmij/toestemming").await;
    if page.status == StatusCode::OK {
        // The answer is a redirect to the PGO, another origin: a browser follows it from a form
        // post only when the page's form-action allows that origin (and nothing else).
        let origin = url::Url::parse(REDIRECT)
            .unwrap()
            .origin()
            .ascii_serialization();
        assert!(
            page.csp.contains(&format!("form-action 'self' {origin};")),
            "{}",
            page.csp
        );
    }
    page
}

async fn answer(c: &mut Client<'_>, page: &Page, antwoord: &str, maanden: &str) -> Page {
    let csrf = csrf_in(&page.body);
    c.post(
        "/medmij/toestemming",
        &[
            ("csrf", &csrf),
            ("antwoord", antwoord),
            ("maanden", maanden),
        ],
    )
    .await
}

async fn token(c: &mut Client<'_>, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let p = c.post("/medmij/token", form).await;
    (
        p.status,
        serde_json::from_str(&p.body).unwrap_or(Value::Null),
    )
}

async fn fhir(c: &mut Client<'_>, token: &str) -> StatusCode {
    let auth = format!("Bearer {token}");
    c.get_with("/fhir/Patient", &[("authorization", &auth)])
        .await
        .status
}

async fn the_whole_flow_from_consent_to_data_refresh_and_revocation(app: &TestApp) {
    set_pgo(app, "adult", true).await;
    let mut c = app.client();
    let page = to_consent(&mut c, "anna").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Voorbeeld PGO"), "{}", page.body);
    assert!(page.body.contains("Ja, ik geef toestemming"));
    let p = answer(&mut c, &page, "ja", "3").await;
    let location = p.location.unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    let q = query_of(&location);
    assert_eq!(param(&q, "state"), Some("staat-123"));
    let code = param(&q, "code").unwrap().to_owned();

    let mut pgo = app.client();
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", CLIENT),
        ("redirect_uri", REDIRECT),
    ];
    let (status, body) = token(&mut pgo, &grant).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["scope"], PROVIDER);
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    // R88: the authorization request and the token request are chain-log events.
    let events = app
        .store
        .chain_log(app.clock.now() - Duration::hours(1))
        .await
        .unwrap();
    let kinds: Vec<(inzage_store::ChainEventKind, u16, &str)> = events
        .iter()
        .map(|e| (e.kind, e.status, e.client_id.as_str()))
        .collect();
    use inzage_store::ChainEventKind::*;
    assert_eq!(
        kinds,
        [
            (AuthorizationRequest, 303, CLIENT),
            (TokenRequest, 200, CLIENT)
        ]
    );
    assert_eq!(events[0].request_id, "57510be1-73e6-4a75-9db8-ee005cced48f");
    // The token opens the patient's data, for 15 minutes (R83).
    assert_eq!(fhir(&mut pgo, &access).await, StatusCode::OK);
    app.clock.advance(Duration::minutes(16));
    assert_eq!(fhir(&mut pgo, &access).await, StatusCode::UNAUTHORIZED);
    // Long-term consent: the refresh token gives a new access token (R84).
    let (status, body) = token(
        &mut pgo,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", CLIENT),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let access2 = body["access_token"].as_str().unwrap().to_owned();
    // Refresh tokens rotate: the answer carries the next one.
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(fhir(&mut pgo, &access2).await, StatusCode::OK);
    // Only for the PGO it was given to.
    let (status, _) = token(
        &mut pgo,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", "other.example"),
        ],
    )
    .await;
    assert_ne!(status, StatusCode::OK);

    // The patient (logged in again: the portal session timed out meanwhile) sees the app and
    // revokes it: at once, refresh and access tokens alike.
    assert_eq!(
        c.get("/apps-met-toegang").await.location.as_deref(),
        Some("/inloggen")
    );
    c.login("anna").await;
    let apps = c.get("/apps-met-toegang").await;
    assert!(apps.body.contains("Voorbeeld PGO"), "{}", apps.body);
    let csrf = csrf_in(&apps.body);
    let p = c
        .post("/apps-met-toegang", &[("csrf", &csrf), ("app", CLIENT)])
        .await;
    assert_eq!(
        p.location.as_deref(),
        Some("/apps-met-toegang?ingetrokken=true")
    );
    assert_eq!(fhir(&mut pgo, &access2).await, StatusCode::UNAUTHORIZED);
    let (status, body) = token(
        &mut pgo,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", CLIENT),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        c.get("/apps-met-toegang")
            .await
            .body
            .contains("Er zijn geen apps")
    );
    // The consent and every token issued are in the patient's access log.
    let log = app
        .store
        .audit_for_patient(&PatientId::new("adult").unwrap())
        .await
        .unwrap();
    assert!(log.iter().any(|e| {
        e.event
            .detail
            .starts_with("medmij: consent given to pgo.example (3 months)")
    }));
    assert_eq!(
        log.iter()
            .filter(|e| e.event.detail.starts_with("medmij: access token issued"))
            .count(),
        2
    );
}

/// Hardening finding 7 (issue 22): with "Alleen nu" the answer had no refresh token and MGO's
/// proxy failed the whole connection. A one-time consent now gets a refresh token that lives
/// only the 15 minutes of that fetch: no long-term access, and not listed as a standing consent.
async fn hardening_7_a_one_time_consent_gives_a_refresh_token_for_its_fifteen_minutes_only(
    app: &TestApp,
) {
    set_pgo(app, "adult", true).await;
    let mut c = app.client();
    let page = to_consent(&mut c, "anna").await;
    // Long-term consent is never pre-selected: only "Alleen nu" is.
    assert_eq!(page.body.matches("checked").count(), 1);
    assert!(page.body.contains(r#"value="0" checked"#), "{}", page.body);
    let p = answer(&mut c, &page, "ja", "0").await;
    let q = query_of(&p.location.unwrap());
    let code = param(&q, "code").unwrap().to_owned();
    let mut pgo = app.client();
    let (status, body) = token(
        &mut pgo,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["expires_in"], 900);
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    // Within the window a refresh works (MGO's proxy refreshes), never past it.
    app.clock.advance(Duration::minutes(10));
    let (status, body) = token(
        &mut pgo,
        &[
            ("grant_type", "refresh_code"),
            ("refresh_token", &refresh),
            ("client_id", CLIENT),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let expires_in = body["expires_in"].as_i64().unwrap();
    assert!(
        (295..=300).contains(&expires_in),
        "the access ends with the window: {expires_in}"
    );
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(fhir(&mut pgo, &access).await, StatusCode::OK);
    // Not a standing consent: "Apps met toegang" does not list it.
    let apps = c.get("/apps-met-toegang").await;
    assert!(apps.body.contains("Er zijn geen apps"), "{}", apps.body);
    app.clock.advance(Duration::minutes(6));
    assert_eq!(fhir(&mut pgo, &access).await, StatusCode::UNAUTHORIZED);
    let (status, body) = token(
        &mut pgo,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", CLIENT),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    // A code given for one redirect_uri does not work with another.
    let mut c = app.client();
    let page = to_consent(&mut c, "anna").await;
    let p = answer(&mut c, &page, "ja", "0").await;
    let code = param(&query_of(&p.location.unwrap()), "code")
        .unwrap()
        .to_owned();
    let (status, body) = token(
        &mut c,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", CLIENT),
            ("redirect_uri", "https://pgo.example/anders"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    // An expired code does not work either.
    let page = to_consent(&mut c, "anna").await;
    let p = answer(&mut c, &page, "ja", "0").await;
    let code = param(&query_of(&p.location.unwrap()), "code")
        .unwrap()
        .to_owned();
    app.clock.advance(Duration::minutes(6));
    let (status, _) = token(
        &mut c,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn wrong_client_redirect_scope_or_response_type_is_refused(app: &TestApp) {
    let mut c = app.client();
    // An unknown client or a redirect to another host: shown here, never redirected (R74).
    let p = c
        .get(&authorize_url(
            "evil.example",
            "https://evil.example/x",
            PROVIDER,
            "code",
        ))
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.location.is_none());
    assert!(p.body.contains("niet op de lijst"));
    let p = c
        .get(&authorize_url(
            CLIENT,
            "https://evil.example/x",
            PROVIDER,
            "code",
        ))
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.location.is_none());
    let p = c
        .get(&authorize_url(
            CLIENT,
            "https://pgo.example.evil.example/x",
            PROVIDER,
            "code",
        ))
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    // A known client gets the error back (R74, R75).
    let p = c
        .get(&authorize_url(
            CLIENT,
            REDIRECT,
            "andere-praktijk@medmij",
            "code",
        ))
        .await;
    assert_eq!(
        param(&query_of(&p.location.unwrap()), "error"),
        Some("invalid_scope")
    );
    let p = c
        .get(&authorize_url(CLIENT, REDIRECT, PROVIDER, "token"))
        .await;
    assert_eq!(
        param(&query_of(&p.location.unwrap()), "error"),
        Some("unsupported_response_type")
    );
    // The token endpoint knows only listed clients and codes.
    let (status, body) = token(
        &mut c,
        &[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("client_id", "evil.example"),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    let (status, body) = token(&mut c, &[("grant_type", "password"), ("client_id", CLIENT)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");
}

async fn no_record_or_no_pgo_consent_or_cancel_gives_no_code(app: &TestApp) {
    // Anna's practice recorded consent for the portal only: the flow ends, no code (R53, R78).
    set_pgo(app, "adult", false).await;
    let mut c = app.client();
    let page = to_consent(&mut c, "anna").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("kunnen uw gegevens niet delen"));
    assert!(!page.body.contains("Ja, ik geef toestemming"));
    // A person without a record at this practice: the same.
    inzage_login::auth::create_account(
        &app.store,
        "zonder-dossier",
        PASSWORD,
        Bsn::parse("200000093").unwrap(),
        "Zonder Dossier",
        Some(secret_of("zonder-dossier")),
        app.clock.now(),
    )
    .await
    .unwrap();
    let mut nobody = app.client();
    let p = nobody
        .get(&authorize_url(CLIENT, REDIRECT, PROVIDER, "code"))
        .await;
    assert_eq!(p.location.as_deref(), Some("/medmij/toestemming"));
    nobody.login("zonder-dossier").await;
    let p = nobody.get("/medmij/toestemming").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // Cancelling returns access_denied to the PGO, without a code (R79).
    set_pgo(app, "adult", true).await;
    let mut c = app.client();
    let page = to_consent(&mut c, "anna").await;
    let p = answer(&mut c, &page, "nee", "0").await;
    let q = query_of(&p.location.unwrap());
    assert_eq!(param(&q, "error"), Some("access_denied"));
    assert_eq!(param(&q, "state"), Some("staat-123"));
    assert!(param(&q, "code").is_none());
}

/// A token request as a PGO's server sends it, with the answer's headers.
async fn token_page(c: &mut Client<'_>, form: &[(&str, &str)]) -> Page {
    let body = serde_urlencoded::to_string(form).unwrap();
    c.post_with(
        "/medmij/token",
        &[("content-type", "application/x-www-form-urlencoded")],
        &body,
    )
    .await
}

/// A code for Anna's long-term consent of `months` (0: this once).
async fn fresh_code(app: &TestApp, months: &str) -> String {
    let mut c = app.client();
    let page = to_consent(&mut c, "anna").await;
    let p = answer(&mut c, &page, "ja", months).await;
    param(&query_of(&p.location.unwrap()), "code")
        .unwrap()
        .to_owned()
}

fn exchange(code: &str) -> [(&str, &str); 4] {
    [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", CLIENT),
        ("redirect_uri", REDIRECT),
    ]
}

fn refresh_form(refresh: &str) -> [(&str, &str); 3] {
    [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh),
        ("client_id", CLIENT),
    ]
}

fn json_of(p: &Page) -> Value {
    serde_json::from_str(&p.body).unwrap_or(Value::Null)
}

/// Hardening finding 7 (issue 22): the MedMij token interface as MGO uses it. A presented code
/// is spent even when the request fails; a replayed code revokes what it gave; refresh tokens
/// rotate and a replayed one revokes the grant; `refresh_code` is read as `refresh_token`;
/// `Pragma: no-cache`; `invalid_client` with `WWW-Authenticate`; `Bearer` in any case.
async fn hardening_7_the_token_interface_spends_codes_rotates_and_revokes_on_replay(app: &TestApp) {
    set_pgo(app, "adult", true).await;
    let mut pgo = app.client();
    // A code presented without redirect_uri is spent all the same (core.tknint.203/.204).
    let code = fresh_code(app, "3").await;
    let p = token_page(
        &mut pgo,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", CLIENT),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert_eq!(json_of(&p)["error"], "invalid_request");
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = token_page(&mut pgo, &exchange(&code)).await;
    assert_eq!(json_of(&p)["error"], "invalid_grant", "{}", p.body);

    // A good exchange, answered uncached.
    let code = fresh_code(app, "3").await;
    let req = Request::post("/medmij/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(
            serde_urlencoded::to_string(exchange(&code)).unwrap(),
        ))
        .unwrap();
    let res = app.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["pragma"], "no-cache");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh1 = body["refresh_token"].as_str().unwrap().to_owned();
    // The scheme is case-insensitive (RFC 7235).
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let auth = format!("{scheme} {access}");
        let p = pgo
            .get_with("/fhir/Patient", &[("authorization", &auth)])
            .await;
        assert_eq!(p.status, StatusCode::OK, "{scheme}");
    }
    // The code presented again: refused, and the token it gave is revoked.
    let p = token_page(&mut pgo, &exchange(&code)).await;
    assert_eq!(json_of(&p)["error"], "invalid_grant");
    assert_eq!(fhir(&mut pgo, &access).await, StatusCode::UNAUTHORIZED);
    let p = token_page(&mut pgo, &refresh_form(&refresh1)).await;
    assert_eq!(
        json_of(&p)["error"],
        "invalid_grant",
        "the refresh token went too"
    );

    // Rotation: each refresh gives the next refresh token; MGO's `refresh_code` works too.
    let code = fresh_code(app, "3").await;
    let body = json_of(&token_page(&mut pgo, &exchange(&code)).await);
    let refresh1 = body["refresh_token"].as_str().unwrap().to_owned();
    let p = token_page(
        &mut pgo,
        &[
            ("grant_type", "refresh_code"),
            ("refresh_token", &refresh1),
            ("client_id", CLIENT),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let refresh2 = json_of(&p)["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh1, refresh2);
    let p = token_page(&mut pgo, &refresh_form(&refresh2)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let access3 = json_of(&p)["access_token"].as_str().unwrap().to_owned();
    let refresh3 = json_of(&p)["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(fhir(&mut pgo, &access3).await, StatusCode::OK);
    // An old refresh token presented again: a theft; the whole grant ends.
    let p = token_page(&mut pgo, &refresh_form(&refresh1)).await;
    assert_eq!(json_of(&p)["error"], "invalid_grant");
    assert_eq!(fhir(&mut pgo, &access3).await, StatusCode::UNAUTHORIZED);
    let p = token_page(&mut pgo, &refresh_form(&refresh3)).await;
    assert_eq!(json_of(&p)["error"], "invalid_grant");

    // An unknown client: 401 with WWW-Authenticate, uncached.
    let req = Request::post("/medmij/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(
            "grant_type=authorization_code&code=x&client_id=evil.example",
        ))
        .unwrap();
    let res = app.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers().contains_key("www-authenticate"));
    assert_eq!(res.headers()["pragma"], "no-cache");
}

/// Hardening finding 7 (issue 22): a long-term consent lapses after 6 months without a fetch
/// (MedMij Toestemmingsverklaring); fetching keeps it alive until the consented end.
async fn hardening_7_a_long_term_consent_lapses_after_six_months_without_a_fetch(app: &TestApp) {
    set_pgo(app, "adult", true).await;
    let mut pgo = app.client();
    let code = fresh_code(app, "12").await;
    let body = json_of(&token_page(&mut pgo, &exchange(&code)).await);
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    // With her son's record open, the page keeps the menu and the banner of his record and
    // says the apps are hers, not his (issue 18, item 3).
    let mut anna = app.client();
    anna.login("anna").await;
    anna.open("child/rep-parent").await;
    let apps = anna.get("/apps-met-toegang").await.body;
    assert!(apps.contains("Voorbeeld PGO"));
    assert!(apps.contains(r#"<nav class="wide""#), "no menu");
    assert!(apps.contains("Kees Kind"), "no banner");
    assert!(
        apps.contains("Zij kunnen niet in het dossier van Kees kijken"),
        "{apps}"
    );
    // A fetch after five months keeps it.
    app.clock.advance(Duration::days(150));
    let p = token_page(&mut pgo, &refresh_form(&refresh)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let refresh = json_of(&p)["refresh_token"].as_str().unwrap().to_owned();
    // Another five months on: still within six months of the last fetch.
    app.clock.advance(Duration::days(150));
    let p = token_page(&mut pgo, &refresh_form(&refresh)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let refresh = json_of(&p)["refresh_token"].as_str().unwrap().to_owned();
    // Listed while it stands.
    let mut anna = app.client();
    anna.login("anna").await;
    assert!(
        anna.get("/apps-met-toegang")
            .await
            .body
            .contains("Voorbeeld PGO")
    );
    // Then over six months without a fetch: lapsed, and no longer listed.
    app.clock.advance(Duration::days(185));
    let p = token_page(&mut pgo, &refresh_form(&refresh)).await;
    assert_eq!(json_of(&p)["error"], "invalid_grant", "{}", p.body);
    let mut anna = app.client();
    anna.login("anna").await;
    assert!(
        anna.get("/apps-met-toegang")
            .await
            .body
            .contains("Er zijn geen apps")
    );
}

/// Hardening finding 7 (issue 22): `state` is required on the authorization request
/// (core.authint), and the `X-Correlation-ID` MedMij sends as a query parameter there is the one
/// logged.
async fn hardening_7_state_is_required_and_the_correlation_id_is_read_from_the_query(
    app: &TestApp,
) {
    set_pgo(app, "adult", true).await;
    let mut c = app.client();
    let without_state =
        authorize_url(CLIENT, REDIRECT, PROVIDER, "code").replace("state=staat-123&", "");
    assert!(!without_state.contains("state="));
    let p = c.get(&without_state).await;
    let q = query_of(p.location.as_deref().unwrap());
    assert_eq!(param(&q, "error"), Some("invalid_request"));
    assert!(param(&q, "code").is_none() && param(&q, "state").is_none());
    // The correlation id from the query reaches the chain log.
    let with_id = format!(
        "{}&X-Correlation-ID=c0e7b545-9606-4eef-bea7-75d8addaa54b",
        authorize_url(CLIENT, REDIRECT, PROVIDER, "code")
    );
    let p = c.get(&with_id).await;
    assert_eq!(p.location.as_deref(), Some("/medmij/toestemming"));
    let events = app
        .store
        .chain_log(app.clock.now() - Duration::hours(1))
        .await
        .unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.correlation_id, "c0e7b545-9606-4eef-bea7-75d8addaa54b");
    // A value that is not a plain id is not taken over.
    let odd = format!(
        "{}&X-Correlation-ID=%0Aforged%20line",
        authorize_url(CLIENT, REDIRECT, PROVIDER, "code")
    );
    c.get(&odd).await;
    let events = app
        .store
        .chain_log(app.clock.now() - Duration::hours(1))
        .await
        .unwrap();
    assert!(!events.last().unwrap().correlation_id.contains("forged"));
}

/// R88: a token, revocation or authorization request that cannot be read (a JSON body where a
/// form belongs, a parameter given twice) is refused in the protocol's own way, `invalid_request`
/// in JSON from the token interface (RFC 6749 section 5.2) and the "invalid request" page in
/// Dutch for the authorization request, and is a chain-log event like any other request. axum
/// had answered these in plain English text before the handler ran, so nothing was logged.
async fn r88_an_unreadable_token_or_authorization_request_is_refused_and_logged(app: &TestApp) {
    let mut c = app.client();
    let lines = async || {
        app.store
            .chain_log(app.clock.now() - Duration::hours(1))
            .await
            .unwrap()
    };
    let before = lines().await.len();
    let form = [("content-type", "application/x-www-form-urlencoded")];
    for (path, headers, body) in [
        (
            "/medmij/token",
            &[("content-type", "application/json")][..],
            r#"{"grant_type":"authorization_code","code":"x"}"#,
        ),
        (
            "/medmij/token",
            &form[..],
            "grant_type=refresh_token&grant_type=authorization_code",
        ),
        (
            "/medmij/token/revoke",
            &form[..],
            "token=a&token=b&client_id=pgo.example",
        ),
    ] {
        let p = c.post_with(path, headers, body).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{path} {body}");
        let answer: Value = serde_json::from_str(&p.body).unwrap_or(Value::Null);
        assert_eq!(
            answer["error"], "invalid_request",
            "{path} {body}: {}",
            p.body
        );
    }
    // Over the size limit: 413, in the same form.
    let long = format!(
        "grant_type=authorization_code&code={}",
        "x".repeat(8 * 1024)
    );
    let p = c.post_with("/medmij/token", &form, &long).await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    let answer: Value = serde_json::from_str(&p.body).unwrap_or(Value::Null);
    assert_eq!(answer["error"], "invalid_request", "{}", p.body);
    let twice = format!(
        "{}&client_id=other.example",
        authorize_url(CLIENT, REDIRECT, PROVIDER, "code")
    );
    let p = c.get(&twice).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.location.is_none(), "nothing is redirected");
    assert!(p.body.contains("Dit verzoek klopt niet"), "{}", p.body);

    let logged = lines().await;
    assert_eq!(
        logged.len(),
        before + 5,
        "each request is a chain-log event"
    );
    let kinds: Vec<_> = logged[before..]
        .iter()
        .map(|e| (e.kind, e.status))
        .collect();
    assert_eq!(
        kinds,
        [
            (inzage_store::ChainEventKind::TokenRequest, 400),
            (inzage_store::ChainEventKind::TokenRequest, 400),
            (inzage_store::ChainEventKind::TokenRequest, 400),
            (inzage_store::ChainEventKind::TokenRequest, 413),
            (inzage_store::ChainEventKind::AuthorizationRequest, 400),
        ]
    );
    // What could not be read names no client, even where the query names one twice.
    assert!(logged[before..].iter().all(|e| e.client_id.is_empty()));
}

/// Hardening finding 7 (issue 22): `host_of` accepted a redirect to `localhost@evil.example`
/// and to `localhost.evil.example` for a client named localhost.
async fn hardening_7_redirects_to_look_alike_hosts_are_refused(app: &TestApp) {
    let mut c = app.client();
    for evil in [
        "http://localhost@evil.example/cb",
        "http://localhost.evil.example/",
    ] {
        let p = c
            .get(&authorize_url("localhost", evil, PROVIDER, "code"))
            .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{evil}");
        assert!(p.location.is_none(), "{evil}");
    }
    let p = c
        .get(&authorize_url(
            "localhost",
            "http://localhost:4000/cb",
            PROVIDER,
            "code",
        ))
        .await;
    assert_eq!(p.location.as_deref(), Some("/medmij/toestemming"));
}

fn config_with_localhost() -> inzage_web::WebConfig {
    let mut config = config();
    if let Some(m) = config.medmij.as_mut() {
        m.clients.push(OAuthClient {
            hostname: "localhost".into(),
            organisation: "Ontwikkel-PGO".into(),
        });
    }
    config
}

/// Hardening finding 9 (issue 22): the patient's own visit to "Apps met toegang" appeared in
/// their access log as "Medewerker van de praktijk (patiënt)". It is theirs ("U zelf"), and an
/// app's fetch names the app.
async fn hardening_9_the_access_log_names_the_patient_and_the_app(app: &TestApp) {
    set_pgo(app, "adult", true).await;
    give_token(app, "adult", "token-log").await;
    let mut pgo = app.client();
    assert_eq!(fhir(&mut pgo, "token-log").await, StatusCode::OK);
    let mut c = app.client();
    c.login("anna").await;
    assert_eq!(c.get("/apps-met-toegang").await.status, StatusCode::OK);
    c.open("adult").await;
    let log = c.get("/logboek").await;
    // (The test's own record change is by a "test" role: that one is a staff entry.)
    for wrong in ["(patiënt)", "(patient)", "(pgo)"] {
        assert!(!log.body.contains(wrong), "{wrong}: {}", log.body);
    }
    assert!(log.body.contains("U zelf"));
    assert!(
        log.body
            .contains("Een app (PGO) met uw toestemming: pgo.example"),
        "{}",
        log.body
    );
}

both_backends!(
    hardening_9_the_access_log_names_the_patient_and_the_app with super::config(),
    the_whole_flow_from_consent_to_data_refresh_and_revocation with super::config(),
    hardening_7_a_one_time_consent_gives_a_refresh_token_for_its_fifteen_minutes_only with super::config(),
    hardening_7_the_token_interface_spends_codes_rotates_and_revokes_on_replay with super::config(),
    hardening_7_a_long_term_consent_lapses_after_six_months_without_a_fetch with super::config(),
    hardening_7_state_is_required_and_the_correlation_id_is_read_from_the_query with super::config(),
    hardening_7_redirects_to_look_alike_hosts_are_refused with super::config_with_localhost(),
    r88_an_unreadable_token_or_authorization_request_is_refused_and_logged with super::config(),
    wrong_client_redirect_scope_or_response_type_is_refused with super::config(),
    no_record_or_no_pgo_consent_or_cancel_gives_no_code with super::config(),
);
