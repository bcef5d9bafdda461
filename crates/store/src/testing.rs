//! Throwaway databases for tests in any crate (feature `testing`): a SQLite file in a temporary
//! directory, or a fresh database on the PostgreSQL test server at `INZAGE_TEST_DATABASE_URL`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`).
#![allow(clippy::expect_used)]

use crate::{RecordStore, Store};

pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub fn pg_admin_url() -> String {
    std::env::var("INZAGE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// What a PostgreSQL test does when no server answers at `admin`: it says it skips, or, where
/// `INZAGE_REQUIRE_POSTGRES` is set (CI), it fails, so that a skip never passes for a test.
pub fn skip_postgres(admin: &str, error: impl std::fmt::Display) {
    assert!(
        std::env::var_os("INZAGE_REQUIRE_POSTGRES").is_none(),
        "no PostgreSQL server answered at {admin} ({error}), and INZAGE_REQUIRE_POSTGRES is set"
    );
    eprintln!("SKIPPED PostgreSQL: no server answered at {admin} ({error})");
}

impl TestDb {
    /// A migrated SQLite database in a new temporary directory.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&url).await.expect("sqlite test database");
        store.migrate().await.expect("migrations");
        Self {
            store,
            url,
            _dir: Some(dir),
        }
    }

    /// A fresh, migrated PostgreSQL database, or `None` (with a clear notice) when no server
    /// answers.
    pub async fn postgres() -> Option<Self> {
        use sqlx::Connection;
        let admin = pg_admin_url();
        let mut conn = match sqlx::PgConnection::connect(&admin).await {
            Ok(c) => c,
            Err(e) => {
                skip_postgres(&admin, e);
                return None;
            }
        };
        let name = format!("inzage_test_{}", unique_suffix());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let (base, _) = admin.rsplit_once('/').expect("database URL with a path");
        let url = format!("{base}/{name}");
        let store = match Store::connect(&url).await {
            Ok(store) => store,
            Err(e) => {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name}")))
                    .execute(&mut conn)
                    .await;
                panic!("postgres test database: {e}");
            }
        };
        // Made before the migrations run, so that a migration that fails drops it (`Drop`).
        let db = Self {
            store,
            url,
            _dir: None,
        };
        db.store.migrate().await.expect("migrations");
        Some(db)
    }

    /// Removes a PostgreSQL test database (closing what the test left open); a SQLite one goes
    /// with its directory.
    pub async fn drop_database(&self) {
        use sqlx::Connection;
        if !self.url.starts_with("postgres") {
            return;
        }
        let name = self.url.rsplit('/').next().unwrap_or_default().to_owned();
        if let Ok(mut conn) = sqlx::PgConnection::connect(&pg_admin_url()).await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
        }
    }
}

/// A test that panics never reaches its `drop_database`: its PostgreSQL database is dropped
/// here as the panic unwinds, so that failing runs leave no `inzage_test_*` databases behind.
/// The drop runs on a thread of its own (with a runtime of its own), as the test's runtime may
/// be the one unwinding, and gives up after ten seconds (the panic may be a server that stopped
/// answering). Nothing here may panic: a panic while unwinding aborts the test process.
impl Drop for TestDb {
    fn drop(&mut self) {
        if !std::thread::panicking() || !self.url.starts_with("postgres") {
            return;
        }
        let Some(name) = self.url.rsplit('/').next().map(str::to_owned) else {
            return;
        };
        let dropping = std::thread::Builder::new().spawn(move || {
            use sqlx::Connection;
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                let drop = async {
                    let mut conn = sqlx::PgConnection::connect(&pg_admin_url()).await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await
                };
                let _ = tokio::time::timeout(std::time::Duration::from_secs(10), drop).await;
            });
        });
        if let Ok(dropping) = dropping {
            let _ = dropping.join();
        }
    }
}

/// Unique across processes and calls (the process id, a counter) and across runs that left a
/// database behind (the time).
fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() % 1_000_000_000);
    format!(
        "{}_{}_{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// Files a SQLite store's audit entries by patient now, as its background task does twice a
/// second (`audit_patient`): how many `seq`s the filing mark moved on (entries of no patient
/// count, but are not filed). A PostgreSQL store keeps an index on the audit log instead and
/// files nothing.
pub async fn file_audit_by_patient(store: &Store) -> Result<u64, crate::StoreError> {
    match store {
        Store::Sqlite(s) => {
            let mut moved = 0;
            loop {
                let filed = crate::backend::index_audit_log(&s.read, &s.write).await?;
                moved += filed.moved;
                if filed.moved == 0 && !filed.again {
                    return Ok(moved);
                }
            }
        }
        Store::Postgres(_) => Ok(0),
    }
}
