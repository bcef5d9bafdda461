//! Working in the record on both backends: every staff route walked with every role; writing
//! consults, episodes, medication, results, allergies, letters and work notes with history;
//! bad input saving nothing; two edits at once both landing; the access administration with
//! the portal invitation and activation; and staff management by the administrator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use axum::http::StatusCode;
use inzage_domain::access::{OnlineChannel, Viewer, authorize};
use inzage_domain::{Bsn, Clock, PatientId, PatientRecord, StaffRole};
use inzage_store::{Channel, EventType, PortalStore, RecordStore, StaffStore};
use std::collections::BTreeSet;
use support::*;

use StaffRole::{Administrator as Adm, Assistant as Ass, Gp, PracticeNurse as Poh};

async fn adult(app: &TestApp) -> PatientRecord {
    app.store
        .load_record(&PatientId::new("adult").unwrap())
        .await
        .unwrap()
        .unwrap()
}

async fn logged_in<'a>(app: &'a TestApp, who: &str) -> Client<'a> {
    as_staff(app, &seed_staff_once(app).await, who).await
}

/// Seeds the staff accounts the first time; afterwards returns them (secrets are stored).
async fn seed_staff_once(app: &TestApp) -> Vec<(String, String, StaffRole)> {
    if app.store.staff_account("gp").await.unwrap().is_none() {
        return seed_staff(app).await;
    }
    let mut out = vec![];
    for name in ["gp", "assistent", "poh", "beheer", "gp-elders"] {
        let a = app.store.staff_account(name).await.unwrap().unwrap();
        out.push((a.username, a.totp_secret, a.role));
    }
    out
}

/// Every route path the practice side registers, read from its source: a new route cannot
/// escape the walk below.
fn registered_routes() -> BTreeSet<String> {
    // The practice crate's sources, its modules' folders included.
    let mut files = vec![];
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../practice/src"
    ))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 10, "the practice sources: {files:?}");
    let mut out = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find(".route(") {
            rest = &rest[i + 7..];
            let start = rest.find('"').unwrap() + 1;
            let end = start + rest[start..].find('"').unwrap();
            out.insert(rest[start..end].to_owned());
        }
    }
    out
}

/// Routes anyone may reach (the practice login itself, and completing an invitation).
const PUBLIC: [&str; 6] = [
    "/praktijk/inloggen",
    "/praktijk/inloggen/code",
    "/praktijk/inloggen/passkey/start",
    "/praktijk/inloggen/passkey/klaar",
    "/praktijk/uitloggen",
    "/praktijk/activeren",
];

struct Step {
    route: &'static str,
    method: &'static str,
    path: String,
    form: Vec<(&'static str, String)>,
    roles: &'static [StaffRole],
    /// The status for a role that may: a form with nothing valid in it is refused (400).
    ok: StatusCode,
    /// Audit entries the request writes for a role that may (`None`: one per patient shown).
    audits: Option<u64>,
}

fn step(
    route: &'static str,
    method: &'static str,
    path: String,
    form: &[(&'static str, &str)],
    roles: &'static [StaffRole],
    ok: StatusCode,
) -> Step {
    Step {
        route,
        method,
        path: path.clone(),
        form: form.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        roles,
        ok,
        // Reading a patient's data writes one entry; a form refused before anything was read
        // (or a page without patient data) writes none. A search writes its own entry and one
        // for each patient shown ("volw" finds Anna Volwassen alone).
        audits: Some(if route == "/praktijk" && method == "POST" {
            2
        } else {
            u64::from(path.starts_with("/praktijk/patienten/"))
        }),
    }
}

/// The role table as the issue states it, written out here independently of the code's table.
fn walk(r: &PatientRecord) -> Vec<Step> {
    use StatusCode as S;
    const CLINICAL: &[StaffRole] = &[Gp, Ass, Poh];
    let p = "/praktijk/patienten/adult";
    let new = "/praktijk/patienten/{id}/nieuw/{soort}";
    let edit = "/praktijk/patienten/{id}/bewerken/{soort}/{item}";
    let result = r.results[0].id.to_string();
    const EVERYONE: &[StaffRole] = &[Gp, Ass, Poh, Adm];
    let mut v = vec![
        step("/praktijk", "GET", "/praktijk".into(), &[], CLINICAL, S::OK),
        // Each staff member's own passkeys. The calls are JSON with the CSRF token in a header:
        // a form is refused (403 without the header, 415 for a body that is not JSON).
        step(
            "/praktijk/beveiliging",
            "GET",
            "/praktijk/beveiliging".into(),
            &[],
            EVERYONE,
            S::OK,
        ),
        step(
            "/praktijk/passkey/registreren/start",
            "POST",
            "/praktijk/passkey/registreren/start".into(),
            &[],
            EVERYONE,
            S::FORBIDDEN,
        ),
        step(
            "/praktijk/passkey/registreren/klaar",
            "POST",
            "/praktijk/passkey/registreren/klaar".into(),
            &[],
            EVERYONE,
            S::UNSUPPORTED_MEDIA_TYPE,
        ),
        step(
            "/praktijk",
            "POST",
            "/praktijk".into(),
            &[("naam", "volw")],
            CLINICAL,
            S::OK,
        ),
        step(
            "/praktijk/patienten/{id}",
            "GET",
            p.into(),
            &[],
            CLINICAL,
            S::OK,
        ),
        step(
            "/praktijk/patienten/{id}/inzage",
            "GET",
            format!("{p}/inzage"),
            &[],
            CLINICAL,
            S::OK,
        ),
        step(
            "/praktijk/patienten/{id}/logboek",
            "GET",
            format!("{p}/logboek"),
            &[],
            &[Gp, Adm],
            S::OK,
        ),
        Step {
            audits: None,
            ..step(
                "/praktijk/uitslagen",
                "GET",
                "/praktijk/uitslagen".into(),
                &[],
                &[Gp],
                S::OK,
            )
        },
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/uitslagen/{result}",
                "POST",
                format!("{p}/uitslagen/{result}"),
                &[("action", "x")],
                &[Gp],
                S::BAD_REQUEST,
            )
        },
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/afscherming",
                "POST",
                format!("{p}/afscherming"),
                &[("soort", "episode"), ("item", "adult-ep1"), ("action", "x")],
                &[Gp],
                S::BAD_REQUEST,
            )
        },
        step(
            "/praktijk/instellingen",
            "GET",
            "/praktijk/instellingen".into(),
            &[],
            &[Gp, Adm],
            S::OK,
        ),
        step(
            "/praktijk/instellingen",
            "POST",
            "/praktijk/instellingen".into(),
            &[
                ("journaal_vanaf", "x"),
                ("brieven_vanaf", "x"),
                ("uitslagen_maanden", "x"),
                ("uitslagen_wachtdagen", "x"),
            ],
            &[Gp, Adm],
            S::BAD_REQUEST,
        ),
        step(
            "/praktijk/patienten/{id}/toegang",
            "GET",
            format!("{p}/toegang"),
            &[],
            &[Gp, Ass],
            S::OK,
        ),
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/toegang",
                "POST",
                format!("{p}/toegang"),
                &[("actie", "x")],
                &[Gp, Ass],
                S::BAD_REQUEST,
            )
        },
        step(
            "/praktijk/medewerkers",
            "GET",
            "/praktijk/medewerkers".into(),
            &[],
            &[Adm],
            S::OK,
        ),
        step(
            "/praktijk/medewerkers",
            "POST",
            "/praktijk/medewerkers".into(),
            &[("actie", "x")],
            &[Adm],
            S::BAD_REQUEST,
        ),
        step(
            "/praktijk/patienten/{id}/kopie",
            "GET",
            format!("{p}/kopie"),
            &[],
            &[Gp, Ass],
            S::OK,
        ),
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/kopie",
                "POST",
                format!("{p}/kopie"),
                &[("actie", "x")],
                &[Gp, Ass],
                S::BAD_REQUEST,
            )
        },
        Step {
            audits: None,
            ..step(
                "/praktijk/agenda",
                "GET",
                "/praktijk/agenda".into(),
                &[],
                &[Gp, Ass, Poh],
                S::OK,
            )
        },
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/agenda",
                "POST",
                "/praktijk/agenda".into(),
                &[("dag", "x")],
                &[Gp, Ass],
                S::BAD_REQUEST,
            )
        },
        // Booking for a caller: a slot that does not exist is not found, before any read.
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/agenda/boeken",
                "POST",
                "/praktijk/agenda/boeken".into(),
                &[("tijd", "slot-bestaat-niet"), ("patient", "adult")],
                &[Gp, Ass],
                S::NOT_FOUND,
            )
        },
        Step {
            audits: None,
            ..step(
                "/praktijk/herhaalrecepten",
                "GET",
                "/praktijk/herhaalrecepten".into(),
                &[],
                &[Gp],
                S::OK,
            )
        },
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/herhaalrecept/{request}",
                "POST",
                format!("{p}/herhaalrecept/rx-x"),
                &[("actie", "x")],
                &[Gp],
                S::BAD_REQUEST,
            )
        },
        Step {
            audits: None,
            ..step(
                "/praktijk/berichten",
                "GET",
                "/praktijk/berichten".into(),
                &[],
                CLINICAL,
                S::OK,
            )
        },
        step(
            "/praktijk/patienten/{id}/berichten",
            "GET",
            format!("{p}/berichten"),
            &[],
            CLINICAL,
            S::OK,
        ),
        step(
            "/praktijk/patienten/{id}/berichten/{thread}",
            "GET",
            format!("{p}/berichten/t-walk"),
            &[],
            CLINICAL,
            S::OK,
        ),
        // An answer without text is refused; the thread is shown again (a read).
        step(
            "/praktijk/patienten/{id}/berichten/{thread}",
            "POST",
            format!("{p}/berichten/t-walk"),
            &[("tekst", "")],
            CLINICAL,
            S::BAD_REQUEST,
        ),
        step(
            "/praktijk/patienten/{id}/berichten/{thread}/bijlage/{message}",
            "GET",
            format!("{p}/berichten/t-walk/bijlage/m-walk"),
            &[],
            CLINICAL,
            S::OK,
        ),
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/berichten/{thread}/consult",
                "POST",
                format!("{p}/berichten/t-none/consult"),
                &[],
                CLINICAL,
                S::NOT_FOUND,
            )
        },
        Step {
            audits: None,
            ..step(
                "/praktijk/correcties",
                "GET",
                "/praktijk/correcties".into(),
                &[],
                &[Gp],
                S::OK,
            )
        },
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/correctie/{request}",
                "POST",
                format!("{p}/correctie/corr-x"),
                &[("actie", "x")],
                &[Gp],
                S::BAD_REQUEST,
            )
        },
        Step {
            audits: None,
            ..step(
                "/praktijk/zelfmetingen",
                "GET",
                "/praktijk/zelfmetingen".into(),
                &[],
                &[Gp, Poh],
                S::OK,
            )
        },
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/zelfmetingen/{measurement}",
                "POST",
                format!("{p}/zelfmetingen/sm-none"),
                &[("actie", "overnemen")],
                &[Gp, Poh],
                S::NOT_FOUND,
            )
        },
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/delen",
                "POST",
                format!("{p}/delen"),
                &[("soort", "episode"), ("item", "adult-ep1"), ("action", "x")],
                &[Gp],
                S::BAD_REQUEST,
            )
        },
        Step {
            audits: None,
            ..step(
                "/praktijk/noodinzage",
                "GET",
                "/praktijk/noodinzage".into(),
                &[],
                &[Gp],
                S::OK,
            )
        },
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/noodinzage/{retrieval}",
                "POST",
                format!("{p}/noodinzage/x-none"),
                &[("notitie", "gezien")],
                &[Gp],
                S::NOT_FOUND,
            )
        },
        Step {
            audits: None,
            ..step(
                "/praktijk/niet-delen",
                "GET",
                "/praktijk/niet-delen".into(),
                &[],
                &[Gp],
                S::OK,
            )
        },
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/niet-delen/{request}",
                "POST",
                format!("{p}/niet-delen/blk-none"),
                &[("actie", "akkoord")],
                &[Gp],
                S::CONFLICT,
            )
        },
        step(
            "/praktijk/patienten/{id}/verwijsbrief",
            "GET",
            format!("{p}/verwijsbrief"),
            &[],
            &[Gp],
            S::OK,
        ),
        step(
            "/praktijk/patienten/{id}/verwijsbrief",
            "POST",
            format!("{p}/verwijsbrief"),
            &[("aan", ""), ("vraag", "")],
            &[Gp],
            S::BAD_REQUEST,
        ),
        Step {
            audits: None,
            ..step(
                "/praktijk/waarneemberichten",
                "GET",
                "/praktijk/waarneemberichten".into(),
                &[],
                &[Gp],
                S::OK,
            )
        },
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/waarneemberichten/{report}",
                "POST",
                format!("{p}/waarneemberichten/wb-none"),
                &[("soort", "06")],
                &[Gp],
                S::CONFLICT,
            )
        },
        Step {
            audits: None,
            ..step(
                "/praktijk/bewaartermijn",
                "GET",
                "/praktijk/bewaartermijn".into(),
                &[],
                &[Gp],
                S::OK,
            )
        },
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/bewaartermijn",
                "POST",
                format!("{p}/bewaartermijn"),
                &[("actie", "vernietigen"), ("gecontroleerd", "ja")],
                &[Gp],
                S::CONFLICT,
            )
        },
        Step {
            audits: Some(0),
            ..step(
                "/praktijk/patienten/{id}/vernietiging/{request}",
                "POST",
                format!("{p}/vernietiging/vern-none"),
                &[("actie", "uitvoeren")],
                &[Gp],
                S::CONFLICT,
            )
        },
        Step {
            audits: None,
            ..step(
                "/praktijk/kopieaanvragen",
                "GET",
                "/praktijk/kopieaanvragen".into(),
                &[],
                &[Gp, Ass],
                S::OK,
            )
        },
    ];
    let kinds: [(&str, Option<String>, &'static [StaffRole]); 8] = [
        ("consult", None, CLINICAL),
        ("regel", Some(r.journal[0].id.to_string()), CLINICAL),
        ("episode", Some(r.episodes[0].id.to_string()), &[Gp, Poh]),
        ("medicatie", Some(r.medication[0].id.to_string()), &[Gp]),
        ("uitslag", Some(result.clone()), CLINICAL),
        ("allergie", Some(r.allergies[0].id.to_string()), &[Gp, Poh]),
        ("brief", Some(r.letters[0].id.to_string()), &[Gp, Ass]),
        ("notitie", Some(r.work_notes[0].id.to_string()), &[Gp]),
    ];
    for (kind, item, roles) in kinds {
        if kind != "regel" {
            v.push(step(
                new,
                "GET",
                format!("{p}/nieuw/{kind}"),
                &[],
                roles,
                S::OK,
            ));
            v.push(step(
                new,
                "POST",
                format!("{p}/nieuw/{kind}"),
                &[],
                roles,
                S::BAD_REQUEST,
            ));
        }
        if let Some(item) = item {
            v.push(step(
                edit,
                "GET",
                format!("{p}/bewerken/{kind}/{item}"),
                &[],
                roles,
                S::OK,
            ));
            v.push(step(
                edit,
                "POST",
                format!("{p}/bewerken/{kind}/{item}"),
                &[],
                roles,
                S::BAD_REQUEST,
            ));
        }
    }
    v
}

async fn every_staff_route_with_every_role(app: &TestApp) {
    let mut record = adult(app).await;
    // The GP edits a personal work note of their own (another's is 404 to everyone).
    let own = inzage_domain::PractitionerId::new("staff-gp").unwrap();
    if record.practitioner(&own).is_none() {
        let mut me = record.practitioners[0].clone();
        me.id = own.clone();
        record.practitioners.push(me);
    }
    for n in &mut record.work_notes {
        n.author = own.clone();
    }
    app.store
        .save_record(&record, audit_event(&record, app))
        .await
        .unwrap();
    // A question with an attachment, for the message routes.
    let now = app.clock.now();
    let thread = inzage_store::Thread {
        id: "t-walk".into(),
        patient: record.patient.id.clone(),
        subject: "Vraag".into(),
        started_by: "idp:anna".into(),
        started_bsn: BSN_ADULT.into(),
        started_role: "patient".into(),
        started_at: now,
        updated_at: now,
        status: inzage_store::ThreadStatus::Waiting,
        consult: None,
    };
    let message = inzage_store::Message {
        id: "m-walk".into(),
        thread: "t-walk".into(),
        from_practice: false,
        author: "idp:anna".into(),
        author_name: "Anna".into(),
        body: "Vraag".into(),
        sent_at: now,
        attachment: None,
    };
    let png = inzage_store::Attachment {
        name: "foto.png".into(),
        media_type: "image/png".into(),
        bytes: b"\x89PNG\r\n\x1a\n".to_vec(),
    };
    inzage_store::MessageStore::start_thread(&app.store, &thread, &[(&message, Some(&png))])
        .await
        .unwrap();
    let steps = walk(&record);
    // The walk covers every registered route.
    let walked: BTreeSet<String> = steps.iter().map(|s| s.route.to_owned()).collect();
    let expected: BTreeSet<String> = registered_routes()
        .into_iter()
        .filter(|r| !PUBLIC.contains(&r.as_str()))
        .collect();
    assert_eq!(walked, expected);
    for (who, role) in [
        ("gp", Gp),
        ("assistent", Ass),
        ("poh", Poh),
        ("beheer", Adm),
    ] {
        let mut c = logged_in(app, who).await;
        let csrf = c.csrf("/praktijk/inloggen").await;
        for s in &steps {
            let before = app.audit_count().await;
            let page = if s.method == "GET" {
                c.get(&s.path).await
            } else {
                let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
                form.extend(s.form.iter().map(|(k, v)| (*k, v.as_str())));
                c.post(&s.path, &form).await
            };
            let expected = if s.roles.contains(&role) {
                s.ok
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(
                page.status, expected,
                "{who} {} {}: {}",
                s.method, s.path, page.body
            );
            let written = app.audit_count().await - before;
            match (s.roles.contains(&role), s.audits) {
                (false, _) => assert_eq!(written, 0, "{who} {} {}: refused", s.method, s.path),
                (true, Some(n)) => assert_eq!(written, n, "{who} {} {}", s.method, s.path),
                (true, None) => {}
            }
        }
    }
    // Every entry the walk wrote about the patient has all its fields.
    let adult_id = PatientId::new("adult").unwrap();
    let entries = app.store.audit_for_patient(&adult_id).await.unwrap();
    let practice: Vec<_> = entries
        .iter()
        .filter(|e| e.event.channel == Channel::Practice)
        .collect();
    assert!(practice.len() > 40, "{}", practice.len());
    for e in practice {
        assert!(e.event.user.starts_with("staff:"));
        assert_eq!(e.event.user, e.event.responsible_user);
        assert!(!e.event.role.is_empty());
        assert!(!e.event.request_id.is_empty());
        assert!(e.event.detail.starts_with("practice: "));
    }
    // Nothing of the walk changed the record: refused forms save nothing.
    let after = adult(app).await;
    assert_eq!(after.journal, record.journal);
    assert_eq!(after.episodes, record.episodes);
    assert_eq!(after.results, record.results);
    assert_eq!(after.representations, record.representations);
}

async fn a_consult_with_soep_lines_lands_with_history_and_only_e_and_p_go_online(app: &TestApp) {
    let mut gp = logged_in(app, "gp").await;
    let form_page = gp.get("/praktijk/patienten/adult/nieuw/consult").await;
    assert_eq!(form_page.status, StatusCode::OK);
    assert!(form_page.body.contains("datalist id=\"icpc-codes\""));
    assert!(form_page.body.contains("K86 "), "the searchable ICPC list");
    let csrf = csrf_in(&form_page.body);
    let before = app.audit_count().await;
    let saved = gp
        .post(
            "/praktijk/patienten/adult/nieuw/consult",
            &[
                ("csrf", &csrf),
                (
                    "datum",
                    &inzage_domain::time::local_date(app.clock.now()).to_string(),
                ),
                ("contactsoort", "03"),
                ("episode", "adult-ep1"),
                ("s", "NEW-S-MARKER klachten"),
                ("o", "NEW-O-MARKER bevinding"),
                ("e", "Nieuwe evaluatie ZICHTBAAR"),
                ("icpc", "K86 Hypertensie"),
                ("p", "Nieuw plan ZICHTBAAR"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(app.audit_count().await, before + 1, "one create entry");
    let entries = app
        .store
        .audit_for_patient(&PatientId::new("adult").unwrap())
        .await
        .unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last.event.event, EventType::Create);
    assert_eq!(last.event.channel, Channel::Practice);
    assert!(
        !last.event.detail.contains("MARKER"),
        "no medical content in the log"
    );
    let r = adult(app).await;
    let e_line = r
        .journal
        .iter()
        .find(|l| l.text == "Nieuwe evaluatie ZICHTBAAR")
        .unwrap();
    assert_eq!(e_line.icpc.as_ref().unwrap().as_str(), "K86");
    assert_eq!(e_line.author.as_ref().unwrap().as_str(), "staff-gp");
    // The patient sees E and P at once, never S or O.
    let mut anna = app.client();
    anna.login("anna").await;
    anna.open("adult").await;
    let episode = anna.get("/ziektes").await.body;
    assert!(episode.contains("Nieuw plan ZICHTBAAR"), "{episode}");
    assert!(episode.contains("Nieuwe evaluatie ZICHTBAAR"));
    assert!(!episode.contains("NEW-S-MARKER") && !episode.contains("NEW-O-MARKER"));

    // Correcting the E line keeps the earlier version, shown under the form.
    let path = format!("/praktijk/patienten/adult/bewerken/regel/{}", e_line.id);
    let edit = gp.get(&path).await;
    assert!(edit.body.contains("Nieuwe evaluatie ZICHTBAAR"));
    let csrf = csrf_in(&edit.body);
    let p = gp
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("tekst", "Gecorrigeerde evaluatie"),
                ("icpc", "K86"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let history = app
        .store
        .item_history(
            &PatientId::new("adult").unwrap(),
            "journal_line",
            e_line.id.as_str(),
        )
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].1.contains("Nieuwe evaluatie ZICHTBAAR"));
    let edit = gp.get(&path).await;
    assert!(edit.body.contains("Eerdere versies"));
    assert!(
        edit.body.contains("E: Nieuwe evaluatie ZICHTBAAR [K86]"),
        "{}",
        edit.body
    );
    assert!(edit.body.contains("Gecorrigeerde evaluatie"));
}

async fn bad_input_gets_a_clear_message_and_saves_nothing(app: &TestApp) {
    let mut gp = logged_in(app, "gp").await;
    let csrf = gp.csrf("/praktijk/patienten/adult/nieuw/episode").await;
    let before = adult(app).await;
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: [Case; 5] = [
        (
            "consult",
            vec![("datum", "2026-01-01"), ("contactsoort", "03"), ("s", "  ")],
            "minstens één SOEP-regel is verplicht",
        ),
        (
            "episode",
            vec![("titel", "Iets"), ("icpc", "Q99"), ("begin", "2020")],
            "de ICPC-code klopt niet",
        ),
        (
            "episode",
            vec![
                ("titel", "Iets"),
                ("begin", "2020-05-01"),
                ("einde", "2019"),
            ],
            "eindigt voordat ze begint",
        ),
        (
            "medicatie",
            vec![
                ("middel", "Middel"),
                ("dosering", "1dd1"),
                ("begin", "gisteren"),
            ],
            "een datum klopt niet",
        ),
        (
            "uitslag",
            vec![
                ("soort", "D"),
                ("code", "1744"),
                ("waarde", "5"),
                ("onder", "9"),
                ("boven", "3"),
                ("moment", "2026-01-01T10:00"),
            ],
            "de ondergrens ligt boven de bovengrens",
        ),
    ];
    for (kind, fields, message) in cases {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        let p = gp
            .post(&format!("/praktijk/patienten/adult/nieuw/{kind}"), &form)
            .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{kind}");
        assert!(p.body.contains("Niet opgeslagen"), "{kind}: {}", p.body);
        assert!(p.body.contains(message), "{kind}: {message}: {}", p.body);
        // What was typed comes back.
        assert!(p.body.contains(form[1].1), "{kind}");
    }
    assert_eq!(adult(app).await, before, "nothing was written");
    // A letter must be a PDF (by content), within the limit.
    let letter = [
        ("csrf", csrf.as_str()),
        ("richting", "in"),
        ("briefsoort", "specialist"),
        ("datum", "2026-01-05"),
        ("titel", "Brief van de cardioloog"),
        ("auteur", "Dr. Hart"),
    ];
    let p = gp
        .post_multipart(
            "/praktijk/patienten/adult/nieuw/brief",
            &letter,
            ("bestand", "brief.pdf", b"GIF89a not a pdf"),
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("het bestand is geen PDF"), "{}", p.body);
    assert_eq!(adult(app).await, before);
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(21 * 1024 * 1024, b'0');
    let p = gp
        .post_multipart(
            "/praktijk/patienten/adult/nieuw/brief",
            &letter,
            ("bestand", "groot.pdf", &big),
        )
        .await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(p.body.contains("te groot"));
    assert_eq!(adult(app).await, before);
    let pdf = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    let p = gp
        .post_multipart(
            "/praktijk/patienten/adult/nieuw/brief",
            &letter,
            ("bestand", "brief.pdf", pdf),
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let r = adult(app).await;
    let l = r
        .letters
        .iter()
        .find(|l| l.title == "Brief van de cardioloog")
        .unwrap();
    assert_eq!(
        l.content,
        inzage_domain::LetterContent::Pdf {
            bytes: pdf.to_vec()
        }
    );
}

async fn every_kind_of_item_can_be_added_and_corrected(app: &TestApp) {
    let mut gp = logged_in(app, "gp").await;
    let csrf = gp.csrf("/praktijk/patienten/adult/nieuw/episode").await;
    let now = app.clock.now();
    let today = inzage_domain::time::local_date(now).to_string();
    let moment = (now - chrono::Duration::hours(1))
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let adds: [(&str, Vec<(&str, &str)>); 5] = [
        (
            "episode",
            vec![
                ("titel", "Hoge bloeddruk NIEUW"),
                ("icpc", "K86"),
                ("begin", "2024-03"),
                ("attentiewaarde", "on"),
            ],
        ),
        (
            "medicatie",
            vec![
                ("middel", "Amlodipine 5mg NIEUW"),
                ("atc", "C08CA01"),
                ("dosering", "1 x per dag 1 tablet"),
                ("begin", &today),
            ],
        ),
        (
            "uitslag",
            vec![
                ("soort", "L"),
                ("code", "1744"),
                ("waarde", "6,1"),
                ("eenheid", "mmol/L"),
                ("onder", "3.5"),
                ("boven", "5.5"),
                ("moment", &moment),
            ],
        ),
        (
            "allergie",
            vec![
                ("stof", "Penicilline NIEUW"),
                ("codestelsel", "atc"),
                ("stofcode", "J01CE"),
                ("categorie", "medicatie"),
                ("ernst", "hoog"),
                ("status", "actief"),
                ("reactie", "huiduitslag"),
            ],
        ),
        ("notitie", vec![("tekst", "NIEUWE-WERKNOTITIE bellen")]),
    ];
    for (kind, fields) in adds {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        let p = gp
            .post(&format!("/praktijk/patienten/adult/nieuw/{kind}"), &form)
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{kind}: {}", p.body);
    }
    let r = adult(app).await;
    let ep = r
        .episodes
        .iter()
        .find(|e| e.title == "Hoge bloeddruk NIEUW")
        .unwrap();
    assert!(ep.attentiewaarde);
    assert_eq!(ep.start, inzage_domain::PartialDate::YearMonth(2024, 3));
    assert_eq!(
        ep.icpc_display.as_deref(),
        Some("Hypertensie zonder orgaanbeschadiging")
    );
    let med = r
        .medication
        .iter()
        .find(|m| m.product.name == "Amlodipine 5mg NIEUW")
        .unwrap();
    let res = r
        .results
        .iter()
        .find(|x| {
            x.code.as_str() == "1744"
                && x.performer
                    .as_ref()
                    .is_some_and(|p| p.as_str() == "staff-gp")
        })
        .unwrap();
    assert!(
        matches!(res.review, inzage_domain::ReviewState::Pending { .. }),
        "a lab result waits for review"
    );
    assert!(
        r.allergies
            .iter()
            .any(|a| a.substance.display.as_deref() == Some("Penicilline NIEUW"))
    );
    let note = r
        .work_notes
        .iter()
        .find(|n| n.text.contains("NIEUWE-WERKNOTITIE"))
        .unwrap();
    // The new lab result is in the review queue.
    assert!(
        gp.get("/praktijk/uitslagen")
            .await
            .body
            .contains(res.id.as_str())
    );
    // Stopping the medication: set the end date; the earlier version stays.
    let path = format!("/praktijk/patienten/adult/bewerken/medicatie/{}", med.id);
    let p = gp
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("middel", "Amlodipine 5mg NIEUW"),
                ("atc", "C08CA01"),
                ("dosering", "1 x per dag 1 tablet"),
                ("begin", &today),
                ("einde", &today),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let r = adult(app).await;
    assert!(
        r.medication
            .iter()
            .any(|m| m.id == med.id && m.period_end.is_some())
    );
    assert!(
        gp.get(&path)
            .await
            .body
            .contains("Amlodipine 5mg NIEUW: 1 x per dag 1 tablet")
    );
    // A work note never reaches the patient.
    let mut anna = app.client();
    anna.login("anna").await;
    anna.open("adult").await;
    for page in [
        "/overzicht",
        "/ziektes",
        "/medicijnen",
        "/allergieen",
        "/uitslagen",
    ] {
        assert!(
            !anna.get(page).await.body.contains("NIEUWE-WERKNOTITIE"),
            "{page}"
        );
    }
    // Only the author changes their own work note.
    let mut poh_gp = logged_in(app, "assistent").await;
    let p = poh_gp
        .get(&format!(
            "/praktijk/patienten/adult/bewerken/notitie/{}",
            note.id
        ))
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

async fn two_edits_at_the_same_moment_both_land(app: &TestApp) {
    let mut a = logged_in(app, "gp").await;
    let mut b = logged_in(app, "assistent").await;
    let today = inzage_domain::time::local_date(app.clock.now()).to_string();
    let ca = a.csrf("/praktijk/patienten/adult/nieuw/consult").await;
    let cb = b.csrf("/praktijk/patienten/adult/nieuw/consult").await;
    let form = |csrf: &str, text: &str| -> Vec<(String, String)> {
        vec![
            ("csrf".into(), csrf.into()),
            ("datum".into(), today.clone()),
            ("contactsoort".into(), "04".into()),
            ("p".into(), text.into()),
        ]
    };
    let fa = form(&ca, "PLAN-VAN-A");
    let fb = form(&cb, "PLAN-VAN-B");
    fn borrow(f: &[(String, String)]) -> Vec<(&str, &str)> {
        f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
    let (fa, fb) = (borrow(&fa), borrow(&fb));
    let (pa, pb) = tokio::join!(
        a.post("/praktijk/patienten/adult/nieuw/consult", &fa),
        b.post("/praktijk/patienten/adult/nieuw/consult", &fb)
    );
    assert_eq!(pa.status, StatusCode::SEE_OTHER);
    assert_eq!(pb.status, StatusCode::SEE_OTHER);
    let r = adult(app).await;
    assert!(r.journal.iter().any(|l| l.text == "PLAN-VAN-A"));
    assert!(r.journal.iter().any(|l| l.text == "PLAN-VAN-B"));
}

/// A patient's choice saved while staff save the same record: both land, as two staff edits do
/// (the choice is applied again to the record as the staff's save left it; it was refused with
/// "changed in the meantime").
async fn a_patients_choice_and_a_staff_edit_at_the_same_moment_both_land(app: &TestApp) {
    let practice = inzage_domain::PracticeId::new("praktijk-test").unwrap();
    let mut settings = app.store.settings(&practice).await.unwrap();
    settings.patients_may_choose_immediate_results = true;
    app.store.save_settings(&practice, &settings).await.unwrap();
    let mut gp = logged_in(app, "gp").await;
    let mut anna = app.client();
    anna.login("anna").await;
    anna.open("adult").await;
    let consult = "/praktijk/patienten/adult/nieuw/consult";
    let today = inzage_domain::time::local_date(app.clock.now()).to_string();
    // When results show and whether to share, each way once; the staff's request sent first,
    // then the patient's.
    let choices = [
        ("/uitslagen-moment", "moment", "direct"),
        ("/uitslagen-moment", "moment", "na-huisarts"),
        ("/delen", "keuze-huisartsenpost", "nee"),
        ("/delen", "keuze-huisartsenpost", "ja"),
    ];
    for (i, (path, field, answer)) in choices.into_iter().cycle().take(8).enumerate() {
        let text = format!("PLAN-TEGELIJK-{i}");
        let cg = gp.csrf(consult).await;
        let ca = anna.csrf(path).await;
        let staff_form = [
            ("csrf", cg.as_str()),
            ("datum", today.as_str()),
            ("contactsoort", "04"),
            ("p", text.as_str()),
        ];
        let patient_form = [("csrf", ca.as_str()), (field, answer)];
        let (pg, pa) = if i < choices.len() {
            tokio::join!(
                gp.post(consult, &staff_form),
                anna.post(path, &patient_form)
            )
        } else {
            let (pa, pg) = tokio::join!(
                anna.post(path, &patient_form),
                gp.post(consult, &staff_form)
            );
            (pg, pa)
        };
        assert_eq!(pg.status, StatusCode::SEE_OTHER, "{}", pg.body);
        assert_eq!(pa.status, StatusCode::SEE_OTHER, "{path}: {}", pa.body);
        let r = adult(app).await;
        assert!(r.journal.iter().any(|l| l.text == text), "{text}");
        if path == "/uitslagen-moment" {
            assert_eq!(r.patient.wants_results_immediately, answer == "direct");
        } else {
            let now = format!("Nu: {answer}");
            assert!(anna.get("/delen").await.body.contains(&now), "{now}");
        }
    }
}

async fn access_consent_representatives_and_the_portal_invitation(app: &TestApp) {
    let mut ass = logged_in(app, "assistent").await;
    let page = ass.get("/praktijk/patienten/adult/toegang").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = csrf_in(&page.body);
    let path = "/praktijk/patienten/adult/toegang";
    // Consent per channel (R53): portal only.
    let p = ass
        .post(
            path,
            &[("csrf", &csrf), ("actie", "toestemming"), ("portaal", "on")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let r = adult(app).await;
    let me = Viewer::Patient {
        bsn: Bsn::parse(BSN_ADULT).unwrap(),
    };
    let settings = app.store.settings(&r.practice.id).await.unwrap();
    assert!(authorize(&r, &me, OnlineChannel::Portal, &settings, app.clock.now()).is_ok());
    assert!(authorize(&r, &me, OnlineChannel::Pgo, &settings, app.clock.now()).is_err());
    // The earlier consent is kept in the history.
    let history = app
        .store
        .item_history(&r.patient.id, "patient", "adult")
        .await
        .unwrap();
    assert_eq!(history.len(), 1);

    // A carer's authorisation without an end date is refused (R40), with it it lands (R41).
    let carer = |to: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("actie", "toevoegen".into()),
            ("bsn", BSN_CARER.into()),
            ("voornaam", "Mia".into()),
            ("achternaam", "Mantelzorger".into()),
            ("grondslag", "machtiging".into()),
            (
                "vanaf",
                inzage_domain::time::local_date(app.clock.now()).to_string(),
            ),
            ("tot", to.into()),
            ("deel_medicatie", "on".into()),
            ("bewijs", "ondertekende machtiging en ID gezien".into()),
        ]
    };
    let borrowed = |v: &Vec<(&'static str, String)>| -> Vec<(&str, String)> { v.clone() };
    let f = borrowed(&carer(""));
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = ass.post(path, &f).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        p.body
            .contains("een einddatum voor een machtiging door de patiënt is verplicht"),
        "{}",
        p.body
    );
    let f = carer("2099-01-01");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(ass.post(path, &f).await.status, StatusCode::SEE_OTHER);
    let r = adult(app).await;
    let rep = r
        .representations
        .iter()
        .find(|x| x.agent_bsn.as_str() == BSN_CARER)
        .unwrap();
    let evidence = rep.evidence.as_ref().unwrap();
    assert_eq!(evidence.kind, "ondertekende machtiging en ID gezien");
    assert_eq!(
        evidence.checked_by,
        inzage_domain::Actor::Staff(inzage_domain::PractitionerId::new("staff-assistent").unwrap())
    );
    assert_eq!(rep.scope, Some(vec![inzage_domain::Section::Medication]));
    let page = ass.get(path).await;
    assert!(page.body.contains("Mia Mantelzorger"));
    assert!(
        page.body
            .contains("ondertekende machtiging en ID gezien (assistent")
    );
    // Revoking ends it.
    let p = ass
        .post(
            path,
            &[
                ("csrf", &csrf),
                ("actie", "intrekken"),
                ("vertegenwoordiging", rep.id.as_str()),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(
        adult(app)
            .await
            .representations
            .iter()
            .any(|x| x.id == rep.id && x.revoked_at.is_some())
    );

    // The invitation: a code shown once, stored only as a hash.
    let p = ass
        .post(path, &[("csrf", &csrf), ("actie", "uitnodigen")])
        .await;
    assert_eq!(p.status, StatusCode::OK);
    let start = p.body.find("class=\"code\">").unwrap() + 13;
    let code = p.body[start..start + 19].to_owned();
    assert_eq!(code.len(), 19, "{code}");
    assert_eq!(code.matches('-').count(), 3);

    // The patient activates a login with the code and their birth date.
    let mut anna = app.client();
    let csrf_a = anna.csrf("/activeren").await;
    let birth = r.patient.birth_date.to_string();
    let activate = |code: String, birth: String, user: &'static str| {
        vec![
            ("csrf", csrf_a.clone()),
            ("code", code),
            ("geboortedatum", birth),
            ("username", user.to_owned()),
            ("password", "een lang nieuw wachtwoord".to_owned()),
            ("password2", "een lang nieuw wachtwoord".to_owned()),
        ]
    };
    let wrong = activate(code.clone(), "1900-01-01".into(), "anna-nieuw");
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = anna.post("/activeren", &wrong).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("Deze code werkt niet"));
    let ok = activate(code.to_lowercase(), birth.clone(), "anna-nieuw");
    let ok: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = anna.post("/activeren", &ok).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("totp-secret"));
    let account = app.store.idp_account("anna-nieuw").await.unwrap().unwrap();
    assert_eq!(account.bsn.as_str(), BSN_ADULT);
    // The new login works with its second factor and opens Anna's record.
    let mut fresh = app.client();
    fresh
        .password("anna-nieuw", "een lang nieuw wachtwoord")
        .await;
    let secret = account.totp_secret.unwrap();
    // The QR code beside the key holds this very secret, under the practice's name.
    let qr = inzage_login::auth::authenticator_qr(&secret, &r.practice.name, "anna-nieuw").unwrap();
    assert!(qr.starts_with("data:image/svg+xml;base64,"));
    assert!(
        p.body.contains(&format!("<img class=\"qr\" src=\"{qr}\"")),
        "{}",
        p.body
    );
    let code_now = inzage_login::auth::totp_for(&secret)
        .unwrap()
        .generate(app.clock.now().timestamp() as u64);
    let p = fresh.code(&code_now.to_string()).await;
    assert_ne!(p.location.as_deref(), Some("/inloggen"), "{}", p.body);
    assert_eq!(fresh.open("adult").await.status, StatusCode::SEE_OTHER);
    // A code works once.
    let again = activate(code, birth, "anna-tweede");
    let again: Vec<(&str, &str)> = again.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        app.client().post("/activeren", &again).await.status,
        StatusCode::FORBIDDEN,
        "no CSRF of that session"
    );
    let p = anna.post("/activeren", &again).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        app.store
            .idp_account("anna-tweede")
            .await
            .unwrap()
            .is_none()
    );

    // A lost phone: a new code from the practice restores the same login (its username, so its
    // PGO too) with a new password and a new app; the old password and app stop working.
    let p = ass
        .post(path, &[("csrf", &csrf), ("actie", "uitnodigen")])
        .await;
    let start = p.body.find("class=\"code\">").unwrap() + 13;
    let new_code = p.body[start..start + 19].to_owned();
    let birth = r.patient.birth_date.to_string();
    let restore = [
        ("csrf", csrf_a.as_str()),
        ("code", new_code.as_str()),
        ("geboortedatum", birth.as_str()),
        ("username", "anna-nieuw"),
        ("password", "weer een ander wachtwoord"),
        ("password2", "weer een ander wachtwoord"),
    ];
    let p = anna.post("/activeren", &restore).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("is hersteld"), "{}", p.body);
    let restored = app.store.idp_account("anna-nieuw").await.unwrap().unwrap();
    let new_secret = restored.totp_secret.unwrap();
    assert_ne!(new_secret, secret);
    assert_eq!(restored.bsn.as_str(), BSN_ADULT);
    let mut old = app.client();
    let p = old
        .password("anna-nieuw", "een lang nieuw wachtwoord")
        .await;
    assert_ne!(
        p.location.as_deref(),
        Some("/inloggen/code"),
        "the old password"
    );
    let mut again = app.client();
    let p = again
        .password("anna-nieuw", "weer een ander wachtwoord")
        .await;
    assert_eq!(p.location.as_deref(), Some("/inloggen/code"), "{}", p.body);
    app.clock.advance(chrono::Duration::seconds(31));
    let old_code = inzage_login::auth::totp_for(&secret)
        .unwrap()
        .generate(app.clock.now().timestamp() as u64);
    let p = again.code(&old_code.to_string()).await;
    assert!(
        p.location.is_none() && p.body.contains("Deze code klopt niet"),
        "the old app: {}",
        p.body
    );
    let new_code_now = inzage_login::auth::totp_for(&new_secret)
        .unwrap()
        .generate(app.clock.now().timestamp() as u64);
    let p = again.code(&new_code_now.to_string()).await;
    assert_ne!(p.location.as_deref(), Some("/inloggen"), "{}", p.body);
    assert_eq!(again.open("adult").await.status, StatusCode::SEE_OTHER);
}

async fn the_administrator_manages_staff_accounts(app: &TestApp) {
    let staff = seed_staff_once(app).await;
    let mut admin = app.client();
    let landed = admin.staff_login("beheer", &staff[3].1).await;
    assert_eq!(landed.location.as_deref(), Some("/praktijk/medewerkers"));
    let page = admin.get("/praktijk/medewerkers").await;
    // The menu shows what the role may open, nothing else.
    assert!(page.body.contains("href=\"/praktijk/instellingen\""));
    assert!(!page.body.contains("href=\"/praktijk/uitslagen\""));
    assert!(!page.body.contains("gp-elders"), "only the own practice");
    let csrf = csrf_in(&page.body);
    let p = admin
        .post(
            "/praktijk/medewerkers",
            &[
                ("csrf", &csrf),
                ("actie", "toevoegen"),
                ("username", "Nieuwe.Poh"),
                ("naam", "Noor Nieuw"),
                ("rol", "poh"),
                ("email", "geen adres"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = admin
        .post(
            "/praktijk/medewerkers",
            &[
                ("csrf", &csrf),
                ("actie", "toevoegen"),
                ("username", "Nieuwe.Poh"),
                ("naam", "Noor Nieuw"),
                ("rol", "poh"),
                ("email", "noor@praktijk.example"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = admin.get(p.location.as_deref().unwrap()).await;
    assert!(page.body.contains("n…@praktijk.example"), "{}", page.body);
    assert!(page.body.contains("wacht op activering"));
    // The colleague completes the invitation from their own mailbox.
    let secret = activate_from_mail(app, "noor@praktijk.example", STAFF_PASSWORD).await;
    let account = app
        .store
        .staff_account("nieuwe.poh")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.role, Poh);
    assert_eq!(account.totp_secret, secret);
    // The new colleague logs in and works; deactivated, their session ends at once.
    let mut noor = app.client();
    noor.staff_login("nieuwe.poh", &secret).await;
    assert_eq!(
        noor.get("/praktijk/patienten/adult").await.status,
        StatusCode::OK
    );
    let p = admin
        .post(
            "/praktijk/medewerkers",
            &[
                ("csrf", &csrf),
                ("actie", "wijzigen"),
                ("username", "nieuwe.poh"),
                ("rol", "poh"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(
        noor.get("/praktijk/patienten/adult")
            .await
            .location
            .as_deref(),
        Some("/praktijk/inloggen")
    );
    // The administrator cannot lock themselves out.
    let p = admin
        .post(
            "/praktijk/medewerkers",
            &[
                ("csrf", &csrf),
                ("actie", "wijzigen"),
                ("username", "beheer"),
                ("rol", "beheer"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(
        app.store
            .staff_account("beheer")
            .await
            .unwrap()
            .unwrap()
            .active
    );
    // Another practice's account is not found.
    let p = admin
        .post(
            "/praktijk/medewerkers",
            &[
                ("csrf", &csrf),
                ("actie", "opnieuw"),
                ("username", "gp-elders"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let changes = app.audit_count().await;
    assert!(changes > 0);
}

/// Every audit entry's detail, read as an auditor would, straight from the database.
async fn all_audit_details(app: &TestApp) -> Vec<String> {
    use sqlx::Connection;
    let sql = "SELECT detail FROM audit_log ORDER BY seq";
    if app.db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&app.db.url).await.unwrap();
        sqlx::query_scalar(sql).fetch_all(&mut c).await.unwrap()
    } else {
        let mut c = sqlx::PgConnection::connect(&app.db.url).await.unwrap();
        sqlx::query_scalar(sql).fetch_all(&mut c).await.unwrap()
    }
}

/// The one-time link in the newest e-mail to `to` (the dev mailbox, as in `demo`).
async fn invitation_link(app: &TestApp, to: &str) -> String {
    let mails = inzage_store::NotifyStore::dev_mails(&app.store)
        .await
        .unwrap();
    let mail = mails
        .iter()
        .filter(|m| m.email == to)
        .max_by_key(|m| m.sent_at)
        .unwrap_or_else(|| panic!("no e-mail to {to}"));
    let at = mail.body.find("/praktijk/activeren?code=").unwrap();
    let rest = &mail.body[at..];
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// Opens the invitation sent to `to`, sets `password`, and returns the authenticator secret
/// shown once to the colleague.
async fn activate_from_mail(app: &TestApp, to: &str, password: &str) -> String {
    let link = invitation_link(app, to).await;
    let mut c = app.client();
    let page = c.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let code = link.split_once("code=").unwrap().1.to_owned();
    let p = c
        .post(
            "/praktijk/activeren",
            &[
                ("csrf", &csrf_in(&page.body)),
                ("code", &code),
                ("wachtwoord", password),
                ("wachtwoord2", password),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let marker = "id=\"staff-secret\">";
    let at = p.body.find(marker).unwrap() + marker.len();
    let secret = p.body[at..at + p.body[at..].find('<').unwrap()].to_owned();
    // Beside the key, the same as a QR code to scan.
    assert!(
        p.body
            .contains("<img class=\"qr\" src=\"data:image/svg+xml;base64,"),
        "{}",
        p.body
    );
    secret
}

/// Hardening finding 4 (issue 22): an administrator created a GP account and saw its TOTP
/// secret, or reset a GP's password and TOTP and logged in as them, and the GP's open sessions
/// survived. Now: onboarding and resets are invitations to the colleague's own address; the
/// administrator's pages and answers never hold a password or secret; a reset ends the GP's
/// sessions at once and the old password stops; a link works once; who invited whom is audited.
async fn hardening_4_the_administrator_cannot_take_over_a_gp_account(app: &TestApp) {
    let staff = seed_staff_once(app).await;
    let mut admin = app.client();
    admin.staff_login("beheer", &staff[3].1).await;
    let csrf = admin.csrf("/praktijk/medewerkers").await;
    // A new GP: the administrator's answer holds no secret, the colleague sets their own.
    let p = admin
        .post(
            "/praktijk/medewerkers",
            &[
                ("csrf", &csrf),
                ("actie", "toevoegen"),
                ("username", "dokter.nieuw"),
                ("naam", "Dokter Nieuw"),
                ("rol", "huisarts"),
                ("email", "dokter.nieuw@praktijk.example"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = admin.get(p.location.as_deref().unwrap()).await;
    let link = invitation_link(app, "dokter.nieuw@praktijk.example").await;
    let code = link.split_once("code=").unwrap().1.to_owned();
    assert!(
        !page.body.contains(&code),
        "the administrator sees the link"
    );
    // Until activated, nobody can log in as the new account.
    let account = app
        .store
        .staff_account("dokter.nieuw")
        .await
        .unwrap()
        .unwrap();
    assert!(!account.is_activated());
    let secret = activate_from_mail(app, "dokter.nieuw@praktijk.example", STAFF_PASSWORD).await;
    assert!(!page.body.contains(&secret));
    // The link works once.
    let mut again = app.client();
    assert_eq!(again.get(&link).await.status, StatusCode::NOT_FOUND);
    let mut gp = app.client();
    gp.staff_login("dokter.nieuw", &secret).await;
    assert_eq!(gp.get("/praktijk/uitslagen").await.status, StatusCode::OK);

    // The administrator resets the GP's login: the GP's session ends at once, the old password
    // no longer works, and the new link goes to the GP's own address.
    let p = admin
        .post(
            "/praktijk/medewerkers",
            &[
                ("csrf", &csrf),
                ("actie", "opnieuw"),
                ("username", "dokter.nieuw"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        gp.get("/praktijk/uitslagen").await.location.as_deref(),
        Some("/praktijk/inloggen"),
        "the session survived the reset"
    );
    let mut thief = app.client();
    let csrf_login = thief.csrf("/praktijk/inloggen").await;
    let p = thief
        .post(
            "/praktijk/inloggen",
            &[
                ("csrf", &csrf_login),
                ("username", "dokter.nieuw"),
                ("password", STAFF_PASSWORD),
            ],
        )
        .await;
    assert!(p.body.contains("klopt niet"), "{}", p.body);
    let new_secret = activate_from_mail(
        app,
        "dokter.nieuw@praktijk.example",
        "a new password for the gp",
    )
    .await;
    assert_ne!(new_secret, secret);
    // The administrator has no way to set a password or a secret any more.
    for action in ["wachtwoord", "nieuwe_code"] {
        let p = admin
            .post(
                "/praktijk/medewerkers",
                &[
                    ("csrf", &csrf),
                    ("actie", action),
                    ("username", "dokter.nieuw"),
                    ("wachtwoord", "chosen by the admin"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{action}");
    }
    // Who invited whom, and the activation, are in the audit log.
    let details = all_audit_details(app).await;
    for want in [
        "staff account created (dokter.nieuw, huisarts), invited by beheer",
        "staff account activated (dokter.nieuw), invited by beheer",
        "staff login reset (dokter.nieuw), invited again by beheer",
    ] {
        assert!(
            details.iter().any(|d| d.contains(want)),
            "{want}: {details:?}"
        );
    }
}

/// Hardening finding 9 (issue 22): a GP's personal work notes were shown to other staff and
/// could be edited by another GP. Only the author sees and edits them; to anyone else a note is
/// 404, as if it did not exist.
async fn hardening_9_a_gps_work_notes_are_the_authors_alone(app: &TestApp) {
    let staff = seed_staff_once(app).await;
    let second = inzage_practice::create_staff(
        &app.store,
        "gp2",
        STAFF_PASSWORD,
        inzage_domain::PracticeId::new("praktijk-test").unwrap(),
        Gp,
        "Tweede Huisarts",
        app.clock.now(),
    )
    .await
    .unwrap();
    let mut gp = app.client();
    gp.staff_login("gp", &staff[0].1).await;
    let csrf = gp.csrf("/praktijk/patienten/adult/nieuw/notitie").await;
    let p = gp
        .post(
            "/praktijk/patienten/adult/nieuw/notitie",
            &[("csrf", &csrf), ("tekst", "MARKER-MY-OWN-NOTE")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let record = app
        .store
        .load_record(&inzage_domain::PatientId::new("adult").unwrap())
        .await
        .unwrap()
        .unwrap();
    let note = record
        .work_notes
        .iter()
        .find(|n| n.text == "MARKER-MY-OWN-NOTE")
        .unwrap()
        .id
        .to_string();
    assert!(
        gp.get("/praktijk/patienten/adult")
            .await
            .body
            .contains("MARKER-MY-OWN-NOTE")
    );
    let edit = format!("/praktijk/patienten/adult/bewerken/notitie/{note}");
    assert_eq!(gp.get(&edit).await.status, StatusCode::OK);

    let mut other = app.client();
    other.staff_login("gp2", &second).await;
    assert!(
        !other
            .get("/praktijk/patienten/adult")
            .await
            .body
            .contains("MARKER-MY-OWN-NOTE"),
        "another GP sees the note"
    );
    let form = other.get(&edit).await;
    assert_eq!(form.status, StatusCode::NOT_FOUND);
    assert!(!form.body.contains("MARKER-MY-OWN-NOTE"));
    let csrf = other.csrf("/praktijk/patienten/adult/nieuw/notitie").await;
    let p = other
        .post(&edit, &[("csrf", &csrf), ("tekst", "overwritten")])
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(!p.body.contains("MARKER-MY-OWN-NOTE"));
    let mut assistant = app.client();
    assistant.staff_login("assistent", &staff[1].1).await;
    assert!(
        !assistant
            .get("/praktijk/patienten/adult")
            .await
            .body
            .contains("MARKER-MY-OWN-NOTE")
    );
    let record = app
        .store
        .load_record(&inzage_domain::PatientId::new("adult").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        record
            .work_notes
            .iter()
            .any(|n| n.text == "MARKER-MY-OWN-NOTE")
    );
}

/// The password step of a staff login, in a fresh client: `true` when it led to the second step.
async fn staff_password_step(c: &mut Client<'_>, username: &str, password: &str) -> bool {
    let csrf = c.csrf("/praktijk/inloggen").await;
    let p = c
        .post(
            "/praktijk/inloggen",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await;
    p.location.as_deref() == Some("/praktijk/inloggen/code")
}

/// Hardening finding 4 (issue 22), staff passkeys: a staff member adds a passkey themselves
/// after a full login (a software authenticator stands in for the phone) and then logs in with
/// password and passkey instead of the code. The administrator has no way to add one for
/// someone; a replayed passkey answer is refused and counts towards the same lock-out as a
/// wrong code; a reset of the login by the administrator removes the passkeys, and the passkey
/// stops working. Staff passkeys are kept apart from the portal's.
async fn hardening_4_staff_passkeys_are_the_staff_members_own(app: &TestApp) {
    use webauthn_authenticator_rs::WebauthnAuthenticator;
    use webauthn_authenticator_rs::softpasskey::SoftPasskey;
    use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};
    let origin = Url::parse("http://localhost:8080").unwrap();
    let staff = seed_staff_once(app).await;
    let mut admin = app.client();
    admin.staff_login("beheer", &staff[3].1).await;
    let admin_csrf = admin.csrf("/praktijk/medewerkers").await;
    let p = admin
        .post(
            "/praktijk/medewerkers",
            &[
                ("csrf", &admin_csrf),
                ("actie", "toevoegen"),
                ("username", "dokter.pk"),
                ("naam", "Dokter Passkey"),
                ("rol", "huisarts"),
                ("email", "dokter.pk@praktijk.example"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let secret = activate_from_mail(app, "dokter.pk@praktijk.example", STAFF_PASSWORD).await;
    let mut gp = app.client();
    gp.staff_login("dokter.pk", &secret).await;

    // Adding one: the page, the CSRF header, the browser's ceremony.
    let page = gp.get("/praktijk/beveiliging").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Aantal passkeys: 0"), "{}", page.body);
    assert!(
        page.body
            .contains("data-start=\"/praktijk/passkey/registreren/start\"")
    );
    let csrf = csrf_in(&page.body);
    let p = gp
        .post_json("/praktijk/passkey/registreren/start", "wrong", "{}")
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = gp
        .post_json("/praktijk/passkey/registreren/start", &csrf, "{}")
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let challenge: CreationChallengeResponse = serde_json::from_str(&p.body).unwrap();
    let mut phone = SoftPasskey::new(true);
    let credential = phone.do_registration(origin.clone(), challenge).unwrap();
    let p = gp
        .post_json(
            "/praktijk/passkey/registreren/klaar",
            &csrf,
            &serde_json::to_string(&credential).unwrap(),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(
        gp.get("/praktijk/beveiliging")
            .await
            .body
            .contains("Aantal passkeys: 1")
    );
    assert_eq!(
        app.store.staff_passkeys("dokter.pk").await.unwrap().len(),
        1
    );
    assert!(app.store.passkeys("dokter.pk").await.unwrap().is_empty());
    // The administrator's calls concern the administrator's own account only.
    let p = admin
        .post_json("/praktijk/passkey/registreren/start", &admin_csrf, "{}")
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("\"name\":\"beheer\""), "{}", p.body);

    // Logging in with password and passkey.
    let mut again = app.client();
    assert!(staff_password_step(&mut again, "dokter.pk", STAFF_PASSWORD).await);
    let code_page = again.get("/praktijk/inloggen/code").await;
    assert!(
        code_page
            .body
            .contains("data-start=\"/praktijk/inloggen/passkey/start\"")
    );
    let csrf = csrf_in(&code_page.body);
    let p = again
        .post_json("/praktijk/inloggen/passkey/start", &csrf, "{}")
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let challenge: RequestChallengeResponse = serde_json::from_str(&p.body).unwrap();
    let answer = phone.do_authentication(origin.clone(), challenge).unwrap();
    let p = again
        .post_json(
            "/praktijk/inloggen/passkey/klaar",
            &csrf,
            &serde_json::to_string(&answer).unwrap(),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("\"redirect\":\"/praktijk\""), "{}", p.body);
    assert_eq!(
        again.get("/praktijk/uitslagen").await.status,
        StatusCode::OK
    );

    // The same answer again (another login, another challenge) is refused and counted: after
    // the limit the account's second step is locked, for a correct code too.
    let mut replay = app.client();
    assert!(staff_password_step(&mut replay, "dokter.pk", STAFF_PASSWORD).await);
    let csrf = csrf_in(&replay.get("/praktijk/inloggen/code").await.body);
    let mut refused = 0;
    loop {
        let p = replay
            .post_json("/praktijk/inloggen/passkey/start", &csrf, "{}")
            .await;
        if p.status != StatusCode::OK {
            break;
        }
        let p = replay
            .post_json(
                "/praktijk/inloggen/passkey/klaar",
                &csrf,
                &serde_json::to_string(&answer).unwrap(),
            )
            .await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
        refused += 1;
        assert!(refused <= 5, "no lock-out after {refused} refused answers");
    }
    assert_eq!(refused, 5);
    assert_eq!(
        replay.get("/praktijk/uitslagen").await.location.as_deref(),
        Some("/praktijk/inloggen")
    );
    let mut locked = app.client();
    assert!(staff_password_step(&mut locked, "dokter.pk", STAFF_PASSWORD).await);
    let csrf = csrf_in(&locked.get("/praktijk/inloggen/code").await.body);
    app.clock.advance(chrono::Duration::seconds(60));
    let code = inzage_login::auth::totp_for(&secret)
        .unwrap()
        .generate(app.clock.now().timestamp() as u64)
        .to_string();
    let p = locked
        .post(
            "/praktijk/inloggen/code",
            &[("csrf", &csrf), ("code", &code)],
        )
        .await;
    assert!(p.body.contains("te vaak geprobeerd"), "{}", p.body);

    // A reset by the administrator removes the passkeys.
    let p = admin
        .post(
            "/praktijk/medewerkers",
            &[
                ("csrf", &admin_csrf),
                ("actie", "opnieuw"),
                ("username", "dokter.pk"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(
        app.store
            .staff_passkeys("dokter.pk")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        all_audit_details(app)
            .await
            .iter()
            .any(|d| d.contains("staff passkey added (dokter.pk)"))
    );
}

fn with_passkeys() -> inzage_web::WebConfig {
    inzage_web::WebConfig {
        public_origin: Some("http://localhost:8080".into()),
        ..test_config()
    }
}

both_backends!(
    hardening_4_staff_passkeys_are_the_staff_members_own with super::with_passkeys(),
    hardening_9_a_gps_work_notes_are_the_authors_alone,
    hardening_4_the_administrator_cannot_take_over_a_gp_account,
    every_staff_route_with_every_role,
    a_consult_with_soep_lines_lands_with_history_and_only_e_and_p_go_online,
    bad_input_gets_a_clear_message_and_saves_nothing,
    every_kind_of_item_can_be_added_and_corrected,
    two_edits_at_the_same_moment_both_land,
    a_patients_choice_and_a_staff_edit_at_the_same_moment_both_land,
    access_consent_representatives_and_the_portal_invitation,
    the_administrator_manages_staff_accounts,
);
