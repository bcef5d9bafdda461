//! The electronic copy through the portal and the practice (issue 7, R102): what each selection
//! holds (read back from the PDF), who may have the full copy, the practice's check, the hand-over
//! at the desk, and the export entry in the patient's access log. Both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use axum::http::StatusCode;
use inzage_domain::{Clock, PatientId, PracticeId, Section};
use inzage_store::{Channel, CopyStore, EventType, RecordStore};
use support::*;

fn pdf_text(bytes: &[u8]) -> String {
    let text = pdf_extract::extract_text_from_mem(bytes).expect("a readable PDF");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn copy(c: &mut Client<'_>, selection: &str, format: &str) -> Page {
    let csrf = c.csrf("/kopie").await;
    c.post(
        "/kopie",
        &[
            ("csrf", &csrf),
            ("selectie", selection),
            ("formaat", format),
        ],
    )
    .await
}

async fn exports(app: &TestApp, patient: &str) -> Vec<inzage_store::AuditEntry> {
    app.store
        .audit_for_patient(&PatientId::new(patient).unwrap())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.event == EventType::Export)
        .collect()
}

async fn r102_the_patient_downloads_the_summary_and_the_full_copy(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    let page = c.get("/kopie").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Kopie van mijn dossier"));
    assert!(page.body.contains("value=\"volledig\""));

    let p = copy(&mut c, "samenvatting", "pdf").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.content_type, "application/pdf");
    let text = pdf_text(&p.bytes);
    for visible in [
        "Anna Volwassen",
        "Conclusie VOLWASSEN",
        "Metformine VOLWASSEN",
        "Brief internist VOLWASSEN",
    ] {
        assert!(text.contains(visible), "{visible} missing from the summary");
    }
    for hidden in NEVER.iter().chain([&OTHER_PATIENT]) {
        assert!(!text.contains(hidden), "{hidden} in the summary");
    }

    // Anna's record holds a shielded line and a result not yet released: her request goes to
    // the practice first (R123); once approved she downloads the full copy.
    let p = copy(&mut c, "volledig", "pdf").await;
    assert_eq!(p.location.as_deref(), Some("/kopie?aangevraagd=true"));
    approve_at_the_desk(app, "adult").await;
    let p = copy(&mut c, "volledig", "pdf").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let text = pdf_text(&p.bytes);
    // S and O lines, items held back from online view: in the full copy, marked.
    for held in [
        "MARKER-S-LINE",
        "MARKER-O-LINE",
        "MARKER-SHIELDED-LINE",
        "MARKER-BEFORE-START",
    ] {
        assert!(text.contains(held), "{held} missing from the full copy");
    }
    assert!(text.contains("Niet online"));
    assert!(!text.contains("MARKER-WORKNOTE"));
    assert!(!text.contains(OTHER_PATIENT));

    for format in ["fhir", "fhir-stu3"] {
        let p = copy(&mut c, "volledig", format).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert_eq!(p.content_type, "application/fhir+json");
        let bundle: serde_json::Value = serde_json::from_slice(&p.bytes).unwrap();
        assert_eq!(bundle["resourceType"], "Bundle");
        assert!(!p.body.contains("MARKER-WORKNOTE") && !p.body.contains(OTHER_PATIENT));
    }
    // Four copies, four export entries through the portal, shown in the access log.
    let entries = exports(app, "adult").await;
    assert_eq!(entries.len(), 4);
    assert!(
        entries
            .iter()
            .all(|e| e.event.channel == Channel::Portal && e.event.role == "patient")
    );
    let log = c.get("/logboek").await;
    assert!(
        log.body.matches("Kopie gemaakt of gedownload").count() >= 4,
        "{}",
        log.body
    );

    // Nonsense in the form: a clear refusal, no copy, no entry.
    let p = copy(&mut c, "alles", "docx").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Kies wat u wilt"));
    assert_eq!(exports(app, "adult").await.len(), 4);
}

/// The assistant approves the waiting request for a full copy of `patient`.
async fn approve_at_the_desk(app: &TestApp, patient: &str) {
    let staff = seed_staff(app).await;
    let (_, secret, _) = staff.iter().find(|s| s.0 == "assistent").unwrap();
    let mut desk = app.client();
    desk.staff_login("assistent", secret).await;
    let pending = app
        .store
        .copy_requests(&PatientId::new(patient).unwrap())
        .await
        .unwrap();
    let request = pending
        .iter()
        .find(|r| r.status == inzage_store::CopyRequestStatus::Pending)
        .unwrap()
        .id
        .clone();
    let url = format!("/praktijk/patienten/{patient}/kopie");
    let csrf = desk.csrf(&url).await;
    let p = desk
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("actie", "goedkeuren"),
                ("aanvraag", &request),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
}

/// R123 (issue 22, hardening finding 3): with the practice's default (no check of every
/// request), the full copy handed out at once what the GP held back: a result not yet released
/// and a line shielded as "niet besproken". Now such a copy waits for the practice, which sees
/// the legal deadline, and the patient sees what happens and by when; a copy without such items
/// is still served at once; staff are told where they shield and withhold.
async fn r123_a_full_copy_with_held_back_items_waits_for_the_practice(app: &TestApp) {
    let practice = PracticeId::new("praktijk-test").unwrap();
    assert!(
        !app.store
            .settings(&practice)
            .await
            .unwrap()
            .full_copy_needs_check
    );
    let mut anna = app.client();
    anna.login("anna").await;
    anna.open("adult").await;
    // Read after the login, which moves the test clock: the request is dated when it is made.
    let today = inzage_domain::time::local_date(app.clock.now());
    let by = today.checked_add_months(chrono::Months::new(1)).unwrap();
    let months = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    use chrono::Datelike;
    let by_text = format!(
        "{} {} {}",
        by.day(),
        months[by.month0() as usize],
        by.year()
    );
    let page = anna.get("/kopie").await;
    assert!(
        page.body
            .contains("Uw huisarts wil sommige informatie eerst met u bespreken"),
        "{}",
        page.body
    );
    for format in ["pdf", "fhir", "fhir-stu3"] {
        let p = copy(&mut anna, "volledig", format).await;
        assert_ne!(
            p.status,
            StatusCode::OK,
            "{format}: the copy was handed out"
        );
        assert!(!p.body.contains("MARKER-SHIELDED-LINE"));
    }
    assert!(exports(app, "adult").await.is_empty(), "no copy left");
    let page = anna.get("/kopie?aangevraagd=true").await;
    assert!(
        page.body
            .contains(&format!("U krijgt uiterlijk {by_text} antwoord")),
        "{}",
        page.body
    );
    // The practice's queue shows the deadline.
    let staff = seed_staff(app).await;
    let (_, secret, _) = staff.iter().find(|s| s.0 == "gp").unwrap();
    let mut gp = app.client();
    gp.staff_login("gp", secret).await;
    let queue = gp.get("/praktijk/kopieaanvragen").await;
    assert!(queue.body.contains("Anna Volwassen"), "{}", queue.body);
    assert!(
        queue
            .body
            .contains(&format!("Antwoord uiterlijk {by_text}")),
        "{}",
        queue.body
    );
    // Where the GP shields and withholds, they are told.
    let hint = "komt een aanvraag van de patiënt voor een volledig afschrift eerst bij u";
    assert!(
        gp.get("/praktijk/patienten/adult")
            .await
            .body
            .contains(hint)
    );
    assert!(gp.get("/praktijk/uitslagen").await.body.contains(hint));

    // Without anything held back, the full copy is served at once.
    let id = PatientId::new("adult").unwrap();
    let mut r = app.store.load_record(&id).await.unwrap().unwrap();
    let gp_actor = inzage_domain::Actor::System("gp".into());
    for line in &mut r.journal {
        line.meta.shield = None;
    }
    for e in &mut r.episodes {
        e.meta.shield = None;
    }
    for c in &mut r.contacts {
        c.meta.shield = None;
    }
    for m in &mut r.medication {
        m.meta.shield = None;
    }
    for res in &mut r.results {
        res.meta.shield = None;
        res.review = inzage_domain::ReviewState::Released {
            by: gp_actor.clone(),
            at: app.clock.now(),
        };
    }
    for l in &mut r.letters {
        l.meta.shield = None;
    }
    for a in &mut r.allergies {
        a.meta.shield = None;
    }
    app.store
        .save_record(&r, audit_event(&r, app))
        .await
        .unwrap();
    let p = copy(&mut anna, "volledig", "pdf").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(exports(app, "adult").await.len(), 1);
}

async fn a_representative_with_limited_access_gets_only_the_summary(app: &TestApp) {
    // The carer's authorisation covers medication only.
    limit_representations(app, "elder", &[Section::Medication]).await;
    let mut c = app.client();
    c.login("carla").await;
    c.open("elder/rep-carer").await;
    let page = c.get("/kopie").await;
    assert!(!page.body.contains("value=\"volledig\""));
    let p = copy(&mut c, "volledig", "pdf").await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_ne!(p.content_type, "application/pdf");
    let p = copy(&mut c, "samenvatting", "pdf").await;
    assert_eq!(p.status, StatusCode::OK);
    let text = pdf_text(&p.bytes);
    // Only the section the authorisation covers.
    assert!(text.contains("Metformine OUDERE"));
    assert!(!text.contains("Conclusie OUDERE"));
    let entries = exports(app, "elder").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].event.role, "representative:rep-carer");
}

async fn r102_the_full_copy_after_the_practice_check(app: &TestApp) {
    let practice = PracticeId::new("praktijk-test").unwrap();
    let mut settings = app.store.settings(&practice).await.unwrap();
    settings.full_copy_needs_check = true;
    app.store.save_settings(&practice, &settings).await.unwrap();
    let staff = seed_staff(app).await;

    let mut anna = app.client();
    anna.login("anna").await;
    anna.open("adult").await;
    let p = copy(&mut anna, "volledig", "pdf").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location.as_deref(), Some("/kopie?aangevraagd=true"));
    assert!(exports(app, "adult").await.is_empty());
    let page = anna.get("/kopie?aangevraagd=true").await;
    assert!(page.body.contains("Uw aanvraag is verstuurd"));
    assert!(page.body.contains("De praktijk bekijkt uw aanvraag nog"));
    // Asking twice makes no second request.
    let p = copy(&mut anna, "volledig", "pdf").await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p.body.contains("al een aanvraag"));
    // The summary needs no check.
    assert_eq!(
        copy(&mut anna, "samenvatting", "pdf").await.status,
        StatusCode::OK
    );

    let (_, secret, _) = staff.iter().find(|s| s.0 == "assistent").unwrap();
    let mut desk = app.client();
    desk.staff_login("assistent", secret).await;
    let queue = desk.get("/praktijk/kopieaanvragen").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("Anna Volwassen"), "{}", queue.body);
    let pending = app
        .store
        .copy_requests(&PatientId::new("adult").unwrap())
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    let request = pending[0].id.clone();
    // Declining needs a reason the patient can read.
    let csrf = desk.csrf("/praktijk/patienten/adult/kopie").await;
    let p = desk
        .post(
            "/praktijk/patienten/adult/kopie",
            &[
                ("csrf", &csrf),
                ("actie", "afwijzen"),
                ("aanvraag", &request),
                ("reden", " "),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = desk
        .post(
            "/praktijk/patienten/adult/kopie",
            &[
                ("csrf", &csrf),
                ("actie", "goedkeuren"),
                ("aanvraag", &request),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // A request is decided once.
    let p = desk
        .post(
            "/praktijk/patienten/adult/kopie",
            &[
                ("csrf", &csrf),
                ("actie", "afwijzen"),
                ("aanvraag", &request),
                ("reden", "x"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(
        desk.get("/praktijk/kopieaanvragen")
            .await
            .body
            .contains("geen aanvragen")
    );

    let page = anna.get("/kopie").await;
    assert!(page.body.contains("Goedgekeurd"));
    let p = copy(&mut anna, "volledig", "pdf").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(pdf_text(&p.bytes).contains("MARKER-S-LINE"));
}

async fn concurrent_requests_make_one(app: &TestApp) {
    let practice = PracticeId::new("praktijk-test").unwrap();
    let mut settings = app.store.settings(&practice).await.unwrap();
    settings.full_copy_needs_check = true;
    app.store.save_settings(&practice, &settings).await.unwrap();
    let mut one = app.client();
    one.login("anna").await;
    one.open("adult").await;
    let mut two = app.client();
    two.login("anna").await;
    two.open("adult").await;
    let (c1, c2) = (one.csrf("/kopie").await, two.csrf("/kopie").await);
    let form = |csrf: &str| {
        vec![
            ("csrf", csrf.to_owned()),
            ("selectie", "volledig".to_owned()),
            ("formaat", "pdf".to_owned()),
        ]
    };
    let (f1, f2) = (form(&c1), form(&c2));
    let f1: Vec<(&str, &str)> = f1.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let f2: Vec<(&str, &str)> = f2.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (a, b) = tokio::join!(one.post("/kopie", &f1), two.post("/kopie", &f2));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    let requests = app
        .store
        .copy_requests(&PatientId::new("adult").unwrap())
        .await
        .unwrap();
    assert_eq!(requests.len(), 1);
}

async fn the_practice_hands_a_copy_to_the_patient(app: &TestApp) {
    let staff = seed_staff(app).await;
    for (who, may) in [
        ("gp", true),
        ("assistent", true),
        ("poh", false),
        ("beheer", false),
    ] {
        let (_, secret, _) = staff.iter().find(|s| s.0 == who).unwrap();
        let mut c = app.client();
        c.staff_login(who, secret).await;
        let page = c.get("/praktijk/patienten/adult/kopie").await;
        let before = exports(app, "adult").await.len();
        let home = if who == "beheer" {
            "/praktijk/medewerkers"
        } else {
            "/praktijk"
        };
        let csrf = c.csrf(home).await;
        let p = c
            .post(
                "/praktijk/patienten/adult/kopie",
                &[
                    ("csrf", &csrf),
                    ("actie", "maken"),
                    ("selectie", "volledig"),
                    ("formaat", "pdf"),
                ],
            )
            .await;
        if may {
            assert_eq!(page.status, StatusCode::OK, "{who}");
            assert_eq!(p.status, StatusCode::OK, "{who}: {}", p.body);
            let text = pdf_text(&p.bytes);
            assert!(text.contains("MARKER-S-LINE") && !text.contains("MARKER-WORKNOTE"));
            let entries = exports(app, "adult").await;
            assert_eq!(entries.len(), before + 1);
            let last = entries.last().unwrap();
            assert_eq!(last.event.channel, Channel::Practice);
            assert_eq!(last.event.user, format!("staff:{who}"));
        } else {
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{who}");
            assert_eq!(p.status, StatusCode::FORBIDDEN, "{who}");
            assert_eq!(exports(app, "adult").await.len(), before);
        }
    }
    // Another practice's GP cannot reach the record.
    let (_, secret, _) = staff.iter().find(|s| s.0 == "gp-elders").unwrap();
    let mut c = app.client();
    c.staff_login("gp-elders", secret).await;
    assert_eq!(
        c.get("/praktijk/patienten/adult/kopie").await.status,
        StatusCode::NOT_FOUND
    );
}

both_backends!(
    r123_a_full_copy_with_held_back_items_waits_for_the_practice,
    r102_the_patient_downloads_the_summary_and_the_full_copy,
    a_representative_with_limited_access_gets_only_the_summary,
    r102_the_full_copy_after_the_practice_check,
    concurrent_requests_make_one,
    the_practice_hands_a_copy_to_the_patient,
);
