//! Questions to the practice (R47) and notifications (R119, R120, R122), end to end on both
//! backends: the patient asks (with an attachment), the practice answers and converts the thread
//! into an e-consult, the patient sees it all; bad input leaves nothing behind. Notices reach the
//! people who can see what they are about, carry no medical content (every e-mail is scanned
//! for the record's own texts and the messages' planted markers), survive failures with
//! back-off, and two sender instances never send one twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use axum::http::StatusCode;
use chrono::Duration;
use inzage_domain::{Clock, PatientId, PatientRecord, Section};
use inzage_store::{
    Channel, EventType, JobStatus, MessageStore, NoticeKind, NotifyStore, RecordStore, ThreadStatus,
};
use inzage_webkit::notify::{MAX_ATTEMPTS, Notifier, backoff};
use support::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const QUESTION: &str = "MARKER-QUESTION-TEXT Mijn voeten tintelen sinds de nieuwe pillen";
const ANSWER: &str = "MARKER-ANSWER-TEXT Dat kan door de metformine komen, kom langs";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

fn adult() -> PatientId {
    PatientId::new("adult").unwrap()
}

async fn record(app: &TestApp, id: &str) -> PatientRecord {
    app.store
        .load_record(&PatientId::new(id).unwrap())
        .await
        .unwrap()
        .unwrap()
}

async fn gp(app: &TestApp) -> Client<'_> {
    as_staff(app, &seed_staff(app).await, "gp").await
}

async fn anna(app: &TestApp) -> Client<'_> {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    c
}

async fn ask(c: &mut Client<'_>, subject: &str, text: &str, file: Option<(&str, &[u8])>) -> Page {
    let csrf = c.csrf("/berichten").await;
    let form = [
        ("csrf", csrf.as_str()),
        ("onderwerp", subject),
        ("vraag", text),
    ];
    match file {
        Some((name, bytes)) => {
            c.post_multipart("/berichten", &form, ("bijlage", name, bytes))
                .await
        }
        None => c.post("/berichten", &form).await,
    }
}

async fn want_notices(c: &mut Client<'_>, email: &str, kinds: &[&str]) {
    let csrf = c.csrf("/meldingen").await;
    let mut form = vec![("csrf", csrf.as_str()), ("email", email)];
    for k in kinds {
        form.push(("soort", k));
    }
    let p = c.post("/meldingen", &form).await;
    assert_eq!(
        p.location.as_deref(),
        Some("/meldingen?opgeslagen=true"),
        "{}",
        p.body
    );
}

fn notifier(app: &TestApp) -> Notifier {
    Notifier::new(app.store.clone(), app.clock.clone(), &test_config())
        .unwrap()
        .unwrap()
}

async fn r47_a_question_is_answered_and_becomes_an_e_consult(app: &TestApp) {
    let mut anna = anna(app).await;
    want_notices(&mut anna, "anna@example.org", &["reply"]).await;
    let page = anna.get("/berichten").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Bij levensgevaar belt u 112"));
    let p = ask(
        &mut anna,
        "Tintelende voeten",
        QUESTION,
        Some(("voet.png", PNG)),
    )
    .await;
    assert_eq!(
        p.location.as_deref(),
        Some("/berichten?verstuurd=true"),
        "{}",
        p.body
    );
    let threads = app.store.threads(&adult()).await.unwrap();
    assert_eq!(threads.len(), 1);
    let thread = threads[0].clone();
    assert_eq!(thread.status, ThreadStatus::Waiting);
    assert_eq!(thread.started_role, "patient");
    let page = anna.get("/berichten?verstuurd=true").await;
    assert!(page.body.contains("Uw vraag is verstuurd"));
    assert!(page.body.contains("Tintelende voeten") && page.body.contains("wacht op antwoord"));

    // The practice's queue names the patient and the subject; the thread shows the question.
    let mut gp = gp(app).await;
    let queue = gp.get("/praktijk/berichten").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("Anna Volwassen") && queue.body.contains("Tintelende voeten"));
    let url = format!("/praktijk/patienten/adult/berichten/{}", thread.id);
    let page = gp.get(&url).await;
    assert!(page.body.contains("MARKER-QUESTION-TEXT"), "{}", page.body);
    let (_, messages) = app
        .store
        .thread(&adult(), &thread.id)
        .await
        .unwrap()
        .unwrap();
    let question = &messages[0];
    assert_eq!(
        question.attachment,
        Some(("voet.png".into(), "image/png".into()))
    );
    let download = gp.get(&format!("{url}/bijlage/{}", question.id)).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.bytes, PNG);
    assert_eq!(download.content_type, "image/png");

    // The answer: the patient sees it, and gets a notice without content.
    let csrf = gp.csrf("/praktijk").await;
    let p = gp.post(&url, &[("csrf", &csrf), ("tekst", ANSWER)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let jobs = app.store.notify_jobs().await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        (jobs[0].email.as_str(), jobs[0].kind),
        ("anna@example.org", NoticeKind::Reply)
    );
    let thread_page = anna.get(&format!("/berichten/{}", thread.id)).await;
    assert!(thread_page.body.contains("MARKER-ANSWER-TEXT"));
    assert!(thread_page.body.contains("beantwoord"));
    let own = anna
        .get(&format!("/berichten/{}/bijlage/{}", thread.id, question.id))
        .await;
    assert_eq!(own.bytes, PNG);
    // Anna replies; the thread waits for the practice again.
    let csrf = anna.csrf(&format!("/berichten/{}", thread.id)).await;
    let p = anna
        .post(
            &format!("/berichten/{}", thread.id),
            &[("csrf", &csrf), ("tekst", "Dank u, ik kom morgen")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let (t, messages) = app
        .store
        .thread(&adult(), &thread.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.status, ThreadStatus::Waiting);
    assert_eq!(messages.len(), 3);

    // Converted into an e-consult: S = the question, P = the answer; once only.
    let before = record(app, "adult").await.contacts.len();
    let csrf = gp.csrf("/praktijk").await;
    let p = gp.post(&format!("{url}/consult"), &[("csrf", &csrf)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let r = record(app, "adult").await;
    assert_eq!(r.contacts.len(), before + 1);
    let contact = r.contacts.last().unwrap();
    assert_eq!(contact.contact_type.as_str(), "05");
    let lines: Vec<_> = r
        .journal
        .iter()
        .filter(|l| l.contact.as_ref() == Some(&contact.id))
        .collect();
    assert!(lines.iter().any(|l| l.soep == inzage_domain::Soep::S
        && l.text.contains("Tintelende voeten")
        && l.text.contains("MARKER-QUESTION-TEXT")));
    assert!(
        lines
            .iter()
            .any(|l| l.soep == inzage_domain::Soep::P && l.text.contains("MARKER-ANSWER-TEXT"))
    );
    let (t, _) = app
        .store
        .thread(&adult(), &thread.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.consult.as_deref(), Some(contact.id.as_str()));
    let again = gp.post(&format!("{url}/consult"), &[("csrf", &csrf)]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(record(app, "adult").await.contacts.len(), before + 1);
    let page = anna.get(&format!("/berichten/{}", thread.id)).await;
    assert!(page.body.contains("als e-consult in uw dossier"));

    // Audited, without the text of any message.
    let log = app.store.audit_for_patient(&adult()).await.unwrap();
    let created: Vec<_> = log
        .iter()
        .filter(|e| e.event.event == EventType::Create)
        .collect();
    assert!(
        created
            .iter()
            .any(|e| e.event.channel == Channel::Portal && e.event.detail.contains("question"))
    );
    assert!(
        created
            .iter()
            .any(|e| e.event.channel == Channel::Practice && e.event.detail.contains("answer"))
    );
    assert!(created.iter().any(|e| e.event.detail.contains("e-consult")));
    assert!(
        log.iter()
            .all(|e| !e.event.detail.contains("MARKER") && !e.event.detail.contains("Tintelende"))
    );

    // The notice goes out through the dev mailbox: practice name and link, nothing else.
    let round = notifier(app).deliver_due().await.unwrap();
    assert_eq!((round.sent, round.failed), (1, 0));
    let mails = app.store.dev_mails().await.unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].email, "anna@example.org");
    assert!(
        mails[0]
            .body
            .contains("Er staat nieuwe informatie voor u klaar in het portaal van")
    );
    assert_clean(app).await;
}

async fn r47_bad_input_and_other_peoples_threads(app: &TestApp) {
    let mut anna = anna(app).await;
    let nothing = |app: &TestApp| {
        let store = app.store.clone();
        async move { store.threads(&adult()).await.unwrap().is_empty() }
    };
    let p = ask(&mut anna, "", QUESTION, None).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Vul een onderwerp in"));
    assert!(
        p.body.contains("MARKER-QUESTION-TEXT"),
        "what was typed comes back"
    );
    let p = ask(&mut anna, "Vraag", "   ", None).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = ask(&mut anna, &"x".repeat(151), QUESTION, None).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    // A program named like a photo is refused by its content.
    let p = ask(
        &mut anna,
        "Vraag",
        QUESTION,
        Some(("foto.jpg", b"MZ\x90\0\x03 program")),
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body.contains("foto (JPG of PNG) of een PDF"),
        "{}",
        p.body
    );
    // Just over the attachment limit, and far over the request limit.
    let mut big = PNG.to_vec();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let p = ask(&mut anna, "Vraag", QUESTION, Some(("groot.png", &big))).await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(p.body.contains("hoogstens 5 MB"), "{}", p.body);
    big.resize(8 * 1024 * 1024, 0);
    let p = ask(&mut anna, "Vraag", QUESTION, Some(("groot.png", &big))).await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(nothing(app).await, "nothing half-written");

    // Piet's thread: Anna can neither read it nor add to it, not even by its id.
    let mut piet = app.client();
    piet.login("piet").await;
    piet.open("other").await;
    let p = ask(&mut piet, "Piets vraag", "MARKER-PIET", None).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let piets = app
        .store
        .threads(&PatientId::new("other").unwrap())
        .await
        .unwrap();
    let id = &piets[0].id;
    assert_eq!(
        anna.get(&format!("/berichten/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let (_, ms) = app
        .store
        .thread(&PatientId::new("other").unwrap(), id)
        .await
        .unwrap()
        .unwrap();
    let csrf = anna.csrf("/berichten").await;
    let p = anna
        .post(
            &format!("/berichten/{id}"),
            &[("csrf", &csrf), ("tekst", "ingebroken")],
        )
        .await;
    assert!(p.status == StatusCode::NOT_FOUND || p.status == StatusCode::CONFLICT);
    assert_eq!(
        anna.get(&format!("/berichten/{id}/bijlage/{}", ms[0].id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let (_, after) = app
        .store
        .thread(&PatientId::new("other").unwrap(), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.len(), 1);
    // Through Anna's record a staff member does not reach Piet's thread either.
    let staff = seed_staff(app).await;
    let mut gp = as_staff(app, &staff, "gp").await;
    assert_eq!(
        gp.get(&format!("/praktijk/patienten/adult/berichten/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A closed thread takes no more messages.
    let csrf = gp.csrf("/praktijk").await;
    let url = format!("/praktijk/patienten/other/berichten/{id}");
    let p = gp
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("tekst", "Zie spreekuur"),
                ("afsluiten", "ja"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let csrf = piet.csrf("/berichten").await;
    let p = piet
        .post(
            &format!("/berichten/{id}"),
            &[("csrf", &csrf), ("tekst", "Nog iets")],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p.body.contains("afgesloten"));

    // A carer whose authorisation covers medication only may not ask questions.
    limit_representations(app, "elder", &[Section::Medication]).await;
    let mut carla = app.client();
    carla.login("carla").await;
    carla.open("elder/rep-carer").await;
    let page = carla.get("/berichten").await;
    assert!(page.body.contains("geen vragen stellen"), "{}", page.body);
    let p = ask(&mut carla, "Vraag", "tekst", None).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // The administrator does not read questions.
    let mut admin = as_staff(app, &staff, "beheer").await;
    assert_eq!(
        admin.get("/praktijk/berichten").await.status,
        StatusCode::FORBIDDEN
    );
}

/// Releases the held result `adult-r3` as the GP.
async fn release_r3(gp: &mut Client<'_>) {
    let csrf = gp.csrf("/praktijk/uitslagen").await;
    let p = gp
        .post(
            "/praktijk/patienten/adult/uitslagen/adult-r3",
            &[("csrf", &csrf), ("action", "vrijgeven")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
}

async fn r119_r122_notices_reach_who_can_see_and_say_nothing_medical(app: &TestApp) {
    let mut anna = anna(app).await;
    let mut gp = gp(app).await;
    let sender = notifier(app);
    // Only answers wanted: a released result gives no notice.
    want_notices(&mut anna, "anna@example.org", &["reply"]).await;
    // R122: a result released while it is shielded from online view is not announced.
    let mut r = record(app, "adult").await;
    let r3 = r
        .results
        .iter_mut()
        .find(|x| x.id.as_str() == "adult-r3")
        .unwrap();
    r3.meta.shield = Some(Box::new(inzage_domain::Shield {
        reason: inzage_domain::ShieldReason::NotYetDiscussed,
        text: String::new(),
        by: inzage_domain::Actor::System("test".into()),
        at: app.clock.now(),
    }));
    let audit = inzage_store::AuditEvent {
        at: app.clock.now(),
        event: EventType::Update,
        patient: Some(adult()),
        user: "test".into(),
        responsible_user: "test".into(),
        role: "operator".into(),
        channel: Channel::Cli,
        request_id: "t".into(),
        detail: "shield".into(),
    };
    app.store.save_record(&r, audit.clone()).await.unwrap();
    want_notices(&mut anna, "anna@example.org", &["reply", "released"]).await;
    release_r3(&mut gp).await;
    assert!(
        app.store.notify_jobs().await.unwrap().is_empty(),
        "hidden: no notice"
    );

    // The same release of a visible result: Anna, who wants it, gets one notice.
    let mut r = record(app, "adult").await;
    let r3 = r
        .results
        .iter_mut()
        .find(|x| x.id.as_str() == "adult-r3")
        .unwrap();
    r3.meta.shield = None;
    r3.review = inzage_domain::ReviewState::Pending {
        received_at: app.clock.now() - Duration::days(1),
    };
    app.store.save_record(&r, audit).await.unwrap();
    want_notices(&mut anna, "anna@example.org", &["released"]).await;
    release_r3(&mut gp).await;
    let jobs = app.store.notify_jobs().await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, NoticeKind::Released);
    assert_eq!(sender.deliver_due().await.unwrap().sent, 1);
    let page = anna.get("/uitslagen").await;
    assert!(
        page.body.contains("987"),
        "the released value is in the portal, not in the mail"
    );

    // A decided repeat prescription and a booked appointment, each a notice.
    want_notices(
        &mut anna,
        "anna@example.org",
        &["reply", "released", "prescription", "appointment"],
    )
    .await;
    let csrf = anna.csrf("/herhaalrecept").await;
    anna.post(
        "/herhaalrecept",
        &[
            ("csrf", &csrf),
            ("medicatie", "adult-m1"),
            ("apotheek", "Apotheek De Brug"),
            ("opmerking", ""),
        ],
    )
    .await;
    let request = inzage_store::PrescriptionStore::prescription_requests(&app.store, &adult())
        .await
        .unwrap()
        .remove(0);
    let csrf = gp.csrf("/praktijk").await;
    let p = gp
        .post(
            &format!("/praktijk/patienten/adult/herhaalrecept/{}", request.id),
            &[
                ("csrf", &csrf),
                ("actie", "goedkeuren"),
                ("hoeveelheid", "90"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(sender.deliver_due().await.unwrap().sent, 1);
    // The GP opens two online slots the day after tomorrow at ten (a time taken from the clock
    // could be late enough for the second slot to fall on the next day, which is refused);
    // Anna books one, then cancels it.
    let today = app
        .clock
        .now()
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .date_naive();
    let (day, time) = (
        (today + Duration::days(2)).format("%Y-%m-%d").to_string(),
        "10:00".to_owned(),
    );
    let csrf = gp.csrf("/praktijk/agenda").await;
    let p = gp
        .post(
            "/praktijk/agenda",
            &[
                ("csrf", &csrf),
                ("dag", &day),
                ("van", &time),
                ("aantal", "2"),
                ("minuten", "10"),
                ("soort", "Spreekuur"),
                ("behandelaar", "dokter Jansen"),
                ("online", "on"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // The free times show once why and how are chosen.
    let csrf = anna.csrf("/afspraken").await;
    let page = anna
        .post(
            "/afspraken",
            &[
                ("csrf", &csrf),
                ("actie", "kiezen"),
                ("reden", "controle"),
                ("soort", "praktijk"),
            ],
        )
        .await;
    let slot = page
        .body
        .split("name=\"tijd\" value=\"")
        .nth(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .expect("a free slot is offered");
    for action in ["boeken", "afzeggen"] {
        let csrf = anna.csrf("/afspraken").await;
        let p = anna
            .post(
                "/afspraken",
                &[
                    ("csrf", &csrf),
                    ("actie", action),
                    ("tijd", &slot),
                    ("reden", "controle"),
                    ("soort", "praktijk"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{action}: {}", p.body);
        assert_eq!(sender.deliver_due().await.unwrap().sent, 1, "{action}");
    }
    let kinds: Vec<_> = app
        .store
        .notify_jobs()
        .await
        .unwrap()
        .iter()
        .map(|j| j.kind)
        .collect();
    for kind in [
        NoticeKind::Released,
        NoticeKind::Prescription,
        NoticeKind::Appointment,
    ] {
        assert!(kinds.contains(&kind), "{kind:?}");
    }

    // Notices about a child go to the parent's own address; a person without an address
    // gets none.
    let before = app.store.notify_jobs().await.unwrap().len();
    let csrf = gp.csrf("/praktijk/uitslagen").await;
    gp.post(
        "/praktijk/patienten/child/uitslagen/child-r3",
        &[("csrf", &csrf), ("action", "vrijgeven")],
    )
    .await;
    let jobs = app.store.notify_jobs().await.unwrap();
    assert_eq!(
        jobs.len(),
        before + 1,
        "the parent, who wants released-notices"
    );
    assert_eq!(jobs[0].email, "anna@example.org");
    sender.deliver_due().await.unwrap();

    // Stopping: no address, no notices.
    let csrf = anna.csrf("/meldingen").await;
    anna.post("/meldingen", &[("csrf", &csrf), ("actie", "uit")])
        .await;
    assert!(
        app.store
            .notify_contact(&inzage_domain::Bsn::parse(BSN_ADULT).unwrap())
            .await
            .unwrap()
            .is_none()
    );
    // A bad address is refused with the form kept.
    let csrf = anna.csrf("/meldingen").await;
    let p = anna
        .post(
            "/meldingen",
            &[
                ("csrf", &csrf),
                ("email", "anna at example"),
                ("soort", "reply"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("geldig e-mailadres"));
    assert_clean(app).await;
    // The dev mailbox page shows what would have gone out.
    let page = app.client().get("/dev/postvak").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("anna@example.org"));
}

/// Every e-mail delivered in this test's database is free of medical content: no text of any
/// record item (episode titles, journal lines, medication names, result values, allergies,
/// letters) and no message text, of any patient.
async fn assert_clean(app: &TestApp) {
    let mails = app.store.dev_mails().await.unwrap();
    assert!(!mails.is_empty(), "a scan of nothing proves nothing");
    let mut planted: Vec<String> = vec!["MARKER".into(), "987".into(), "Metformine".into()];
    let practice = record(app, "adult").await.practice.id;
    for p in app.store.list_patients(&practice, 1000, 0).await.unwrap() {
        let r = app.store.load_record(&p.id).await.unwrap().unwrap();
        planted.extend(r.episodes.iter().map(|e| e.title.clone()));
        planted.extend(
            r.episodes
                .iter()
                .filter_map(|e| e.icpc.as_ref().map(|c| c.as_str().to_owned())),
        );
        planted.extend(r.journal.iter().map(|l| l.text.clone()));
        planted.extend(r.medication.iter().map(|m| m.product.name.clone()));
        planted.extend(
            r.allergies
                .iter()
                .filter_map(|a| a.substance.display.as_deref().map(str::to_owned)),
        );
        planted.extend(r.results.iter().map(|x| x.name.clone()));
        planted.extend(r.results.iter().filter_map(|x| match &x.value {
            inzage_domain::ResultValue::Quantity { value, .. } => Some(value.as_str().to_owned()),
            _ => None,
        }));
        planted.extend(r.letters.iter().map(|l| l.title.clone()));
        for t in app.store.threads(&p.id).await.unwrap() {
            planted.push(t.subject.clone());
            let (_, ms) = app.store.thread(&p.id, &t.id).await.unwrap().unwrap();
            planted.extend(ms.iter().map(|m| m.body.clone()));
        }
        // The patient's name is no medical content, but a notice does not name anyone.
        planted.push(p.display_name.clone());
    }
    for mail in &mails {
        let text = format!("{}\n{}", mail.subject, mail.body);
        for p in planted.iter().filter(|p| p.chars().count() >= 3) {
            assert!(!text.contains(p.as_str()), "{p:?} in a notice:\n{text}");
        }
    }
}

async fn notices_are_retried_with_back_off_and_never_sent_twice(app: &TestApp) {
    let practice = record(app, "adult").await.practice.id;
    let now = app.clock.now();
    for i in 0..30 {
        let queued = app
            .store
            .enqueue_notice(
                &format!("job-{i:02}"),
                &format!("p{i}@example.org"),
                &practice,
                NoticeKind::Released,
                "nl",
                now,
            )
            .await
            .unwrap();
        assert!(queued);
    }
    // A second notice to the same address while one waits collapses into it.
    assert!(
        !app.store
            .enqueue_notice(
                "job-dup",
                "p0@example.org",
                &practice,
                NoticeKind::Reply,
                "nl",
                now
            )
            .await
            .unwrap()
    );
    // Two server instances work the queue at the same moment: every e-mail goes once.
    let base = notifier(app);
    let (a, b) = (base.instance("server-a"), base.instance("server-b"));
    let (ra, rb) = tokio::join!(a.deliver_due(), b.deliver_due());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.sent + rb.sent, 30);
    let mails = app.store.dev_mails().await.unwrap();
    assert_eq!(mails.len(), 30);
    let mut ids: Vec<_> = mails.iter().map(|m| m.id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 30);
    assert_eq!(a.deliver_due().await.unwrap().sent, 0);

    // A worker that died holding a job: after its lease, another instance sends it.
    app.store
        .enqueue_notice(
            "job-lease",
            "late@example.org",
            &practice,
            NoticeKind::Reply,
            "nl",
            now,
        )
        .await
        .unwrap();
    let held = app
        .store
        .claim_notices("crashed", now, Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(b.deliver_due().await.unwrap().sent, 0, "the lease is live");
    app.clock.advance(Duration::minutes(6));
    assert_eq!(b.deliver_due().await.unwrap().sent, 1);

    // An SMTP server that does not answer: retried with back-off, then given up.
    let mut config = test_config();
    config.mail.smtp_url = Some("smtp://127.0.0.1:1".into());
    let failing = Notifier::new(app.store.clone(), app.clock.clone(), &config)
        .unwrap()
        .unwrap();
    app.store
        .enqueue_notice(
            "job-fail",
            "fail@example.org",
            &practice,
            NoticeKind::Reply,
            "nl",
            app.clock.now(),
        )
        .await
        .unwrap();
    let job = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .notify_jobs()
                .await
                .unwrap()
                .into_iter()
                .find(|j| j.id == "job-fail")
                .unwrap()
        }
    };
    for attempt in 1..=MAX_ATTEMPTS {
        let round = failing.deliver_due().await.unwrap();
        assert_eq!((round.sent, round.failed), (0, 1), "attempt {attempt}");
        let j = job(app).await;
        assert_eq!(j.attempts, attempt);
        assert!(j.last_error.as_deref().unwrap().starts_with("smtp"));
        if attempt < MAX_ATTEMPTS {
            assert_eq!(j.status, JobStatus::Pending);
            let expected = app.clock.now() + backoff(attempt);
            assert!((j.next_attempt_at - expected).num_milliseconds().abs() < 1);
            // Not due before the back-off has passed.
            assert_eq!(failing.deliver_due().await.unwrap().failed, 0);
            app.clock.advance(backoff(attempt));
        } else {
            assert_eq!(j.status, JobStatus::Failed);
        }
    }
    app.clock.advance(Duration::days(1));
    assert_eq!(failing.deliver_due().await.unwrap(), Default::default());
    assert_clean(app).await;
    assert_eq!(backoff(1), Duration::minutes(1));
    assert_eq!(backoff(3), Duration::minutes(4));
    assert_eq!(backoff(20), Duration::minutes(360));
}

/// A minimal SMTP server on loopback: accepts one message and returns what it received.
async fn smtp_sink() -> (u16, tokio::task::JoinHandle<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
        let mut received = String::new();
        let mut in_data = false;
        while let Some(line) = lines.next_line().await.unwrap() {
            received.push_str(&line);
            received.push('\n');
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 queued\r\n").await.unwrap();
                }
                continue;
            }
            let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250 sink\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 go on\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                }
                _ => b"250 ok\r\n",
            };
            write.write_all(reply).await.unwrap();
        }
        received
    });
    (port, task)
}

async fn a_notice_goes_out_over_smtp(app: &TestApp) {
    let (port, sink) = smtp_sink().await;
    let mut config = test_config();
    config.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    config.mail.from = "Praktijk <noreply@praktijk.example>".into();
    config.mail.portal_url = "https://portaal.example/".into();
    let sender = Notifier::new(app.store.clone(), app.clock.clone(), &config)
        .unwrap()
        .unwrap();
    let practice = record(app, "adult").await.practice;
    app.store
        .enqueue_notice(
            "job-smtp",
            "anna@example.org",
            &practice.id,
            NoticeKind::Reply,
            "nl",
            app.clock.now(),
        )
        .await
        .unwrap();
    let round = sender.deliver_due().await.unwrap();
    assert_eq!((round.sent, round.failed), (1, 0));
    let received = tokio::time::timeout(std::time::Duration::from_secs(10), sink)
        .await
        .unwrap()
        .unwrap();
    assert!(
        received.contains("RCPT TO:<anna@example.org>"),
        "{received}"
    );
    assert!(received.contains("https://portaal.example/"), "{received}");
    assert!(received.contains("noreply@praktijk.example"), "{received}");
    for planted in [
        "MARKER",
        "Metformine",
        "Suikerziekte",
        "HbA1c",
        "987",
        "Volwassen",
    ] {
        assert!(!received.contains(planted), "{planted} went out over SMTP");
    }
    let job = app.store.notify_jobs().await.unwrap().remove(0);
    assert_eq!(job.status, JobStatus::Sent);
    // The dev mailbox page does not exist when mail really goes out.
    let app2 = TestApp::new(
        inzage_store::testing::TestDb::sqlite().await,
        config.clone(),
    )
    .await;
    assert_eq!(
        app2.client().get("/dev/postvak").await.status,
        StatusCode::NOT_FOUND
    );
}

both_backends!(
    r47_a_question_is_answered_and_becomes_an_e_consult,
    r47_bad_input_and_other_peoples_threads,
    r119_r122_notices_reach_who_can_see_and_say_nothing_medical,
    notices_are_retried_with_back_off_and_never_sent_twice,
    a_notice_goes_out_over_smtp,
);
