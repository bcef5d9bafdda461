//! `inzage serve` as an operator runs it, on a free port with a fresh SQLite database and the
//! default (production) settings: what must and must not be there outside `demo`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

/// `inzage serve` on a fresh SQLite database in `dir` with `env` added, once it is ready; and
/// its base URL.
async fn start(dir: &std::path::Path, env: &[(&str, String)]) -> (support::Server, String) {
    let mut all = vec![(
        "INZAGE_DATABASE_URL",
        format!("sqlite://{}", dir.join("s.db").display()),
    )];
    all.extend(env.iter().cloned());
    support::serve(dir, &all).await
}

/// Hardening finding 9 (issue 22): `/dev/postvak` must never exist outside demo mode; error
/// pages are whole pages with a language and a title; HSTS is sent behind HTTPS (the default).
#[tokio::test]
async fn hardening_9_serve_has_no_dev_mailbox_and_answers_errors_as_pages() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = start(dir.path(), &[]).await;
    let client = reqwest::Client::new();
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

/// Issue 21: Prometheus metrics on a listener of their own (`metrics_listen`): requests and
/// latency per route group, the database pools, the record cache, the audit writer's queue and
/// the e-mail backlog. The public port has no `/metrics`.
#[tokio::test]
async fn issue21_metrics_are_served_on_their_own_listener() {
    let dir = tempfile::tempdir().unwrap();
    let metrics_port = support::free_port();
    let (_server, base) = start(
        dir.path(),
        &[("INZAGE_METRICS_LISTEN", format!("127.0.0.1:{metrics_port}"))],
    )
    .await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        client.get(format!("{base}/inloggen")).send().await.unwrap();
    }
    client
        .get(format!("{base}/bestaat-niet"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        client
            .get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let r = client
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let value = |prefix: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
    };
    assert!(value("inzage_http_requests_total{group=\"login\",status=\"2xx\"}") >= 3.0);
    assert!(value("inzage_http_requests_total{group=\"portal\",status=\"4xx\"}") >= 1.0);
    assert!(value("inzage_http_request_duration_seconds_count{group=\"login\"}") >= 3.0);
    assert!(
        text.contains("inzage_http_request_duration_seconds_bucket{group=\"login\",le=\"0.05\"}")
    );
    assert!(value("inzage_db_pool_connections{pool=\"read\",state=\"open\"}") >= 1.0);
    value("inzage_record_cache_reads{result=\"hit\"}");
    value("inzage_record_cache_bytes");
    value("inzage_audit_batches_rewritten");
    value("inzage_audit_commits_total");
    value("inzage_audit_entries_committed_total");
    value("inzage_audit_commit_microseconds_total");
    value("inzage_medmij_answers_rebuilt");
    assert_eq!(value("inzage_audit_queue_waiting"), 0.0);
    assert_eq!(value("inzage_notices_pending"), 0.0);
    // Nothing of a person: no BSN, name or id in any label.
    assert!(!text.contains("patient") && !text.contains("bsn"));
}

/// Sends SIGTERM to `server` and waits up to `secs` seconds for it to exit, with success.
#[cfg(unix)]
async fn stop_with_sigterm(server: &mut support::Server, secs: u64) {
    let pid = server.0.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "serve still runs {secs} s after SIGTERM"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(status.success(), "serve ended with {status}");
}

/// Issue 21: behind a load balancer an instance is stopped with SIGTERM (systemd, Docker,
/// Kubernetes). It stops as with Ctrl-C: it answers what it has, stores the chain-log events
/// still queued (every FHIR request's, R88, is written after its answer, held briefly to share
/// a commit) and exits with success. Before, SIGTERM ended the process at once and the last
/// answers' chain-log events were lost.
#[cfg(unix)]
#[tokio::test]
async fn issue21_sigterm_stops_the_server_after_storing_the_queued_log_events() {
    use inzage_store::MedmijStore;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    let (mut server, base) = start(dir.path(), &[]).await;
    let answer = reqwest::Client::new()
        .get(format!("{base}/fhir/Patient"))
        .header("MedMij-Request-ID", "stopping-1")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401, "no token");
    stop_with_sigterm(&mut server, 30).await;

    let store = inzage_store::Store::connect(&url).await.unwrap();
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let events = store.chain_log(since).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.request_id == "stopping-1" && e.status == 401),
        "the last request's chain-log event is stored: {events:?}"
    );
}

/// Issue 21: a request left open (here a form whose body never arrives) does not hold a stop
/// for good: after SIGTERM the server answers what it can for at most 20 seconds and then
/// exits with success, before a supervisor's SIGKILL (Kubernetes: after 30 s) would cut the
/// storing of the queued log events.
#[cfg(unix)]
#[tokio::test]
async fn issue21_a_request_left_open_holds_a_stop_for_a_bounded_time() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let (mut server, base) = start(dir.path(), &[]).await;
    let mut open = std::net::TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    open.write_all(
        b"POST /inloggen HTTP/1.1\r\nHost: localhost\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=",
    )
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop_with_sigterm(&mut server, 60).await;
    drop(open);
}
