//! MedMij load benchmark (issues 6 and 21): `inzage serve` as its own process over loopback,
//! driven by `wrk` on the same machine (as the reference figures were measured), a random patient
//! per request, each with its own bearer token.
//!
//! Patients: 300 of the reference shape (the Nictiz qualification patient: 7 problems and
//! episodes, 18 encounters, 18 lab results within 14 months, 6 medication agreements, 1 allergy)
//! under their own ids and BSNs, and 20 heavy 20-year records (2,000 journal lines, 1,000
//! results) to show how the cost grows with a record's size. For each of the seven data service
//! 49 searches, and for "all seven for one patient" (a set), at 1, 16 and 64 connections:
//! requests (or sets) per second beside the reference server's (Medplum 5.0.10 on PostgreSQL +
//! Redis, issue 21) and the ratio, p99 latency, bytes per response, the server's memory, and
//! the CPU each request cost the server, the local PostgreSQL and wrk, with the machine's idle
//! share (from `/proc`, before and after each cell).
//!
//! `cargo bench -p inzage --bench medmij`. Needs `wrk` (Debian: `apt-get install wrk`).
//! Settings: `INZAGE_BENCH_SECONDS` per cell (default 5); `INZAGE_BENCH_BACKENDS` (default
//! `sqlite,postgres`); `INZAGE_BENCH_HEAVY` heavy patients (default 20, 0 skips them);
//! `INZAGE_BENCH_ONLY` one query's cells (`Patient`, `all seven`, ...), to profile the server.
//! `INZAGE_BENCH_SCALE=1000,100000,1000000` instead grows a PostgreSQL database through those
//! numbers of synthetic patients and measures load time, size and per-request cost at each.
//! `INZAGE_BENCH_CALLGRIND=1` instead runs the server under valgrind's callgrind and prints, per
//! query at 1 and 16 connections, the instructions the server ran per request (all its threads,
//! SQLite's included; not PostgreSQL's, not the kernel's): a count that does not move with the
//! machine's load, to compare two builds where the rates vary by a fifth from run to run. Needs
//! valgrind (Debian: `apt-get install valgrind`); the server answers about fifty times fewer
//! requests in a cell. Set to a directory instead of `1`, it keeps each cell's profile there
//! (`<backend>-<query>-<connections>.callgrind`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Months, Utc};
use inzage::generate::{Generator, synthetic_bsn};
use inzage::open_store;
use inzage_domain::access::{OnlineChannel, Viewer, authorize};
use inzage_domain::{Actor, OnlineConsent, PatientId, PatientRecord};
use inzage_store::{AccessToken, AuditEvent, Channel, EventType, MedmijStore, RecordStore, Store};
use std::fmt::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration as StdDuration, Instant};

/// Reference req/s (sets/s for the pull) at 1, 16 and 64 connections: Medplum 5.0.10 on the
/// same kind of machine, 300 patients of the reference shape (issue 21).
const REFERENCE: [(&str, [f64; 3]); 3] = [
    ("Patient", [771.0, 2_209.0, 3_059.0]),
    ("Observation", [361.0, 633.0, 619.0]),
    ("all seven", [65.0, 128.0, 129.0]),
];
const CONNECTIONS: [usize; 3] = [1, 16, 64];
const SHAPED: u64 = 300;

/// A server the bench started. Stopped as an operator's supervisor stops one: SIGTERM, which
/// closes its database connections in order (a kill left PostgreSQL logging a connection
/// reset for each), then a kill if it has not ended within the stop's own limits (serve waits
/// at most 20 s for open requests and 5 s each for the queued log events and the store).
/// With the address of its metrics.
struct Server(Child, String);
impl Drop for Server {
    fn drop(&mut self) {
        let pid = self.0.id().to_string();
        let asked = Command::new("kill")
            .args(["-TERM", &pid])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(35);
        while asked && std::time::Instant::now() < deadline {
            match self.0.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) => {}
                Err(_) => break,
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
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

/// CPU time in the clock ticks of `/proc` (USER_HZ, 100 per second on Linux): the server's, the
/// local PostgreSQL's (every process named `postgres`: its backends and its own workers), this
/// bench's waited-for children's (each `wrk`), and the machine's idle and total time.
/// PostgreSQL's counts its processes' waited-for children as well: the postmaster waits for each
/// backend and worker that ends, so one that ends during a cell (an autovacuum worker, a closed
/// connection) still counts, whole, once.
#[derive(Clone, Copy, Default)]
struct Cpu {
    server: u64,
    database: u64,
    wrk: u64,
    idle: u64,
    total: u64,
}

/// A process's user and system time, and its waited-for children's, from `/proc/<pid>/stat`
/// (fields 14 to 17; counted after the command name, which may hold spaces).
fn process_ticks(pid: &str) -> [u64; 4] {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let mut ticks = [0; 4];
    let fields = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    for (slot, value) in ticks
        .iter_mut()
        .zip(fields.split_whitespace().skip(11).take(4))
    {
        *slot = value.parse().unwrap_or(0);
    }
    ticks
}

fn cpu_now(server: u32) -> Cpu {
    let [user, system, ..] = process_ticks(&server.to_string());
    let [.., children_user, children_system] = process_ticks("self");
    let mut database = 0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .is_ok_and(|c| c.trim_end() == "postgres")
        {
            database += process_ticks(pid).iter().sum::<u64>();
        }
    }
    let machine: Vec<u64> = std::fs::read_to_string("/proc/stat")
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    Cpu {
        server: user + system,
        database,
        wrk: children_user + children_system,
        // idle and iowait
        idle: machine.iter().skip(3).take(2).sum(),
        // user to steal: guest time is counted in user already
        total: machine.iter().take(8).sum(),
    }
}

/// CPU microseconds per request of the server, the database and wrk between two readings, and
/// the machine's idle share, as printed beside each cell.
fn cpu_columns(before: Cpu, after: Cpu, requests: f64, postgres: bool) -> String {
    let per_request = |ticks: u64| ticks as f64 * 10_000.0 / requests.max(1.0);
    let database = if postgres {
        format!(
            "{:.0}",
            per_request(after.database.saturating_sub(before.database))
        )
    } else {
        "-".into()
    };
    format!(
        "{:>6.0} {:>4} {:>4.0} {:>6.0}",
        per_request(after.server.saturating_sub(before.server)),
        database,
        per_request(after.wrk.saturating_sub(before.wrk)),
        after.idle.saturating_sub(before.idle) as f64 * 100.0
            / after.total.saturating_sub(before.total).max(1) as f64
    )
}

fn token(kind: &str, i: u64) -> String {
    format!("bench-{kind}-{i:08}")
}

/// `record` as patient `i` of its kind: its own id and BSN, consent for a PGO.
fn as_patient(mut r: PatientRecord, kind: &str, i: u64, offset: u64) -> PatientRecord {
    let now = Utc::now();
    r.patient.id = PatientId::new(format!("bench-{kind}-{i}")).unwrap();
    r.patient.bsn = Some(synthetic_bsn(offset + i));
    r.patient.online_consent = Some(OnlineConsent {
        portal: true,
        pgo: true,
        recorded_by: Actor::System("bench".into()),
        recorded_at: now,
    });
    r
}

/// Stores `records` with a token (valid for hours) for each; returns their tokens.
/// The audit entry of a bench record's creation.
fn created(r: &PatientRecord, now: chrono::DateTime<Utc>) -> AuditEvent {
    AuditEvent {
        at: now,
        event: EventType::Create,
        patient: Some(r.patient.id.clone()),
        user: "bench".into(),
        responsible_user: "bench".into(),
        role: "bench".into(),
        channel: Channel::Cli,
        request_id: "bench".into(),
        detail: "bench: generated".into(),
    }
}

async fn populate(url: &str, kind: &str, records: Vec<PatientRecord>) -> Vec<String> {
    let store = open_store(url).await.unwrap();
    let now = Utc::now();
    let mut tokens = vec![];
    for (i, chunk) in records.chunks(32).enumerate() {
        let results = store
            .save_records(chunk.iter().map(|r| (r, created(r, now))).collect())
            .await
            .unwrap();
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        for (j, r) in chunk.iter().enumerate() {
            let settings = store.settings(&r.practice.id).await.unwrap();
            let me = Viewer::Patient {
                bsn: r.patient.bsn.clone().unwrap(),
            };
            assert!(
                authorize(r, &me, OnlineChannel::Pgo, &settings, now).is_ok(),
                "bench patients may use a PGO"
            );
            let t = token(kind, (i * 32 + j) as u64);
            give_token(&store, &t, r, now).await;
            tokens.push(t);
        }
    }
    tokens
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

/// Per-request cost as the population grows (issue 21): synthetic patients (`inzage generate`'s
/// generator) are added up to each step, then the server is measured at 16 connections for
/// the 300 shaped patients (their records kept in memory) and for up to 1,000 generated patients
/// spread evenly over the whole population with the record cache off, so that every request
/// reads its patient's record from the database.
async fn scale(url: &str, steps: &[u64], secs: u64) {
    let now = Utc::now();
    let nictiz = inzage_testkit::nictiz::record(now);
    // BSNs from 9,000,000: the generated patients take theirs from 0.
    let shaped = populate(
        url,
        "shape",
        (0..SHAPED)
            .map(|i| as_patient(nictiz.clone(), "shape", i, 9_000_000))
            .collect(),
    )
    .await;
    let store = open_store(url).await.unwrap();
    let generator = Generator::new(1, now);
    let all: Vec<String> = queries().into_iter().map(|(_, p)| p).collect();
    let patient = vec![all[0].clone()];
    let dir = tempfile::tempdir().unwrap();
    let (mut loaded, mut items, mut load_secs) = (0u64, 0usize, 0.0f64);
    println!(
        "\npostgres, growing population ({secs} s per cell, 16 connections; req/s, sets/s for the pull, p99 ms)"
    );
    println!(
        "  {:>9} {:>11} {:>8} {:>9} {:>16} {:>16} {:>16} {:>16}",
        "patients",
        "items",
        "load s",
        "size MiB",
        "Patient kept",
        "pull kept",
        "Patient read",
        "pull read"
    );
    for &n in steps {
        let t = Instant::now();
        while loaded < n {
            let end = (loaded + 64).min(n);
            let records: Vec<PatientRecord> = (loaded..end).map(|i| generator.patient(i)).collect();
            items += records.iter().map(PatientRecord::item_count).sum::<usize>();
            let batch = records.iter().map(|r| (r, created(r, now))).collect();
            for outcome in store.save_records(batch).await.unwrap() {
                outcome.unwrap();
            }
            loaded = end;
        }
        store.refresh_statistics().await.unwrap();
        load_secs += t.elapsed().as_secs_f64();
        let size: i64 = {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar("SELECT pg_database_size(current_database())")
                .fetch_one(&mut conn)
                .await
                .unwrap()
        };
        // Generated patients who may use a PGO, spread over everyone loaded so far.
        let settings = store.settings(&generator.practice().id).await.unwrap();
        let candidates = n.min(3_000);
        let mut spread = vec![];
        for k in 0..candidates {
            let i = k * n / candidates;
            let r = generator.patient(i);
            let me = Viewer::Patient {
                bsn: r.patient.bsn.clone().unwrap(),
            };
            if authorize(&r, &me, OnlineChannel::Pgo, &settings, now).is_err() {
                continue;
            }
            let t = token(&format!("spread{n}"), i);
            give_token(&store, &t, &r, now).await;
            spread.push(t);
            if spread.len() == 1_000 {
                break;
            }
        }
        let mut row = vec![];
        for (cache, tokens) in [("128", &shaped), ("0", &spread)] {
            let (server, base) = start(url, dir.path(), &[("INZAGE_RECORD_CACHE_MB", cache)]).await;
            wrk(&base, &script(dir.path(), tokens, &all), 16, 2, all.len());
            for paths in [&patient, &all] {
                let c = wrk(
                    &base,
                    &script(dir.path(), tokens, paths),
                    16,
                    secs,
                    paths.len(),
                );
                row.push(format!("{:.0} ({:.1})", c.rate, c.p99_ms));
            }
            drop(server);
        }
        println!(
            "  {n:>9} {items:>11} {load_secs:>8.0} {:>9.0} {:>16} {:>16} {:>16} {:>16}",
            size as f64 / 1024.0 / 1024.0,
            row[0],
            row[1],
            row[2],
            row[3]
        );
    }
    println!(
        "  load: {:.0} patients/s, {:.0} items/s (generated, saved 64 to a transaction)",
        loaded as f64 / load_secs,
        items as f64 / load_secs
    );
}

/// What one wrk run measured.
struct Cell {
    /// Requests per second (sets per second for a pull of several paths).
    rate: f64,
    /// Requests answered (a pull's set is several).
    requests: f64,
    p99_ms: f64,
    bytes_per_response: f64,
}

/// The wrk script: each connection takes a random patient, asks `paths` in order for them
/// (one set), then takes the next; every answer must be 200.
/// A six-hour MedMij access token `t` for `record`'s patient.
async fn give_token(store: &Store, t: &str, record: &PatientRecord, now: chrono::DateTime<Utc>) {
    store
        .store_access_token(&AccessToken {
            token_hash: inzage_medmij::token_hash(t),
            patient: record.patient.id.clone(),
            client_id: "bench.example".into(),
            subject: "bench".into(),
            issued_at: now,
            expires_at: now + Duration::hours(6),
            grant_id: None,
        })
        .await
        .unwrap();
}

fn script(dir: &std::path::Path, tokens: &[String], paths: &[String]) -> std::path::PathBuf {
    let mut lua = String::from("local tokens = {");
    for t in tokens {
        write!(lua, "\"{t}\",").unwrap();
    }
    lua.push_str("}\nlocal paths = {");
    for p in paths {
        write!(lua, "\"{p}\",").unwrap();
    }
    lua.push_str(
        r#"}
local n, token, threads = 0, nil, 0
function setup(thread) threads = threads + 1; thread:set("seed", threads) end
function init(args) math.randomseed(seed * 7919) end
function request()
  if n % #paths == 0 then token = tokens[math.random(#tokens)] end
  n = n + 1
  local p = paths[(n - 1) % #paths + 1]
  return wrk.format("GET", p, {["Authorization"] = "Bearer " .. token, ["Accept"] = "application/fhir+json"})
end
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d %.3f\n", summary.requests, summary.duration, summary.bytes, bad, latency:percentile(99) / 1000))
end
"#,
    );
    let file = dir.join(format!("pull-{}.lua", paths.len()));
    std::fs::write(&file, lua).unwrap();
    file
}

fn wrk(base: &str, script: &std::path::Path, connections: usize, secs: u64, sets: usize) -> Cell {
    let threads = connections.min(2);
    let out = Command::new("wrk")
        .args([
            &format!("-t{threads}"),
            &format!("-c{connections}"),
            &format!("-d{secs}s"),
            "--timeout",
            "10s",
            "-s",
            script.to_str().unwrap(),
            base,
        ])
        .output()
        .expect("wrk (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .unwrap_or_else(|| panic!("wrk said: {text} {}", String::from_utf8_lossy(&out.stderr)));
    let f: Vec<f64> = line.split(' ').map(|v| v.parse().unwrap()).collect();
    let (requests, micros, bytes, bad, p99) = (f[0], f[1], f[2], f[3], f[4]);
    assert_eq!(bad, 0.0, "failed requests: {text}");
    Cell {
        rate: requests / (micros / 1e6) / sets as f64,
        requests,
        p99_ms: p99,
        bytes_per_response: bytes / requests,
    }
}

async fn start(url: &str, dir: &std::path::Path, env: &[(&str, &str)]) -> (Server, String) {
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (port, metrics) = (free(), free());
    // Under callgrind, instrumented only while a cell runs (`callgrind_control -i`): until then
    // valgrind runs the server several times faster.
    let mut command = if callgrind() {
        let mut c = Command::new("valgrind");
        c.args(["--tool=callgrind", "--instr-atstart=no"])
            .arg(format!(
                "--callgrind-out-file={}/callgrind.out.%p",
                dir.display()
            ))
            .arg(env!("CARGO_BIN_EXE_inzage"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_inzage"))
    };
    let server = Server(
        command
            .arg("serve")
            .env("INZAGE_DATABASE_URL", url)
            .env("INZAGE_LISTEN", format!("127.0.0.1:{port}"))
            .env("INZAGE_METRICS_LISTEN", format!("127.0.0.1:{metrics}"))
            .envs(env.iter().copied())
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        format!("http://127.0.0.1:{metrics}/metrics"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while reqwest::get(format!("{base}/health/ready")).await.is_err() {
        assert!(started.elapsed() < StdDuration::from_secs(120));
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    (server, base)
}

fn callgrind() -> bool {
    std::env::var("INZAGE_BENCH_CALLGRIND").is_ok_and(|v| !v.is_empty())
}

/// Where each cell's callgrind profile is kept: `INZAGE_BENCH_CALLGRIND` when it names a
/// directory rather than `1` (made if missing).
fn callgrind_keep() -> Option<std::path::PathBuf> {
    let keep = std::env::var("INZAGE_BENCH_CALLGRIND").ok()?;
    if keep.is_empty() || keep == "1" {
        return None;
    }
    let dir = std::path::PathBuf::from(keep);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("INZAGE_BENCH_CALLGRIND: {}: {e}", dir.display()));
    Some(dir.canonicalize().unwrap())
}

/// Runs `cell` with the server (under callgrind) counting its instructions; answers how many.
/// The count includes what the server did for requests still open when wrk stopped (up to one
/// per connection) and any timer of its own that fired meanwhile: about one per cent.
/// Valgrind runs one thread at a time, so at 16 connections the audit batches are as large as
/// valgrind's pace makes them, not the machine's. With [`callgrind_keep`], the cell's profile
/// is kept there as `<name>.callgrind` (for `callgrind_annotate --inclusive=yes`).
fn instructions(
    server: &Server,
    dir: &std::path::Path,
    name: &str,
    cell: impl FnOnce() -> Cell,
) -> (f64, Cell) {
    let pid = server.0.id().to_string();
    let control = |args: &[&str]| {
        let done = Command::new("callgrind_control")
            .args(args)
            .arg(&pid)
            .output()
            .expect("callgrind_control (valgrind)");
        // It exits with 0 when it finds no such run, too: only "OK." means done.
        assert!(
            done.status.success() && String::from_utf8_lossy(&done.stdout).contains("OK."),
            "callgrind_control {args:?}: {done:?}"
        );
    };
    control(&["--zero"]);
    control(&["--instr=on"]);
    let c = cell();
    control(&["--instr=off"]);
    control(&["--dump"]);
    // The dump just written: callgrind.out.<pid>.<n>, the highest n.
    let dumps: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("callgrind.out.{pid}.")))
        })
        .collect();
    let newest = dumps
        .iter()
        .max_by_key(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .and_then(|e| e.parse::<u64>().ok())
        })
        .expect("a callgrind dump");
    let text = std::fs::read_to_string(newest).unwrap();
    let total = text
        .lines()
        .find_map(|l| l.strip_prefix("totals: "))
        .and_then(|t| t.split_whitespace().next()?.parse::<f64>().ok())
        .expect("the dump's totals");
    assert!(
        total > 0.0,
        "callgrind counted nothing: was the server instrumented?"
    );
    if let Some(keep) = callgrind_keep() {
        let to = keep.join(format!("{name}.callgrind"));
        std::fs::copy(newest, &to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    }
    for d in dumps {
        let _ = std::fs::remove_file(d);
    }
    (total, c)
}

/// The audit group commit's counters of a server (its metrics): commits, entries committed,
/// batches chained again because another writer had moved the chain's end.
async fn audit_counters(server: &Server) -> [f64; 3] {
    let text = reqwest::get(&server.1).await.unwrap().text().await.unwrap();
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
            .unwrap_or(0.0)
    };
    [
        value("inzage_audit_commits_total"),
        value("inzage_audit_entries_committed_total"),
        value("inzage_audit_batches_rewritten"),
    ]
}

/// Entries per commit, and the share of batches chained again, between two readings of the
/// counters of one or more servers.
fn per_commit(before: &[[f64; 3]], after: &[[f64; 3]]) -> String {
    let diff = |k: usize| -> f64 { after.iter().zip(before).map(|(a, b)| a[k] - b[k]).sum() };
    let commits = diff(0).max(1.0);
    format!(
        "{:.1} entries a commit, {:.0} % chained again",
        diff(1) / commits,
        100.0 * diff(2) / commits
    )
}

async fn run(name: &str, url: &str, secs: u64, heavy: u64) {
    let now = Utc::now();
    let nictiz = inzage_testkit::nictiz::record(now);
    let t = Instant::now();
    let shaped = populate(
        url,
        "shape",
        (0..SHAPED)
            .map(|i| as_patient(nictiz.clone(), "shape", i, 0))
            .collect(),
    )
    .await;
    let heavy_tokens = populate(
        url,
        "heavy",
        (0..heavy)
            .map(|i| {
                as_patient(
                    inzage_domain::samples::heavy_record(),
                    "heavy",
                    i,
                    1_000_000,
                )
            })
            .collect(),
    )
    .await;
    open_store(url)
        .await
        .unwrap()
        .refresh_statistics()
        .await
        .unwrap();
    println!(
        "\n{name}: {SHAPED} patients of the reference shape ({} items each), {heavy} heavy \
         ({} items each), loaded in {:.1} s",
        nictiz.item_count(),
        inzage_domain::samples::heavy_record().item_count(),
        t.elapsed().as_secs_f64()
    );
    let dir = tempfile::tempdir().unwrap();
    let (server, base) = start(url, dir.path(), &[]).await;
    println!("  server RSS at start: {:.0} MiB", rss_mib(server.0.id()));
    let qs = queries();
    let all: Vec<String> = qs.iter().map(|(_, p)| p.clone()).collect();
    let mut cells: Vec<(&str, Vec<String>)> =
        qs.iter().map(|(n, p)| (*n, vec![p.clone()])).collect();
    cells.push(("all seven", all.clone()));
    if let Ok(only) = std::env::var("INZAGE_BENCH_ONLY") {
        cells.retain(|(label, _)| *label == only);
    }
    // Warm up: every record parsed and kept once, as in a server that has been running.
    // (Under valgrind the server is slower: the warm-up takes longer, and only the shaped
    // records are measured.)
    let warm_up = if callgrind() { 20 } else { 2 };
    for (tokens, measured) in [(&shaped, true), (&heavy_tokens, !callgrind())] {
        if measured && !tokens.is_empty() {
            wrk(
                &base,
                &script(dir.path(), tokens, &all),
                16,
                warm_up,
                all.len(),
            );
        }
    }
    println!("  server pid {}", server.0.id());
    if callgrind() {
        println!("  instructions the server ran per request (callgrind):");
        for (label, paths) in &cells {
            let lua = script(dir.path(), &shaped, paths);
            // At 16 connections the audit entries are committed in batches, as under load.
            for connections in [1, 16] {
                let name = format!("{name}-{}-{connections}", label.replace(' ', "-"));
                let (total, c) = instructions(&server, dir.path(), &name, || {
                    wrk(&base, &lua, connections, secs, paths.len())
                });
                println!(
                    "  {label:<18} {connections:>5} {:>12.0} per request ({:.0} requests, {:.0} bytes each)",
                    total / c.requests,
                    c.requests,
                    c.bytes_per_response
                );
            }
        }
        return;
    }
    println!(
        "  {:<18} {:>5} {:>9} {:>9} {:>7} {:>8} {:>10} {:>8}  CPU µs/req: server   db  wrk idle %",
        "query", "conn", "reference", "inzage", "ratio", "p99 ms", "bytes/resp", "RSS MiB"
    );
    let postgres = url.starts_with("postgres");
    for (label, paths) in &cells {
        let lua = script(dir.path(), &shaped, paths);
        for (k, connections) in CONNECTIONS.into_iter().enumerate() {
            let before = cpu_now(server.0.id());
            let c = wrk(&base, &lua, connections, secs, paths.len());
            let cpu = cpu_columns(before, cpu_now(server.0.id()), c.requests, postgres);
            let reference = REFERENCE
                .iter()
                .find(|(l, _)| l == label)
                .map(|(_, r)| r[k]);
            let (r, ratio) = match reference {
                Some(r) => (format!("{r:.0}"), format!("{:.1}x", c.rate / r)),
                None => ("-".into(), "-".into()),
            };
            println!(
                "  {label:<18} {connections:>5} {r:>9} {:>9.0} {ratio:>7} {:>8.2} {:>10.0} {:>8.0}              {cpu}",
                c.rate,
                c.p99_ms,
                c.bytes_per_response,
                rss_mib(server.0.id())
            );
        }
    }
    if !heavy_tokens.is_empty() {
        println!("  heavy records (2,000 journal lines, 1,000 results), 16 connections:");
        for (label, paths) in &cells {
            if !matches!(
                *label,
                "Patient" | "Observation" | "Encounter" | "all seven"
            ) {
                continue;
            }
            let lua = script(dir.path(), &heavy_tokens, paths);
            let before = cpu_now(server.0.id());
            let c = wrk(&base, &lua, 16, secs, paths.len());
            let cpu = cpu_columns(before, cpu_now(server.0.id()), c.requests, postgres);
            println!(
                "  {label:<18} {:>5} {:>9} {:>9.0} {:>7} {:>8.2} {:>10.0} {:>8.0}              {cpu}",
                16,
                "-",
                c.rate,
                "-",
                c.p99_ms,
                c.bytes_per_response,
                rss_mib(server.0.id())
            );
        }
    }
    if url.starts_with("postgres") {
        // A second `inzage serve` on the same database, as behind a load balancer: the same
        // 16 connections in all, spread over one or two instances.
        let (second, base_two) = start(url, dir.path(), &[]).await;
        println!("  one and two instances on this database, 16 connections in all:");
        for (label, paths) in &cells {
            if !matches!(*label, "Patient" | "all seven") {
                continue;
            }
            let lua = script(dir.path(), &shaped, paths);
            let before = [audit_counters(&server).await];
            let one = wrk(&base, &lua, 16, secs, paths.len());
            let after = [audit_counters(&server).await];
            let before_two = [audit_counters(&server).await, audit_counters(&second).await];
            let (a, b) = std::thread::scope(|scope| {
                let a = scope.spawn(|| wrk(&base, &lua, 8, secs, paths.len()));
                let b = scope.spawn(|| wrk(&base_two, &lua, 8, secs, paths.len()));
                (a.join().unwrap(), b.join().unwrap())
            });
            let after_two = [audit_counters(&server).await, audit_counters(&second).await];
            println!(
                "  {label:<18} one instance {:>7.0}/s (p99 {:.1} ms), two {:>7.0}/s (p99 {:.1} ms), \
                 RSS {:.0} + {:.0} MiB",
                one.rate,
                one.p99_ms,
                a.rate + b.rate,
                a.p99_ms.max(b.p99_ms),
                rss_mib(server.0.id()),
                rss_mib(second.0.id())
            );
            println!(
                "  {:<18} audit log: one instance {}; two {}",
                "",
                per_commit(&before, &after),
                per_commit(&before_two, &after_two)
            );
        }
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let secs = env_or("INZAGE_BENCH_SECONDS", 5);
    let heavy = env_or("INZAGE_BENCH_HEAVY", 20);
    let backends =
        std::env::var("INZAGE_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    if Command::new("wrk").arg("--version").output().is_err() {
        println!("medmij bench: needs wrk (Debian: apt-get install wrk)");
        return;
    }
    if let Ok(steps) = std::env::var("INZAGE_BENCH_SCALE") {
        // Its rates would be those of a server under valgrind.
        assert!(
            !callgrind(),
            "INZAGE_BENCH_SCALE measures rates: run it without INZAGE_BENCH_CALLGRIND"
        );
        let steps: Vec<u64> = steps
            .split(',')
            .map(|s| s.trim().parse().unwrap())
            .collect();
        let admin = std::env::var("INZAGE_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        match pg_db(&admin, "inzage_bench_scale").await {
            Some(url) => scale(&url, &steps, secs).await,
            None => println!("postgres: SKIPPED (no server answered at {admin})"),
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    if backends.contains("sqlite") {
        let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
        run("sqlite", &sqlite, secs, heavy).await;
    }
    if backends.contains("postgres") {
        let admin = std::env::var("INZAGE_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        match pg_db(&admin, "inzage_bench_medmij").await {
            Some(url) => run("postgres", &url, secs, heavy).await,
            None => println!("postgres: SKIPPED (no server answered at {admin})"),
        }
    }
}

async fn pg_db(admin: &str, name: &str) -> Option<String> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin).await.ok()?;
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
