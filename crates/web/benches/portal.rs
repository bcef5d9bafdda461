//! Server-side time of portal pages for a heavy 20-year record (2,000 journal lines, 1,000
//! results): the whole request in-process on SQLite, from session lookup and record load through
//! the access check, the visibility rules and rendering to the audit entry.
//!
//! Run with `cargo bench -p inzage-web --bench portal`. `INZAGE_BENCH_ROUNDS` sets the number of
//! requests per page (default 200).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use inzage_domain::samples::heavy_record;
use inzage_domain::{Actor, FixedClock, OnlineConsent};
use inzage_store::testing::TestDb;
use inzage_store::{AuditEvent, Channel, EventType, RecordStore};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

async fn send(
    app: &Router,
    cookie: &mut String,
    make: impl FnOnce(&str) -> Request<Body>,
) -> (String, Option<String>) {
    let res = app.clone().oneshot(make(cookie)).await.unwrap();
    if let Some(c) = res.headers().get(header::SET_COOKIE) {
        *cookie = c.to_str().unwrap().split(';').next().unwrap().to_owned();
    }
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|l| l.to_str().unwrap().to_owned());
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (String::from_utf8_lossy(&body).into_owned(), location)
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

fn post(path: &str, cookie: &str, form: String) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap()
}

fn csrf(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    body[at..at + 64].to_owned()
}

fn main() {
    let rounds: usize = std::env::var("INZAGE_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap();
        let db = TestDb::sqlite().await;
        let mut record = heavy_record();
        record.patient.online_consent = Some(OnlineConsent {
            portal: true,
            pgo: false,
            recorded_by: Actor::System("bench".into()),
            recorded_at: now,
        });
        let audit = AuditEvent {
            at: now,
            event: EventType::Create,
            patient: Some(record.patient.id.clone()),
            user: "bench".into(),
            responsible_user: "bench".into(),
            role: "system".into(),
            channel: Channel::Cli,
            request_id: "bench".into(),
            detail: "heavy record".into(),
        };
        db.store.save_record(&record, audit).await.unwrap();
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".to_owned();
        inzage_login::auth::create_account(
            &db.store,
            "bench",
            "bench password",
            record.patient.bsn.clone().unwrap(),
            "Bench",
            Some(secret.clone()),
            now,
        )
        .await
        .unwrap();
        let app = inzage_web::app(
            db.store.clone(),
            Arc::new(FixedClock(now)),
            inzage_web::WebConfig::default(),
        );

        let mut cookie = String::new();
        let (page, _) = send(&app, &mut cookie, |c| get("/inloggen", c)).await;
        let form = format!(
            "csrf={}&username=bench&password=bench+password",
            csrf(&page)
        );
        send(&app, &mut cookie, |c| post("/inloggen", c, form)).await;
        let (page, _) = send(&app, &mut cookie, |c| get("/inloggen/code", c)).await;
        let code = inzage_login::auth::totp_for(&secret)
            .unwrap()
            .generate(now.timestamp() as u64)
            .to_string();
        let form = format!("csrf={}&code={code}", csrf(&page));
        let (_, to) = send(&app, &mut cookie, |c| post("/inloggen/code", c, form)).await;
        assert_eq!(to.as_deref(), Some("/kiezen"), "login failed");
        let (_, to) = send(&app, &mut cookie, |c| get("/kiezen", c)).await;
        assert_eq!(to.as_deref(), Some("/overzicht"), "record not opened");

        println!(
            "heavy record: {} journal lines, {} results; {rounds} requests per page, SQLite",
            record.journal.len(),
            record.results.len()
        );
        for path in ["/overzicht", "/ziektes", "/uitslagen", "/medicijnen"] {
            let mut times: Vec<Duration> = Vec::with_capacity(rounds);
            let mut bytes = 0;
            for _ in 0..rounds {
                let t = Instant::now();
                let (body, to) = send(&app, &mut cookie, |c| get(path, c)).await;
                times.push(t.elapsed());
                assert!(to.is_none(), "{path} redirected to {to:?}");
                bytes = body.len();
            }
            times.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / times.len() as f64;
            println!(
                "{path:12} mean {mean:6.2} ms  p50 {:6.2} ms  p99 {:6.2} ms  ({bytes} bytes)",
                ms(times[times.len() / 2]),
                ms(times[times.len() * 99 / 100])
            );
        }
    });
}
