//! The patient portal end to end, in-process on a real database: SQLite always, PostgreSQL when
//! a server answers (see `inzage_store::testing`). Requirement numbers refer to
//! `spec/requirements.md`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use axum::body::Body;
use axum::http::Request;
use axum::http::StatusCode;
use chrono::Duration;
use inzage_domain::Clock;
use inzage_store::{Channel, EventType, PortalStore, RecordStore};
use inzage_web::WebConfig;
use support::*;
use tower::ServiceExt;

/// Every page of an open record.
const PAGES: [&str; 15] = [
    "/overzicht",
    "/ziektes",
    "/medicijnen",
    "/allergieen",
    "/uitslagen",
    "/brieven",
    "/gegevens",
    "/logboek",
    "/kopie",
    "/herhaalrecept",
    "/afspraken",
    "/berichten",
    "/correcties",
    "/delen",
    "/vernietigen",
];

async fn r50_r51_password_alone_opens_nothing(app: &TestApp) {
    let mut c = app.client();
    let p = c.password("anna", PASSWORD).await;
    assert_eq!(p.location.as_deref(), Some("/inloggen/code"));
    // Between the two steps nothing of the record is reachable.
    for path in PAGES.iter().chain(&["/kiezen"]) {
        let p = c.get(path).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(p.location.as_deref(), Some("/inloggen"), "{path}");
    }
    let code = totp_now(app, "anna");
    let p = c.code(&code).await;
    assert_eq!(p.location.as_deref(), Some("/kiezen"));
    let p = c.get("/kiezen").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Anna Volwassen"), "{}", p.body);
}

async fn wrong_password_and_unknown_user_look_the_same(app: &TestApp) {
    let mut c = app.client();
    let wrong = c.password("anna", "not the password").await;
    let unknown = c.password("nobody-here", "not the password").await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert_eq!(unknown.status, StatusCode::OK);
    let message = "De gebruikersnaam of het wachtwoord klopt niet.";
    assert!(wrong.body.contains(message));
    assert!(unknown.body.contains(message));
    // The pages differ only in the echoed username and the CSRF token.
    let strip = |b: &str, user: &str| {
        b.replace(&csrf_in(b), "")
            .replace(&format!("value=\"{user}\""), "")
    };
    assert_eq!(
        strip(&wrong.body, "anna"),
        strip(&unknown.body, "nobody-here")
    );
}

async fn lock_out_after_five_failures_for_known_and_unknown_users(app: &TestApp) {
    let mut c = app.client();
    for _ in 0..5 {
        c.password("anna", "wrong").await;
        c.password("ghost", "wrong").await;
    }
    let locked = "U heeft het te vaak geprobeerd.";
    let p = c.password("anna", PASSWORD).await;
    assert!(p.location.is_none(), "a locked account must not log in");
    assert!(p.body.contains(locked), "{}", p.body);
    assert!(c.password("ghost", "wrong").await.body.contains(locked));
    // Another user is not affected.
    assert_eq!(
        c.password("tess", PASSWORD).await.location.as_deref(),
        Some("/inloggen/code")
    );
    // After the lock-out time the right password works again.
    app.clock.advance(Duration::minutes(16));
    assert_eq!(
        c.password("anna", PASSWORD).await.location.as_deref(),
        Some("/inloggen/code")
    );
}

async fn wrong_and_replayed_codes_are_refused(app: &TestApp) {
    let mut c = app.client();
    c.password("anna", PASSWORD).await;
    let p = c.code("000000").await;
    assert!(p.location.is_none());
    assert!(p.body.contains("Deze code klopt niet"));
    let code = totp_now(app, "anna");
    assert_eq!(c.code(&code).await.location.as_deref(), Some("/kiezen"));
    // The same code a second time, in a second browser: refused.
    let mut other = app.client();
    other.password("anna", PASSWORD).await;
    let p = other.code(&code).await;
    assert!(p.location.is_none(), "a TOTP code must work only once");
    // Too many wrong codes (five, counted per username) end the attempt: back to step one.
    let mut locked = false;
    for _ in 0..5 {
        if other
            .code("111111")
            .await
            .body
            .contains("te vaak geprobeerd")
        {
            locked = true;
            break;
        }
    }
    assert!(locked);
    let p = other.get("/inloggen/code").await;
    assert_eq!(p.location.as_deref(), Some("/inloggen"));
}

async fn dev_sms_code_logs_in(app: &TestApp) {
    let log = LogCapture::start();
    let mut c = app.client();
    c.password("anna", PASSWORD).await;
    let csrf = c.csrf("/inloggen/code").await;
    let p = c.post("/inloggen/sms", &[("csrf", &csrf)]).await;
    assert_eq!(p.location.as_deref(), Some("/inloggen/code"));
    assert!(
        c.get("/inloggen/code")
            .await
            .body
            .contains("sms-code gestuurd")
    );
    // In development mode the code goes to the server log, and only there.
    let text = log.text();
    let code = text
        .split("code=")
        .nth(1)
        .map(|rest| rest.chars().take(6).collect::<String>())
        .expect("the SMS code in the log");
    assert_eq!(c.code(&code).await.location.as_deref(), Some("/kiezen"));
}

async fn sms_codes_exist_only_in_development_mode(app: &TestApp) {
    let mut c = app.client();
    c.password("anna", PASSWORD).await;
    let page = c.get("/inloggen/code").await;
    assert!(!page.body.contains("/inloggen/sms"));
    let csrf = csrf_in(&page.body);
    let p = c.post("/inloggen/sms", &[("csrf", &csrf)]).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
}

async fn sessions_expire_when_idle_and_after_eight_hours(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    assert_eq!(c.get("/overzicht").await.status, StatusCode::OK);
    app.clock.advance(Duration::minutes(16));
    let p = c.get("/overzicht").await;
    assert_eq!(p.location.as_deref(), Some("/inloggen"), "idle time-out");

    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    // Active every 10 minutes: the idle timer never runs out, the absolute one does.
    for _ in 0..47 {
        app.clock.advance(Duration::minutes(10));
        assert_eq!(c.get("/overzicht").await.status, StatusCode::OK);
    }
    app.clock.advance(Duration::minutes(11));
    let p = c.get("/overzicht").await;
    assert_eq!(
        p.location.as_deref(),
        Some("/inloggen"),
        "absolute time-out"
    );
}

async fn every_form_refuses_a_missing_or_wrong_csrf_token(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    let posts: [(&str, &[(&str, &str)]); 6] = [
        ("/inloggen", &[("username", "anna"), ("password", PASSWORD)]),
        ("/inloggen/code", &[("code", "123456")]),
        ("/inloggen/sms", &[]),
        ("/kiezen", &[("record", "adult")]),
        ("/taal", &[("lang", "en"), ("back", "/")]),
        ("/uitloggen", &[]),
    ];
    for (path, form) in posts {
        let p = c.post(path, form).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path} without token");
        let mut with_wrong = form.to_vec();
        with_wrong.push(("csrf", "0000"));
        let p = c.post(path, &with_wrong).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path} with a wrong token");
    }
    // Still logged in and nothing changed.
    assert_eq!(c.get("/kiezen").await.status, StatusCode::OK);
}

/// A form or query string a page cannot read (a field given twice) gets the "invalid request"
/// page in the reader's language, with nothing saved; axum had answered it in plain English
/// text ("Failed to deserialize ...").
async fn an_unreadable_form_or_query_gets_the_invalid_request_page(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    let csrf = c.csrf("/overzicht").await;
    let entries = app.audit_count().await;
    let refused = [
        (c.get("/logboek?wie=praktijk&wie=app").await, "query"),
        (
            c.post(
                "/afspraken",
                &[("csrf", &csrf), ("actie", "tijd"), ("actie", "boeken")],
            )
            .await,
            "form",
        ),
    ];
    for (p, what) in refused {
        assert_eq!(p.status, StatusCode::BAD_REQUEST);
        // Refused as unreadable, not by the handler for a value it does not know.
        let unreadable = format!("<code>{what}</code>");
        assert!(p.body.contains(&unreadable), "{}", p.body);
        assert!(p.body.contains("<html lang=\"nl\""), "{}", p.body);
        assert!(p.body.contains("Dit verzoek klopt niet."), "{}", p.body);
        assert!(!p.body.contains("deserialize"));
    }
    assert_eq!(
        app.audit_count().await,
        entries,
        "nothing was read or saved"
    );
    // In the language the reader chose.
    c.post(
        "/taal",
        &[("csrf", &csrf), ("lang", "en"), ("back", "/overzicht")],
    )
    .await;
    let p = c.get("/logboek?wie=praktijk&wie=app").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("This request is not right."), "{}", p.body);
}

async fn choosing_whose_record_to_open(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    let p = c.get("/kiezen").await;
    // Her own record, her 10-year-old, and her 17-year-old (closed, with the reason).
    assert!(p.body.contains("Anna Volwassen"));
    assert!(p.body.contains("Kees Kind"));
    assert!(p.body.contains("Olaf Ouder-Kind"));
    assert!(p.body.contains("Vanaf 16 jaar beslist uw kind zelf"));
    // Each choice says in which role and until when (issue 18 item 3).
    assert!(p.body.contains("uw eigen dossier"));
    assert!(
        p.body
            .contains("u kijkt mee als ouder met gezag, tot en met "),
        "{}",
        p.body
    );
    assert!(!p.body.contains("value=\"oldchild/rep-parent-17\""));
    // Opening the child's record: every page says whose record it is and in which role.
    let p = c.open("child/rep-parent").await;
    assert_eq!(p.location.as_deref(), Some("/overzicht"));
    let p = c.get("/overzicht").await;
    // Issue 18 item 3: a banner names whose record, in which role, and until when; texts
    // name the child instead of "u".
    assert!(
        p.body
            .contains("<strong>U bekijkt het dossier van Kees Kind</strong>"),
        "{}",
        p.body
    );
    assert!(p.body.contains("U kijkt mee als ouder met gezag."));
    assert!(p.body.contains("Dat kan tot en met "));
    let m = c.get("/medicijnen").await;
    assert!(
        m.body.contains("<h2>Medicijnen die Kees nu gebruikt</h2>"),
        "{}",
        m.body
    );
    assert!(!m.body.contains("Medicijnen die u nu gebruikt"));
    let l = c.get("/logboek").await;
    assert!(
        l.body
            .contains("<h1>Wie heeft het dossier van Kees bekeken</h1>")
    );
    assert!(
        l.body
            .contains(">Wie heeft het dossier van Kees bekeken</a>"),
        "the menu too"
    );
    assert!(p.body.contains("Suikerziekte KIND"));
    assert!(!p.body.contains("Suikerziekte VOLWASSEN"));
    // Switching back to her own record.
    c.open("adult").await;
    let p = c.get("/overzicht").await;
    assert!(
        p.body
            .contains("Dossier van <strong>Anna Volwassen</strong>")
    );
    assert!(p.body.contains("Suikerziekte VOLWASSEN"));

    // A carer with no record of their own goes straight to the one record they may open.
    let mut carer = app.client();
    carer.login("carla").await;
    let p = carer.get("/kiezen").await;
    assert_eq!(p.location.as_deref(), Some("/overzicht"));
    let p = carer.get("/overzicht").await;
    assert!(p.body.contains("Otto Oudere"));
    assert!(p.body.contains("gemachtigde"));
}

async fn no_record_of_another_patient_through_any_route(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    // Someone else's record, in the form that chooses: refused, nothing opened.
    for key in [
        "other",
        "teen",
        "elder/rep-carer",
        "child/rep-carer",
        "oldchild/rep-parent-17",
        "child/../other",
        "",
    ] {
        let csrf = c.csrf("/kiezen").await;
        let p = c.post("/kiezen", &[("csrf", &csrf), ("record", key)]).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "record {key:?}");
    }
    assert_eq!(
        c.get("/overzicht").await.location.as_deref(),
        Some("/kiezen")
    );
    c.open("adult").await;
    // Letters of other patients by id: not found.
    for id in ["other-l1", "child-l1", "teen-l1", "../other-l1"] {
        let p = c.get(&format!("/brieven/{id}")).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "letter {id}");
    }
    // Her own letter downloads.
    let p = c.get("/brieven/adult-l1").await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.content_type, "application/pdf");
    assert_eq!(p.bytes, b"%PDF-1.4 letter of VOLWASSEN");
    // No page carries another patient's data, whatever query is added.
    for path in PAGES {
        for suffix in ["", "?patient=other", "?id=other&sort=oud"] {
            let p = c.get(&format!("{path}{suffix}")).await;
            assert_eq!(p.status, StatusCode::OK, "{path}{suffix}");
            assert!(!p.body.contains(OTHER_PATIENT), "{path}{suffix}");
            assert!(!p.body.contains("ANDER"), "{path}{suffix}");
            assert!(!p.body.contains("TIENER"), "{path}{suffix}");
        }
    }
}

async fn r52_hidden_items_reach_no_page_for_any_viewer(app: &TestApp) {
    // (login, record to open, tag that must show)
    let viewers = [
        ("anna", "adult", "VOLWASSEN"),
        ("anna", "child/rep-parent", "KIND"),
        ("tess", "teen", "TIENER"),
        ("carla", "elder/rep-carer", "OUDERE"),
        ("piet", "other", "ANDER"),
    ];
    for (user, key, tag) in viewers {
        let mut c = app.client();
        c.login(user).await;
        c.open(key).await;
        let mut seen = String::new();
        for path in PAGES {
            let p = c.get(path).await;
            assert_eq!(p.status, StatusCode::OK, "{user} {path}");
            for marker in NEVER {
                assert!(!p.body.contains(marker), "{marker} on {path} for {user}");
            }
            if user != "piet" {
                assert!(!p.body.contains(OTHER_PATIENT), "{path} for {user}");
            }
            seen.push_str(&p.body);
        }
        // What the rules allow is there.
        for visible in [
            format!("Suikerziekte {tag}"),
            format!("Conclusie {tag}"),
            format!("Plan {tag}"),
            format!("Metformine {tag}"),
            format!("Penicilline {tag}"),
            format!("Brief internist {tag}"),
            "48 mmol/mol".to_owned(),
            "53 mmol/mol".to_owned(),
            "↑ hoger dan normaal".to_owned(),
        ] {
            assert!(seen.contains(&visible), "{visible} missing for {user}");
        }
        // The result still under review shows only as a placeholder with its date.
        assert!(seen.contains("Er is HbA1c binnengekomen"), "{user}");
        assert!(seen.contains("U kunt de uitslag zien vanaf"), "{user}");
    }
}

/// The body rows of a log page, and its link to older rows (its `&` unescaped).
fn log_rows(body: &str) -> (Vec<String>, Option<String>) {
    let rows = body
        .split("<tr role=\"row\"><th scope=\"row\" role=\"rowheader\">")
        .skip(1)
        .map(|r| r.split("</tr>").next().unwrap().to_owned())
        .collect();
    let older = body
        .split_once("<p><a href=\"/logboek?voor=")
        .map(|(_, rest)| {
            let href = rest
                .split('"')
                .next()
                .unwrap()
                .replace("&#38;", "&")
                .replace("&amp;", "&");
            format!("/logboek?voor={href}")
        });
    (rows, older)
}

/// Issue 21: years of an app's pulls are thousands of log entries; the access log page shows
/// the newest hundred rows and links to older ones, page after page, each row once and in
/// order, the filter and the period kept. Own page views of one visit are never split over two
/// pages: a visit that is row 100 ends the first page whole.
async fn issue21_the_access_log_comes_in_pages_of_older_lines(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    let adult = inzage_domain::PatientId::new("adult").unwrap();
    let now = app.clock.now();
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&chrono_tz::Europe::Amsterdam);
    // Noon of the day a day back, Dutch time: nothing below crosses a midnight.
    let noon = local(now - Duration::days(1))
        .date_naive()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_local_timezone(chrono_tz::Europe::Amsterdam)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let read = |at, user: &str, channel, detail: &str| inzage_store::AuditEvent {
        at,
        event: EventType::Read,
        patient: Some(adult.clone()),
        user: user.into(),
        responsible_user: user.into(),
        role: if channel == Channel::Practice {
            "huisarts"
        } else {
            "patient"
        }
        .into(),
        channel,
        request_id: "r".into(),
        detail: detail.into(),
    };
    let practice = |at| read(at, "staff:gp", Channel::Practice, "practice: record");
    // Oldest first: 5 reads by the practice 40 days ago, 132 of yesterday morning, a visit of
    // Anna's of four pages, and 98 more reads: each read a minute apart and a row of its own.
    let mut events = vec![];
    for i in 0..5 {
        events.push(practice(
            noon - Duration::days(40) - Duration::minutes(5 - i),
        ));
    }
    for i in 0..132 {
        events.push(practice(noon - Duration::minutes(240 - i)));
    }
    for (i, page) in ["overview", "episodes", "medication", "allergies"]
        .into_iter()
        .enumerate()
    {
        events.push(read(
            noon - Duration::minutes(104) + Duration::minutes(i as i64),
            "idp:anna",
            Channel::Portal,
            &format!("portal: {page}"),
        ));
    }
    for i in 0..98 {
        events.push(practice(noon - Duration::minutes(98 - i)));
    }
    // The practice's rows as the pages must show them, newest first (their time of day).
    let expected = |since: Option<chrono::DateTime<chrono::Utc>>| -> Vec<String> {
        events
            .iter()
            .rev()
            .filter(|e| e.channel == Channel::Practice && since.is_none_or(|t| e.at >= t))
            .map(|e| format!("{}</th>", local(e.at).format("%H:%M")))
            .collect()
    };
    for e in &events {
        app.store.append_audit(e.clone()).await.unwrap();
    }
    // A mark that is not a positive number shows the first page.
    for mark in ["abc", "", "0", "-5", "99999999999999999999"] {
        let p = c.get(&format!("/logboek?voor={mark}")).await;
        assert_eq!(p.status, StatusCode::OK, "{mark}");
        let rows = log_rows(&p.body).0;
        assert_eq!(rows.len(), 100, "{mark}");
        assert!(rows[0].contains("Bekeken: "), "{mark}: {}", rows[0]);
    }
    let month = Some(now - Duration::days(31));
    for (first, kept, since) in [
        ("/logboek", "", None),
        ("/logboek?wie=praktijk", "&wie=praktijk", None),
        ("/logboek?periode=maand", "&periode=maand", month),
    ] {
        let mut pages = vec![];
        let mut next = Some(first.to_owned());
        while let Some(path) = next {
            let p = c.get(&path).await;
            assert_eq!(p.status, StatusCode::OK, "{path}");
            let (rows, older) = log_rows(&p.body);
            if let Some(o) = &older {
                assert!(o.ends_with(kept), "the filter is kept: {o}");
            }
            pages.push(rows);
            next = older;
            assert!(pages.len() <= 5, "pages without end");
        }
        let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
        assert!(sizes.len() >= 3, "{first}: {sizes:?}");
        assert!(
            sizes[..sizes.len() - 1].iter().all(|n| *n == 100),
            "{first}: {sizes:?}"
        );
        let all: Vec<String> = pages.concat();
        // Each of the practice's reads once, in order, newest first.
        let practice: Vec<&String> = all
            .iter()
            .filter(|r| r.contains("Medewerker van de praktijk (huisarts)"))
            .collect();
        let want = expected(since);
        assert_eq!(practice.len(), want.len(), "{first}");
        for (row, time) in practice.iter().zip(&want) {
            assert!(
                row.contains(time.as_str()),
                "{first}: {row} is not at {time}"
            );
        }
        let visits: Vec<&String> = all.iter().filter(|r| r.contains("Bekeken: ")).collect();
        if kept == "&wie=praktijk" {
            assert!(visits.is_empty(), "only the practice's rows");
            continue;
        }
        // This visit first; Anna's visit of yesterday whole, as the first page's last row.
        assert_eq!(visits.len(), 2, "{first}: {visits:?}");
        assert!(pages[0][0].contains("Bekeken: "));
        assert!(
            pages[0][99]
                .contains("Bekeken: Overzicht, Ziektes en klachten, Medicijnen, Allergieën"),
            "{first}: {}",
            pages[0][99]
        );
    }
}

async fn r103_every_page_view_is_audited_once_with_all_fields(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("child/rep-parent").await;
    for path in PAGES {
        let before = app.audit_count().await;
        c.get(path).await;
        assert_eq!(app.audit_count().await, before + 1, "{path}");
    }
    let before = app.audit_count().await;
    c.get("/brieven/child-l1").await;
    assert_eq!(app.audit_count().await, before + 1, "letter download");
    let child = inzage_domain::PatientId::new("child").unwrap();
    let entries = app.store.audit_for_patient(&child).await.unwrap();
    let portal: Vec<_> = entries
        .iter()
        .filter(|e| e.event.channel == Channel::Portal)
        .collect();
    assert_eq!(portal.len(), PAGES.len() + 1);
    for e in &portal {
        assert_eq!(e.event.user, "idp:anna");
        assert_eq!(e.event.responsible_user, "idp:anna");
        assert_eq!(e.event.role, "representative:rep-parent");
        assert!(!e.event.request_id.is_empty());
        assert!(e.event.detail.starts_with("portal: "));
    }
    assert_eq!(portal.last().unwrap().event.event, EventType::Export);
    // Each request has its own id, which the response carries too.
    let mut ids: Vec<&str> = portal.iter().map(|e| e.event.request_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), portal.len());
    // The access log page shows them, in Dutch, to whoever may open the record (issue 18
    // item 6): her own page views of this visit fold into one line naming the pages; the
    // download is a line of its own; no event codes.
    let p = c.get("/logboek").await;
    assert!(
        p.body
            .contains("Bekeken: Overzicht, Ziektes en klachten, Medicijnen, Allergieën"),
        "{}",
        p.body
    );
    // The download stands between the pages and this log: two lines of views around it.
    assert_eq!(p.body.matches("Bekeken: ").count(), 2, "{}", p.body);
    assert!(p.body.contains("Kopie gemaakt of gedownload"));
    assert!(!p.body.contains("portal: "), "no internal detail");
    // Filters: only the practice (the record's creation, none of her views), only apps
    // (none), only me, and the period.
    let p = c.get("/logboek?wie=praktijk").await;
    assert!(p.body.contains("Gegevens vastgelegd"), "{}", p.body);
    assert!(!p.body.contains("Bekeken: "));
    assert!(p.body.contains("<option value=\"praktijk\" selected>"));
    let p = c.get("/logboek?wie=apps").await;
    assert!(p.body.contains("Er is niets gevonden voor deze keuze."));
    let p = c.get("/logboek?wie=ik&periode=maand").await;
    assert!(p.body.contains("Bekeken: "));
    assert!(p.body.contains("Alles laten zien"));
    app.clock.advance(Duration::days(40));
    let mut later = app.client();
    later.login("anna").await;
    later.open("child/rep-parent").await;
    let p = later.get("/logboek?periode=maand").await;
    assert!(
        p.body.contains("<option value=\"maand\" selected>"),
        "{}",
        p.body
    );
    assert!(
        !p.body.contains("Kopie gemaakt of gedownload"),
        "older than a month"
    );
    assert!(
        later
            .get("/logboek")
            .await
            .body
            .contains("Kopie gemaakt of gedownload")
    );
    // Her own record's log shows her views as her own.
    later.open("adult").await;
    later.get("/overzicht").await;
    assert!(later.get("/logboek").await.body.contains("U zelf"));
    assert!(app.store.verify_audit_chain().await.unwrap().is_ok());
}

async fn new_since_last_visit_is_marked(app: &TestApp) {
    let mut c = app.client();
    c.login("tess").await;
    c.open("teen").await;
    // First visit: nothing is "new" because there is no earlier visit.
    let p = c.get("/overzicht").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains("class=\"new\""));
    // A later login, after the practice added a letter.
    app.clock.advance(Duration::hours(1));
    let teen = inzage_domain::PatientId::new("teen").unwrap();
    let mut r = app.store.load_record(&teen).await.unwrap().unwrap();
    let mut letter = r.letters[0].clone();
    letter.id = inzage_domain::LetterId::new("teen-l2").unwrap();
    letter.title = "Nieuwe brief".into();
    let by = letter.meta.created_by().clone();
    letter.meta.set_created(by, app.clock.now());
    r.letters.push(letter);
    let audit = inzage_store::AuditEvent {
        at: app.clock.now(),
        event: EventType::Update,
        patient: Some(teen.clone()),
        user: "gp".into(),
        responsible_user: "gp".into(),
        role: "gp".into(),
        channel: Channel::Practice,
        request_id: "t".into(),
        detail: "letter added".into(),
    };
    app.store.save_record(&r, audit).await.unwrap();
    let mut c = app.client();
    c.login("tess").await;
    c.open("teen").await;
    let p = c.get("/overzicht").await;
    assert!(p.body.contains("Nieuwe brief"), "{}", p.body);
    assert!(p.body.contains("class=\"new\""));
    assert!(p.body.contains("sinds uw vorige bezoek"));
}

async fn glossary_explains_codes_and_abbreviations(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    let p = c.get("/ziektes").await;
    // T90 in plain words, and the abbreviations in the plan line.
    assert!(p.body.contains("Wat betekent dit?"));
    assert!(p.body.contains("<dt lang=\"nl\">RR</dt>"), "{}", p.body);
    assert!(p.body.contains("<dt lang=\"nl\">z.n.</dt>"));
    let p = c.get("/uitslagen").await;
    assert!(
        p.body.contains("<svg"),
        "a trend chart for two or more values"
    );
    assert!(
        p.body.contains("<table class=\"stack\""),
        "and the table alternative"
    );
}

/// Issue 18 item 10: headings in order on /ziektes (no h3 before an h2), each "Klopt er iets
/// niet?" link says which item it is about, and the GP's Dutch text stays marked Dutch when
/// the page is in English.
async fn issue18_headings_link_names_and_the_records_language(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    for path in [
        "/ziektes",
        "/medicijnen",
        "/allergieen",
        "/uitslagen",
        "/overzicht",
    ] {
        let p = c.get(path).await;
        let mut level = 1;
        for part in p.body.split("<h").skip(1) {
            let Some(n) = part.chars().next().and_then(|c| c.to_digit(10)) else {
                continue;
            };
            assert!(n <= level + 1, "{path}: h{n} after h{level}");
            level = n;
        }
        let links = p.body.matches("href=\"/correcties/nieuw?").count();
        let named = p
            .body
            .matches(">Klopt er iets niet?<span class=\"visually-hidden\"> (")
            .count();
        assert_eq!(
            links, named,
            "{path}: a correction link without its item's name"
        );
    }
    assert!(
        c.get("/ziektes")
            .await
            .body
            .contains("Klopt er iets niet?<span")
    );
    let csrf = c.csrf("/ziektes").await;
    c.post(
        "/taal",
        &[("csrf", &csrf), ("lang", "en"), ("back", "/ziektes")],
    )
    .await;
    let p = c.get("/ziektes").await;
    assert!(p.body.contains("<html lang=\"en\" dir=\"ltr\">"));
    assert!(
        p.body.contains("<h3 lang=\"nl\">"),
        "the GP's titles stay Dutch"
    );
    assert!(p.body.contains("<p class=\"text\" lang=\"nl\">"));
}

/// Adds a blood pressure (upper and lower number at one moment) to a record.
fn add_blood_pressure(
    r: &mut inzage_domain::PatientRecord,
    id: &str,
    upper: &str,
    lower: &str,
    at: chrono::DateTime<chrono::Utc>,
) {
    use inzage_domain::codes::{Nhg45Code, Ucum};
    use inzage_domain::{Decimal, ReferenceRange, ResultId, ResultKind, ResultValue};
    for (code, name, value, high) in [
        ("1744", "systolische bloeddruk", upper, "140"),
        ("1740", "diastolische bloeddruk", lower, "90"),
    ] {
        let mut x = r.results[0].clone();
        x.id = ResultId::new(format!("{id}-{code}")).unwrap();
        x.kind = ResultKind::D;
        x.code = Nhg45Code::parse(code).unwrap();
        x.name = name.into();
        x.value = ResultValue::Quantity {
            value: Decimal::parse(value).unwrap(),
            unit: Ucum::parse("mm[Hg]").ok(),
        };
        x.reference_range = Some(Box::new(ReferenceRange {
            low: None,
            high: Decimal::parse(high).ok(),
            text: None,
            kind: None,
        }));
        x.effective = at;
        x.patient_comment = None;
        r.results.push(x);
    }
}

/// Issue 18, item 1: results a patient reads on a phone. A blood pressure is one reading
/// ("133/92 mm Hg") with both numbers in one chart; numbers have a decimal comma; the GP's word
/// for the patient stands with the result; "Laatste uitslagen" holds each test once; every
/// results table turns into cards on a small screen (class "stack", each cell labelled).
async fn issue18_results_read_as_a_patient_reads_them(app: &TestApp) {
    let adult = inzage_domain::PatientId::new("adult").unwrap();
    let mut r = app.store.load_record(&adult).await.unwrap().unwrap();
    let now = app.clock.now();
    add_blood_pressure(&mut r, "bp1", "133", "92", now - Duration::days(3));
    add_blood_pressure(&mut r, "bp2", "128", "84", now - Duration::days(90));
    // A value with decimals, and the GP's comment on the newest HbA1c.
    let mut kreat = r.results[0].clone();
    kreat.id = inzage_domain::ResultId::new("egfr-1").unwrap();
    kreat.code = inzage_domain::codes::Nhg45Code::parse("3583").unwrap();
    kreat.name = "eGFR".into();
    kreat.value = inzage_domain::ResultValue::Quantity {
        value: inzage_domain::Decimal::parse("61.5").unwrap(),
        unit: inzage_domain::codes::Ucum::parse("mL/min/{1.73_m2}").ok(),
    };
    kreat.reference_range = None;
    r.results.push(kreat);
    let newest = r
        .results
        .iter_mut()
        .filter(|x| {
            x.name == "HbA1c" && matches!(x.review, inzage_domain::ReviewState::Released { .. })
        })
        .max_by_key(|x| x.effective)
        .unwrap();
    newest.patient_comment = Some("Iets hoger dan vorige keer, we kijken er samen naar.".into());
    let audit = audit_event(&r, app);
    app.store.save_record(&r, audit).await.unwrap();

    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    let p = c.get("/uitslagen").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("133/92 mm Hg"), "{}", p.body);
    assert!(p.body.contains("128/84 mm Hg"));
    assert!(p.body.contains("&#60; 140/90"), "the normal blood pressure");
    assert!(p.body.contains(">Bloeddruk</h2>"));
    assert!(
        !p.body.contains(">systolische bloeddruk</h2>"),
        "the upper number is not a test of its own"
    );
    assert!(
        p.body.contains("class=\"trend lower\""),
        "both numbers in one chart"
    );
    assert!(p.body.contains("61,5 ml/min/1,73 m²"), "a decimal comma");
    assert!(!p.body.contains("61.5"));
    assert!(p.body.contains("Uw huisarts schrijft:"));
    assert!(p.body.contains("Iets hoger dan vorige keer"));
    assert!(
        p.body.contains("data-label=\"Normaal\""),
        "cells name their column"
    );
    // The chart's axis numbers use the decimal comma too, and no label is tiny.
    assert!(
        !p.body.contains("font-size"),
        "sizes come from the stylesheet"
    );
    // (The labels' size on screen is measured in Chromium by the browser journey.)

    let p = c.get("/overzicht").await;
    let latest = &p.body[p.body.find("id=\"ov-res\"").unwrap()..];
    let latest = &latest[..latest.find("</section>").unwrap()];
    assert_eq!(
        latest.matches("role=\"rowheader\">HbA1c").count(),
        1,
        "each test once, with its newest value: {latest}"
    );
    assert_eq!(latest.matches("role=\"rowheader\">Bloeddruk").count(), 1);
    assert!(latest.contains("133/92 mm Hg"));
    assert!(!latest.contains("128/84"));
    assert!(latest.contains("Iets hoger dan vorige keer"));
    // In English the numbers have a decimal point.
    let csrf = c.csrf("/uitslagen").await;
    c.post(
        "/taal",
        &[("csrf", &csrf), ("lang", "en"), ("back", "/uitslagen")],
    )
    .await;
    let p = c.get("/uitslagen").await;
    assert!(
        p.body.contains("61.5 ml/min/1,73 m²"),
        "{}",
        &p.body[..2000.min(p.body.len())]
    );
    assert!(p.body.contains(">Blood pressure</h2>"));
}

async fn language_can_be_switched(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    let csrf = c.csrf("/overzicht").await;
    let p = c
        .post(
            "/taal",
            &[("csrf", &csrf), ("lang", "en"), ("back", "/overzicht")],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/overzicht"));
    let p = c.get("/overzicht").await;
    assert!(p.body.contains("<html lang=\"en\" dir=\"ltr\">"));
    assert!(p.body.contains("Overview"));
    // Only our own pages as a way back.
    let p = c
        .post(
            "/taal",
            &[("csrf", &csrf), ("lang", "nl"), ("back", "//evil.example")],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/"));
}

async fn logout_ends_the_session(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    let csrf = c.csrf("/overzicht").await;
    let p = c.post("/uitloggen", &[("csrf", &csrf)]).await;
    assert_eq!(p.location.as_deref(), Some("/"));
    assert_eq!(
        c.get("/overzicht").await.location.as_deref(),
        Some("/inloggen")
    );
}

async fn revoked_access_takes_effect_at_once(app: &TestApp) {
    let mut c = app.client();
    c.login("carla").await;
    assert_eq!(
        c.get("/kiezen").await.location.as_deref(),
        Some("/overzicht")
    );
    assert_eq!(c.get("/overzicht").await.status, StatusCode::OK);
    let elder = inzage_domain::PatientId::new("elder").unwrap();
    let mut r = app.store.load_record(&elder).await.unwrap().unwrap();
    r.representations[0].revoked_at = Some(app.clock.now());
    let audit = inzage_store::AuditEvent {
        at: app.clock.now(),
        event: EventType::Update,
        patient: Some(elder.clone()),
        user: "gp".into(),
        responsible_user: "gp".into(),
        role: "gp".into(),
        channel: Channel::Practice,
        request_id: "t".into(),
        detail: "authorisation revoked".into(),
    };
    app.store.save_record(&r, audit).await.unwrap();
    app.clock.advance(Duration::seconds(1));
    assert_eq!(
        c.get("/overzicht").await.location.as_deref(),
        Some("/kiezen")
    );
    let p = c.get("/kiezen").await;
    assert!(p.body.contains("Uw toegang is stopgezet"), "{}", p.body);
    assert!(!p.body.contains("name=\"record\""));
}

async fn login_routes_are_rate_limited(app: &TestApp) {
    let mut c = app.client();
    let mut limited = false;
    for _ in 0..10 {
        let p = c.password("anna", "wrong").await;
        if p.status == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            break;
        }
    }
    assert!(limited, "the login form must be rate limited per address");
}

async fn passkey_calls_are_guarded(app: &TestApp) {
    let mut c = app.client();
    // Before login: no registration, and no passkey step without a password step.
    let p = c.post_json("/passkey/registreren/start", "x", "{}").await;
    assert_eq!(p.location.as_deref(), Some("/inloggen"));
    let csrf = c.csrf("/inloggen").await;
    let p = c.post_json("/inloggen/passkey/start", &csrf, "{}").await;
    assert_eq!(p.location.as_deref(), Some("/inloggen"));
    // After the password step, an account without passkeys is not offered one.
    c.password("anna", PASSWORD).await;
    let page = c.get("/inloggen/code").await;
    assert!(!page.body.contains("data-passkey"));
    let p = c
        .post_json("/inloggen/passkey/start", &csrf_in(&page.body), "{}")
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    c.code(&totp_now(app, "anna")).await;
    // Logged in: a registration starts only with the session's CSRF token in the header.
    let page = c.get("/beveiliging").await;
    assert!(page.body.contains("Passkey toevoegen"));
    let csrf = csrf_in(&page.body);
    let p = c
        .post_json("/passkey/registreren/start", "wrong", "{}")
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = c.post_json("/passkey/registreren/start", &csrf, "{}").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let challenge: serde_json::Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(challenge["publicKey"]["rp"]["id"], "localhost");
    assert!(challenge["publicKey"]["challenge"].as_str().unwrap().len() >= 32);
    // The user handle carries no name or BSN.
    let handle = challenge["publicKey"]["user"]["id"].as_str().unwrap();
    assert!(!handle.contains("anna") && !handle.contains(BSN_ADULT));
    // A made-up answer is refused and stores nothing.
    let p = c
        .post_json(
            "/passkey/registreren/klaar",
            &csrf,
            r#"{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"attestationObject":"AAAA","clientDataJSON":"AAAA"},"extensions":{}}"#,
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(app.store.passkeys("anna").await.unwrap().is_empty());
}

async fn passkeys_are_off_without_a_public_origin(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    let page = c.get("/beveiliging").await;
    assert!(page.body.contains("biedt nog geen passkeys"));
    let p = c
        .post_json("/passkey/registreren/start", &csrf_in(&page.body), "{}")
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
}

fn production() -> WebConfig {
    WebConfig {
        dev_mode: false,
        ..test_config()
    }
}

fn with_passkeys() -> WebConfig {
    WebConfig {
        public_origin: Some("http://localhost:8080".into()),
        ..test_config()
    }
}

fn rate_limited() -> WebConfig {
    WebConfig {
        login_rate_burst: 3,
        login_rate_period_ms: 60_000,
        ..test_config()
    }
}

both_backends!(
    issue18_headings_link_names_and_the_records_language,
    issue18_results_read_as_a_patient_reads_them,
    r50_r51_password_alone_opens_nothing,
    wrong_password_and_unknown_user_look_the_same,
    lock_out_after_five_failures_for_known_and_unknown_users,
    wrong_and_replayed_codes_are_refused,
    dev_sms_code_logs_in,
    sessions_expire_when_idle_and_after_eight_hours,
    every_form_refuses_a_missing_or_wrong_csrf_token,
    an_unreadable_form_or_query_gets_the_invalid_request_page,
    choosing_whose_record_to_open,
    no_record_of_another_patient_through_any_route,
    r52_hidden_items_reach_no_page_for_any_viewer,
    r103_every_page_view_is_audited_once_with_all_fields,
    issue21_the_access_log_comes_in_pages_of_older_lines,
    new_since_last_visit_is_marked,
    glossary_explains_codes_and_abbreviations,
    language_can_be_switched,
    logout_ends_the_session,
    revoked_access_takes_effect_at_once,
    login_routes_are_rate_limited with super::rate_limited(),
    sms_codes_exist_only_in_development_mode with super::production(),
    passkey_calls_are_guarded with super::with_passkeys(),
    passkeys_are_off_without_a_public_origin,
    hardening_2_every_body_is_capped,
    hardening_9_language_switch_sends_back_to_our_own_pages_only,
    hardening_9_hsts_and_permissions_policy_behind_https,
    hardening_9_plain_http_has_no_hsts with super::plain_http(),
    hardening_9_rate_limits_are_per_client_behind_a_trusted_proxy with super::behind_a_proxy(),
    hardening_9_a_client_cannot_choose_the_audited_request_id,
);

fn behind_a_proxy() -> WebConfig {
    WebConfig {
        login_rate_burst: 3,
        login_rate_period_ms: 60_000,
        trusted_proxies: vec!["10.0.0.5/32".parse().unwrap()],
        ..test_config()
    }
}

/// A login attempt from `peer`, with an `X-Forwarded-For` header when given.
async fn login_attempt(app: &TestApp, peer: &str, forwarded: Option<&str>) -> StatusCode {
    let mut req =
        Request::post("/inloggen").header("content-type", "application/x-www-form-urlencoded");
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let mut req = req
        .body(Body::from("username=anna&password=wrong"))
        .unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo::<std::net::SocketAddr>(
            format!("{peer}:40000").parse().unwrap(),
        ));
    app.app.clone().oneshot(req).await.unwrap().status()
}

/// Hardening finding 9 (issue 22): behind a reverse proxy every user shared the proxy's rate
/// limit. With the proxy trusted, each client behind it has their own; `X-Forwarded-For` from
/// anyone else is ignored (a client cannot pick a fresh key per request).
async fn hardening_9_rate_limits_are_per_client_behind_a_trusted_proxy(app: &TestApp) {
    // Three from one client behind the proxy, then that client is limited...
    for _ in 0..3 {
        assert_ne!(
            login_attempt(app, "10.0.0.5", Some("203.0.113.7")).await,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    assert_eq!(
        login_attempt(app, "10.0.0.5", Some("203.0.113.7")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // ...but not another client behind the same proxy, nor one whose address a client wrote
    // to the left of the proxy's own entry.
    assert_ne!(
        login_attempt(app, "10.0.0.5", Some("203.0.113.8")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login_attempt(app, "10.0.0.5", Some("198.51.100.1, 203.0.113.7")).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the proxy's right-most entry counts, not what the client wrote"
    );
    // A client talking to us directly cannot escape its limit with the header.
    for n in 0..4 {
        let forged = format!("192.0.2.{n}");
        let status = login_attempt(app, "198.51.100.9", Some(&forged)).await;
        assert_eq!(status == StatusCode::TOO_MANY_REQUESTS, n == 3, "{n}");
    }
}

fn plain_http() -> WebConfig {
    WebConfig {
        secure_cookies: false,
        ..test_config()
    }
}

/// Hardening finding 9 (issue 22): `POST /taal back=/\evil.example/` redirected to another site
/// (a browser reads `/\` as `//`).
async fn hardening_9_language_switch_sends_back_to_our_own_pages_only(app: &TestApp) {
    let mut c = app.client();
    let csrf = c.csrf("/inloggen").await;
    for (back, to) in [
        ("/\\evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\/evil.example", "/"),
        ("/ok\\..\\x", "/"),
        ("https://evil.example/", "/"),
        ("/inloggen", "/inloggen"),
        ("/overzicht?tab=1", "/overzicht?tab=1"),
    ] {
        let p = c
            .post("/taal", &[("csrf", &csrf), ("lang", "nl"), ("back", back)])
            .await;
        assert_eq!(p.location.as_deref(), Some(to), "{back}");
    }
}

/// Hardening finding 9 (issue 22): with secure cookies (behind HTTPS) every answer carries HSTS;
/// every answer carries a Permissions-Policy.
async fn hardening_9_hsts_and_permissions_policy_behind_https(app: &TestApp) {
    let res = app
        .app
        .clone()
        .oneshot(Request::get("/inloggen").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    assert!(
        res.headers()["permissions-policy"]
            .to_str()
            .unwrap()
            .contains("camera=()")
    );
}

async fn hardening_9_plain_http_has_no_hsts(app: &TestApp) {
    let res = app
        .app
        .clone()
        .oneshot(Request::get("/inloggen").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(!res.headers().contains_key("strict-transport-security"));
    assert!(res.headers().contains_key("permissions-policy"));
}

/// Hardening finding 9 (issue 22): a client-sent `X-Request-Id` was stored verbatim in the
/// audit log. Ours is always generated; a plain id of the client's is kept after it.
async fn hardening_9_a_client_cannot_choose_the_audited_request_id(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    let id = inzage_domain::PatientId::new("adult").unwrap();
    for (sent, kept) in [
        ("forged-id-123", Some("forged-id-123")),
        ("not plain; drop table", None),
    ] {
        let p = c.get_with("/overzicht", &[("x-request-id", sent)]).await;
        assert_eq!(p.status, StatusCode::OK);
        let last = app
            .store
            .audit_for_patient(&id)
            .await
            .unwrap()
            .pop()
            .unwrap();
        let (ours, theirs) = match last.event.request_id.split_once('+') {
            Some((o, t)) => (o.to_owned(), Some(t.to_owned())),
            None => (last.event.request_id.clone(), None),
        };
        assert_ne!(ours, sent);
        assert_eq!(ours.len(), 16, "{ours}");
        assert_eq!(theirs.as_deref(), kept, "{sent}");
    }
}

/// Hardening finding 2 (issue 22), every route that takes a body: forms take at most 256 KiB
/// (axum's default was 2 MB), the MedMij token endpoint 8 KiB; routes with files keep their own
/// larger caps. A body under the cap is still read.
async fn hardening_2_every_body_is_capped(app: &TestApp) {
    let mut c = app.client();
    let over = "x".repeat(inzage_web::MAX_FORM + 1);
    let under = "x".repeat(inzage_web::MAX_FORM - 1024);
    for path in ["/inloggen", "/praktijk/inloggen", "/taal"] {
        let csrf = c.csrf("/inloggen").await;
        let p = c.post(path, &[("csrf", &csrf), ("username", &over)]).await;
        assert_eq!(
            p.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{path}: {}",
            p.body
        );
    }
    let csrf = c.csrf("/inloggen").await;
    let p = c
        .post(
            "/inloggen",
            &[("csrf", &csrf), ("username", &under), ("password", "x")],
        )
        .await;
    assert_ne!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    let token_form = format!(
        "grant_type=authorization_code&code={}",
        "x".repeat(8 * 1024)
    );
    let p = c
        .post_with(
            "/medmij/token",
            &[("content-type", "application/x-www-form-urlencoded")],
            &token_form,
        )
        .await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", p.body);
    // A message with an attachment (5 MB cap) still goes past the form cap.
    c.login("anna").await;
    c.open("adult").await;
    let csrf = c.csrf("/berichten").await;
    let pdf = [b"%PDF-1.4 ".as_slice(), &vec![b'x'; 400 * 1024]].concat();
    let p = c
        .post_multipart(
            "/berichten",
            &[
                ("csrf", &csrf),
                ("onderwerp", "Vraag"),
                ("vraag", "Zie bijlage"),
            ],
            ("bijlage", "brief.pdf", &pdf),
        )
        .await;
    assert_ne!(p.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", p.body);
    assert!(p.status.is_redirection(), "{}: {}", p.status, p.body);
}
