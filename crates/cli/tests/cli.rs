//! The binary as a user runs it: import, generate, and what happens to the database when things
//! go wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use inzage::generate::Generator;
use inzage_domain::validate::validate_record;
use inzage_store::{RecordStore, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_inzage"))
}

fn nictiz() -> PathBuf {
    inzage_testkit::nictiz::dir()
}

use inzage_testkit::visible_fingerprint;

fn db_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("t.db").display())
}

/// Runs the binary and waits for it, blocking the calling thread. The tests that call it run on a
/// multi-threaded runtime: a store they hold open files its audit log from a background task,
/// and on a single-threaded runtime blocked here that task could stop between `BEGIN IMMEDIATE`
/// and its commit, holding SQLite's write lock until the binary gave up on it ("database is
/// locked" after the 10 s busy timeout; seen in CI).
fn run(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = bin()
        .args(args)
        .env("INZAGE_DATABASE_URL", db_url(dir))
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn store(dir: &Path) -> Store {
    let s = Store::connect(&db_url(dir)).await.unwrap();
    set_key(&s, dir);
    s
}

/// The audit key the binary made in `dir` (if it ran there), as the binary uses it.
fn set_key(s: &Store, dir: &Path) {
    if let Ok(key) = std::fs::read_to_string(dir.join("data/audit.key")) {
        s.set_audit_key(&hex::decode(key.trim()).unwrap()).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_of_the_nictiz_patient_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = run(dir.path(), &["import", nictiz().to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(out.contains("1 created"), "{out}");
    assert!(out.contains("0 errors"), "{out}");
    let before = store(dir.path()).await.counts().await.unwrap();
    assert_eq!(before.patients, 1);
    assert_eq!(before.items, 120 + 1, "120 items plus the practitioner");
    let (ok, out) = run(dir.path(), &["import", nictiz().to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(out.contains("1 unchanged"), "{out}");
    assert_eq!(store(dir.path()).await.counts().await.unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_file_is_reported_by_name_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _) = run(dir.path(), &["import", nictiz().to_str().unwrap()]);
    assert!(ok);
    let s = store(dir.path()).await;
    let id = inzage_domain::PatientId::new("gpdata-patient-kwalificatie1").unwrap();
    let before = s.load_record(&id).await.unwrap().unwrap();
    let counts = s.counts().await.unwrap();

    // A changed copy of the patient, cut off in the middle.
    let src = std::fs::read_to_string(
        nictiz().join("resources-generic/medmij-gpdata-Patient-kwalificatie1.xml"),
    )
    .unwrap();
    let bad = dir.path().join("broken-patient.xml");
    std::fs::write(&bad, &src.replace("Knolweg", "Anderweg")[..src.len() / 2]).unwrap();
    let (ok, out) = run(dir.path(), &["import", bad.to_str().unwrap()]);
    assert!(!ok, "a bad file must fail the import");
    assert!(
        out.contains("broken-patient.xml") && out.contains("not valid XML"),
        "{out}"
    );
    assert_eq!(s.load_record(&id).await.unwrap().unwrap(), before);
    assert_eq!(s.counts().await.unwrap(), counts);

    // A resource with a bad field is named with its field and left out; nothing else changes.
    let bad_json = dir.path().join("bad.json");
    std::fs::write(
        &bad_json,
        r#"{"resourceType":"Patient","id":"p-x","birthDate":"1990-13-45"}"#,
    )
    .unwrap();
    let (ok, out) = run(dir.path(), &["import", bad_json.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        out.contains("Patient/p-x") && out.contains("birthDate"),
        "{out}"
    );
    assert_eq!(s.counts().await.unwrap(), counts);
}

/// Hardening finding 1 (issue 22): `inzage import` of a file nested 50,000 levels deep exited
/// with status 134 (stack overflow). Now every such file is an import error naming the file, the
/// other files still import, and the exit status is a plain failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hardening_1_import_of_deep_and_wide_files_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("in");
    std::fs::create_dir(&files).unwrap();
    let levels = 50_000;
    let xml = format!(
        r#"<Patient xmlns="http://hl7.org/fhir"><id value="deep"/>{}{}</Patient>"#,
        r#"<extension url="http://example.org/x">"#.repeat(levels),
        "</extension>".repeat(levels)
    );
    std::fs::write(files.join("deep.xml"), xml).unwrap();
    let json = format!(
        r#"{{"resourceType":"Patient","id":"deep2"{}{}}}"#,
        r#","extension":[{"url":"http://example.org/x""#.repeat(levels),
        "}]".repeat(levels)
    );
    std::fs::write(files.join("deep.json"), json).unwrap();
    // Wider than an import allows: 2,000,001 elements.
    let wide = format!(
        r#"<Patient xmlns="http://hl7.org/fhir">{}</Patient>"#,
        "<a/>".repeat(2_000_001)
    );
    std::fs::write(files.join("wide.xml"), wide).unwrap();
    std::fs::copy(
        nictiz().join("resources-generic/medmij-gpdata-Patient-kwalificatie1.xml"),
        files.join("good.xml"),
    )
    .unwrap();

    let out = bin()
        .args(["import", files.to_str().unwrap()])
        .env("INZAGE_DATABASE_URL", db_url(dir.path()))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    for (file, message) in [
        ("deep.xml", "nested deeper than 60 levels"),
        ("deep.json", "nested deeper than 60 levels"),
        ("wide.xml", "more than 2000000 elements"),
    ] {
        assert!(
            text.lines()
                .any(|l| l.contains(file) && l.contains(message)),
            "{file}: {text}"
        );
    }
    assert_eq!(store(dir.path()).await.counts().await.unwrap().patients, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_generate_midway_leaves_only_whole_records() {
    let dir = tempfile::tempdir().unwrap();
    let at = "2026-11-23T10:00:00Z";
    let mut child = bin()
        .args([
            "generate",
            "--patients",
            "100000",
            "--seed",
            "5",
            "--at",
            at,
        ])
        .env("INZAGE_DATABASE_URL", db_url(dir.path()))
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some patients landed, then kill hard.
    let s = loop {
        std::thread::sleep(std::time::Duration::from_millis(300));
        if let Ok(s) = Store::connect(&db_url(dir.path())).await
            && s.counts().await.map(|c| c.patients >= 20).unwrap_or(false)
        {
            break s;
        }
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let stored = s.counts().await.unwrap().patients;
    assert!(stored < 100_000);
    let generator = Generator::new(5, Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap());
    let practice = generator.practice().id.clone();
    let list = s.list_patients(&practice, 1_000_000, 0).await.unwrap();
    assert_eq!(list.len() as u64, stored);
    for p in list {
        let index: u64 = p.id.as_str().rsplit('-').next().unwrap().parse().unwrap();
        let record = s.load_record(&p.id).await.unwrap().unwrap();
        assert!(validate_record(&record).is_empty());
        assert_eq!(
            record,
            generator.patient(index),
            "patient {index} is stored whole"
        );
    }
    set_key(&s, dir.path());
    assert!(s.verify_audit_chain().await.unwrap().is_ok());
}

#[test]
fn generate_is_deterministic_for_a_seed_and_moment() {
    let dir = tempfile::tempdir().unwrap();
    let generate = |name: &str| {
        let path = dir.path().join(name);
        let (ok, out) = run(
            dir.path(),
            &[
                "generate",
                "--patients",
                "1000",
                "--seed",
                "42",
                "--at",
                "2026-11-23T10:00:00Z",
                "--output",
                path.to_str().unwrap(),
            ],
        );
        assert!(ok, "{out}");
        std::fs::read(path).unwrap()
    };
    let a = generate("a.ndjson");
    let b = generate("b.ndjson");
    assert_eq!(a.len(), b.len());
    assert!(a == b, "two runs differ");
    assert_eq!(a.iter().filter(|&&c| c == b'\n').count(), 1000);
}

#[test]
fn generated_records_pass_validation_and_cover_the_model() {
    let generator = Generator::new(42, Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap());
    let mut minors = 0;
    let mut seen = [0usize; 8];
    let mut bsns = std::collections::HashSet::new();
    for i in 0..1000 {
        let r = generator.patient(i);
        let problems = validate_record(&r);
        assert!(problems.is_empty(), "patient {i}: {problems:?}");
        assert!(bsns.insert(r.patient.bsn.clone().unwrap()), "BSN repeated");
        if inzage_domain::time::age_on(
            r.patient.birth_date,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        ) < 16
        {
            minors += 1;
        }
        for (k, n) in [
            r.episodes.len(),
            r.journal.len(),
            r.medication.len(),
            r.results.len(),
            r.letters.len(),
            r.allergies.len(),
            r.work_notes.len(),
            r.journal.iter().filter(|l| l.meta.shield.is_some()).count(),
        ]
        .into_iter()
        .enumerate()
        {
            seen[k] += n;
        }
    }
    assert!(minors > 50, "minors exist: {minors}");
    assert!(
        seen.iter().all(|&n| n > 0),
        "every kind of item occurs: {seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_of_patient_bundles_imports_each_patient() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export");
    std::fs::create_dir_all(&input).unwrap();
    for (i, bsn) in ["123456782", "111222333"].iter().enumerate() {
        let bundle = format!(
            r#"{{"resourceType":"Bundle","type":"collection","entry":[
              {{"resource":{{"resourceType":"Patient","id":"bp{i}","identifier":[{{"system":"http://fhir.nl/fhir/NamingSystem/bsn","value":"{bsn}"}}],"name":[{{"family":"Bundel{i}"}}],"birthDate":"1960-01-0{d}"}}}},
              {{"resource":{{"resourceType":"Observation","id":"bp{i}-p","code":{{"coding":[{{"system":"http://fhir.nl/fhir/NamingSystem/journaalregeltypen","code":"P"}}]}},"subject":{{"reference":"Patient/bp{i}"}},"effectiveDateTime":"2025-01-02","valueString":"Controle"}}}}
            ]}}"#,
            d = i + 1
        );
        std::fs::write(input.join(format!("patient{i}.json")), bundle).unwrap();
    }
    // Other files in the folder are not FHIR and are not read.
    std::fs::write(input.join("LEESMIJ.txt"), "export van de praktijk").unwrap();
    let (ok, out) = run(dir.path(), &["import", input.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(
        out.contains("2 created") && out.contains("Patient: 2") && out.contains("Observation: 2"),
        "{out}"
    );
    let s = store(dir.path()).await;
    let r = s
        .load_record(&inzage_domain::PatientId::new("bp1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.journal.len(), 1);
    assert_eq!(s.audit_for_patient(&r.patient.id).await.unwrap().len(), 1);
}

/// A patient Bundle with a consultation whose episode is not in the Bundle.
fn bundle_with_outside_episode(i: usize, bsn: &str) -> String {
    format!(
        r#"{{"resourceType":"Bundle","type":"collection","entry":[
          {{"resource":{{"resourceType":"Patient","id":"dp{i}","identifier":[{{"system":"http://fhir.nl/fhir/NamingSystem/bsn","value":"{bsn}"}}],"name":[{{"family":"Los{i}"}}],"birthDate":"1970-02-0{d}"}}}},
          {{"resource":{{"resourceType":"Encounter","id":"dp{i}-c","subject":{{"reference":"Patient/dp{i}"}},"type":[{{"coding":[{{"system":"https://referentiemodel.nhg.org/tabellen/nhg-tabel-14-contactwijze","code":"04"}}]}}],"period":{{"start":"2025-03-04"}},"episodeOfCare":[{{"reference":"EpisodeOfCare/dp{i}-e"}}]}}}}
        ]}}"#,
        d = i + 1
    )
}

/// `dir/export` with two such Bundles, `a0.json` and `a1.json`.
fn export_with_outside_episodes(dir: &Path) -> PathBuf {
    let input = dir.join("export");
    std::fs::create_dir_all(&input).unwrap();
    for (i, bsn) in ["123456782", "111222333"].iter().enumerate() {
        std::fs::write(
            input.join(format!("a{i}.json")),
            bundle_with_outside_episode(i, bsn),
        )
        .unwrap();
    }
    input
}

/// Issue 21 (ingest): Bundles are read on worker threads and saved as they come, also one
/// whose reference points at nothing. When a later file holds what such a Bundle pointed at,
/// the Bundle is read again with it, and the patient is counted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue21_a_bundle_saved_early_is_read_again_with_the_later_file_it_points_into() {
    let dir = tempfile::tempdir().unwrap();
    let input = export_with_outside_episodes(dir.path());
    // Only the first one's episode is in the export, in a file read after both Bundles.
    std::fs::write(
        input.join("b-episode.json"),
        r#"{"resourceType":"EpisodeOfCare","id":"dp0-e","patient":{"reference":"Patient/dp0"},"period":{"start":"2024-05-01"},"extension":[{"url":"http://nictiz.nl/fhir/StructureDefinition/EpisodeOfCare-Title","valueString":"Hoofdpijn"}]}"#,
    )
    .unwrap();
    let (ok, out) = run(dir.path(), &["import", input.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(
        out.contains("2 created, 0 updated, 0 unchanged"),
        "each patient counted once: {out}"
    );
    assert!(
        out.contains("Encounter: 2") && out.contains("EpisodeOfCare: 1"),
        "each resource counted once: {out}"
    );
    assert!(
        out.contains("EpisodeOfCare/dp1-e is not part of this record")
            && !out.contains("EpisodeOfCare/dp0-e is not part of this record"),
        "{out}"
    );
    let s = store(dir.path()).await;
    let linked = s
        .load_record(&inzage_domain::PatientId::new("dp0").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(linked.episodes.len(), 1);
    assert_eq!(
        linked.contacts[0].episode.as_ref().map(|e| e.as_str()),
        Some("dp0-e"),
        "the link resolved against the later file"
    );
    let unlinked = s
        .load_record(&inzage_domain::PatientId::new("dp1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unlinked.contacts.len(), 1);
    assert_eq!(unlinked.contacts[0].episode, None);

    // Without such a file each Bundle is saved as it is, with its warning.
    let other = tempfile::tempdir().unwrap();
    let input = export_with_outside_episodes(other.path());
    let (ok, out) = run(other.path(), &["import", input.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(out.contains("2 created, 0 updated"), "{out}");
    assert_eq!(
        out.matches("is not part of this record").count(),
        2,
        "{out}"
    );
}

#[test]
fn every_generated_code_has_a_plain_dutch_explanation() {
    let glossary = inzage_webkit::glossary::Glossary::dutch();
    let generator = Generator::new(7, Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap());
    let (mut labs, mut episodes) = (0, 0);
    for i in 0..300 {
        let r = generator.patient(i);
        for res in &r.results {
            labs += 1;
            assert!(
                glossary.lab(res.code.as_str()).is_some(),
                "no explanation for NHG-45 {} ({})",
                res.code.as_str(),
                res.name
            );
        }
        for e in &r.episodes {
            let code = e.icpc.as_ref().unwrap();
            episodes += 1;
            assert!(
                glossary.icpc(code.as_str()).is_some(),
                "no explanation for ICPC {code}"
            );
        }
    }
    assert!(labs > 100 && episodes > 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_gets_its_people_and_logins() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let store = inzage::open_store(&db_url(dir.path())).await.unwrap();
    let generator = Generator::new(2026, now);
    for i in 0..300 {
        let r = generator.patient(i);
        let audit = inzage::cli_audit(
            inzage_store::EventType::Create,
            &r.patient.id,
            now,
            "t".into(),
            "t".into(),
        );
        store.save_record(&r, audit).await.unwrap();
    }
    assert!(
        inzage::demo::existing_accounts(&store)
            .await
            .unwrap()
            .is_none()
    );
    let practice = generator.practice().id.clone();
    let accounts = inzage::demo::seed_accounts(&store, &practice, inzage::demo::DEMO_PROVIDER, now)
        .await
        .unwrap();
    assert_eq!(accounts.len(), 4);
    // Seeding again changes nothing and finds the same accounts.
    let again = inzage::demo::seed_accounts(&store, &practice, inzage::demo::DEMO_PROVIDER, now)
        .await
        .unwrap();
    assert_eq!(again, accounts);
    assert_eq!(
        inzage::demo::existing_accounts(&store).await.unwrap(),
        Some(accounts)
    );
    // The parent and the carer each represent someone.
    use inzage_store::PortalStore;
    for username in ["demo-ouder", "demo-mantelzorger"] {
        let account = store.idp_account(username).await.unwrap().unwrap();
        assert_eq!(store.represented_by(&account.bsn).await.unwrap().len(), 1);
    }
}

/// `inzage audit verify` on a copy of a database that someone changed behind the application's
/// back (the triggers dropped first): every kind of change is found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_detects_changed_removed_and_reordered_entries() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = run(dir.path(), &["generate", "--patients", "4", "--seed", "3"]);
    assert!(ok, "{out}");
    let (ok, out) = run(dir.path(), &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(out.contains("audit log intact: 4 entries checked"), "{out}");

    let tampered = [
        "UPDATE audit_log SET user_id = 'someone-else' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 3",
        // Two entries swap places: their contents move, their sequence numbers stay.
        "UPDATE audit_log SET seq = -1 WHERE seq = 1; UPDATE audit_log SET seq = 1 WHERE seq = 2; \
         UPDATE audit_log SET seq = 2 WHERE seq = -1",
    ];
    for sql in tampered {
        let copy = tempfile::tempdir().unwrap();
        for f in ["t.db", "t.db-wal", "t.db-shm"] {
            if dir.path().join(f).exists() {
                std::fs::copy(dir.path().join(f), copy.path().join(f)).unwrap();
            }
        }
        let mut c = sqlx::SqliteConnection::connect(&db_url(copy.path()))
            .await
            .unwrap();
        for s in [
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
        ] {
            sqlx::query(s).execute(&mut c).await.unwrap();
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut c)
            .await
            .unwrap();
        drop(c);
        let (ok, out) = run(copy.path(), &["audit", "verify"]);
        assert!(!ok, "{sql}: {out}");
        assert!(out.contains("audit log BROKEN"), "{out}");
    }
}

/// Hardening finding 6 (issue 22): deleting the newest entries (after dropping the trigger) left
/// `audit verify` saying "intact". The operator's checkpoints now show it, and the chain is keyed
/// by a key outside the database (the key file is created on first use).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hardening_6_audit_verify_sees_a_log_cut_short_after_its_checkpoint() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = run(dir.path(), &["generate", "--patients", "4", "--seed", "3"]);
    assert!(ok, "{out}");
    let key = std::fs::read_to_string(dir.path().join("data/audit.key")).unwrap();
    assert_eq!(key.trim().len(), 64, "32 bytes, hex");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("data/audit.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (ok, out) = run(dir.path(), &["audit", "checkpoint"]);
    assert!(ok && out.contains("checkpoint of entry 4"), "{out}");
    let (ok, out) = run(dir.path(), &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(out.contains("1 checkpoints in"), "{out}");

    let mut c = sqlx::SqliteConnection::connect(&db_url(dir.path()))
        .await
        .unwrap();
    sqlx::raw_sql("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq >= 3;")
        .execute(&mut c)
        .await
        .unwrap();
    drop(c);
    let (ok, out) = run(dir.path(), &["audit", "verify"]);
    assert!(!ok, "{out}");
    assert!(out.contains("audit log intact: 2 entries checked"), "{out}");
    assert!(
        out.contains("audit log BROKEN: entry 4 is missing (the log was cut short)"),
        "{out}"
    );
    // With another key the chain itself no longer verifies.
    let other = bin()
        .args(["audit", "verify"])
        .env("INZAGE_DATABASE_URL", db_url(dir.path()))
        .env("INZAGE_AUDIT_KEY", "ab".repeat(32))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&other.stdout);
    assert!(text.contains("audit log BROKEN at entry 1"), "{text}");
    assert!(text.contains("bad signature"), "{text}");
}

/// R102 round trip: the STU3 copy `inzage export` writes of a synthetic patient, imported with
/// `inzage import` into an empty database, gives the same visible record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exported_copy_imports_into_an_empty_database_as_the_same_visible_record() {
    let source = tempfile::tempdir().unwrap();
    let (ok, out) = run(
        source.path(),
        &["generate", "--patients", "6", "--seed", "11"],
    );
    assert!(ok, "{out}");
    let s = store(source.path()).await;
    let practice = Generator::new(11, Utc::now()).practice().id.clone();
    let patients = s.list_patients(&practice, 100, 0).await.unwrap();
    // The patient with the most visible items, so the round trip carries something.
    let now = Utc::now();
    let mut best = None;
    for p in &patients {
        let r = s.load_record(&p.id).await.unwrap().unwrap();
        let n = visible_fingerprint(&r, now).len();
        if best.as_ref().is_none_or(|(m, _)| n > *m) {
            best = Some((n, r));
        }
    }
    let (n, original) = best.unwrap();
    assert!(n > 10, "{n}");
    let file = source.path().join("kopie.json");
    // The copy holds what was visible when it was made. An item whose visibility changes while
    // the export runs (a day's end, a result's delay running out) would make the record as
    // seen before and after the export differ: then it is exported again, so that the
    // comparison below is at an instant where what the export saw is known.
    let mut seen = None;
    for _ in 0..3 {
        let before = Utc::now();
        let (ok, out) = run(
            source.path(),
            &[
                "export",
                "--patient",
                original.patient.id.as_str(),
                "--format",
                "fhir-stu3",
                "--selectie",
                "samenvatting",
                "--output",
                file.to_str().unwrap(),
            ],
        );
        assert!(ok, "{out}");
        if visible_fingerprint(&original, before) == visible_fingerprint(&original, Utc::now()) {
            seen = Some(before);
            break;
        }
    }
    let seen = seen.expect("the visible record stayed the same during one of three exports");
    // The copy is in the patient's access log.
    let log = s.audit_for_patient(&original.patient.id).await.unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.event.event, inzage_store::EventType::Export);
    assert_eq!(last.event.channel, inzage_store::Channel::Cli);

    let target = tempfile::tempdir().unwrap();
    let (ok, out) = run(target.path(), &["import", file.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(
        out.contains("1 created") && out.contains("0 errors"),
        "{out}"
    );
    let back = store(target.path())
        .await
        .load_record(&original.patient.id)
        .await
        .unwrap()
        .expect("the patient is in the new database");
    let (a, b) = (
        visible_fingerprint(&original, seen),
        visible_fingerprint(&back, seen),
    );
    let only_a: Vec<_> = a.iter().filter(|x| !b.contains(x)).take(5).collect();
    let only_b: Vec<_> = b.iter().filter(|x| !a.contains(x)).take(5).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "before only: {only_a:#?}\nafter only: {only_b:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_writes_a_pdf_and_refuses_an_unknown_patient_without_leaving_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = run(dir.path(), &["import", nictiz().to_str().unwrap()]);
    assert!(ok, "{out}");
    let s = store(dir.path()).await;
    let practice = s.list_practices().await.unwrap().remove(0);
    let patient = s.list_patients(&practice.id, 1, 0).await.unwrap().remove(0);
    let pdf = dir.path().join("kopie.pdf");
    let (ok, out) = run(
        dir.path(),
        &[
            "export",
            "--patient",
            patient.id.as_str(),
            "--output",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7"));
    let missing = dir.path().join("nobody.pdf");
    let (ok, out) = run(
        dir.path(),
        &[
            "export",
            "--patient",
            "nobody",
            "--output",
            missing.to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert!(out.contains("no patient with id nobody"), "{out}");
    assert!(!missing.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `inzage export --language`: a copy made at the desk for a patient who reads another language
/// is written in it (the copy's own texts and the PDF's language), as the portal's copy is;
/// without the option it is Dutch. An unknown language is refused before anything is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exported_copy_is_written_in_the_language_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = run(dir.path(), &["generate", "--patients", "2", "--seed", "5"]);
    assert!(ok, "{out}");
    let s = store(dir.path()).await;
    let practice = Generator::new(5, Utc::now()).practice().id.clone();
    let patient = s.list_patients(&practice, 1, 0).await.unwrap()[0]
        .id
        .clone();
    // The PDF's language (the catalog's /Lang) and its title (the XMP metadata).
    let export = |language: Option<&str>| {
        let file = dir
            .path()
            .join(format!("kopie-{}.pdf", language.unwrap_or("default")));
        let mut args = vec![
            "export",
            "--patient",
            patient.as_str(),
            "--output",
            file.to_str().unwrap(),
        ];
        args.extend(language.map(|l| ["--language", l]).into_iter().flatten());
        let (ok, out) = run(dir.path(), &args);
        assert!(ok, "{out}");
        let doc = lopdf::Document::load_mem(&std::fs::read(&file).unwrap()).unwrap();
        let catalog = doc.catalog().unwrap();
        let lang = String::from_utf8(catalog.get(b"Lang").unwrap().as_str().unwrap().to_vec());
        let metadata = catalog.get(b"Metadata").unwrap().as_reference().unwrap();
        let stream = doc.get_object(metadata).unwrap().as_stream().unwrap();
        let xmp = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        (lang.unwrap(), String::from_utf8(xmp).unwrap())
    };
    let (lang, xmp) = export(None);
    assert_eq!(lang, "nl");
    assert!(xmp.contains("Kopie medisch dossier"), "{xmp}");
    let (lang, xmp) = export(Some("en"));
    assert_eq!(lang, "en");
    assert!(xmp.contains("Copy of medical record"), "{xmp}");
    assert!(!xmp.contains("Kopie medisch dossier"), "{xmp}");

    let file = dir.path().join("kopie-xx.pdf");
    let (ok, out) = run(
        dir.path(),
        &[
            "export",
            "--patient",
            patient.as_str(),
            "--language",
            "xx",
            "--output",
            file.to_str().unwrap(),
        ],
    );
    assert!(!ok, "{out}");
    assert!(out.contains("--language"), "{out}");
    assert!(!file.exists());
}
