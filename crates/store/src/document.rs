//! A record's items as one stored document (`record_documents.items`): a JSON array of
//! `[kind, item id, payload]` in the record's order, each payload the item's domain type as JSON,
//! compressed with zstd.
//!
//! One row per record instead of one per item: a record is always read and written whole, and
//! rows of a few hundred bytes of JSON do not compress, while a record's items together (the
//! same keys, codes and practitioners again and again) shrink about tenfold. A patient of about
//! a hundred items takes one row of a few KiB: a million patients fit on one disk, a save is one
//! statement, a read one indexed lookup.
//!
//! A document the migration from per-item rows wrote is the same array uncompressed (SQL cannot
//! compress): it is read as it is and compressed by the next save that changes the record.

use crate::StoreError;
use crate::items::ItemRow;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The history kind under which a damaged document is kept (hex-encoded) when a save replaces it.
pub(crate) const DAMAGED_KIND: &str = "damaged_record_document";
/// zstd's level: 3 is its default, where compressing costs a few per cent of a save.
const LEVEL: i32 = 3;
/// Every zstd frame begins with these four bytes; a JSON document with `[`.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// The stored document of `rows`.
pub(crate) fn encode(rows: &[ItemRow]) -> Result<Vec<u8>, StoreError> {
    let size = rows
        .iter()
        .map(|r| r.kind.len() + r.id.len() + r.payload.len() + 8)
        .sum::<usize>();
    let mut json = Vec::with_capacity(size + 2);
    json.push(b'[');
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        json.push(b'[');
        serde_json::to_writer(&mut json, row.kind)
            .and_then(|()| {
                json.push(b',');
                serde_json::to_writer(&mut json, &row.id)
            })
            .map_err(|e| StoreError::Invalid(format!("item id: {e}")))?;
        json.push(b',');
        // The payload is JSON already (`items::to_json`).
        json.extend_from_slice(row.payload.as_bytes());
        json.push(b']');
    }
    json.push(b']');
    zstd::bulk::compress(&json, LEVEL)
        .map_err(|e| StoreError::Invalid(format!("record document: {e}")))
}

/// The JSON text of a stored document.
pub(crate) fn decode(stored: &[u8]) -> Result<String, StoreError> {
    let json = if stored.starts_with(&ZSTD_MAGIC) {
        zstd::decode_all(stored)
            .map_err(|e| StoreError::Corrupt(format!("record document: {e}")))?
    } else {
        stored.to_vec()
    };
    String::from_utf8(json).map_err(|e| StoreError::Corrupt(format!("record document: {e}")))
}

/// One item of a document: its kind, its id and its payload exactly as stored.
#[derive(Debug, Deserialize)]
pub(crate) struct Entry<'a>(
    #[serde(borrow)] pub Cow<'a, str>,
    #[serde(borrow)] pub Cow<'a, str>,
    #[serde(borrow)] pub &'a RawValue,
);

impl Entry<'_> {
    pub(crate) fn kind(&self) -> &str {
        &self.0
    }
    pub(crate) fn id(&self) -> &str {
        &self.1
    }
    pub(crate) fn payload(&self) -> &str {
        self.2.get()
    }
}

/// The items of a document's JSON text, in the record's order.
pub(crate) fn entries(json: &str) -> Result<Vec<Entry<'_>>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("record document: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &'static str, id: &str, payload: &str) -> ItemRow {
        ItemRow {
            kind,
            id: id.into(),
            payload: payload.into(),
        }
    }

    #[test]
    fn a_document_gives_back_each_item_exactly_and_in_order() {
        let rows = vec![
            row(
                "episode",
                "ep-1",
                r#"{"id":"ep-1","title":"Diabetes \"type 2\"","n":1.50}"#,
            ),
            row(
                "journal",
                "j\"1\\",
                r#"{"text":"é ü \u00e9","list":[1,2,3]}"#,
            ),
            row("episode", "ep-2", "null"),
        ];
        let stored = encode(&rows).unwrap();
        assert!(stored.starts_with(&ZSTD_MAGIC));
        let json = decode(&stored).unwrap();
        let got = entries(&json).unwrap();
        assert_eq!(got.len(), 3);
        for (g, r) in got.iter().zip(&rows) {
            assert_eq!(
                (g.kind(), g.id(), g.payload()),
                (r.kind, r.id.as_str(), r.payload.as_str())
            );
        }
        assert!(
            entries(&decode(&encode(&[]).unwrap()).unwrap())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn an_uncompressed_document_from_the_migration_is_read_as_it_is() {
        let json = r#"[["episode", "ep-1", {"id": "ep-1"}], ["allergy", "a", {"x":[]}]]"#;
        let text = decode(json.as_bytes()).unwrap();
        let got = entries(&text).unwrap();
        assert_eq!(got[0].payload(), r#"{"id": "ep-1"}"#);
        assert_eq!((got[1].kind(), got[1].id()), ("allergy", "a"));
    }

    #[test]
    fn a_damaged_document_is_reported_not_read() {
        let mut stored = encode(&[row("episode", "e", "{}")]).unwrap();
        let last = stored.len() - 1;
        stored.truncate(last);
        assert!(matches!(decode(&stored), Err(StoreError::Corrupt(_))));
        assert!(matches!(entries("[[1,2]]"), Err(StoreError::Corrupt(_))));
        assert!(matches!(decode(&[0xff, 0xfe]), Err(StoreError::Corrupt(_))));
    }
}

/// The migration from one row per item (`0030_record_documents.sql`), on both backends: a
/// database written by the earlier layout reads back the same records, an unchanged save stays
/// unchanged (every payload's text came through as it was), and the next real save compresses
/// the document and keeps only the changed item's previous version.
#[cfg(test)]
mod migration {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use crate::audit::{AuditEvent, Channel, EventType};
    use crate::items::{record_rows, to_json};
    use crate::{RecordStore, SaveOutcome, Store};
    use inzage_domain::PatientRecord;
    use inzage_domain::samples::heavy_record;
    use sqlx::migrate::Migrator;
    use std::borrow::Cow;

    /// The migrations before this layout.
    fn before(mut m: Migrator) -> Migrator {
        m.migrations = Cow::Owned(
            m.migrations
                .iter()
                .filter(|x| x.version < 30)
                .cloned()
                .collect(),
        );
        m
    }

    fn event(record: &PatientRecord) -> AuditEvent {
        AuditEvent {
            at: chrono::Utc::now(),
            event: EventType::Update,
            patient: Some(record.patient.id.clone()),
            user: "test".into(),
            responsible_user: "test".into(),
            role: "test".into(),
            channel: Channel::Cli,
            request_id: String::new(),
            detail: "test".into(),
        }
    }

    /// Writes `record` as the earlier layout did, with plain SQL.
    async fn write_old<'e, DB, E>(conn: E, record: &PatientRecord)
    where
        DB: sqlx::Database,
        E: sqlx::Executor<'e, Database = DB> + Copy,
        <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        let pid = record.patient.id.as_str();
        sqlx::query("INSERT INTO practices (id, payload) VALUES ($1, $2)")
            .bind(record.practice.id.as_str())
            .bind(to_json("practice", &record.practice).unwrap().as_str())
            .execute(conn)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO patients (id, practice_id, bsn, birth_date, family_name, payload, version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, '2026-12-01T00:00:00Z')",
        )
        .bind(pid)
        .bind(record.practice.id.as_str())
        .bind(record.patient.bsn.as_ref().map(|b| b.as_str()).unwrap())
        .bind(record.patient.birth_date.to_string().as_str())
        .bind(record.patient.name.family.as_str())
        .bind(to_json("patient", &record.patient).unwrap().as_str())
        .execute(conn)
        .await
        .unwrap();
        for (ord, row) in record_rows(record).unwrap().iter().enumerate() {
            sqlx::query(
                "INSERT INTO record_items (patient_id, kind, item_id, ord, payload) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(pid)
            .bind(row.kind)
            .bind(row.id.as_str())
            .bind(ord as i64)
            .bind(row.payload.as_str())
            .execute(conn)
            .await
            .unwrap();
        }
    }

    /// After the migration: the same record, unchanged when saved as it is; one changed item
    /// leaves one history row and a compressed document. `stored` reads, behind the store's back,
    /// the raw document and the number of history rows.
    async fn check(store: Store, record: &PatientRecord, stored: impl AsyncFn() -> (Vec<u8>, i64)) {
        let mut got = store
            .load_record(&record.patient.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.stored_version, Some(1));
        got.stored_version = None;
        assert_eq!(&got, record, "the migrated record differs");
        assert!(!stored().await.0.starts_with(&super::ZSTD_MAGIC));
        got.stored_version = Some(1);
        assert_eq!(
            store.save_record(&got, event(&got)).await.unwrap(),
            SaveOutcome::Unchanged
        );
        got.journal[7].text = "Gewijzigd.".into();
        assert_eq!(
            store.save_record(&got, event(&got)).await.unwrap(),
            SaveOutcome::Updated
        );
        assert!(stored().await.0.starts_with(&super::ZSTD_MAGIC));
        assert_eq!(
            stored().await.1,
            1,
            "only the changed line's earlier version is kept"
        );
        let again = store
            .load_record(&record.patient.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.journal, got.journal);
        assert_eq!(again.results, record.results);
        assert_eq!(
            store.counts().await.unwrap().items as usize,
            record.item_count() + record.practitioners.len()
        );
    }

    #[tokio::test]
    async fn sqlite_records_in_item_rows_become_documents() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("old.db").display());
        let opts = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&url)
            .unwrap()
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
        before(sqlx::migrate!("./migrations/sqlite"))
            .run(&pool)
            .await
            .unwrap();
        let record = heavy_record();
        write_old(&pool, &record).await;
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        check(store, &record, async || {
            let document =
                sqlx::query_scalar("SELECT items FROM record_documents WHERE patient_id = 'heavy'")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            let history = sqlx::query_scalar("SELECT COUNT(*) FROM record_item_history")
                .fetch_one(&pool)
                .await
                .unwrap();
            (document, history)
        })
        .await;
    }

    #[tokio::test]
    async fn postgres_records_in_item_rows_become_documents() {
        use sqlx::Connection;
        let admin = std::env::var("INZAGE_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let mut conn = match sqlx::PgConnection::connect(&admin).await {
            Ok(conn) => conn,
            Err(e) => return crate::testing::skip_postgres(&admin, e),
        };
        let name = format!("inzage_test_migration_{}", std::process::id());
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .execute(&mut conn)
        .await
        .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        before(sqlx::migrate!("./migrations/postgres"))
            .run(&pool)
            .await
            .unwrap();
        let record = heavy_record();
        write_old(&pool, &record).await;
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        check(store, &record, async || {
            let document =
                sqlx::query_scalar("SELECT items FROM record_documents WHERE patient_id = 'heavy'")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            let history = sqlx::query_scalar("SELECT COUNT(*) FROM record_item_history")
                .fetch_one(&pool)
                .await
                .unwrap();
            (document, history)
        })
        .await;
        pool.close().await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await
        .unwrap();
    }
}
