//! Issue 17: the portal in Dutch, English, Arabic (right to left), Turkish and Polish, on both
//! backends. The language comes from the browser on a first visit, from the switch on every
//! page, and is kept for the account (next login, e-mails). Every page a patient reads renders
//! in every language without a missing text; the GP's own words stay Dutch, marked as such,
//! with the explanations in the reader's language.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use axum::http::StatusCode;
use inzage_domain::{Bsn, PatientId};
use inzage_store::{MessageStore, NotifyStore, RecordStore, ThreadStatus};
use inzage_webkit::glossary::Glossary;
use inzage_webkit::i18n::{LANGUAGES, Tr};
use support::*;

/// The pages of one's own record and everything around it.
const PATIENT_PAGES: [&str; 16] = [
    "/overzicht",
    "/ziektes",
    "/medicijnen",
    "/allergieen",
    "/uitslagen",
    "/brieven",
    "/kopie",
    "/berichten",
    "/herhaalrecept",
    "/afspraken",
    "/correcties",
    "/gegevens",
    "/logboek",
    "/apps-met-toegang",
    "/meldingen",
    "/uitslagen-moment",
];

async fn choose(c: &mut Client<'_>, lang: &str, back: &str) -> Page {
    let csrf = c.csrf(back).await;
    c.post("/taal", &[("csrf", &csrf), ("lang", lang), ("back", back)])
        .await
}

/// Escapes text as askama writes it into HTML.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

fn opening(code: &str) -> String {
    let dir = if code == "ar" { "rtl" } else { "ltr" };
    format!("<html lang=\"{code}\" dir=\"{dir}\">")
}

async fn issue17_the_browser_language_answers_a_first_visit(app: &TestApp) {
    for (accept, code) in [
        ("ar-MA,ar;q=0.9,fr;q=0.8", "ar"),
        ("tr-TR,tr;q=0.9", "tr"),
        ("pl-PL,pl;q=0.9,en;q=0.5", "pl"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9", "nl"),
    ] {
        let mut c = app.client();
        let p = c
            .get_with(
                "/inloggen",
                &[("accept", "text/html,*/*"), ("accept-language", accept)],
            )
            .await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(
            p.body.contains(&opening(code)),
            "{accept}: {}",
            &p.body[..200]
        );
        assert!(
            p.body.contains(&html(&Tr::new(code).t("app-name"))),
            "{accept}"
        );
        // The next page without the header stays in that language (it is in the session).
        let p = c.get("/inloggen").await;
        assert!(p.body.contains(&opening(code)), "{accept}");
    }
    // A choice wins over the browser.
    let mut c = app.client();
    c.get_with(
        "/inloggen",
        &[("accept", "text/html"), ("accept-language", "tr")],
    )
    .await;
    choose(&mut c, "pl", "/inloggen").await;
    let p = c
        .get_with(
            "/inloggen",
            &[("accept", "text/html"), ("accept-language", "tr")],
        )
        .await;
    assert!(p.body.contains(&opening("pl")));
}

async fn issue17_the_chosen_language_is_kept_for_the_account(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    let p = choose(&mut c, "ar", "/overzicht").await;
    assert_eq!(p.location.as_deref(), Some("/overzicht"));
    let p = c.get("/overzicht").await;
    assert!(p.body.contains(&opening("ar")));
    assert!(p.body.contains(&html(&Tr::new("ar").t("nav-overview"))));
    let bsn = Bsn::parse(BSN_ADULT).unwrap();
    assert_eq!(
        app.store.person_language(&bsn).await.unwrap().as_deref(),
        Some("ar")
    );
    // Another browser, another day: after login the portal is Arabic again.
    let mut other = app.client();
    other.login("anna").await;
    other.open("adult").await;
    let p = other.get("/overzicht").await;
    assert!(p.body.contains(&opening("ar")), "{}", &p.body[..200]);
    // A choice made before logging in is kept for an account without one.
    let mut c = app.client();
    choose(&mut c, "tr", "/inloggen").await;
    c.login("tess").await;
    let tess = app
        .store
        .person_language(&Bsn::parse(BSN_TEEN).unwrap())
        .await
        .unwrap();
    assert_eq!(tess.as_deref(), Some("tr"));
    // So is the language a browser asked for, for someone who reads the portal in it.
    let mut c = app.client();
    c.get_with(
        "/inloggen",
        &[("accept", "text/html"), ("accept-language", "pl-PL,pl")],
    )
    .await;
    c.login("carla").await;
    let carla = app
        .store
        .person_language(&Bsn::parse(BSN_CARER).unwrap())
        .await
        .unwrap();
    assert_eq!(carla.as_deref(), Some("pl"));
    // Staff pages offer only Dutch and English: an Arabic session reads them in Dutch.
    let staff = seed_staff(app).await;
    let mut gp = as_staff(app, &staff, "gp").await;
    choose(&mut gp, "ar", "/praktijk").await;
    let p = gp.get("/praktijk").await;
    assert!(p.body.contains(&opening("nl")));
    assert!(!p.body.contains("value=\"ar\""));
}

async fn issue17_every_patient_page_renders_in_every_language(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    for (code, _) in LANGUAGES {
        choose(&mut c, code, "/overzicht").await;
        for path in PATIENT_PAGES {
            let p = c.get(path).await;
            assert_eq!(p.status, StatusCode::OK, "{code} {path}");
            assert!(p.body.contains(&opening(code)), "{code} {path}");
            assert!(
                !p.body.contains("Unknown localization"),
                "{code} {path}: a text is missing"
            );
            // The switch is on every page and offers all five languages.
            for (other, name) in LANGUAGES {
                assert!(
                    p.body
                        .contains(&format!("value=\"{other}\" lang=\"{other}\"")),
                    "{code} {path}: {name} not offered"
                );
            }
            // The menu is in the reader's language.
            assert!(
                p.body.contains(&html(&Tr::new(code).t("nav-episodes"))),
                "{code} {path}"
            );
        }
    }
    // The login and the choice of record too.
    for (code, _) in LANGUAGES {
        let mut c = app.client();
        choose(&mut c, code, "/inloggen").await;
        let p = c.get("/inloggen").await;
        assert!(p.body.contains(&opening(code)));
        assert!(!p.body.contains("Unknown localization"));
    }
}

async fn issue17_the_record_stays_dutch_and_is_explained_in_the_readers_language(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    choose(&mut c, "tr", "/ziektes").await;
    let p = c.get("/ziektes").await;
    let tr = Glossary::for_lang("tr");
    let t90 = tr.icpc("T90").unwrap();
    // The GP's title stays as written, marked Dutch; the code's title and its explanation
    // are Turkish.
    assert!(p.body.contains("<h3 lang=\"nl\">"));
    assert!(p.body.contains(&html(&t90.title)), "{}", p.body);
    assert!(p.body.contains(&html(&t90.plain)));
    assert!(
        !p.body
            .contains(&html(&Glossary::dutch().icpc("T90").unwrap().plain))
    );
    // Abbreviations in the GP's notes: the term as written (Dutch), the meaning in Turkish.
    assert!(p.body.contains("<dt lang=\"nl\">RR</dt>"));
    assert!(p.body.contains(&html(&tr.term("RR").unwrap().plain)));
    // Results: the lab's Dutch name, the test explained in Polish, numbers as Polish writes
    // them, dates with the Polish month.
    choose(&mut c, "pl", "/uitslagen").await;
    let p = c.get("/uitslagen").await;
    let hba1c = Glossary::for_lang("pl").lab("2307").unwrap();
    assert!(p.body.contains(&html(&hba1c.plain)), "{}", p.body);
    assert!(p.body.contains(&html(&hba1c.name)));
    let record = app
        .store
        .load_record(&PatientId::new("adult").unwrap())
        .await
        .unwrap()
        .unwrap();
    let dates: Vec<String> = record
        .results
        .iter()
        .map(|r| Tr::new("pl").date(inzage_domain::time::local_date(r.effective)))
        .collect();
    assert!(dates.iter().any(|d| p.body.contains(d)), "{dates:?}");
    // Arabic: right to left, the values and codes kept left to right.
    choose(&mut c, "ar", "/uitslagen").await;
    let p = c.get("/uitslagen").await;
    assert!(p.body.contains(&opening("ar")));
    assert!(p.body.contains("class=\"value\""));
    let css = c.get("/static/portal.css").await.body;
    assert!(css.contains("[dir=\"rtl\"] .value"));
    assert!(!css.contains("border-left") && !css.contains("text-align: left"));
}

async fn issue17_e_mails_are_written_in_the_persons_language(app: &TestApp) {
    let mut anna = app.client();
    anna.login("anna").await;
    anna.open("adult").await;
    choose(&mut anna, "tr", "/meldingen").await;
    let csrf = anna.csrf("/meldingen").await;
    let p = anna
        .post(
            "/meldingen",
            &[
                ("csrf", &csrf),
                ("email", "anna@example.org"),
                ("soort", "reply"),
            ],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/meldingen?opgeslagen=true"));
    let csrf = anna.csrf("/berichten").await;
    anna.post(
        "/berichten",
        &[
            ("csrf", &csrf),
            ("onderwerp", "Soru"),
            ("vraag", "Ilaçlarım hakkında bir sorum var"),
        ],
    )
    .await;
    let thread = app
        .store
        .threads(&PatientId::new("adult").unwrap())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(thread.status, ThreadStatus::Waiting);
    let staff = seed_staff(app).await;
    let mut gp = as_staff(app, &staff, "gp").await;
    let url = format!("/praktijk/patienten/adult/berichten/{}", thread.id);
    let csrf = gp.csrf("/praktijk").await;
    let p = gp
        .post(&url, &[("csrf", &csrf), ("tekst", "Komt u maar langs.")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let jobs = app.store.notify_jobs().await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].lang, "tr");
    let notifier =
        inzage_webkit::notify::Notifier::new(app.store.clone(), app.clock.clone(), &test_config())
            .unwrap()
            .unwrap();
    notifier.deliver_due().await.unwrap();
    let mail = app.store.dev_mails().await.unwrap().remove(0);
    let turkish = Tr::new("tr");
    let practice = app
        .store
        .load_record(&PatientId::new("adult").unwrap())
        .await
        .unwrap()
        .unwrap()
        .practice
        .name;
    assert_eq!(
        mail.subject,
        turkish.t1("mail-subject", "practice", &practice)
    );
    assert!(
        mail.body.starts_with(&turkish.t("mail-greeting")),
        "{}",
        mail.body
    );
    // The Dutch text follows, so the e-mail is recognisably the practice's.
    assert!(
        mail.body
            .contains("Er staat nieuwe informatie voor u klaar")
    );
    assert!(!mail.body.contains("Komt u maar langs") && !mail.body.contains("Ilaç"));
}

async fn issue17_error_pages_speak_the_readers_language(app: &TestApp) {
    let mut c = app.client();
    choose(&mut c, "pl", "/inloggen").await;
    let p = c.get("/bestaat-niet").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.body.contains(&opening("pl")), "{}", p.body);
    assert!(p.body.contains(&html(&Tr::new("pl").t("error-not-found"))));
    choose(&mut c, "ar", "/inloggen").await;
    let p = c.get("/bestaat-niet").await;
    assert!(p.body.contains(&opening("ar")));
    assert!(p.body.contains(&html(&Tr::new("ar").t("error-home"))));
    // Without a choice, Dutch.
    let p = app.client().get("/bestaat-niet").await;
    assert!(p.body.contains(&opening("nl")) && p.body.contains("Deze pagina bestaat niet."));
}

async fn issue17_the_copy_is_made_in_the_readers_language(app: &TestApp) {
    let mut c = app.client();
    c.login("anna").await;
    c.open("adult").await;
    for lang in ["tr", "pl"] {
        choose(&mut c, lang, "/kopie").await;
        let csrf = c.csrf("/kopie").await;
        let p = c
            .post(
                "/kopie",
                &[
                    ("csrf", &csrf),
                    ("selectie", "samenvatting"),
                    ("formaat", "pdf"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        let text = pdf_extract::extract_text_from_mem(&p.bytes).unwrap();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let w = inzage_copy::Words::new(lang);
        for key in ["pdf-cover-title", "pdf-selection-summary", "pdf-contents"] {
            let words = w.t(key).split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(text.contains(&words), "{lang}: {key}");
        }
        assert!(!text.contains("Kopie van uw medisch dossier"), "{lang}");
    }
}

both_backends!(
    issue17_the_copy_is_made_in_the_readers_language,
    issue17_error_pages_speak_the_readers_language,
    issue17_the_browser_language_answers_a_first_visit,
    issue17_the_chosen_language_is_kept_for_the_account,
    issue17_every_patient_page_renders_in_every_language,
    issue17_the_record_stays_dutch_and_is_explained_in_the_readers_language,
    issue17_e_mails_are_written_in_the_persons_language,
);
