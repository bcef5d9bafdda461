//! Login through OpenID Connect against a real, independently written OpenID Provider: the npm
//! package `oidc-provider`, run on loopback from `tools/oidc/server.mjs`.
//!
//! Needs Node and `npm ci --prefix tools/oidc`. Without them the test says SKIPPED and passes,
//! unless `INZAGE_REQUIRE_NODE_TOOLS=1` (as `.ci/run` sets it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use inzage_store::testing::TestDb;
use inzage_web::WebConfig;
use inzage_webkit::config::OidcConfig;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use support::*;

const REDIRECT: &str = "http://127.0.0.1:9/inloggen/oidc/terug";
const SUBSTANTIAL: &str = "http://eidas.europa.eu/LoA/substantial";
const LOW: &str = "http://eidas.europa.eu/LoA/low";

struct Op {
    child: Child,
    issuer: String,
}

impl Drop for Op {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the provider, or `None` when its tools are not installed.
fn start_op() -> Option<Op> {
    let tools = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/oidc");
    let node = Command::new("node").arg("--version").output().is_ok();
    if !node || !tools.join("node_modules/oidc-provider").is_dir() {
        assert!(
            std::env::var("INZAGE_REQUIRE_NODE_TOOLS").is_err(),
            "the OpenID Provider fixture is required but not installed (npm ci --prefix tools/oidc)"
        );
        eprintln!("SKIPPED OpenID Connect: node or tools/oidc/node_modules missing");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new("node")
        .arg(tools.join("server.mjs"))
        .arg(port.to_string())
        .arg(REDIRECT)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready", "the provider did not start");
    Some(Op {
        child,
        issuer: format!("http://127.0.0.1:{port}"),
    })
}

fn config(op: &Op) -> WebConfig {
    WebConfig {
        dev_mode: false,
        oidc: Some(OidcConfig {
            issuer: op.issuer.clone(),
            client_id: "inzage".into(),
            client_secret: "inzage-secret".into(),
            redirect_url: REDIRECT.into(),
            bsn_claim: "bsn".into(),
            accepted_acr: OidcConfig::default_acr(),
            button_label: "DigiD".into(),
        }),
        ..test_config()
    }
}

/// The person's side at the provider: follows its redirects, fills in its login form, and
/// returns the path and query it finally sends the browser to at our portal.
async fn at_the_provider(op: &Op, auth_url: &str, login: &str, acr: &str) -> String {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let absolute = |l: &str| {
        if l.starts_with('/') {
            format!("{}{l}", op.issuer)
        } else {
            l.to_owned()
        }
    };
    let mut url = auth_url.to_owned();
    for _ in 0..10 {
        if let Some(ours) = url.strip_prefix("http://127.0.0.1:9") {
            return ours.to_owned();
        }
        let res = http.get(&url).send().await.unwrap();
        if res.status() == reqwest::StatusCode::OK {
            // The provider's login form: post it.
            let action = format!("{}/login", url.trim_end_matches('/'));
            let res = http
                .post(&action)
                .form(&[("login", login), ("acr", acr)])
                .send()
                .await
                .unwrap();
            assert_eq!(
                res.status(),
                reqwest::StatusCode::SEE_OTHER,
                "login at the provider"
            );
            url = absolute(res.headers()["location"].to_str().unwrap());
        } else {
            assert!(res.status().is_redirection(), "{}", res.status());
            url = absolute(res.headers()["location"].to_str().unwrap());
        }
    }
    panic!("the provider never sent the person back");
}

async fn oidc_login(op: &Op, c: &mut Client<'_>, login: &str, acr: &str) -> Page {
    let p = c.get("/inloggen/oidc").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let auth_url = p.location.unwrap();
    assert!(auth_url.starts_with(&op.issuer), "{auth_url}");
    assert!(auth_url.contains("code_challenge_method=S256"));
    assert!(auth_url.contains("acr_values="));
    let back = at_the_provider(op, &auth_url, login, acr).await;
    c.get(&back).await
}

#[tokio::test]
async fn r50_oidc_login_with_bsn_and_substantial_assurance() {
    let Some(op) = start_op() else { return };
    let app = TestApp::new(TestDb::sqlite().await, config(&op)).await;

    // The login page offers the provider and no password form (not in development mode).
    let mut c = app.client();
    let page = c.get("/inloggen").await;
    assert!(page.body.contains("Inloggen met DigiD"));
    assert!(!page.body.contains("id=\"password\""));
    let csrf = csrf_in(&page.body);
    let p = c
        .post(
            "/inloggen",
            &[
                ("csrf", &csrf),
                ("username", "anna"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "password login is off");

    // Anna at level substantieel: logged in with the BSN from the ID token.
    let p = oidc_login(&op, &mut c, "anna", SUBSTANTIAL).await;
    assert_eq!(p.location.as_deref(), Some("/kiezen"), "{}", p.body);
    let p = c.get("/kiezen").await;
    assert!(p.body.contains("Anna Volwassen"));
    assert!(p.body.contains("Kees Kind"), "her child too, by her BSN");
    c.open("adult").await;
    assert_eq!(c.get("/overzicht").await.status, StatusCode::OK);
    let adult = inzage_domain::PatientId::new("adult").unwrap();
    let entries = inzage_store::RecordStore::audit_for_patient(&app.store, &adult)
        .await
        .unwrap();
    assert_eq!(entries.last().unwrap().event.user, "oidc:anna");
}

#[tokio::test]
async fn oidc_refuses_low_assurance_missing_bsn_and_forged_or_replayed_answers() {
    let Some(op) = start_op() else { return };
    let app = TestApp::new(TestDb::sqlite().await, config(&op)).await;
    let refused = "Inloggen is niet gelukt";

    // Level "laag" is not enough (R50).
    let mut c = app.client();
    let p = oidc_login(&op, &mut c, "anna", LOW).await;
    assert!(p.location.is_none());
    assert!(p.body.contains(refused), "{}", p.body);
    assert_eq!(
        c.get("/kiezen").await.location.as_deref(),
        Some("/inloggen")
    );

    // No BSN in the ID token: no login.
    let mut c = app.client();
    let p = oidc_login(&op, &mut c, "nobsn", SUBSTANTIAL).await;
    assert!(p.body.contains(refused));
    assert_eq!(
        c.get("/kiezen").await.location.as_deref(),
        Some("/inloggen")
    );

    // A changed state is refused, and the answer cannot be used again afterwards.
    let mut c = app.client();
    let p = c.get("/inloggen/oidc").await;
    let back = at_the_provider(&op, &p.location.unwrap(), "anna", SUBSTANTIAL).await;
    let forged = back.replace("state=", "state=x");
    assert!(c.get(&forged).await.body.contains(refused));
    assert!(
        c.get(&back).await.body.contains(refused),
        "the flow is used up"
    );
    assert_eq!(
        c.get("/kiezen").await.location.as_deref(),
        Some("/inloggen")
    );

    // An answer that arrives in another browser (no flow in its session) is refused.
    let mut mine = app.client();
    let p = mine.get("/inloggen/oidc").await;
    let back = at_the_provider(&op, &p.location.unwrap(), "anna", SUBSTANTIAL).await;
    let mut other = app.client();
    assert!(other.get(&back).await.body.contains(refused));
    // The right browser still gets in with it.
    assert_eq!(mine.get(&back).await.location.as_deref(), Some("/kiezen"));
}
