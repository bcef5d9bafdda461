//! The patient portal in real Chromium: `inzage demo` on a free port, then
//! `tools/browser/journey.mjs` (playwright-core with Debian's Chromium, axe-core on every page,
//! screenshots at mobile and desktop width into `target/browser-screenshots/`).
//!
//! Needs Node, `/usr/bin/chromium` and `npm ci --prefix tools/browser`. Without them the test
//! says SKIPPED and passes, unless `INZAGE_REQUIRE_NODE_TOOLS=1` (as `.ci/run` sets it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn healthy(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let req =
        format!("GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.starts_with("HTTP/1.1 200")
}

#[test]
fn the_main_journey_in_chromium_passes_axe_on_every_page() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tools = root.join("tools/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing: Vec<&str> = [
        (
            Command::new("node").arg("--version").output().is_err(),
            "node",
        ),
        (!PathBuf::from(&chromium).exists(), "chromium"),
        (
            !tools.join("node_modules/playwright-core").is_dir(),
            "tools/browser/node_modules (npm ci --prefix tools/browser)",
        ),
    ]
    .into_iter()
    .filter_map(|(gone, what)| gone.then_some(what))
    .collect();
    if !missing.is_empty() {
        assert!(
            std::env::var("INZAGE_REQUIRE_NODE_TOOLS").is_err(),
            "browser tests required but missing: {missing:?}"
        );
        eprintln!("SKIPPED browser journey: missing {missing:?}");
        return;
    }

    // Two practices on this machine, the same demo data (and so the same person) in each: the
    // PGO of the first lists the second too, so the journey connects two providers.
    let free_port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (port, second_port) = (free_port(), free_port());
    // Another host name than the first's (127.0.0.1, not localhost), as two practices have:
    // a browser keeps cookies per host, not per port.
    let second_origin = format!("http://127.0.0.1:{second_port}");
    let start = |name: &str, port: u16, origin: String, args: &[String]| {
        let dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_inzage"))
            .args(["demo", "--patients", "300"])
            .args(args)
            .env(
                "INZAGE_DEMO_DATABASE_URL",
                format!(
                    "sqlite://{}",
                    dir.path().join(format!("{name}.db")).display()
                ),
            )
            .env("INZAGE_LISTEN", format!("127.0.0.1:{port}"))
            .env("INZAGE_PUBLIC_ORIGIN", origin)
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        (Server(child), dir)
    };
    let (_second, second_dir) = start(
        "tweede",
        second_port,
        second_origin.clone(),
        &["--provider".into(), "tweede-praktijk@medmij".into()],
    );
    let (_server, dir) = start(
        "demo",
        port,
        format!("http://localhost:{port}"),
        &[
            "--also-provider".into(),
            format!("tweede-praktijk@medmij={second_origin}"),
        ],
    );
    let started = Instant::now();
    for (port, dir) in [(port, &dir), (second_port, &second_dir)] {
        while !healthy(port) {
            assert!(
                started.elapsed() < Duration::from_secs(240),
                "the demo did not start: {}",
                std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    let shots = root.join("target/browser-screenshots");
    let out = Command::new("node")
        .arg(tools.join("journey.mjs"))
        // A host name, not an address: passkeys (WebAuthn) need one.
        .arg(format!("http://localhost:{port}"))
        .arg(&shots)
        .arg(&second_origin)
        .env("CHROMIUM", &chromium)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "browser journey failed:\n{stdout}");
    assert!(stdout.contains(" passed, 0 failed"));
    // Screenshots at both widths for every page.
    for page in ["overzicht", "uitslagen", "logboek"] {
        for width in ["mobile", "desktop"] {
            assert!(shots.join(format!("{page}-{width}.png")).is_file());
        }
    }
}
