//! MedMij load benchmark (issue 6): `inzage serve` as its own process over loopback, N synthetic
//! patients, a random patient per request, each with its own bearer token. For each of the seven
//! data service 49 searches, and for "all seven for one patient", at concurrency 1, 16 and 64:
//! requests per second, p50 and p99 latency, and the server's resident memory.
//!
//! `cargo bench -p inzage --bench medmij`. Settings: `INZAGE_BENCH_PATIENTS` (SQLite, default
//! 10,000), `INZAGE_BENCH_PG_PATIENTS` (PostgreSQL, default 100,000); 0 skips a backend.
//! `INZAGE_BENCH_SECONDS` per cell (default 3). Children the rules keep from a PGO get no token.
//! Client and server share the machine, so the figures include the client's own work.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Months, Utc};
use inzage::generate::{Generator, synthetic_bsn};
use inzage::open_store;
use inzage_domain::access::{OnlineChannel, Viewer, authorize};
use inzage_domain::{Actor, OnlineConsent, PatientRecord};
use inzage_store::{AccessToken, AuditEvent, Channel, EventType, MedmijStore, RecordStore};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn token(i: u64) -> String {
    format!("bench-token-{i:08}")
}

/// Fills the database: N patients with PGO consent; a token (valid for hours) for each one the
/// rules let use a PGO (children under 16 may not). Returns those patients' indexes.
async fn populate(url: &str, n: u64) -> Vec<u64> {
    let store = open_store(url).await.unwrap();
    let now = Utc::now();
    let generator = Generator::new(7, now);
    let t = Instant::now();
    let mut batch: Vec<PatientRecord> = Vec::with_capacity(64);
    let audit = |r: &PatientRecord| AuditEvent {
        at: now,
        event: EventType::Create,
        patient: Some(r.patient.id.clone()),
        user: "bench".into(),
        responsible_user: "bench".into(),
        role: "bench".into(),
        channel: Channel::Cli,
        request_id: "bench".into(),
        detail: "bench: generated".into(),
    };
    for i in 0..n {
        let mut r = generator.patient(i);
        r.patient.bsn = Some(synthetic_bsn(i));
        r.patient.online_consent = Some(OnlineConsent {
            portal: true,
            pgo: true,
            recorded_by: Actor::System("bench".into()),
            recorded_at: now,
        });
        batch.push(r);
        if batch.len() == 64 || i + 1 == n {
            let results = store
                .save_records(batch.iter().map(|r| (r, audit(r))).collect())
                .await
                .unwrap();
            assert!(results.iter().all(Result::is_ok));
            batch.clear();
        }
    }
    let settings = store.settings(&generator.practice().id).await.unwrap();
    let mut eligible = vec![];
    for i in 0..n {
        let mut r = generator.patient(i);
        r.patient.bsn = Some(synthetic_bsn(i));
        r.patient.online_consent = Some(OnlineConsent {
            portal: true,
            pgo: true,
            recorded_by: Actor::System("bench".into()),
            recorded_at: now,
        });
        let me = Viewer::Patient {
            bsn: synthetic_bsn(i),
        };
        if authorize(&r, &me, OnlineChannel::Pgo, &settings, now).is_err() {
            continue;
        }
        eligible.push(i);
        store
            .store_access_token(&AccessToken {
                token_hash: inzage_medmij::token_hash(&token(i)),
                patient: r.patient.id.clone(),
                client_id: "bench.example".into(),
                subject: "bench".into(),
                issued_at: now,
                expires_at: now + Duration::hours(6),
                grant_id: None,
            })
            .await
            .unwrap();
    }
    println!(
        "  populated {n} patients ({} may use a PGO) in {:.1} s",
        eligible.len(),
        t.elapsed().as_secs_f64()
    );
    eligible
}

fn queries() -> Vec<(&'static str, String)> {
    let today = inzage_domain::time::local_date(Utc::now());
    let window = today.checked_sub_months(Months::new(14)).unwrap();
    vec![
        (
            "Patient",
            "/fhir/Patient?_include=Patient:general-practitioner".into(),
        ),
        ("EpisodeOfCare", "/fhir/EpisodeOfCare".into()),
        (
            "MedicationRequest",
            format!(
                "/fhir/MedicationRequest?periodofuse=ge{today}&category=http://snomed.info/sct%7C16076005&_include=MedicationRequest:medication"
            ),
        ),
        (
            "AllergyIntolerance",
            "/fhir/AllergyIntolerance?category=medication".into(),
        ),
        (
            "Observation",
            format!(
                "/fhir/Observation?code=https://referentiemodel.nhg.org/tabellen/nhg-tabel-45-diagnostische-bepalingen%7C&_include=Observation:related-target&_include=Observation:specimen&date=ge{window}"
            ),
        ),
        (
            "Composition",
            "/fhir/Composition?type=http://loinc.org%7C67781-5".into(),
        ),
        ("Encounter", "/fhir/Encounter".into()),
    ]
}

/// Runs `paths` (all for one random patient per iteration) with `workers` at once for `secs`.
async fn cell(
    base: &str,
    patients: &Arc<Vec<u64>>,
    paths: &[String],
    workers: usize,
    secs: u64,
) -> (f64, f64, f64) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(workers)
        .build()
        .unwrap();
    let deadline = Instant::now() + StdDuration::from_secs(secs);
    let lat = Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
    let mut tasks = vec![];
    for w in 0..workers {
        let (client, base, paths, lat, patients) = (
            client.clone(),
            base.to_owned(),
            paths.to_vec(),
            lat.clone(),
            patients.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ (w as u64 + 1);
            while Instant::now() < deadline {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let patient = patients[(seed % patients.len() as u64) as usize];
                let t = Instant::now();
                for p in &paths {
                    let res = client
                        .get(format!("{base}{p}"))
                        .bearer_auth(token(patient))
                        .header("accept", "application/fhir+json")
                        .send()
                        .await
                        .unwrap();
                    assert!(res.status().is_success(), "{p}: {}", res.status());
                    let _ = res.bytes().await.unwrap();
                }
                lat.lock().unwrap().push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }));
    }
    let started = Instant::now();
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut l = lat.lock().unwrap().clone();
    l.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| {
        l.get(((l.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    (l.len() as f64 / elapsed, pct(0.5), pct(0.99))
}

async fn run(name: &str, url: &str, n: u64, secs: u64) {
    println!("{name}: {n} patients");
    let patients = Arc::new(populate(url, n).await);
    // As `inzage import` and `generate` do after a bulk load: without fresh statistics
    // PostgreSQL plans parallel scans for one patient's rows (14 instead of 300+ req/s).
    open_store(url)
        .await
        .unwrap()
        .refresh_statistics()
        .await
        .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_inzage"))
            .arg("serve")
            .env("INZAGE_DATABASE_URL", url)
            .env("INZAGE_LISTEN", format!("127.0.0.1:{port}"))
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{base}/health")).send().await.is_err() {
        assert!(
            started.elapsed() < StdDuration::from_secs(120),
            "server did not start"
        );
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    println!("  server RSS at start: {:.0} MiB", rss_mib(server.0.id()));
    let qs = queries();
    let all: Vec<String> = qs.iter().map(|(_, p)| p.clone()).collect();
    let mut cells: Vec<(&str, Vec<String>)> =
        qs.iter().map(|(n, p)| (*n, vec![p.clone()])).collect();
    cells.push(("all seven", all));
    println!(
        "  {:<18} {:>5} {:>10} {:>9} {:>9} {:>8}",
        "query", "conc", "req/s", "p50 ms", "p99 ms", "RSS MiB"
    );
    for (label, paths) in &cells {
        for workers in [1usize, 16, 64] {
            let (rps, p50, p99) = cell(&base, &patients, paths, workers, secs).await;
            println!(
                "  {label:<18} {workers:>5} {rps:>10.0} {p50:>9.2} {p99:>9.2} {:>8.0}",
                rss_mib(server.0.id())
            );
        }
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let secs = env_or("INZAGE_BENCH_SECONDS", 3);
    let n = env_or("INZAGE_BENCH_PATIENTS", 10_000);
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    if n > 0 {
        run("sqlite", &sqlite, n, secs).await;
    }
    let pg_n = env_or("INZAGE_BENCH_PG_PATIENTS", 100_000);
    if pg_n > 0 {
        let admin = std::env::var("INZAGE_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        match pg_db(&admin).await {
            Some(url) => run("postgres", &url, pg_n, secs).await,
            None => println!("postgres: SKIPPED (no server answered at {admin})"),
        }
    }
}

async fn pg_db(admin: &str) -> Option<String> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin).await.ok()?;
    let name = "inzage_bench_medmij";
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .ok()?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .ok()?;
    let (base, _) = admin.rsplit_once('/')?;
    Some(format!("{base}/{name}"))
}
