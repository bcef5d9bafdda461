//! Ingest throughput: FHIR resources per second through `inzage import` (read, parse, map, merge,
//! store) into SQLite and PostgreSQL, and the generation rate of synthetic patients.
//!
//! Input: the Nictiz qualification patient (148 resources) as one XML Bundle per patient, copied
//! under distinct ids.
//! Run with `cargo bench -p inzage --bench ingest`; `INZAGE_BENCH_COPIES` sets the number of copies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use inzage::generate::Generator;
use inzage::import::import_path;
use inzage::open_store;
use std::path::PathBuf;
use std::time::Instant;

// The import and store paths allocate many small strings; mimalloc handles that churn far
// better than glibc malloc (measured with the ingest benchmark).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let copies: usize = std::env::var("INZAGE_BENCH_COPIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/nictiz/GenPractData-2-0/Cert/_reference");
    let input = tempfile::tempdir().unwrap();
    let mut files = vec![];
    for sub in ["resources-generic", "resources-query-send"] {
        for e in std::fs::read_dir(src.join(sub)).expect("Nictiz fixtures beside the repository") {
            files.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
        }
    }
    // One collection Bundle per patient, as a practice system exports them.
    for k in 0..copies {
        let mut bundle =
            String::from("<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"collection\"/>");
        for text in &files {
            let text = text.replace("gpdata-", &format!("b{k}-gpdata-")).replace(
                "gp-allergyintolerance-",
                &format!("b{k}-gp-allergyintolerance-"),
            );
            let body = text
                .trim_start()
                .strip_prefix("<?xml")
                .map_or(text.as_str(), |rest| {
                    rest.split_once("?>").map_or(rest, |(_, b)| b)
                });
            bundle.push_str("<entry><resource>");
            bundle.push_str(body);
            bundle.push_str("</resource></entry>");
        }
        bundle.push_str("</Bundle>");
        std::fs::write(input.path().join(format!("patient{k}.xml")), bundle).unwrap();
    }
    let resources = copies * files.len();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();

    let db = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", db.path().join("bench.db").display());
    let pg_admin = std::env::var("INZAGE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    rt.block_on(async {
        let mut targets = vec![("sqlite", sqlite)];
        let pg = pg_bench_db(&pg_admin).await;
        match &pg {
            Some((url, _)) => targets.push(("postgres", url.clone())),
            None => println!("postgres: SKIPPED (no server answered at {pg_admin})"),
        }
        for (name, url) in targets {
            let store = open_store(&url).await.unwrap();
            let t = Instant::now();
            let summary = import_path(&store, input.path(), now).await.unwrap();
            let secs = t.elapsed().as_secs_f64();
            assert_eq!(summary.errors(), 0);
            assert_eq!(summary.created, copies);
            println!(
                "import into {name:8}: {resources} resources ({copies} patients) in {secs:.2} s = {:.0} resources/s",
                resources as f64 / secs
            );
            // Its connections end here, so that its scratch database can be dropped below.
            store.close().await;
        }
        // The scratch database goes with the run (the SQLite one with its temporary directory).
        if let Some((_, db)) = pg {
            drop_database(&pg_admin, &db).await;
        }
    });

    let n = 2000;
    let generator = Generator::new(1, now);
    let t = Instant::now();
    let mut items = 0;
    for i in 0..n {
        items += generator.patient(i).item_count();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "generate          : {n} patients ({items} items) in {secs:.2} s = {:.0} patients/s, {:.0} items/s",
        n as f64 / secs,
        items as f64 / secs
    );
}

/// A new scratch database for this run: its URL and its name.
async fn pg_bench_db(admin: &str) -> Option<(String, String)> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin).await.ok()?;
    let name = format!("inzage_bench_{}", std::process::id());
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut conn)
    .await
    .ok()?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .ok()?;
    let (base, _) = admin.rsplit_once('/')?;
    Some((format!("{base}/{name}"), name))
}

/// Drops the scratch database (`FORCE` ends any connection still open). A failure is reported,
/// not fatal: the figures are measured by then.
async fn drop_database(admin: &str, name: &str) {
    use sqlx::Connection;
    let dropped = match sqlx::PgConnection::connect(admin).await {
        Ok(mut conn) => sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await
        .map(drop),
        Err(e) => Err(e),
    };
    if let Err(e) = dropped {
        println!("postgres: the scratch database {name} was not dropped: {e}");
    }
}
