//! The record's life cycle (issue 20 part 5, R107, R108, R111) end to end on both backends, with
//! the clock injected: the patient asks to destroy parts of the record or all of it, the GP
//! carries it out or refuses with a legal ground the patient reads; 20 years after the last
//! medical change the daily sweep reports a record, and only a GP's decision destroys it; the
//! access log outlives the record.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use axum::http::StatusCode;
use inzage_domain::{Clock, PatientId};
use inzage_store::{EventType, RecordStore, StaffStore};
use support::*;

async fn ask(c: &mut Client<'_>, form: &[(&str, &str)]) -> Page {
    let csrf = c.csrf("/vernietigen").await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(form);
    c.post("/vernietigen", &all).await
}

/// R111: a part on request, carried out; the whole record on request, refused with a ground.
async fn r111_a_patient_asks_to_destroy_and_the_gp_decides_within_three_months(app: &TestApp) {
    let mut anna = app.client();
    anna.login("anna").await;
    anna.open("adult").await;
    let page = anna.get("/vernietigen").await.body;
    assert!(page.contains("value=\"episode:adult-ep1\""), "{page}");
    // Only what this person sees can be named.
    assert!(!page.contains("adult-ep2"));
    let shielded = ask(
        &mut anna,
        &[("wat", "onderdelen"), ("onderdeel", "episode:adult-ep2")],
    )
    .await;
    assert_eq!(shielded.status, StatusCode::BAD_REQUEST);
    let nothing = ask(&mut anna, &[("wat", "onderdelen")]).await;
    assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
    let sent = ask(
        &mut anna,
        &[
            ("wat", "onderdelen"),
            ("onderdeel", "episode:adult-ep1"),
            ("toelichting", "Oud verhaal"),
        ],
    )
    .await;
    assert_eq!(sent.location.as_deref(), Some("/vernietigen?gevraagd=true"));
    let again = ask(
        &mut anna,
        &[("wat", "onderdelen"), ("onderdeel", "episode:adult-ep1")],
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    // A 14-year-old does not ask this online.
    let mut tess = app.client();
    tess.login("tess").await;
    tess.open("teen").await;
    assert_eq!(
        ask(&mut tess, &[("wat", "alles"), ("zeker", "ja")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let staff = seed_staff(app).await;
    let mut gp = as_staff(app, &staff, "gp").await;
    let queue = gp.get("/praktijk/bewaartermijn").await.body;
    assert!(
        queue.contains("Suikerziekte VOLWASSEN")
            && queue.contains("Oud verhaal")
            && queue.contains("Uitvoeren of weigeren vóór"),
        "{queue}"
    );
    let id = PatientId::new("adult").unwrap();
    let requests = inzage_store::DestructionRequestStore::destruction_requests(&app.store, &id)
        .await
        .unwrap();
    let path = format!("/praktijk/patienten/adult/vernietiging/{}", requests[0].id);
    let csrf = csrf_in(&queue);
    // A refusal needs a ground and words.
    let bare = gp
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("actie", "weigeren"),
                ("grond", "wet"),
                ("toelichting", ""),
            ],
        )
        .await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST);
    let done = gp
        .post(&path, &[("csrf", &csrf), ("actie", "uitvoeren")])
        .await;
    assert_eq!(
        done.location.as_deref(),
        Some("/praktijk/bewaartermijn?verwerkt=true"),
        "{}",
        done.body
    );
    assert_eq!(
        gp.post(&path, &[("csrf", &csrf), ("actie", "uitvoeren")])
            .await
            .status,
        StatusCode::CONFLICT
    );
    let r = app.store.load_record(&id).await.unwrap().unwrap();
    assert!(r.episodes.iter().all(|e| e.id.as_str() != "adult-ep1"));
    assert!(
        r.journal
            .iter()
            .all(|l| l.episode.as_ref().is_none_or(|e| e.as_str() != "adult-ep1"))
    );
    assert!(
        app.store
            .item_history(&id, "episode", "adult-ep1")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !anna
            .get("/ziektes")
            .await
            .body
            .contains("Suikerziekte VOLWASSEN")
    );
    let mine = anna.get("/vernietigen").await.body;
    assert!(mine.contains("Vernietigd"), "{mine}");

    // The whole record: confirmed by the patient, refused by the GP with a legal ground.
    let unsure = ask(&mut anna, &[("wat", "alles")]).await;
    assert_eq!(unsure.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        ask(&mut anna, &[("wat", "alles"), ("zeker", "ja")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let requests = inzage_store::DestructionRequestStore::destruction_requests(&app.store, &id)
        .await
        .unwrap();
    let whole = requests.iter().find(|r| r.scope == "record").unwrap();
    let csrf = gp.csrf("/praktijk/bewaartermijn").await;
    let refused = gp
        .post(
            &format!("/praktijk/patienten/adult/vernietiging/{}", whole.id),
            &[
                ("csrf", &csrf),
                ("actie", "weigeren"),
                ("grond", "procedure"),
                ("toelichting", "Er loopt een klacht bij het tuchtcollege."),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(app.store.load_record(&id).await.unwrap().is_some());
    let mine = anna.get("/vernietigen").await.body;
    assert!(
        mine.contains("Niet vernietigd") && mine.contains("tuchtcollege"),
        "{mine}"
    );
    let log = anna.get("/logboek").await.body;
    assert!(
        log.contains("Gevraagd om gegevens te vernietigen") && log.contains("Gegevens vernietigd"),
        "{log}"
    );
    // An assistant does not decide these.
    let mut assistant = as_staff(app, &staff, "assistent").await;
    assert_eq!(
        assistant.get("/praktijk/bewaartermijn").await.status,
        StatusCode::FORBIDDEN
    );
}

/// R107, R108: twenty years after the last medical change the sweep reports the records and
/// destroys none; a GP destroys one (its access log stays) and keeps another longer.
async fn r107_r108_a_record_is_reported_after_20_years_and_destroyed_only_by_a_gp(app: &TestApp) {
    let staff = seed_staff(app).await;
    // Nineteen years on: nothing is due.
    app.clock.advance(chrono::Duration::days(365 * 19));
    assert_eq!(
        inzage_practice::retention::sweep(&app.store, app.clock.now())
            .await
            .unwrap(),
        0
    );
    // Twenty years and a few days after the seed's last medical change: every record is due.
    app.clock.advance(chrono::Duration::days(365 + 10));
    let reported = inzage_practice::retention::sweep(&app.store, app.clock.now())
        .await
        .unwrap();
    assert!(reported >= 6, "{reported}");
    let id = PatientId::new("adult").unwrap();
    assert!(
        app.store.load_record(&id).await.unwrap().is_some(),
        "the sweep destroys nothing"
    );

    let mut gp = as_staff(app, &staff, "gp").await;
    let page = gp.get("/praktijk/bewaartermijn").await.body;
    assert!(
        page.contains("Volwassen") && page.contains("Ander"),
        "{page}"
    );
    let csrf = csrf_in(&page);
    let unchecked = gp
        .post(
            "/praktijk/patienten/adult/bewaartermijn",
            &[("csrf", &csrf), ("actie", "vernietigen")],
        )
        .await;
    assert_eq!(unchecked.status, StatusCode::BAD_REQUEST);
    assert!(app.store.load_record(&id).await.unwrap().is_some());
    let entries_before = app.store.audit_for_patient(&id).await.unwrap().len();
    let destroyed = gp
        .post(
            "/praktijk/patienten/adult/bewaartermijn",
            &[
                ("csrf", &csrf),
                ("actie", "vernietigen"),
                ("gecontroleerd", "ja"),
            ],
        )
        .await;
    assert_eq!(
        destroyed.status,
        StatusCode::SEE_OTHER,
        "{}",
        destroyed.body
    );
    assert!(app.store.load_record(&id).await.unwrap().is_none());
    let entries = app.store.audit_for_patient(&id).await.unwrap();
    assert!(
        entries.len() > entries_before,
        "R107: the access log outlives the record"
    );
    assert_eq!(entries.last().unwrap().event.event, EventType::Delete);
    assert!(app.store.verify_audit_chain().await.unwrap().is_ok());
    // Kept longer with a date and a reason: off the list until then.
    let until =
        (inzage_domain::time::local_date(app.clock.now()) + chrono::Days::new(365)).to_string();
    let no_reason = gp
        .post(
            "/praktijk/patienten/other/bewaartermijn",
            &[
                ("csrf", &csrf),
                ("actie", "bewaren"),
                ("tot", &until),
                ("reden", ""),
            ],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let kept = gp
        .post(
            "/praktijk/patienten/other/bewaartermijn",
            &[
                ("csrf", &csrf),
                ("actie", "bewaren"),
                ("tot", &until),
                ("reden", "Erfelijke aandoening in de familie"),
            ],
        )
        .await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER);
    let page = gp.get("/praktijk/bewaartermijn").await.body;
    assert!(
        !page.contains("Ander") && page.contains("bewaartermijn verstreken"),
        "{page}"
    );
    assert!(
        app.store
            .load_record(&PatientId::new("other").unwrap())
            .await
            .unwrap()
            .is_some()
    );
    // A record changed medically since is not due any more.
    assert!(page.contains("Oudere"));
    let elder = PatientId::new("elder").unwrap();
    let mut r = app.store.load_record(&elder).await.unwrap().unwrap();
    r.episodes[0].meta.set_updated_at(app.clock.now());
    app.store
        .save_record(&r, audit_event(&r, app))
        .await
        .unwrap();
    assert!(
        !gp.get("/praktijk/bewaartermijn")
            .await
            .body
            .contains("Oudere")
    );
}

both_backends!(
    r111_a_patient_asks_to_destroy_and_the_gp_decides_within_three_months,
    r107_r108_a_record_is_reported_after_20_years_and_destroyed_only_by_a_gp,
);
