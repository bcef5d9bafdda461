//! `inzage serve` as an operator runs it, on a free port with a fresh SQLite database and the
//! default (production) settings: what must and must not be there outside `demo`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Hardening finding 9 (issue 22): `/dev/postvak` must never exist outside demo mode; error
/// pages are whole pages with a language and a title; HSTS is sent behind HTTPS (the default).
#[tokio::test]
async fn hardening_9_serve_has_no_dev_mailbox_and_answers_errors_as_pages() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_inzage"))
            .arg("serve")
            .env(
                "INZAGE_DATABASE_URL",
                format!("sqlite://{}", dir.path().join("s.db").display()),
            )
            .env("INZAGE_LISTEN", format!("127.0.0.1:{port}"))
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("{base}/health")).send().await
            && r.status() == 200
        {
            break;
        }
        assert!(Instant::now() < deadline, "serve did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let r = client
        .get(format!("{base}/dev/postvak"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = r.text().await.unwrap();
    assert!(body.contains("<html lang=\"nl\" dir=\"ltr\">"), "{body}");
    assert!(body.contains("<title>Niet gevonden"), "{body}");
    assert!(!body.contains("postvak"));
    let r = client.get(format!("{base}/inloggen")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("strict-transport-security"));
    // An unknown address and a refused request are pages too.
    let r = client
        .get(format!("{base}/bestaat-niet"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("<title>Niet gevonden"));
}
