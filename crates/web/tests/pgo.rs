//! The PGO end to end (issue 19, R92-R101, R124, R125), against real servers on sockets: two
//! inzage practices (each its own data for the same person, found by BSN), a provider that
//! misbehaves per query (slow, 500, malformed FHIR, a refused token), and one that is not on the
//! whitelist. The person's browser is one cookie jar per host (an in-process client per app);
//! the PGO's calls to the providers go over HTTP as in production.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The stand-in providers' servers take axum's extractors: they are not our pages.
#![allow(clippy::disallowed_types)]

#[macro_use]
mod support;

use axum::Router;
use axum::extract::Form;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use chrono::Duration;
use inzage_domain::*;
use inzage_medmij::authorize::{MedmijConfig, OAuthClient};
use inzage_pgo::client::Failure;
use inzage_pgo::fetch::FetchOutcome;
use inzage_store::testing::TestDb;
use inzage_store::{ChainEventKind, MedmijStore, PgoStore, RecordStore};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use support::*;

const PRACTICE_A: &str = "huisartsenpraktijk-de-linde@medmij";
const PRACTICE_B: &str = "gezondheidscentrum-oost@medmij";
const FAULTY: &str = "praktijk-met-storing@medmij";
const UNLISTED: &str = "niet-op-de-whitelist@medmij";
const PERSON: &str = "jacqueline";

/// A practice (an inzage DVA) with MedMij on: our PGO (`localhost`) is on its client list.
fn dva_config(provider: &str) -> inzage_web::WebConfig {
    inzage_web::WebConfig {
        medmij: Some(MedmijConfig {
            provider_name: provider.into(),
            clients: vec![OAuthClient {
                hostname: "localhost".into(),
                organisation: "inzage PGO (test)".into(),
            }],
            services: vec![],
        }),
        ..test_config()
    }
}

/// Serves `router` on a free port of `ip`.
async fn listen(ip: &str, router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind(format!("{ip}:0"))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

/// Practice A holds the Nictiz qualification patient; practice B the same person (same BSN)
/// with only the medication and allergy, plus one medicine of its own.
async fn practice(provider: &str, whole: bool) -> (TestApp, SocketAddr) {
    let app = TestApp::new(TestDb::sqlite().await, dva_config(provider)).await;
    let mut record = nictiz_record(&app);
    if !whole {
        record.episodes.clear();
        record.problems.clear();
        record.alerts.clear();
        record.results.clear();
        record.contacts.clear();
        record.journal.clear();
        record.letters.clear();
        record.treatments.clear();
        record.prophylaxis.clear();
        record.appointments.clear();
        record.contra_indications.clear();
        for m in &mut record.medication {
            m.episode = None;
            m.contact = None;
        }
        let today = inzage_domain::time::local_date(app.clock.now());
        let mut extra = record
            .medication
            .iter()
            .find(|m| m.period_end.is_none_or(|e| e >= today))
            .unwrap()
            .clone();
        extra.id = MedicationId::new("oost-extra").unwrap();
        extra.product.name = "Paracetamol 500 mg tablet".into();
        extra.product.codes.clear();
        extra.product.source_id = None;
        extra.dosage_text = "zo nodig 1 tablet".into();
        record.medication.push(extra);
    }
    app.store
        .save_record(&record, audit_event(&record, &app))
        .await
        .unwrap();
    set_pgo_consent(&app, &mut record, true).await;
    inzage_login::auth::create_account(
        &app.store,
        PERSON,
        PASSWORD,
        Bsn::parse(FIXTURE_BSN).unwrap(),
        "Jacqueline",
        Some(secret_of(PERSON)),
        app.clock.now(),
    )
    .await
    .unwrap();
    let addr = listen("127.0.0.1", app.app.clone()).await;
    (app, addr)
}

/// What the misbehaving provider did, for the assertions.
#[derive(Default)]
struct Seen {
    headers: Vec<HeaderMap>,
    paths: Vec<String>,
}

/// A provider that gives tokens but answers each query in its own wrong way.
async fn faulty() -> (SocketAddr, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let s = seen.clone();
    let router = Router::new()
        .route(
            "/auth",
            get(|q: axum::extract::Query<HashMap<String, String>>| async move {
                Redirect::to(&format!(
                    "{}?code=faulty-code&state={}",
                    q["redirect_uri"], q["state"]
                ))
            }),
        )
        .route(
            "/token",
            post(|Form(f): Form<HashMap<String, String>>| async move {
                assert_eq!(f["grant_type"], "authorization_code");
                axum::Json(serde_json::json!({
                    "access_token": "faulty-access", "token_type": "Bearer",
                    "expires_in": 900, "refresh_token": "faulty-refresh"
                }))
            }),
        )
        .route(
            "/fhir/{*rest}",
            get(
                move |uri: axum::http::Uri, headers: HeaderMap| {
                    let s = s.clone();
                    async move {
                        let path = uri.path().to_owned();
                        {
                            let mut seen = s.lock().unwrap();
                            seen.headers.push(headers);
                            seen.paths.push(uri.to_string());
                        }
                        let ok = serde_json::json!({"resourceType": "Bundle", "type": "searchset", "entry": []});
                        match path.as_str() {
                            "/fhir/Patient" => axum::Json(ok).into_response(),
                            "/fhir/EpisodeOfCare" => {
                                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                                axum::Json(ok).into_response()
                            }
                            "/fhir/MedicationRequest" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                            "/fhir/AllergyIntolerance" => "{ not json".into_response(),
                            "/fhir/Observation" => StatusCode::UNAUTHORIZED.into_response(),
                            "/fhir/Composition" => StatusCode::NOT_FOUND.into_response(),
                            _ => axum::Json(serde_json::json!({"resourceType": "Patient"})).into_response(),
                        }
                    }
                },
            ),
        );
    (listen("127.0.0.1", router).await, seen)
}

fn service(id: &str, base: &str, auth: &str, token: &str) -> String {
    // Data service 52 has its own resource endpoint at an inzage practice.
    let (role, resources) = match id {
        "52" => ("MM-2.0-MVB-FHIR", inzage_medmij::measurements::BASE_PATH),
        _ => ("MM-2.0-HGB-FHIR", "/fhir"),
    };
    format!(
        "<Gegevensdienst><GegevensdienstId>{id}</GegevensdienstId>\
         <AuthorizationEndpoint><AuthorizationEndpointuri>{base}{auth}</AuthorizationEndpointuri></AuthorizationEndpoint>\
         <TokenEndpoint><TokenEndpointuri>{base}{token}</TokenEndpointuri></TokenEndpoint>\
         <Systeemrollen><Systeemrol><Systeemrolcode>{role}</Systeemrolcode>\
         <ResourceEndpoint><ResourceEndpointuri>{base}{resources}</ResourceEndpointuri></ResourceEndpoint>\
         </Systeemrol></Systeemrollen></Gegevensdienst>"
    )
}

/// A Zorgaanbiederslijst with sequence number `sequence` around `providers` (XML elements).
fn zal(sequence: u64, providers: &str) -> String {
    format!(
        "<Zorgaanbiederslijst xmlns=\"xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release2/\">\
         <Tijdstempel>2026-12-01T12:00:00Z</Tijdstempel><Volgnummer>{sequence}</Volgnummer>\
         <Zorgaanbieders>{providers}</Zorgaanbieders></Zorgaanbiederslijst>"
    )
}

struct Lists {
    dir: std::path::PathBuf,
    /// Removes the directory when the test is done with the lists.
    _keep: tempfile::TempDir,
}

/// The MedMij lists in their XML formats, in a directory of this test.
fn lists(a: SocketAddr, b: SocketAddr, faulty: SocketAddr, unlisted: SocketAddr) -> Lists {
    let dva = |addr: SocketAddr| {
        let base = format!("http://{addr}");
        service("49", &base, "/medmij/autoriseren", "/medmij/token")
            + &service("51", &base, "/medmij/autoriseren", "/medmij/token")
            + &service("52", &base, "/medmij/autoriseren", "/medmij/token")
    };
    write_lists(&[
        (PRACTICE_A, dva(a)),
        (PRACTICE_B, dva(b)),
        (
            FAULTY,
            service("49", &format!("http://{faulty}"), "/auth", "/token"),
        ),
        (UNLISTED, dva(unlisted)),
    ])
}

/// The three lists with these providers (name, service elements); 127.0.0.1 is whitelisted.
fn write_lists(providers: &[(&str, String)]) -> Lists {
    let keep = tempfile::Builder::new()
        .prefix("inzage-pgo-")
        .tempdir()
        .unwrap();
    let dir = keep.path().to_path_buf();
    let providers = providers
        .iter()
    .map(|(name, services)| {
        format!("<Zorgaanbieder><Zorgaanbiedernaam>{name}</Zorgaanbiedernaam><Gegevensdiensten>{services}</Gegevensdiensten></Zorgaanbieder>")
    })
    .collect::<String>();
    let header = "<Tijdstempel>2026-12-01T12:00:00Z</Tijdstempel><Volgnummer>5</Volgnummer>";
    std::fs::write(dir.join("zal.xml"), zal(5, &providers)).unwrap();
    std::fs::write(
        dir.join("gnl.xml"),
        format!("<Gegevensdienstnamenlijst xmlns=\"xmlns://afsprakenstelsel.medmij.nl/gegevensdienstnamenlijst/release1/\">{header}<Gegevensdiensten>\
         <Gegevensdienst><GegevensdienstId>49</GegevensdienstId><Weergavenaam>Huisartsgegevens</Weergavenaam></Gegevensdienst>\
         <Gegevensdienst><GegevensdienstId>51</GegevensdienstId><Weergavenaam>Documenten</Weergavenaam></Gegevensdienst>\
         <Gegevensdienst><GegevensdienstId>52</GegevensdienstId><Weergavenaam>Meetwaarden vitale functies</Weergavenaam></Gegevensdienst>\
         </Gegevensdiensten></Gegevensdienstnamenlijst>"),
    )
    .unwrap();
    // 127.0.0.2 (the unlisted provider) is not on it.
    std::fs::write(
        dir.join("whitelist.xml"),
        format!("<Whitelist xmlns=\"xmlns://afsprakenstelsel.medmij.nl/whitelist/release2/\">{header}<MedMijNodes><MedMijNode><Hostname>127.0.0.1</Hostname></MedMijNode></MedMijNodes></Whitelist>"),
    )
    .unwrap();
    Lists { dir, _keep: keep }
}

/// The PGO on its own database: the person has a login there (level substantieel) too.
async fn pgo_app(lists: &Lists) -> (TestApp, Arc<inzage_pgo::Pgo>) {
    let mut app = TestApp::new(TestDb::sqlite().await, test_config()).await;
    let config = inzage_pgo::PgoConfig {
        client_id: "localhost".into(),
        origin: "http://localhost".into(),
        lists: inzage_pgo::ListSources {
            providers: lists.dir.join("zal.xml").display().to_string(),
            service_names: Some(lists.dir.join("gnl.xml").display().to_string()),
            whitelist: lists.dir.join("whitelist.xml").display().to_string(),
        },
        refresh_minutes: 60,
        timeout: std::time::Duration::from_secs(2),
    };
    let (pgo, problems) = inzage_pgo::Pgo::start(config, app.store.clone()).await;
    assert!(problems.is_empty(), "{problems:?}");
    let pgo = Arc::new(pgo);
    app.app = inzage_web::app_with_pgo(
        app.store.clone(),
        app.clock.clone(),
        test_config(),
        Some(pgo.clone()),
    );
    inzage_login::auth::create_account(
        &app.store,
        PERSON,
        PASSWORD,
        Bsn::parse(FIXTURE_BSN).unwrap(),
        "Jacqueline",
        Some(secret_of(PERSON)),
        app.clock.now(),
    )
    .await
    .unwrap();
    (app, pgo)
}

/// Signs up at the PGO: the login, then the explicit yes.
async fn sign_up(c: &mut Client<'_>) {
    c.login(PERSON).await;
    let page = c.get("/pgo").await;
    assert!(
        page.body.contains("Maak uw gezondheidsomgeving aan"),
        "{}",
        page.body
    );
    let csrf = csrf_in(&page.body);
    // Without the yes, no account.
    let p = c.post("/pgo/aanmelden", &[("csrf", &csrf)]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = c
        .post("/pgo/aanmelden", &[("csrf", &csrf), ("agree", "yes")])
        .await;
    assert_eq!(p.location.as_deref(), Some("/pgo"));
}

fn split(location: &str) -> (String, String) {
    let url = url::Url::parse(location).unwrap();
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    (
        format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(80)),
        path,
    )
}

/// Connects the PGO to an inzage practice through its real consent flow: the PGO's redirect,
/// the practice's login and consent page, and back. Returns the callback path on the PGO.
async fn consent_at(
    pgo: &mut Client<'_>,
    practice: &TestApp,
    provider: &str,
    service: &str,
) -> String {
    let p = pgo
        .get(&format!(
            "/pgo/verbinden?aanbieder={provider}&dienst={service}"
        ))
        .await;
    let location = p.location.expect("a redirect to the practice");
    // R94: every parameter of the authorization request.
    let url = url::Url::parse(&location).unwrap();
    let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "localhost");
    assert_eq!(q["redirect_uri"], "http://localhost/pgo/terug");
    assert_eq!(q["scope"], provider);
    assert!(!q["state"].is_empty());
    assert_eq!(q["MedMij-Request-ID"].len(), 36);
    assert_eq!(q["X-Correlation-ID"].len(), 36);
    let (_, path) = split(&location);
    let mut browser = practice.client();
    assert_eq!(
        browser.get(&path).await.location.as_deref(),
        Some("/medmij/toestemming")
    );
    assert_eq!(
        browser.get("/medmij/toestemming").await.location.as_deref(),
        Some("/inloggen")
    );
    browser.login(PERSON).await;
    assert_eq!(
        browser.get("/kiezen").await.location.as_deref(),
        Some("/medmij/toestemming")
    );
    let page = browser.get("/medmij/toestemming").await;
    assert!(
        page.body.contains("Ja, ik geef toestemming"),
        "{}",
        page.body
    );
    let csrf = csrf_in(&page.body);
    let back = browser
        .post(
            "/medmij/toestemming",
            &[("csrf", &csrf), ("antwoord", "ja"), ("maanden", "12")],
        )
        .await;
    let back = back.location.unwrap();
    assert!(back.starts_with("http://localhost/pgo/terug?"), "{back}");
    split(&back).1
}

async fn account_id(app: &TestApp) -> String {
    let subject = format!("pgo:idp:{PERSON}");
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(subject.as_bytes()));
    app.store.pgo_account(&hash).await.unwrap().unwrap().id
}

/// The OAuth side of a stand-in provider: its authorization endpoint sends the browser straight
/// back with a code, its token endpoint gives `token` (and a refresh token) for any request.
fn stand_in_oauth(token: &'static str) -> Router {
    Router::new()
        .route(
            "/auth",
            get(
                |q: axum::extract::Query<HashMap<String, String>>| async move {
                    Redirect::to(&format!(
                        "{}?code=sim-code&state={}",
                        q["redirect_uri"], q["state"]
                    ))
                },
            ),
        )
        .route(
            "/token",
            post(move || async move {
                axum::Json(serde_json::json!({
                    "access_token": token, "token_type": "Bearer",
                    "expires_in": 900, "refresh_token": "sim-refresh"
                }))
            }),
        )
}

/// A stand-in for the qualification's simulator of a receiving system: it gives the token the
/// Sending-PHR scripts expect, records each batch the PGO sends and accepts every entry, and
/// answers searches with nothing.
async fn simulator() -> (SocketAddr, Arc<Mutex<Vec<serde_json::Value>>>) {
    let exchanges = Arc::new(Mutex::new(vec![]));
    let ex = exchanges.clone();
    let router = stand_in_oauth(SIMULATOR_TOKEN)
        .route(
            "/meetwaarden/fhir",
            post(move |uri: axum::http::Uri, headers: HeaderMap, body: String| {
                let ex = ex.clone();
                async move {
                    let sent: serde_json::Value = serde_json::from_str(&body).unwrap();
                    let n = sent["entry"].as_array().map_or(0, Vec::len);
                    let answer = serde_json::json!({
                        "resourceType": "Bundle", "type": "batch-response",
                        "entry": (0..n).map(|i| serde_json::json!({
                            "response": { "status": "201 Created", "location": format!("Observation/sim-{i}") }
                        })).collect::<Vec<_>>(),
                    });
                    let headers: serde_json::Map<String, serde_json::Value> = headers
                        .iter()
                        .map(|(k, v)| (k.to_string(), serde_json::json!(v.to_str().unwrap_or_default())))
                        .collect();
                    ex.lock().unwrap().push(serde_json::json!({
                        "request": { "method": "POST", "url": format!("http://sim{uri}"), "headers": headers, "body": body },
                        "response": { "status": 200, "headers": { "content-type": "application/fhir+json" }, "body": answer.to_string() },
                    }));
                    axum::Json(answer)
                }
            }),
        )
        .route(
            "/meetwaarden/fhir/{*rest}",
            get(|| async {
                axum::Json(serde_json::json!({"resourceType": "Bundle", "type": "searchset", "entry": []}))
            }),
        );
    (listen("127.0.0.1", router).await, exchanges)
}

/// Connects the PGO for data service 52 to a stand-in provider at `addr` whose authorization
/// endpoint sends the browser straight back with a code.
async fn connect_to_stand_in(c: &mut Client<'_>, provider: &str, addr: SocketAddr) {
    let p = c
        .get(&format!("/pgo/verbinden?aanbieder={provider}&dienst=52"))
        .await;
    let (_, path) = split(&p.location.unwrap());
    let auth = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("http://{addr}{path}"))
        .send()
        .await
        .unwrap();
    let back = auth.headers()["location"].to_str().unwrap().to_owned();
    c.get(&split(&back).1).await;
}

/// The token the Sending-PHR scripts expect in every request.
const SIMULATOR_TOKEN: &str = "06bbe01d-b3cb-4028-8b1c-f731d0241b57";
const SIMULATOR: &str = "ontvangend-systeem@medmij";

/// Runs the SelfMeasurements 2.0 scripts of `role` on the exchanges the PGO made (`recorded`, in
/// order, each the next operation); every assertion of every script must pass. Returns how many.
fn recorded_scripts_pass(
    tools: &std::path::Path,
    role: &str,
    base: &str,
    today: chrono::NaiveDate,
    recorded: &[serde_json::Value],
) -> usize {
    let file = std::env::temp_dir().join(format!("inzage-{role}-{}.json", rand::random::<u64>()));
    std::fs::write(&file, serde_json::to_string(recorded).unwrap()).unwrap();
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/nictiz/SelfMeasurements-2-0/Cert")
        .join(role);
    let mut scripts: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    scripts.sort();
    let out = std::process::Command::new(tools.join(".venv/bin/python"))
        .arg(tools.join("testscript.py"))
        .arg("--base")
        .arg(base)
        .arg("--today")
        .arg(today.to_string())
        .arg("--recorded")
        .arg(&file)
        .args(&scripts)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let failed: Vec<&serde_json::Value> = report["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["passed"] != true)
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let expected: usize = scripts
        .iter()
        .map(|s| {
            std::fs::read_to_string(s)
                .unwrap()
                .matches("<assert>")
                .count()
        })
        .sum();
    assert_eq!(report["passed"], expected, "every assertion ran");
    expected
}

/// Data service 52, sending (the Nictiz SelfMeasurements 2.0 Sending-PHR scripts): the person
/// enters the scenarios' measurements and sends them; every request the PGO made is checked by
/// the scripts' assertions (batch, no patient in the URL, the token, fullUrls, profiles, codings,
/// references with a display, no BSN, the counts per scenario).
#[tokio::test]
async fn selfmeasurements_sending_phr_scripts_pass() {
    let tools =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/fhir-validate");
    if !tools.join(".venv/bin/python").exists() {
        assert!(
            std::env::var_os("INZAGE_REQUIRE_PY_TOOLS").is_none(),
            "tools/fhir-validate/.venv is required but missing"
        );
        eprintln!("SKIPPED: no tools/fhir-validate/.venv (see .ci/run)");
        return;
    }
    let (sim, exchanges) = simulator().await;
    let lists = write_lists(&[(
        SIMULATOR,
        service("52", &format!("http://{sim}"), "/auth", "/token"),
    )]);
    let (app, _) = pgo_app(&lists).await;
    let mut c = app.client();
    sign_up(&mut c).await;
    connect_to_stand_in(&mut c, SIMULATOR, sim).await;
    let account = account_id(&app).await;
    let conn = app.store.pgo_connections(&account).await.unwrap().remove(0);
    let page = c.get("/pgo/eigen").await;
    let csrf = csrf_in(&page.body);
    let today = inzage_domain::time::local_date(app.clock.now());
    let day = |d: i64| (today - Duration::days(d)).to_string();
    let add = async |c: &mut Client<'_>, fields: Vec<(&str, String)>| {
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let to = c.post("/pgo/eigen/meting", &form).await.location;
        assert_eq!(
            to.as_deref(),
            Some("/pgo/eigen?melding=saved"),
            "{fields:?}"
        );
    };
    let send = async |c: &mut Client<'_>| {
        let to = c
            .post(
                "/pgo/eigen/versturen",
                &[("csrf", &csrf), ("verbinding", &conn.id)],
            )
            .await
            .location
            .unwrap();
        assert!(to.contains("melding=sent"), "{to}");
    };
    // 2.1: the most recent body weight.
    add(
        &mut c,
        vec![
            ("soort", "body-weight".into()),
            ("waarde", "72,5".into()),
            ("datum", day(1)),
        ],
    )
    .await;
    send(&mut c).await;
    // 2.2: four blood pressures of the last month.
    for (d, high, low) in [
        (2, "133", "92"),
        (9, "128", "85"),
        (16, "140", "90"),
        (23, "125", "80"),
    ] {
        add(
            &mut c,
            vec![
                ("soort", "blood-pressure".into()),
                ("boven", high.into()),
                ("onder", low.into()),
                ("datum", day(d)),
                ("tijd", "07:30".into()),
            ],
        )
        .await;
    }
    send(&mut c).await;
    // 2.3: thirteen observations of several kinds.
    for d in 0..4 {
        add(
            &mut c,
            vec![
                ("soort", "blood-glucose".into()),
                ("waarde", "6,1".into()),
                ("datum", day(d + 3)),
                ("tijd", "08:00".into()),
            ],
        )
        .await;
        add(
            &mut c,
            vec![
                ("soort", "blood-pressure".into()),
                ("boven", "130".into()),
                ("onder", "85".into()),
                ("datum", day(d + 3)),
                ("tijd", "08:05".into()),
            ],
        )
        .await;
        add(
            &mut c,
            vec![
                ("soort", "body-weight".into()),
                ("waarde", "72".into()),
                ("datum", day(d + 3)),
            ],
        )
        .await;
    }
    add(
        &mut c,
        vec![
            ("soort", "heart-rate".into()),
            ("waarde", "64".into()),
            ("datum", day(3)),
            ("tijd", "08:10".into()),
        ],
    )
    .await;
    send(&mut c).await;

    let recorded = exchanges.lock().unwrap().clone();
    assert_eq!(recorded.len(), 3);
    let expected = recorded_scripts_pass(
        &tools,
        "Sending-PHR",
        &format!("http://{sim}/meetwaarden/fhir"),
        today,
        &recorded,
    );
    assert_eq!(expected, 65, "the three scripts' assertions");
    println!("{expected} Sending-PHR assertions passed");
}

/// R126: a share link opens only the chosen parts, only with the separately given code, only
/// until it expires or is stopped; before the code nothing about the person shows; five wrong
/// codes close it; every opening is counted and in the person's log; another account cannot
/// stop it.
#[tokio::test]
async fn r126_a_share_link_is_read_only_limited_coded_revocable_and_logged() {
    let (a, a_addr) = practice(PRACTICE_A, true).await;
    let lists = lists(a_addr, a_addr, a_addr, a_addr);
    let (app, _) = pgo_app(&lists).await;
    let mut c = app.client();
    sign_up(&mut c).await;
    let callback = consent_at(&mut c, &a, PRACTICE_A, "49").await;
    c.get(&callback).await;
    let account = account_id(&app).await;
    let page = c.get("/pgo/delen").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = csrf_in(&page.body);
    let make = async |c: &mut Client<'_>, fields: &[(&str, &str)]| {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        c.post("/pgo/delen", &form).await
    };
    // Refused: no parts, a period not offered, no name.
    let p = make(&mut c, &[("voor", "Dermatoloog"), ("uren", "24")]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Kies welke gegevens"));
    let p = make(
        &mut c,
        &[
            ("voor", "Dermatoloog"),
            ("deel", "medication"),
            ("uren", "1000"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = make(
        &mut c,
        &[("voor", " "), ("deel", "medication"), ("uren", "24")],
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(app.store.pgo_shares(&account).await.unwrap().is_empty());

    let link_in = |body: &str| -> (String, String) {
        let at = body.find("/delen/").unwrap() + "/delen/".len();
        let token = body[at..at + 64].to_owned();
        let code_at = body.find("class=\"share-code\">").unwrap() + "class=\"share-code\">".len();
        let code = body[code_at..code_at + 9].to_owned();
        (format!("/delen/{token}"), code)
    };
    let p = make(
        &mut c,
        &[
            ("voor", "Dermatoloog"),
            ("deel", "medication"),
            ("deel", "allergies"),
            ("uren", "24"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let (link, code) = link_in(&p.body);
    assert!(p.body.contains(&format!("http://localhost{link}")));

    // The clinician: another browser, no login.
    let mut doctor = app.client();
    let form = doctor.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        !form.body.contains("Jacqueline") && !form.body.contains("Medicijnen"),
        "nothing before the code"
    );
    let dcsrf = csrf_in(&form.body);
    let wrong = doctor
        .post(&link, &[("csrf", &dcsrf), ("code", "AAAA-AAAA")])
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("klopt niet") && !wrong.body.contains("Jacqueline"));
    let typed = code.to_lowercase().replace('-', " ");
    let shown = doctor
        .post(&link, &[("csrf", &dcsrf), ("code", &typed)])
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(
        shown.body.contains("Gegevens van Jacqueline"),
        "{}",
        shown.body
    );
    assert!(
        shown.body.contains("Medicijnen die de persoon nu gebruikt")
            && shown.body.contains("Allergieën")
    );
    assert!(
        !shown.body.contains("Gezondheidsproblemen") && !shown.body.contains("Uitslagen"),
        "only the chosen parts"
    );
    assert!(
        !shown.body.contains("<form method=\"post\" action=\"/pgo"),
        "read-only"
    );
    // Counted and in the person's log.
    let mine = c.get("/pgo/delen").await;
    assert!(
        mine.body.contains("Aantal keer geopend: 1"),
        "{}",
        mine.body
    );
    let log = c.get("/pgo/logboek").await;
    assert!(
        log.body.contains("Link geopend door: Dermatoloog"),
        "{}",
        log.body
    );

    // Another account cannot stop it; the person can, at once.
    let share = app.store.pgo_shares(&account).await.unwrap().remove(0);
    let p = c
        .post(
            "/pgo/delen/intrekken",
            &[("csrf", &csrf), ("link", "not-mine")],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = c
        .post(
            "/pgo/delen/intrekken",
            &[("csrf", &csrf), ("link", &share.id)],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/pgo/delen"));
    let after = doctor
        .post(&link, &[("csrf", &dcsrf), ("code", &code)])
        .await;
    assert_eq!(after.status, StatusCode::NOT_FOUND);
    assert!(after.body.contains("werkt niet (meer)") && !after.body.contains("Jacqueline"));
    assert_eq!(doctor.get(&link).await.status, StatusCode::NOT_FOUND);

    // Five wrong codes close it, the right one included afterwards.
    let p = make(
        &mut c,
        &[
            ("voor", "Fysiotherapeut"),
            ("deel", "notes"),
            ("uren", "24"),
        ],
    )
    .await;
    let (guessed, guessed_code) = link_in(&p.body);
    for _ in 0..4 {
        let p = doctor
            .post(&guessed, &[("csrf", &dcsrf), ("code", "BBBB-BBBB")])
            .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST);
    }
    let p = doctor
        .post(&guessed, &[("csrf", &dcsrf), ("code", "BBBB-BBBB")])
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "closed at the fifth");
    let p = doctor
        .post(&guessed, &[("csrf", &dcsrf), ("code", &guessed_code)])
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let log = c.get("/pgo/logboek").await;
    assert!(
        log.body
            .contains("Link gestopt na vijf foute codes voor: Fysiotherapeut")
    );
    // A made-up link is the same as a stopped one.
    assert_eq!(
        doctor
            .get(&format!("/delen/{}", "ab".repeat(32)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        doctor.get("/delen/short").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Own data and data service 52 (R127, R125): the person enters a blood pressure, a medicine
/// without prescription and a note; wrong input is refused with a sentence and nothing is kept.
/// They connect their GP for data service 52 and send the measurement: it waits in the GP's
/// queue as the patient's, never among the practice's results; fetched back, it is one line
/// naming both the person and the practice.
#[tokio::test]
async fn r127_r125_own_measurements_sent_to_the_gp_come_back_as_one_line() {
    use inzage_store::SelfMeasurementStore;
    let (a, a_addr) = practice(PRACTICE_A, true).await;
    let lists = lists(a_addr, a_addr, a_addr, a_addr);
    let (app, _) = pgo_app(&lists).await;
    let mut c = app.client();
    sign_up(&mut c).await;
    let account = account_id(&app).await;
    let today = inzage_domain::time::local_date(app.clock.now()).to_string();
    // A morning that has passed whatever the time of day the test runs.
    let yesterday =
        (inzage_domain::time::local_date(app.clock.now()) - chrono::Days::new(1)).to_string();
    let page = c.get("/pgo/eigen").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Koppel uw huisarts"),
        "no 52 connection yet"
    );
    let csrf = csrf_in(&page.body);
    let measure = async |c: &mut Client<'_>, fields: &[(&str, &str)]| {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        c.post("/pgo/eigen/meting", &form)
            .await
            .location
            .unwrap_or_default()
    };
    for (fields, error) in [
        (
            vec![
                ("soort", "blood-pressure"),
                ("boven", "80"),
                ("onder", "120"),
                ("datum", today.as_str()),
            ],
            "pgo-own-err-value",
        ),
        (
            vec![
                ("soort", "body-weight"),
                ("waarde", "725"),
                ("datum", today.as_str()),
            ],
            "pgo-own-err-range",
        ),
        (
            vec![
                ("soort", "body-weight"),
                ("waarde", "72,5"),
                ("datum", "2999-01-01"),
            ],
            "pgo-own-err-future",
        ),
        (
            vec![
                ("soort", "x-ray"),
                ("waarde", "1"),
                ("datum", today.as_str()),
            ],
            "pgo-own-err-kind",
        ),
        (
            vec![
                ("soort", "heart-rate"),
                ("waarde", "60"),
                ("datum", today.as_str()),
                ("tijd", "25:00"),
            ],
            "pgo-own-err-when",
        ),
    ] {
        let to = measure(&mut c, &fields).await;
        assert_eq!(to, format!("/pgo/eigen?fout={error}"), "{fields:?}");
    }
    let shown = c.get("/pgo/eigen?fout=pgo-own-err-range").await;
    assert!(shown.body.contains("Er is niets opgeslagen"));
    assert!(app.store.pgo_own_items(&account).await.unwrap().is_empty());

    let to = measure(
        &mut c,
        &[
            ("soort", "blood-pressure"),
            ("boven", "133"),
            ("onder", "92"),
            ("datum", yesterday.as_str()),
            ("tijd", "07:30"),
            ("opmerking", "na het opstaan"),
        ],
    )
    .await;
    assert_eq!(to, "/pgo/eigen?melding=saved");
    let p = c
        .post(
            "/pgo/eigen/medicijn",
            &[
                ("csrf", &csrf),
                ("naam", "Ibuprofen 200 mg"),
                ("hoe", "zo nodig 1 tablet"),
            ],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/pgo/eigen?melding=saved"));
    let p = c
        .post(
            "/pgo/eigen/notitie",
            &[("csrf", &csrf), ("tekst", "Hoofdpijn na het sporten")],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/pgo/eigen?melding=saved"));
    let data = c.get("/pgo/gegevens").await;
    assert!(data.body.contains("133/92 mm Hg") && data.body.contains("ingevoerd door uzelf"));
    assert!(
        data.body.contains("Ibuprofen 200 mg") && data.body.contains("Hoofdpijn na het sporten")
    );

    // Connecting data service 52 and sending.
    let callback = consent_at(&mut c, &a, PRACTICE_A, "52").await;
    c.get(&callback).await;
    let page = c.get("/pgo/eigen").await;
    assert!(
        page.body.contains("Stuur 1 nieuwe meting naar"),
        "{}",
        page.body
    );
    let conn = app
        .store
        .pgo_connections(&account)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.service == "52")
        .unwrap();
    let sent = c
        .post(
            "/pgo/eigen/versturen",
            &[("csrf", &csrf), ("verbinding", &conn.id)],
        )
        .await;
    let to = sent.location.unwrap();
    assert!(to.starts_with("/pgo/eigen?melding=sent&aantal=1"), "{to}");
    assert!(c.get(&to).await.body.contains("1 meting is verstuurd"));

    // At the practice: in the GP's queue, as the patient's, from our PGO.
    let record = nictiz_record(&a);
    let queue = a
        .store
        .self_measurement_queue(&record.practice.id)
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].summary(), "133/92 mm Hg");
    assert_eq!(queue[0].sent_by, "localhost");
    assert_eq!(queue[0].comment.as_deref(), Some("na het opstaan"));
    let held = a
        .store
        .load_record(&record.patient.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        held.results.len(),
        record.results.len(),
        "never a practice result"
    );

    // Fetched back: one line, both sources (R125).
    let data = c.get("/pgo/gegevens").await;
    assert_eq!(
        data.body.matches("133/92 mm Hg").count(),
        1,
        "{}",
        data.body
    );
    let own_and_practice = format!(
        "ingevoerd door uzelf, {}",
        inzage_pgo::directory::display_name(PRACTICE_A)
    );
    let other_order = format!(
        "{}, ingevoerd door uzelf",
        inzage_pgo::directory::display_name(PRACTICE_A)
    );
    assert!(
        data.body.contains(&own_and_practice) || data.body.contains(&other_order),
        "{}",
        data.body
    );

    // Nothing new to send; another's item or connection is not found; the log has the send.
    let again = c
        .post(
            "/pgo/eigen/versturen",
            &[("csrf", &csrf), ("verbinding", &conn.id)],
        )
        .await;
    assert_eq!(
        again.location.as_deref(),
        Some("/pgo/eigen?fout=pgo-own-err-nothing")
    );
    let p = c
        .post(
            "/pgo/eigen/verwijderen",
            &[("csrf", &csrf), ("item", "not-mine")],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = c
        .post(
            "/pgo/eigen/versturen",
            &[("csrf", &csrf), ("verbinding", "not-mine")],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let log = c.get("/pgo/logboek").await;
    assert!(log.body.contains("Metingen verstuurd naar"), "{}", log.body);
}

#[tokio::test]
async fn r94_r99_r124_r125_two_practices_one_faulty_provider_and_one_not_on_the_whitelist() {
    let (a, a_addr) = practice(PRACTICE_A, true).await;
    let (b, b_addr) = practice(PRACTICE_B, false).await;
    let (faulty_addr, seen) = faulty().await;
    let unlisted_addr = listen("127.0.0.2", Router::new()).await;
    let lists = lists(a_addr, b_addr, faulty_addr, unlisted_addr);
    let (app, _) = pgo_app(&lists).await;
    let mut c = app.client();
    sign_up(&mut c).await;

    // Finding a provider by a word of its name (R92: only what the list holds).
    let page = c.get("/pgo/aanbieders?zoek=linde").await;
    assert!(
        page.body.contains("Huisartsenpraktijk de linde"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Gezondheidscentrum oost"));
    assert!(page.body.contains("Huisartsgegevens"));

    // Practice A, the whole GP record: the Nictiz patient's counts come through exactly.
    let callback = consent_at(&mut c, &a, PRACTICE_A, "49").await;
    let p = c.get(&callback).await;
    assert!(
        p.location.as_deref().unwrap().starts_with("/pgo#v-"),
        "{}",
        p.body
    );
    // R96: the code was redeemed once; presenting the callback again does nothing.
    let again = c.get(&callback).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    let account = account_id(&app).await;
    let merged = inzage_pgo::view::merge(
        &app.store.pgo_resources(&account).await.unwrap(),
        app.clock.now(),
        "nl",
    );
    assert_eq!(merged.problems.len(), 7, "episodes");
    assert_eq!(merged.results.len(), 18, "results");
    assert_eq!(merged.medication.len(), 3, "current medicines");
    assert_eq!(merged.allergies.len(), 1, "allergy");
    let home = c.get("/pgo").await;
    assert!(home.body.contains("Alles is opgehaald"), "{}", home.body);

    // R99: every resource is kept with its source; R100: the chain log has each call.
    let resources = app.store.pgo_resources(&account).await.unwrap();
    assert!(
        resources
            .iter()
            .all(|r| r.provider == PRACTICE_A && r.service == "49")
    );
    let events = app
        .store
        .chain_log(app.clock.now() - Duration::days(1))
        .await
        .unwrap();
    let count = |k: ChainEventKind| events.iter().filter(|e| e.kind == k).count();
    assert_eq!(count(ChainEventKind::AuthorizationRequest), 1);
    assert_eq!(count(ChainEventKind::TokenRequest), 1);
    assert_eq!(count(ChainEventKind::ResourceRequest), 7);
    assert!(events.iter().all(|e| e.client_id == "localhost"));

    // Practice B: the same person by BSN; its medicines are the same as A's but one.
    let callback = consent_at(&mut c, &b, PRACTICE_B, "49").await;
    c.get(&callback).await;
    let merged = inzage_pgo::view::merge(
        &app.store.pgo_resources(&account).await.unwrap(),
        app.clock.now(),
        "nl",
    );
    // R125: shown once, with both sources; B's own medicine with B alone.
    assert_eq!(merged.medication.len(), 4, "{:?}", merged.medication);
    let both: Vec<_> = merged
        .medication
        .iter()
        .filter(|l| l.sources.len() == 2)
        .collect();
    assert_eq!(both.len(), 3);
    assert_eq!(
        both[0].sources,
        ["gezondheidscentrum oost", "huisartsenpraktijk de linde"]
    );
    assert_eq!(merged.allergies.len(), 1);
    assert_eq!(merged.allergies[0].sources.len(), 2);
    let data = c.get("/pgo/gegevens").await;
    assert!(
        data.body
            .contains("Gezien bij: gezondheidscentrum oost, huisartsenpraktijk de linde"),
        "{}",
        data.body
    );
    assert!(
        data.body.contains("Paracetamol 500 mg tablet"),
        "{:?}",
        merged
            .medication
            .iter()
            .map(|l| &l.title)
            .collect::<Vec<_>>()
    );

    // A fetch again on the long-term consent: nothing new, and the refresh token rotated.
    let before = app.store.pgo_connections(&account).await.unwrap();
    let conn_a = before.iter().find(|x| x.provider == PRACTICE_A).unwrap();
    let csrf = csrf_in(&c.get("/pgo").await.body);
    c.post(
        "/pgo/ophalen",
        &[("csrf", &csrf), ("verbinding", &conn_a.id)],
    )
    .await;
    let after = app.store.pgo_connections(&account).await.unwrap();
    let conn_a2 = after.iter().find(|x| x.provider == PRACTICE_A).unwrap();
    assert_ne!(conn_a.refresh_token, conn_a2.refresh_token);
    let outcome = FetchOutcome::parse(conn_a2.last_outcome.as_deref().unwrap()).unwrap();
    assert!(outcome.complete());
    assert!(
        outcome
            .queries
            .iter()
            .all(|q| q.new == 0 && q.changed == 0 && q.removed == 0)
    );

    // The faulty provider: every query fails in its own way, and each is said in plain Dutch;
    // what A and B gave stays.
    let p = c
        .get(&format!("/pgo/verbinden?aanbieder={FAULTY}&dienst=49"))
        .await;
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(p.location.unwrap())
        .send()
        .await
        .unwrap();
    let back = answer.headers()["location"].to_str().unwrap().to_owned();
    c.get(&split(&back).1).await;
    let conns = app.store.pgo_connections(&account).await.unwrap();
    let faulty_conn = conns.iter().find(|x| x.provider == FAULTY).unwrap();
    let outcome = FetchOutcome::parse(faulty_conn.last_outcome.as_deref().unwrap()).unwrap();
    let by_query: HashMap<&str, Option<Failure>> = outcome
        .queries
        .iter()
        .map(|q| (q.query.as_str(), q.failure))
        .collect();
    assert_eq!(by_query["Q1"], None);
    assert_eq!(by_query["Q2"], Some(Failure::NoAnswer));
    assert_eq!(by_query["Q3"], Some(Failure::ProviderFault));
    assert_eq!(by_query["Q4"], Some(Failure::Unreadable));
    assert_eq!(by_query["Q5"], Some(Failure::ConsentEnded));
    assert_eq!(by_query["Q6"], Some(Failure::NotOffered));
    assert_eq!(by_query["Q7"], Some(Failure::Unreadable));
    let home = c.get("/pgo").await;
    assert!(
        home.body.contains(
            "De uitslagen van Praktijk met storing konden niet worden opgehaald: uw toestemming is verlopen of ingetrokken."
        ),
        "{}",
        home.body
    );
    assert!(home.body.contains(
        "De gezondheidsproblemen van Praktijk met storing konden niet worden opgehaald: de zorgverlener geeft geen antwoord. Probeer het later opnieuw."
    ));
    assert!(home.body.contains("Een deel is opgehaald"));
    let merged = inzage_pgo::view::merge(
        &app.store.pgo_resources(&account).await.unwrap(),
        app.clock.now(),
        "nl",
    );
    assert_eq!(merged.results.len(), 18, "what A gave stays");
    // R97, R98: the queries exactly, the headers on every one, no person in any URL.
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.paths.len(), 7);
        for (h, path) in seen.headers.iter().zip(&seen.paths) {
            assert_eq!(h["authorization"], "Bearer faulty-access");
            assert_eq!(h["medmij-request-id"].len(), 36);
            assert!(!h["x-correlation-id"].is_empty());
            let lower = path.to_lowercase();
            assert!(
                !lower.contains("patient=")
                    && !lower.contains("subject=")
                    && !lower.contains(FIXTURE_BSN)
            );
        }
        assert!(
            seen.paths
                .contains(&"/fhir/Patient?_include=Patient:general-practitioner".to_owned())
        );
        assert!(
            seen.paths
                .contains(&"/fhir/AllergyIntolerance?category=medication".to_owned())
        );
    }

    // R93: a provider whose host is not on the whitelist is never called.
    let p = c
        .get(&format!("/pgo/verbinden?aanbieder={UNLISTED}&dienst=49"))
        .await;
    assert_eq!(p.location.as_deref(), Some("/pgo?melding=failed"));

    // R101: withdrawing at the PGO revokes the consent at the practice too.
    let conn_a = after.iter().find(|x| x.provider == PRACTICE_A).unwrap();
    let token = conn_a2.refresh_token.clone().unwrap();
    let csrf = csrf_in(&c.get("/pgo").await.body);
    let p = c
        .post(
            "/pgo/intrekken",
            &[("csrf", &csrf), ("verbinding", &conn_a.id)],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/pgo?melding=withdrawn"));
    let claim = a
        .store
        .rotate_refresh_token(
            &inzage_medmij::token_hash(&token),
            "localhost",
            "x",
            a.clock.now(),
        )
        .await
        .unwrap();
    assert!(
        matches!(claim, inzage_store::RefreshClaim::Invalid),
        "{claim:?}"
    );
    let conns = app.store.pgo_connections(&account).await.unwrap();
    assert!(
        conns
            .iter()
            .find(|x| x.provider == PRACTICE_A)
            .unwrap()
            .refresh_token
            .is_none()
    );
    let log = c.get("/pgo/logboek").await;
    assert!(
        log.body
            .contains("Toestemming ingetrokken bij: Huisartsenpraktijk de linde"),
        "{}",
        log.body
    );
    assert!(log.body.contains("Gekoppeld met: Gezondheidscentrum oost"));

    // Another person's connection id is nothing to this person (IDOR).
    let mut other = app.client();
    other.login("anna").await;
    let page = other.get("/pgo").await;
    let csrf = csrf_in(&page.body);
    other
        .post("/pgo/aanmelden", &[("csrf", &csrf), ("agree", "yes")])
        .await;
    let b_conn = conns.iter().find(|x| x.provider == PRACTICE_B).unwrap();
    for path in ["/pgo/ophalen", "/pgo/intrekken", "/pgo/bron-verwijderen"] {
        let p = other
            .post(path, &[("csrf", &csrf), ("verbinding", &b_conn.id)])
            .await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}");
    }
    let data = other.get("/pgo/gegevens").await;
    assert!(!data.body.contains("Paracetamol"));
    assert!(
        app.store
            .pgo_connections(&account)
            .await
            .unwrap()
            .iter()
            .any(|x| x.provider == PRACTICE_B && x.refresh_token.is_some())
    );

    // Deleting the account takes everything at once and withdraws what is still given.
    let csrf = csrf_in(&c.get("/pgo").await.body);
    let p = c
        .post(
            "/pgo/account-verwijderen",
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/pgo"));
    assert!(app.store.pgo_resources(&account).await.unwrap().is_empty());
    assert!(
        app.store
            .pgo_connections(&account)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(app.store.pgo_log_of(&account).await.unwrap().is_empty());
    let consents = b
        .store
        .consents(
            &b.store
                .find_patient_by_bsn(&Bsn::parse(FIXTURE_BSN).unwrap())
                .await
                .unwrap()
                .unwrap(),
            b.clock.now(),
        )
        .await
        .unwrap();
    assert!(
        consents.is_empty(),
        "B's consent was withdrawn with the account"
    );
}

#[tokio::test]
async fn r95_a_callback_that_is_not_ours_is_refused_and_a_denial_is_explained() {
    let (a, a_addr) = practice(PRACTICE_A, true).await;
    let lists = lists(a_addr, a_addr, a_addr, a_addr);
    let (app, _) = pgo_app(&lists).await;
    let mut c = app.client();
    sign_up(&mut c).await;
    // No flow under way.
    let p = c.get("/pgo/terug?code=x&state=y").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    // A flow, but another state: refused, and the flow is gone.
    let p = c
        .get(&format!("/pgo/verbinden?aanbieder={PRACTICE_A}&dienst=49"))
        .await;
    assert!(p.location.is_some());
    let p = c.get("/pgo/terug?code=x&state=not-ours").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body
            .contains("Het antwoord hoort niet bij uw eigen aanvraag."),
        "{}",
        p.body
    );
    // The person says no at the practice.
    let p = c
        .get(&format!("/pgo/verbinden?aanbieder={PRACTICE_A}&dienst=49"))
        .await;
    let state: HashMap<String, String> = url::Url::parse(p.location.as_deref().unwrap())
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let p = c
        .get(&format!(
            "/pgo/terug?error=access_denied&state={}",
            state["state"]
        ))
        .await;
    assert_eq!(p.location.as_deref(), Some("/pgo?melding=denied"));
    let home = c.get("/pgo?melding=denied").await;
    assert!(home.body.contains("U heeft geen toestemming gegeven"));
    // Nothing was connected or kept.
    let account = account_id(&app).await;
    assert!(
        app.store
            .pgo_connections(&account)
            .await
            .unwrap()
            .is_empty()
    );
    let _ = a;
}

#[tokio::test]
async fn r92_a_broken_or_older_list_never_replaces_the_one_in_use() {
    let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let l = lists(addr, addr, addr, addr);
    let sources = inzage_pgo::ListSources {
        providers: l.dir.join("zal.xml").display().to_string(),
        service_names: None,
        whitelist: l.dir.join("whitelist.xml").display().to_string(),
    };
    let directory = inzage_pgo::Directory::new(sources, reqwest::Client::new());
    assert!(directory.refresh().await.is_empty());
    assert_eq!(directory.lists().providers.unwrap().providers.len(), 4);
    let one = format!(
        "<Zorgaanbieder><Zorgaanbiedernaam>{PRACTICE_A}</Zorgaanbiedernaam><Gegevensdiensten>{}</Gegevensdiensten></Zorgaanbieder>",
        service("49", "https://a.example", "/auth", "/token")
    );
    for (why, text, problems, kept) in [
        ("broken", "<Zorgaanbiederslijst".to_owned(), 1, 4),
        ("older", zal(4, &one), 1, 4),
        ("the same number", zal(5, &one), 0, 4),
        (
            "plain http to another machine",
            zal(9, &one.replace("https://a.example", "http://a.example")),
            1,
            4,
        ),
        ("newer", zal(6, &one), 0, 1),
    ] {
        std::fs::write(l.dir.join("zal.xml"), text).unwrap();
        assert_eq!(directory.refresh().await.len(), problems, "{why}");
        assert_eq!(
            directory.lists().providers.unwrap().providers.len(),
            kept,
            "{why}"
        );
    }
    // A whitelist with no node is refused too: the one in use stays.
    std::fs::write(
        l.dir.join("whitelist.xml"),
        "<Whitelist xmlns=\"xmlns://afsprakenstelsel.medmij.nl/whitelist/release2/\"><Tijdstempel>2026-12-02T12:00:00Z</Tijdstempel><Volgnummer>9</Volgnummer><MedMijNodes/></Whitelist>",
    )
    .unwrap();
    assert_eq!(directory.refresh().await.len(), 1);
    assert!(directory.lists().whitelist.unwrap().allows("127.0.0.1"));
}

/// A second person, with a login and a PGO account of their own at the same PGO.
const RELATIVE: &str = "eva";

async fn second_person(app: &TestApp) -> Client<'_> {
    person(app, RELATIVE, BSN_OTHER, "Eva").await
}

/// Another person with a login and a PGO account of their own.
async fn person<'a>(app: &'a TestApp, username: &str, bsn: &str, name: &str) -> Client<'a> {
    inzage_login::auth::create_account(
        &app.store,
        username,
        PASSWORD,
        Bsn::parse(bsn).unwrap(),
        name,
        Some(secret_of(username)),
        app.clock.now(),
    )
    .await
    .unwrap();
    let mut c = app.client();
    c.login(username).await;
    let csrf = csrf_in(&c.get("/pgo").await.body);
    let p = c
        .post("/pgo/aanmelden", &[("csrf", &csrf), ("agree", "yes")])
        .await;
    assert_eq!(p.location.as_deref(), Some("/pgo"));
    c
}

/// The text after `marker` in `body`, `len` characters long.
fn after(body: &str, marker: &str, len: usize) -> String {
    let at = body
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {body}"))
        + marker.len();
    body[at..at + len].to_owned()
}

/// Family: the person invites someone with a PGO account of their own for chosen parts. Only
/// that account can accept, once; it reads only those parts and cannot change anything; every
/// reading is in the person's log; either of them ends it at once.
#[tokio::test]
async fn family_reads_only_the_chosen_parts_until_either_of_them_stops_and_every_reading_is_logged()
{
    use inzage_store::PgoCircleStore;
    let (a, a_addr) = practice(PRACTICE_A, true).await;
    let lists = lists(a_addr, a_addr, a_addr, a_addr);
    let (app, _) = pgo_app(&lists).await;
    let mut c = app.client();
    sign_up(&mut c).await;
    let callback = consent_at(&mut c, &a, PRACTICE_A, "49").await;
    c.get(&callback).await;
    let account = account_id(&app).await;
    let mut eva = second_person(&app).await;

    let page = c.get("/pgo/familie").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = csrf_in(&page.body);
    let p = c
        .post("/pgo/familie", &[("csrf", &csrf), ("voor", "Eva")])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Kies welke gegevens"), "{}", p.body);
    assert!(
        app.store
            .pgo_family_given(&account)
            .await
            .unwrap()
            .is_empty()
    );
    let invite = async |c: &mut Client<'_>| {
        let p = c
            .post(
                "/pgo/familie",
                &[
                    ("csrf", &csrf),
                    ("voor", "Eva, mijn dochter"),
                    ("deel", "medication"),
                    ("deel", "allergies"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        after(&p.body, "class=\"family-code\">", 14)
    };
    let code = invite(&mut c).await;
    // Nobody accepts their own invitation.
    let p = c
        .post("/pgo/familie/aannemen", &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);

    let ecsrf = csrf_in(&eva.get("/pgo/familie").await.body);
    let p = eva
        .post(
            "/pgo/familie/aannemen",
            &[("csrf", &ecsrf), ("code", "AAAA-BBBB-CCCC")],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Deze code werkt niet"));
    let p = eva
        .post(
            "/pgo/familie/aannemen",
            &[("csrf", &ecsrf), ("code", &code.to_lowercase())],
        )
        .await;
    let reading = p.location.expect("to the person's data");
    assert!(reading.starts_with("/pgo/familie/"), "{reading}");
    let read = eva.get(&reading).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(
        read.body.contains("Gegevens van Jacqueline"),
        "{}",
        read.body
    );
    assert!(
        read.body.contains("Medicijnen die de persoon nu gebruikt")
            && read.body.contains("Allergieën")
    );
    assert!(
        !read.body.contains("Gezondheidsproblemen") && !read.body.contains("Uitslagen"),
        "only the chosen parts"
    );
    assert!(
        !read.body.contains("action=\"/pgo/eigen"),
        "nothing to change"
    );
    // The code worked once; the person's own page does not open the reader's view.
    let p = eva
        .post(
            "/pgo/familie/aannemen",
            &[("csrf", &ecsrf), ("code", &code)],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert_eq!(c.get(&reading).await.status, StatusCode::NOT_FOUND);
    let mine = c.get("/pgo/familie").await;
    assert!(
        mine.body.contains("Eva kijkt mee sinds"),
        "who accepted, in their own name: {}",
        mine.body
    );
    let log = c.get("/pgo/logboek").await;
    assert!(
        log.body
            .contains("Meekijken begonnen door: Eva, mijn dochter (Eva)")
            && log
                .body
                .contains("Gegevens bekeken door: Eva, mijn dochter"),
        "{}",
        log.body
    );
    let listed = eva.get("/pgo/familie").await;
    assert!(listed.body.contains(&reading));

    // The person stops it: at once nothing more to read. An unknown id is not found.
    let grant = app
        .store
        .pgo_family_given(&account)
        .await
        .unwrap()
        .remove(0);
    let p = c
        .post(
            "/pgo/familie/stoppen",
            &[("csrf", &csrf), ("toegang", "not-mine")],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = c
        .post(
            "/pgo/familie/stoppen",
            &[("csrf", &csrf), ("toegang", &grant.id)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Het meekijken is gestopt"));
    assert_eq!(eva.get(&reading).await.status, StatusCode::NOT_FOUND);
    assert!(!eva.get("/pgo/familie").await.body.contains(&reading));

    // The reader can stop too; the person sees it in their log.
    let code = invite(&mut c).await;
    let to = eva
        .post(
            "/pgo/familie/aannemen",
            &[("csrf", &ecsrf), ("code", &code)],
        )
        .await
        .location
        .unwrap();
    let id = to.trim_start_matches("/pgo/familie/").to_owned();
    let p = eva
        .post(
            "/pgo/familie/stoppen",
            &[("csrf", &ecsrf), ("toegang", &id)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(eva.get(&to).await.status, StatusCode::NOT_FOUND);
    assert!(
        c.get("/pgo/logboek")
            .await
            .body
            .contains("Gestopt met meekijken: Eva, mijn dochter")
    );
}

/// A care-team space: the person invites two clinicians, each with a link and a code of their
/// own. Each reads the chosen parts, the plan and every message; a message with a photo reaches
/// everyone; every opening and message is in the person's log; a clinician taken out, or a
/// closed space, opens nothing more.
#[tokio::test]
async fn a_care_team_reads_the_chosen_data_writes_to_everyone_and_is_closed_at_once() {
    use inzage_store::PgoCircleStore;
    let (a, a_addr) = practice(PRACTICE_A, true).await;
    let lists = lists(a_addr, a_addr, a_addr, a_addr);
    let (app, _) = pgo_app(&lists).await;
    let mut c = app.client();
    sign_up(&mut c).await;
    let callback = consent_at(&mut c, &a, PRACTICE_A, "49").await;
    c.get(&callback).await;
    let csrf = csrf_in(&c.get("/pgo/zorgteam").await.body);
    let p = c
        .post("/pgo/zorgteam", &[("csrf", &csrf), ("titel", "  ")])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = c
        .post(
            "/pgo/zorgteam",
            &[
                ("csrf", &csrf),
                ("titel", "Mijn huid"),
                ("deel", "medication"),
            ],
        )
        .await;
    let space = p.location.expect("to the new space");
    let team_id = space.trim_start_matches("/pgo/zorgteam/").to_owned();
    let invite = async |c: &mut Client<'_>, who: &str| {
        let p = c
            .post(
                &format!("{space}/uitnodigen"),
                &[("csrf", &csrf), ("wie", who)],
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        (
            format!(
                "/zorgteam/{}",
                after(&p.body, "http://localhost/zorgteam/", 64)
            ),
            after(&p.body, "class=\"share-code\">", 9),
        )
    };
    let (derm_link, derm_code) = invite(&mut c, "Dermatoloog").await;
    let (gp_link, gp_code) = invite(&mut c, "Huisarts").await;

    let mut derm = app.client();
    let form = derm.get(&derm_link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.body.contains("Mijn huid") && !form.body.contains("Jacqueline"));
    let dcsrf = csrf_in(&form.body);
    let p = derm
        .post(&derm_link, &[("csrf", &dcsrf), ("code", "AAAA-AAAA")])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = derm
        .post(&derm_link, &[("csrf", &dcsrf), ("code", &derm_code)])
        .await;
    assert_eq!(p.location.as_deref(), Some(derm_link.as_str()));
    let inside = derm.get(&derm_link).await;
    assert!(
        inside.body.contains("Mijn huid")
            && inside.body.contains("Jacqueline")
            && inside
                .body
                .contains("Medicijnen die de persoon nu gebruikt"),
        "{}",
        inside.body
    );
    assert!(
        !inside.body.contains("Gezondheidsproblemen"),
        "only the chosen parts"
    );
    // Let in through one link is not let in through another.
    let other = derm.get(&gp_link).await;
    assert!(!other.body.contains("Mijn huid"), "{}", other.body);

    // The plan, and a message with a photo from the dermatologist, reach the GP too.
    let p = c
        .post(
            &format!("{space}/plan"),
            &[("csrf", &csrf), ("plan", "Twee keer per dag insmeren")],
        )
        .await;
    assert!(p.location.is_some(), "{}", p.body);
    let dcsrf = csrf_in(&inside.body);
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
    let p = derm
        .post_multipart(
            &format!("{derm_link}/bericht"),
            &[
                ("csrf", &dcsrf),
                ("tekst", "Graag over twee weken een foto"),
            ],
            ("bijlage", "huid.png", png),
        )
        .await;
    assert!(p.location.is_some(), "{}", p.body);
    let p = derm
        .post_multipart(
            &format!("{derm_link}/bericht"),
            &[("csrf", &dcsrf), ("tekst", "Een programma")],
            ("bijlage", "x.png", b"MZ\x90\0 not an image"),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "checked by content");
    let mut gp = app.client();
    let gcsrf = csrf_in(&gp.get(&gp_link).await.body);
    gp.post(&gp_link, &[("csrf", &gcsrf), ("code", &gp_code)])
        .await;
    let gp_view = gp.get(&gp_link).await;
    assert!(
        gp_view.body.contains("Graag over twee weken een foto")
            && gp_view.body.contains("Dermatoloog")
            && gp_view.body.contains("Twee keer per dag insmeren"),
        "{}",
        gp_view.body
    );
    let file = after(&gp_view.body, &format!("{gp_link}/bestand/"), 36);
    let got = gp.get(&format!("{gp_link}/bestand/{file}")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.bytes, png);
    // The person reads it and the photo on their own page.
    let own = c.get(&space).await;
    assert!(own.body.contains("Graag over twee weken een foto"));
    let got = c.get(&format!("{space}/bestand/{file}")).await;
    assert_eq!(got.bytes, png);
    let log = c.get("/pgo/logboek").await;
    for line in [
        "Zorgteam geopend door: Dermatoloog",
        "Zorgteam geopend door: Huisarts",
        "Bericht in het zorgteam van: Dermatoloog",
    ] {
        assert!(log.body.contains(line), "{line}: {}", log.body);
    }
    assert!(
        !log.body.contains("Mijn huid"),
        "the log names who, not what"
    );

    // The dermatologist taken out: their open session gets nothing more.
    let member = app
        .store
        .pgo_team_members(&team_id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.label == "Dermatoloog")
        .unwrap();
    let p = c
        .post(
            &format!("{space}/lid-verwijderen"),
            &[("csrf", &csrf), ("lid", &member.id)],
        )
        .await;
    assert!(p.location.is_some());
    assert_eq!(derm.get(&derm_link).await.status, StatusCode::NOT_FOUND);
    let p = derm
        .post_multipart(
            &format!("{derm_link}/bericht"),
            &[("csrf", &dcsrf), ("tekst", "Nog iets")],
            ("bijlage", "huid.png", png),
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    // A file of another space is not reached through this space's link.
    let other_space = c
        .post(
            "/pgo/zorgteam",
            &[("csrf", &csrf), ("titel", "Iets anders")],
        )
        .await
        .location
        .unwrap();
    c.post_multipart(
        &format!("{other_space}/bericht"),
        &[("csrf", &csrf), ("tekst", "Alleen voor het andere team")],
        ("bijlage", "ander.png", png),
    )
    .await;
    let other_post = app
        .store
        .pgo_team_posts(other_space.trim_start_matches("/pgo/zorgteam/"))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        gp.get(&format!("{gp_link}/bestand/{}", other_post.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Closing the space closes every link; the person still reads it.
    let p = c
        .post(&format!("{space}/sluiten"), &[("csrf", &csrf)])
        .await;
    assert!(p.location.is_some());
    assert_eq!(gp.get(&gp_link).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        gp.get(&format!("{gp_link}/bestand/{file}")).await.status,
        StatusCode::NOT_FOUND
    );
    let own = c.get(&space).await;
    assert!(
        own.body.contains("Dit zorgteam is gesloten"),
        "{}",
        own.body
    );
    let p = c
        .post(
            &format!("{space}/plan"),
            &[("csrf", &csrf), ("plan", "Anders")],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT);
}

/// Adds a specialist's letter (a PDF) to the practice's record of the person.
async fn add_letter(practice: &TestApp) -> Vec<u8> {
    let id = nictiz_record(practice).patient.id;
    let mut record = practice.store.load_record(&id).await.unwrap().unwrap();
    let pdf = b"%PDF-1.4\n% brief van de dermatoloog\n".to_vec();
    record.letters.push(Letter {
        id: LetterId::new("brief-dermatoloog").unwrap(),
        direction: LetterDirection::Incoming,
        letter_type: LetterType::SpecialistLetter,
        date: inzage_domain::time::local_date(practice.clock.now()) - chrono::Days::new(3),
        title: "Brief dermatoloog".into(),
        author: "Ziekenhuis Oost".into(),
        content: LetterContent::Pdf { bytes: pdf.clone() },
        episode: None,
        document: None,
        meta: ItemMeta::new(Actor::System("test".into()), practice.clock.now()),
    });
    practice
        .store
        .save_record(&record, audit_event(&record, practice))
        .await
        .unwrap();
    pdf
}

/// Documents (GD 51), the timeline and the course over time: a letter in the list opens as its
/// PDF, fetched from the practice when opened; results and measurements with more than one
/// value have a chart and a table, a value from two sources is one row naming both.
#[tokio::test]
async fn documents_open_from_the_provider_and_results_and_measurements_have_a_course() {
    let (a, a_addr) = practice(PRACTICE_A, true).await;
    let pdf = add_letter(&a).await;
    let lists = lists(a_addr, a_addr, a_addr, a_addr);
    let (app, pgo) = pgo_app(&lists).await;
    let mut c = app.client();
    sign_up(&mut c).await;
    for service in ["49", "51"] {
        let callback = consent_at(&mut c, &a, PRACTICE_A, service).await;
        c.get(&callback).await;
    }
    let data = c.get("/pgo/gegevens").await;
    assert!(data.body.contains("Brief dermatoloog"), "{}", data.body);
    let link = after(&data.body, "href=\"/pgo/document?", 200);
    let link = format!("/pgo/document?{}", &link[..link.find('"').unwrap()])
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let got = c.get(&link).await;
    assert_eq!(got.status, StatusCode::OK, "{link}");
    assert_eq!(got.bytes, pdf);
    assert!(
        c.get("/pgo/logboek")
            .await
            .body
            .contains("Document geopend van")
    );
    // Two uses of one refresh token at once (two tabs, a double click): the provider would end
    // the consent on the second; one waits for the other, and the consent lives on.
    let account = account_id(&app).await;
    let conns = app.store.pgo_connections(&account).await.unwrap();
    let (one, two) = tokio::join!(
        inzage_pgo::fetch::with_refresh(&pgo, conns[0].clone(), app.clock.now()),
        inzage_pgo::fetch::with_refresh(&pgo, conns[0].clone(), app.clock.now()),
    );
    assert!(one.unwrap().complete() && two.unwrap().complete());
    let got = c.get(&link).await;
    assert_eq!(got.bytes, pdf, "the consent still works");
    // A document that is not in the account's list is not fetched.
    let p = c
        .get(&format!("/pgo/document?aanbieder={PRACTICE_A}&id=not-kept"))
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    // Two blood pressures of the person's own: a course of the upper and the lower pressure.
    let csrf = csrf_in(&c.get("/pgo/eigen").await.body);
    let today = inzage_domain::time::local_date(app.clock.now());
    for (days, upper, lower) in [(10, "141", "92"), (2, "128", "84")] {
        let day = (today - chrono::Days::new(days)).to_string();
        let p = c
            .post(
                "/pgo/eigen/meting",
                &[
                    ("csrf", &csrf),
                    ("soort", "blood-pressure"),
                    ("boven", upper),
                    ("onder", lower),
                    ("datum", &day),
                    ("tijd", "08:00"),
                ],
            )
            .await;
        assert!(p.location.is_some());
    }
    let course = c.get("/pgo/verloop").await;
    assert_eq!(course.status, StatusCode::OK);
    assert!(
        course.body.contains("Bloeddruk (bovendruk)")
            && course.body.contains("Bloeddruk (onderdruk)"),
        "{}",
        course.body
    );
    assert!(course.body.contains("<svg") && course.body.contains("<td>141</td>"));
    // The Nictiz patient's results: every test measured more than once has its course.
    let repeated = {
        let record = nictiz_record(&a);
        let mut count: HashMap<String, usize> = HashMap::new();
        for r in &record.results {
            if matches!(r.value, ResultValue::Quantity { .. }) {
                *count.entry(r.code.as_str().to_owned()).or_default() += 1;
            }
        }
        count.values().filter(|n| **n >= 2).count()
    };
    assert!(repeated > 0);
    assert_eq!(
        course.body.matches("class=\"course\"").count(),
        repeated + 2,
        "{}",
        course.body
    );
    let timeline = c.get("/pgo/tijdlijn").await;
    assert_eq!(timeline.status, StatusCode::OK);
    assert!(
        timeline.body.contains("Brief dermatoloog")
            && timeline.body.contains("Meting")
            // The newest item is the blood pressure of two days ago.
            && timeline.body.contains(&format!(
                "<h2 id=\"y-{}\"",
                chrono::Datelike::year(&(today - chrono::Days::new(2)))
            )),
        "{}",
        timeline.body
    );

    // Consent withdrawn: the document is not fetched, and the person reads why.
    let conn = app
        .store
        .pgo_connections(&account_id(&app).await)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.service == "51")
        .unwrap();
    let p = c
        .post(
            "/pgo/intrekken",
            &[("csrf", &csrf), ("verbinding", &conn.id)],
        )
        .await;
    assert!(p.location.is_some());
    let p = c.get(&link).await;
    assert_eq!(
        p.location.as_deref(),
        Some("/pgo/gegevens?melding=pgo-why-consent")
    );
    let page = c.get("/pgo/gegevens?melding=pgo-why-consent").await;
    assert!(page.body.contains("Het document kon niet worden geopend"));
}

/// The IDOR walk (issue 19, security): one person has everything a PGO account can hold (two
/// connections with data and a document, an own note, a share link, an invitation, a care team
/// with a member and a message with a file). Another account, and a browser without a login,
/// try every PGO route with the first person's ids: they get "not found" or the login, see none
/// of it, and change nothing.
#[tokio::test]
async fn idor_walk_no_other_account_reaches_or_changes_anything_on_any_pgo_route() {
    use inzage_store::PgoCircleStore;
    // Everything the server logs on the way, to check below that no token, code or health
    // data is in it.
    let server_log = LogCapture::start();
    let (a, a_addr) = practice(PRACTICE_A, true).await;
    add_letter(&a).await;
    let lists = lists(a_addr, a_addr, a_addr, a_addr);
    let (app, _) = pgo_app(&lists).await;
    let mut c = app.client();
    sign_up(&mut c).await;
    for service in ["49", "51"] {
        let callback = consent_at(&mut c, &a, PRACTICE_A, service).await;
        c.get(&callback).await;
    }
    let account = account_id(&app).await;
    let csrf = csrf_in(&c.get("/pgo/eigen").await.body);
    c.post(
        "/pgo/eigen/notitie",
        &[("csrf", &csrf), ("tekst", "NOTITIE-VAN-JACQUELINE")],
    )
    .await;
    c.post(
        "/pgo/delen",
        &[
            ("csrf", &csrf),
            ("voor", "LINK-VAN-JACQUELINE"),
            ("deel", "notes"),
            ("uren", "24"),
        ],
    )
    .await;
    let invited = c
        .post(
            "/pgo/familie",
            &[
                ("csrf", &csrf),
                ("voor", "NAASTE-VAN-JACQUELINE"),
                ("deel", "notes"),
            ],
        )
        .await;
    // Accepted by a third person: the grant is real, and still not the other account's.
    let code = after(&invited.body, "class=\"family-code\">", 14);
    let mut third = person(&app, "derde", BSN_CARER, "Derk").await;
    let tcsrf = csrf_in(&third.get("/pgo/familie").await.body);
    let to = third
        .post(
            "/pgo/familie/aannemen",
            &[("csrf", &tcsrf), ("code", &code)],
        )
        .await
        .location
        .unwrap();
    assert_eq!(third.get(&to).await.status, StatusCode::OK);
    let space = c
        .post(
            "/pgo/zorgteam",
            &[
                ("csrf", &csrf),
                ("titel", "TEAM-VAN-JACQUELINE"),
                ("deel", "notes"),
            ],
        )
        .await
        .location
        .unwrap();
    c.post(
        &format!("{space}/uitnodigen"),
        &[("csrf", &csrf), ("wie", "LID-VAN-JACQUELINE")],
    )
    .await;
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    c.post_multipart(
        &format!("{space}/bericht"),
        &[("csrf", &csrf), ("tekst", "BERICHT-VAN-JACQUELINE")],
        ("bijlage", "foto.png", png),
    )
    .await;
    let team_id = space.trim_start_matches("/pgo/zorgteam/").to_owned();
    let conn = app.store.pgo_connections(&account).await.unwrap();
    let conn_id = conn[0].id.clone();
    let own_id = app.store.pgo_own_items(&account).await.unwrap()[0]
        .id
        .clone();
    let share_id = app.store.pgo_shares(&account).await.unwrap()[0].id.clone();
    let grant_id = app.store.pgo_family_given(&account).await.unwrap()[0]
        .id
        .clone();
    let member_id = app.store.pgo_team_members(&team_id).await.unwrap()[0]
        .id
        .clone();
    let post_id = app.store.pgo_team_posts(&team_id).await.unwrap()[0]
        .id
        .clone();
    let medicine = nictiz_record(&a)
        .medication
        .iter()
        .map(|m| m.product.name.clone())
        .next()
        .unwrap();
    let data = c.get("/pgo/gegevens").await;
    assert!(data.body.contains(&medicine) && data.body.contains("NOTITIE-VAN-JACQUELINE"));
    let before = (
        app.store.pgo_resources(&account).await.unwrap().len(),
        app.store.pgo_log_of(&account).await.unwrap().len(),
    );
    let markers = [
        "NOTITIE-VAN-JACQUELINE",
        "LINK-VAN-JACQUELINE",
        "NAASTE-VAN-JACQUELINE",
        "TEAM-VAN-JACQUELINE",
        "LID-VAN-JACQUELINE",
        "BERICHT-VAN-JACQUELINE",
        "Brief dermatoloog",
        medicine.as_str(),
    ];

    // Every route of the PGO crate, with the first person's ids where it takes one.
    let gets = [
        "/pgo".to_owned(),
        "/pgo/aanbieders?zoek=praktijk".to_owned(),
        "/pgo/gegevens".to_owned(),
        "/pgo/tijdlijn".to_owned(),
        "/pgo/verloop".to_owned(),
        "/pgo/logboek".to_owned(),
        "/pgo/eigen".to_owned(),
        "/pgo/delen".to_owned(),
        "/pgo/familie".to_owned(),
        format!("/pgo/familie/{grant_id}"),
        "/pgo/zorgteam".to_owned(),
        space.clone(),
        format!("{space}/bestand/{post_id}"),
        format!("/pgo/document?aanbieder={PRACTICE_A}&id=brief-dermatoloog"),
    ];
    let posts: Vec<(String, Vec<(&str, String)>)> = vec![
        ("/pgo/ophalen".into(), vec![("verbinding", conn_id.clone())]),
        (
            "/pgo/intrekken".into(),
            vec![("verbinding", conn_id.clone())],
        ),
        (
            "/pgo/bron-verwijderen".into(),
            vec![("verbinding", conn_id.clone())],
        ),
        (
            "/pgo/eigen/verwijderen".into(),
            vec![("item", own_id.clone())],
        ),
        (
            "/pgo/eigen/versturen".into(),
            vec![("verbinding", conn_id.clone())],
        ),
        (
            "/pgo/delen/intrekken".into(),
            vec![("link", share_id.clone())],
        ),
        (
            "/pgo/familie/stoppen".into(),
            vec![("toegang", grant_id.clone())],
        ),
        (
            format!("{space}/uitnodigen"),
            vec![("wie", "Indringer".into())],
        ),
        (
            format!("{space}/lid-verwijderen"),
            vec![("lid", member_id.clone())],
        ),
        (
            format!("{space}/plan"),
            vec![("plan", "Overschreven".into())],
        ),
        (format!("{space}/sluiten"), vec![]),
    ];

    let mut eva = second_person(&app).await;
    let ecsrf = csrf_in(&eva.get("/pgo/eigen").await.body);
    for path in &gets {
        let p = eva.get(path).await;
        for m in &markers {
            assert!(!p.body.contains(m), "{path} shows {m} to another account");
        }
        let private =
            path.contains(&team_id) || path.contains(&grant_id) || path.contains("document");
        if private {
            assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}");
        }
    }
    for (path, fields) in &posts {
        let mut form = vec![("csrf", ecsrf.as_str())];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let p = eva.post(path, &form).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}: {}", p.body);
    }
    let p = eva
        .post_multipart(
            &format!("{space}/bericht"),
            &[("csrf", &ecsrf), ("tekst", "Indringer")],
            ("bijlage", "x.png", png),
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    // A browser without a login: the login, never the data.
    let mut anonymous = app.client();
    let acsrf = csrf_in(&anonymous.get("/inloggen").await.body);
    for path in gets.iter().skip(1) {
        let p = anonymous.get(path).await;
        assert_ne!(p.status, StatusCode::OK, "{path}");
        for m in &markers {
            assert!(!p.body.contains(m), "{path} shows {m} without a login");
        }
    }
    for (path, fields) in &posts {
        let mut form = vec![("csrf", acsrf.as_str())];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let p = anonymous.post(path, &form).await;
        assert!(!p.status.is_success(), "{path}");
    }

    // Nothing of the first person's changed.
    let team = app
        .store
        .pgo_team(&account, &team_id)
        .await
        .unwrap()
        .unwrap();
    assert!(team.closed_at.is_none() && team.plan.is_empty());
    let members = app.store.pgo_team_members(&team_id).await.unwrap();
    assert_eq!(members.len(), 1);
    assert!(members[0].removed_at.is_none());
    assert_eq!(app.store.pgo_team_posts(&team_id).await.unwrap().len(), 1);
    assert!(
        app.store.pgo_shares(&account).await.unwrap()[0]
            .revoked_at
            .is_none()
    );
    let grant = app
        .store
        .pgo_family_given(&account)
        .await
        .unwrap()
        .remove(0);
    assert!(grant.ended_at.is_none() && grant.viewer_name.as_deref() == Some("Derk"));
    assert_eq!(app.store.pgo_own_items(&account).await.unwrap().len(), 1);
    let conns = app.store.pgo_connections(&account).await.unwrap();
    assert!(
        conns
            .iter()
            .all(|c| c.refresh_token.is_some() && c.withdrawn_at.is_none())
    );
    assert_eq!(
        app.store.pgo_resources(&account).await.unwrap().len(),
        before.0
    );
    assert_eq!(
        app.store.pgo_log_of(&account).await.unwrap().len(),
        before.1
    );
    // Nothing of it in the server's log: no token, no code, no health data.
    let logged = server_log.text();
    assert!(!logged.is_empty(), "the capture works");
    let tokens: Vec<String> = conns
        .iter()
        .filter_map(|c| c.refresh_token.clone())
        .collect();
    assert_eq!(tokens.len(), 2);
    for secret in tokens
        .iter()
        .map(String::as_str)
        .chain([code.as_str()])
        .chain(markers)
    {
        assert!(!logged.contains(secret), "the server log holds {secret}");
    }
    // And the first person still has it all; the third still reads along.
    assert_eq!(third.get(&to).await.status, StatusCode::OK);
    let data = c.get("/pgo/gegevens").await;
    assert!(data.body.contains(&medicine) && data.body.contains("NOTITIE-VAN-JACQUELINE"));
}

/// The token the Retrieving-PHR (and Serving-XIS) scripts send for XXX_Bourgonjee.
const RETRIEVE_TOKEN: &str = "d9f8d61b-c236-489f-aba5-b3bebd312c30";
const RETRIEVING: &str = "meetwaarden-praktijk@medmij";

/// Data service 52, retrieving (the Nictiz SelfMeasurements 2.0 Retrieving-PHR scripts): the
/// person asks the seven questions of `/pgo/metingen` of a real inzage practice that holds the
/// scenarios' nine measurements, through a proxy that gives the scripts' token and records every
/// exchange. Each request must be the script's operation (path and search), with the token and
/// no patient in the URL; each answer is the practice's own.
#[tokio::test]
async fn selfmeasurements_retrieving_phr_scripts_pass() {
    let tools =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/fhir-validate");
    if !tools.join(".venv/bin/python").exists() {
        assert!(
            std::env::var_os("INZAGE_REQUIRE_PY_TOOLS").is_none(),
            "tools/fhir-validate/.venv is required but missing"
        );
        eprintln!("SKIPPED: no tools/fhir-validate/.venv (see .ci/run)");
        return;
    }
    let dva = TestApp::new(TestDb::sqlite().await, dva_config(RETRIEVING)).await;
    let r = load_selfmeasurement_patient(&dva, "kwalificatie1", "200000159", RETRIEVE_TOKEN).await;
    assert_eq!(serve_selfmeasurement_fixtures(&dva, &r).await, 9);
    let dva_addr = listen("127.0.0.1", dva.app.clone()).await;

    // The proxy: the scripts' token from its token endpoint; resource requests passed to the
    // practice as they are, and recorded with the practice's answers.
    let exchanges: Arc<Mutex<Vec<serde_json::Value>>> = Arc::new(Mutex::new(vec![]));
    let ex = exchanges.clone();
    let http = reqwest::Client::new();
    let router = stand_in_oauth(RETRIEVE_TOKEN)
        .route(
            "/meetwaarden/fhir/{*rest}",
            get(move |uri: axum::http::Uri, headers: HeaderMap| {
                let (ex, http) = (ex.clone(), http.clone());
                async move {
                    let mut forward = http.get(format!("http://{dva_addr}{uri}"));
                    for name in ["authorization", "accept"] {
                        if let Some(v) = headers.get(name) {
                            forward = forward.header(name, v.to_str().unwrap());
                        }
                    }
                    let answer = forward.send().await.unwrap();
                    let status = answer.status().as_u16();
                    let body = answer.text().await.unwrap();
                    let sent: serde_json::Map<String, serde_json::Value> = headers
                        .iter()
                        .map(|(k, v)| (k.to_string(), serde_json::json!(v.to_str().unwrap_or_default())))
                        .collect();
                    ex.lock().unwrap().push(serde_json::json!({
                        "request": { "method": "GET", "url": format!("http://proxy{uri}"), "headers": sent, "body": "" },
                        "response": { "status": status, "headers": { "content-type": "application/fhir+json" }, "body": body },
                    }));
                    (
                        StatusCode::from_u16(status).unwrap(),
                        [(axum::http::header::CONTENT_TYPE, "application/fhir+json")],
                        body,
                    )
                        .into_response()
                }
            }),
        );
    let proxy = listen("127.0.0.1", router).await;
    let lists = write_lists(&[(
        RETRIEVING,
        service("52", &format!("http://{proxy}"), "/auth", "/token"),
    )]);
    let (app, _) = pgo_app(&lists).await;
    let mut c = app.client();
    sign_up(&mut c).await;
    connect_to_stand_in(&mut c, RETRIEVING, proxy).await;
    let conn = app
        .store
        .pgo_connections(&account_id(&app).await)
        .await
        .unwrap()
        .remove(0);
    // The fetch on connecting is not one of the scenarios.
    exchanges.lock().unwrap().clear();

    let page = c.get("/pgo/metingen").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = csrf_in(&page.body);
    let today = inzage_domain::time::local_date(app.clock.now());
    let day = |d: i64| (today - Duration::days(d)).to_string();
    for (question, from, to, shown) in [
        (1, "", "", 2),
        (2, "", "", 1),
        (3, "", "", 3),
        (4, "", "", 2),
        (5, &day(100) as &str, &day(50) as &str, 0),
        (6, &day(30), &day(0), 8),
        (7, "", "", 6),
    ] {
        let n = question.to_string();
        let p = c
            .post(
                "/pgo/metingen",
                &[
                    ("csrf", &csrf),
                    ("verbinding", &conn.id),
                    ("vraag", &n),
                    ("van", from),
                    ("tot", to),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        let answer = &p.body[p
            .body
            .find("id=\"h-answer\"")
            .unwrap_or_else(|| panic!("{}", p.body))..];
        assert_eq!(
            answer.matches("<li class=\"item\">").count(),
            shown,
            "question {question}: {answer}"
        );
    }
    // A question about a period needs one; another's connection is not found.
    let p = c
        .post(
            "/pgo/metingen",
            &[("csrf", &csrf), ("verbinding", &conn.id), ("vraag", "5")],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = c
        .post(
            "/pgo/metingen",
            &[("csrf", &csrf), ("verbinding", "not-mine"), ("vraag", "1")],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    let recorded = exchanges.lock().unwrap().clone();
    assert_eq!(recorded.len(), 7);
    let expected = recorded_scripts_pass(
        &tools,
        "Retrieving-PHR",
        &format!("http://{proxy}/meetwaarden/fhir"),
        today,
        &recorded,
    );
    println!("{expected} Retrieving-PHR assertions passed");
}

/// Issue 17: every PGO page renders in every language, with the switch, and none shows a
/// missing text.
#[tokio::test]
async fn issue17_every_pgo_page_renders_in_every_language() {
    let lists = write_lists(&[]);
    let (app, _pgo) = pgo_app(&lists).await;
    let mut c = app.client();
    sign_up(&mut c).await;
    let pages = [
        "/pgo",
        "/pgo/aanbieders",
        "/pgo/gegevens",
        "/pgo/tijdlijn",
        "/pgo/verloop",
        "/pgo/metingen",
        "/pgo/eigen",
        "/pgo/delen",
        "/pgo/familie",
        "/pgo/zorgteam",
        "/pgo/logboek",
    ];
    for (code, _) in inzage_webkit::i18n::LANGUAGES {
        let csrf = c.csrf("/pgo").await;
        c.post(
            "/taal",
            &[("csrf", &csrf), ("lang", code), ("back", "/pgo")],
        )
        .await;
        let dir = if code == "ar" { "rtl" } else { "ltr" };
        for path in pages {
            let p = c.get(path).await;
            assert_eq!(p.status, StatusCode::OK, "{code} {path}");
            assert!(
                p.body
                    .contains(&format!("<html lang=\"{code}\" dir=\"{dir}\">")),
                "{code} {path}"
            );
            assert!(!p.body.contains("Unknown localization"), "{code} {path}");
            assert!(
                p.body
                    .contains(&format!("value=\"{code}\" lang=\"{code}\" selected"))
            );
        }
    }
}
