//! Migration 0019 moves copy requests, corrections and repeat prescriptions from their three
//! tables into the one `practice_requests` table. A practice upgrading keeps every request with
//! every field, and what was waiting still waits (and can still be decided once).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use inzage_domain::{PatientId, PracticeId};
use inzage_store::*;

/// The rows a practice had before 0019: one patient, requests of every kind and state.
const BEFORE: [&str; 8] = [
    "INSERT INTO practices (id, payload) VALUES ('pr1', '{}')",
    "INSERT INTO patients (id, practice_id, bsn, birth_date, family_name, payload, version, updated_at) \
     VALUES ('p1', 'pr1', NULL, '1980-01-01', 'Jansen', '{}', 1, '2026-01-01T00:00:00Z')",
    "INSERT INTO copy_requests VALUES ('c1', 'p1', 'idp:a', 'patient', '2026-01-01T10:00:00Z', \
     'pending', NULL, NULL, NULL)",
    "INSERT INTO copy_requests VALUES ('c2', 'p1', 'idp:a', 'patient', '2025-01-01T10:00:00Z', \
     'declined', 'dr', '2025-01-02T10:00:00Z', 'nee')",
    "INSERT INTO prescription_requests VALUES ('r1', 'p1', 'med1', 'idp:a', 'patient', 'Apotheek', '', \
     '2026-01-01T10:00:00Z', 'approved', 'dr', '2026-01-02T10:00:00Z', NULL, '1dd1', '30', 'med2', \
     '2026-01-02T10:00:00Z')",
    "INSERT INTO prescription_requests VALUES ('r2', 'p1', 'med1', 'idp:a', 'patient', 'Apotheek', \
     'graag', '2026-02-01T10:00:00Z', 'requested', NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
    "INSERT INTO correction_requests VALUES ('k1', 'p1', 'episode', 'e1', 'statement', 'Mijn tekst', \
     'idp:a', '123456782', 'patient', '2026-01-01T10:00:00Z', 'attached', 'dr', \
     '2026-01-03T10:00:00Z', NULL)",
    "INSERT INTO correction_requests VALUES ('k2', 'p1', 'result', 'u1', 'correction', 'Klopt niet', \
     'idp:a', '123456782', 'patient', '2026-02-01T10:00:00Z', 'requested', NULL, NULL, NULL)",
];

fn at(month: u32, day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, 10, 0, 0).unwrap()
}

/// What the typed stores read back after the move.
async fn check_moved(store: &Store) {
    let p = PatientId::new("p1").unwrap();
    let practice = PracticeId::new("pr1").unwrap();

    let copies = store.copy_requests(&p).await.unwrap();
    assert_eq!(copies.len(), 2);
    assert_eq!(copies[0].id, "c1");
    assert_eq!(copies[0].status, CopyRequestStatus::Pending);
    assert_eq!(copies[1].status, CopyRequestStatus::Declined);
    assert_eq!(copies[1].reason.as_deref(), Some("nee"));
    let waiting = store.pending_copy_requests(&practice).await.unwrap();
    assert_eq!(
        waiting.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["c1"]
    );
    // Still one pending request per person: a second one is refused.
    let again = CopyRequest {
        id: "c3".into(),
        requested_at: at(3, 1),
        ..copies[0].clone()
    };
    assert!(matches!(
        store.request_copy(&again).await,
        Err(StoreError::Conflict(_))
    ));

    let prescriptions = store.prescription_requests(&p).await.unwrap();
    assert_eq!(prescriptions.len(), 2);
    let (r2, r1) = (&prescriptions[0], &prescriptions[1]);
    assert_eq!(
        (r2.id.as_str(), r2.status),
        ("r2", PrescriptionStatus::Requested)
    );
    assert_eq!(
        (r2.pharmacy.as_str(), r2.remark.as_str()),
        ("Apotheek", "graag")
    );
    assert_eq!(r1.status, PrescriptionStatus::Approved);
    assert_eq!(r1.dosage.as_deref(), Some("1dd1"));
    assert_eq!(r1.quantity.as_deref(), Some("30"));
    assert_eq!(r1.new_medication.as_deref(), Some("med2"));
    assert_eq!(r1.sent_to_pharmacy_at, Some(at(1, 2)));
    assert_eq!(r1.medication, "med1");

    let corrections = store.corrections(&p).await.unwrap();
    assert_eq!(corrections.len(), 2);
    assert_eq!(corrections[0].id, "k2");
    assert_eq!(corrections[0].kind, CorrectionKind::Correction);
    assert_eq!(corrections[0].text, "Klopt niet");
    assert_eq!(corrections[0].requested_bsn, "123456782");
    let statements = store.statements(&p).await.unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0].text, "Mijn tekst");
    assert_eq!(statements[0].added_at, at(1, 3));

    // What waited can be decided, once.
    let waiting = store.waiting_corrections(&practice).await.unwrap();
    assert_eq!(
        waiting.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["k2"]
    );
    for expected in [true, false] {
        let decided = store
            .decide_correction(
                &p,
                "k2",
                CorrectionStatus::Declined,
                "dr",
                at(3, 2),
                Some("klopt"),
            )
            .await
            .unwrap();
        assert_eq!(decided, expected);
    }
    assert!(
        store
            .waiting_corrections(&practice)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn sqlite_requests_keep_every_field_through_the_move_to_one_table() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::migrate!("./migrations/sqlite")
        .run_to(18, &pool)
        .await
        .unwrap();
    for sql in BEFORE {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    check_moved(&store).await;
}

#[tokio::test]
async fn postgres_requests_keep_every_field_through_the_move_to_one_table() {
    use sqlx::Connection;
    let admin = inzage_store::testing::pg_admin_url();
    let mut conn = match sqlx::PgConnection::connect(&admin).await {
        Ok(conn) => conn,
        Err(e) => return inzage_store::testing::skip_postgres(&admin, e),
    };
    let name = format!(
        "inzage_mig_{}",
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    );
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::migrate!("./migrations/postgres")
        .run_to(18, &pool)
        .await
        .unwrap();
    for sql in BEFORE {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    check_moved(&store).await;
    drop(store);
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
}
