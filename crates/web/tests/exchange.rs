//! Sharing with other providers (issue 20, R113-R118) end to end on both backends: the patient's
//! choice in the portal and at the desk, a huisartsenpost's system fetching the professional
//! summary with a FHIR client we did not write (fhir-kit-client, `tools/fhir-client/hap.mjs`),
//! only while the patient's "yes" holds or after a declared emergency, the GP's exclusions, the
//! practice's review of emergencies, and the patient's access log showing every fetch.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use axum::http::StatusCode;
use inzage_domain::exchange::{ConsentAnswer, ConsentMethod, DataCategory, ProviderCategory};
use inzage_domain::{Clock, PatientId};
use inzage_store::{BlockStore, EventType, ExchangeStore, RecordStore};
use serde_json::Value;
use support::*;

const HAP: &str = "Huisartsenpost Midden-Stad";

/// The huisartsenpost: its registration, and a way to run its client against a live server.
struct Hap {
    id: String,
    secret: String,
    origin: String,
    /// The server this system talks to; `None` for a second system on the first one's server.
    server: Option<tokio::task::JoinHandle<()>>,
}

impl Hap {
    /// None (with a message) when Node or the client is missing and not required.
    async fn start(app: &TestApp) -> Option<Self> {
        let tools = tools();
        let node = std::process::Command::new("node")
            .arg("--version")
            .output()
            .is_ok();
        if !node || !tools.join("node_modules/fhir-kit-client").is_dir() {
            assert!(
                std::env::var("INZAGE_REQUIRE_NODE_TOOLS").is_err(),
                "fhir-kit-client is required but not installed (npm ci --prefix tools/fhir-client)"
            );
            eprintln!("SKIPPED: node or tools/fhir-client/node_modules missing");
            return None;
        }
        let (id, secret) = inzage_exchange::register_client(
            &app.store,
            HAP,
            ProviderCategory::Hap,
            app.clock.now(),
        )
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let router = app.app.clone();
        let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Some(Self {
            id,
            secret,
            origin,
            server: Some(server),
        })
    }

    /// Another provider system, registered now, talking to the same server.
    async fn another(&self, app: &TestApp, name: &str, category: ProviderCategory) -> Self {
        let (id, secret) =
            inzage_exchange::register_client(&app.store, name, category, app.clock.now())
                .await
                .unwrap();
        Self {
            id,
            secret,
            origin: self.origin.clone(),
            server: None,
        }
    }

    /// Runs the client: `{ status, bundle | outcome | token }`.
    async fn fetch(&self, secret: &str, bsn: &str, emergency: Option<&str>) -> Value {
        let mut args = vec![
            tools().join("hap.mjs").display().to_string(),
            self.origin.clone(),
            self.id.clone(),
            secret.to_owned(),
            bsn.to_owned(),
            "dr. W. Waarnemer".to_owned(),
        ];
        args.extend(emergency.map(str::to_owned));
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new("node")
                .args(&args)
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Sends a locum's report about the patient with `bsn`, as `tools/fhir-client/report.mjs`.
    async fn report(&self, bsn: &str, date: &str) -> Value {
        let args = vec![
            tools().join("report.mjs").display().to_string(),
            self.origin.clone(),
            self.id.clone(),
            self.secret.clone(),
            bsn.to_owned(),
            date.to_owned(),
        ];
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new("node")
                .args(&args)
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    async fn summary(&self, bsn: &str) -> Value {
        self.fetch(&self.secret, bsn, None).await
    }
}

impl Drop for Hap {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

fn tools() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/fhir-client")
}

/// The person asks not to share `item` ("episode:<id>") with a hospital.
async fn ask_block(c: &mut Client<'_>, item: &str) -> Page {
    let csrf = c.csrf("/delen").await;
    c.post(
        "/delen/niet-delen",
        &[
            ("csrf", &csrf),
            ("item", item),
            ("aan", "ziekenhuis"),
            ("toelichting", "Liever niet"),
        ],
    )
    .await
}

async fn choose(c: &mut Client<'_>, field: &str, answer: &str) -> Page {
    let csrf = c.csrf("/delen").await;
    c.post("/delen", &[("csrf", &csrf), (field, answer)]).await
}

/// R113-R118 in one story: not asked, yes in the portal, a GP's exclusion, no, and the log.
async fn r113_r116_r118_a_hap_fetches_the_summary_only_while_the_patients_yes_holds(app: &TestApp) {
    let Some(hap) = Hap::start(app).await else {
        return;
    };
    // Not asked: refused, with the way to declare an emergency.
    let got = hap.summary(BSN_ADULT).await;
    assert_eq!(got["status"], 403, "{got}");
    assert!(
        got["outcome"]["issue"][0]["diagnostics"]
            .as_str()
            .unwrap()
            .contains("emergency-reason")
    );

    // The patient says yes for the huisartsenpost in the portal.
    let mut anna = app.client();
    anna.login("anna").await;
    anna.open("adult").await;
    let page = anna.get("/delen").await;
    assert!(
        page.body
            .contains("Mag een andere dokter uw gegevens zien als u met spoed zorg nodig heeft?")
    );
    assert!(page.body.contains("u heeft nog niet gekozen"));
    let saved = choose(&mut anna, "keuze-huisartsenpost", "ja").await;
    assert_eq!(saved.location.as_deref(), Some("/delen?opgeslagen=true"));
    assert!(anna.get("/delen").await.body.contains("Nu: ja"));

    let got = hap.summary(BSN_ADULT).await;
    assert_eq!(got["status"], 200, "{got}");
    assert_eq!(got["fhirVersion"], "3.0.2");
    let bundle = got["bundle"].to_string();
    assert_eq!(got["bundle"]["type"], "collection");
    // What a locum needs: S and O lines of the recent contact, an episode shielded only from
    // the patient's online view; never a work note, an old line, or anyone else.
    for want in [
        "MARKER-S-LINE",
        "MARKER-O-LINE",
        "MARKER-SHIELDED-EPISODE",
        "Metformine VOLWASSEN",
        "Penicilline VOLWASSEN",
        BSN_ADULT,
    ] {
        assert!(bundle.contains(want), "{want} missing from {bundle}");
    }
    for never in [
        "MARKER-WORKNOTE",
        "MARKER-BEFORE-START",
        OTHER_PATIENT,
        "VOLWASSEN-ANDER",
    ] {
        assert!(!bundle.contains(never), "{never} in {bundle}");
    }
    // Another category was not asked: the same patient is not shared with a hospital.
    let hospital = hap
        .another(app, "Ziekenhuis Oost", ProviderCategory::Hospital)
        .await;
    assert_eq!(hospital.summary(BSN_ADULT).await["status"], 403);

    // The GP keeps the medicine out of the summary (R117); online nothing changes.
    let staff = seed_staff(app).await;
    let mut gp = as_staff(app, &staff, "gp").await;
    let csrf = gp.csrf("/praktijk").await;
    let done = gp
        .post(
            "/praktijk/patienten/adult/delen",
            &[
                ("csrf", &csrf),
                ("soort", "medication"),
                ("item", "adult-m1"),
                ("action", "uitsluiten"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let bundle = hap.summary(BSN_ADULT).await["bundle"].to_string();
    assert!(!bundle.contains("Metformine VOLWASSEN") && bundle.contains("MARKER-S-LINE"));
    assert!(
        anna.get("/medicijnen")
            .await
            .body
            .contains("Metformine VOLWASSEN")
    );
    assert!(
        gp.get("/praktijk/patienten/adult")
            .await
            .body
            .contains("niet in waarneemsamenvatting")
    );

    // The patient withdraws: the next fetch is refused, as if the patient were not here, and no
    // emergency opens it.
    choose(&mut anna, "keuze-huisartsenpost", "nee").await;
    let refused = hap.summary(BSN_ADULT).await;
    let unknown = hap.summary("111222333").await;
    assert_eq!(
        (refused["status"].clone(), unknown["status"].clone()),
        (404.into(), 404.into())
    );
    assert_eq!(refused["outcome"], unknown["outcome"]);
    let emergency = hap
        .fetch(&hap.secret, BSN_ADULT, Some("bewusteloos binnengebracht"))
        .await;
    assert_eq!(emergency["status"], 404);

    // The patient's log names the huisartsenpost and what it did, and the choices made.
    let log = anna.get("/logboek").await.body;
    for want in [
        HAP,
        "Heeft uw gegevens bekeken: samenvatting voor een andere dokter",
        "Wilde uw gegevens zien (samenvatting voor een andere dokter). Die zijn niet gedeeld.",
        "Keuze over delen met andere zorgverleners veranderd",
        "Gegevens wel of niet meegegeven aan andere zorgverleners",
        "Ziekenhuis Oost",
    ] {
        assert!(log.contains(want), "{want} missing from the log");
    }
    let filtered = anna.get("/logboek?wie=zorgverleners").await.body;
    assert!(filtered.contains(HAP) && !filtered.contains("Keuze over delen"));
    // Every fetch and every refusal is in the store too.
    let id = PatientId::new("adult").unwrap();
    assert_eq!(app.store.retrievals_of(&id).await.unwrap().len(), 6);
}

/// R114, R115: a patient never asked is shared only on a declared emergency with a reason,
/// which the GP reviews afterwards; the token endpoint refuses what it must.
async fn r114_an_emergency_is_declared_with_a_reason_and_reviewed_afterwards(app: &TestApp) {
    let Some(hap) = Hap::start(app).await else {
        return;
    };
    let short = hap.fetch(&hap.secret, BSN_OTHER, Some("spoed")).await;
    assert_eq!(short["status"], 400);
    let got = hap
        .fetch(
            &hap.secret,
            BSN_OTHER,
            Some("Bewusteloos binnengebracht, medicatie onbekend"),
        )
        .await;
    assert_eq!(got["status"], 200, "{got}");
    assert!(got["bundle"].to_string().contains("ANDER"));
    // A wrong secret gets no token.
    let wrong = hap.fetch("0".repeat(64).as_str(), BSN_OTHER, None).await;
    assert_eq!(wrong["status"], 401);
    assert_eq!(wrong["token"]["error"], "invalid_client");

    let staff = seed_staff(app).await;
    let mut gp = as_staff(app, &staff, "gp").await;
    let queue = gp.get("/praktijk/noodinzage").await;
    assert!(
        queue.body.contains("Piet")
            && queue.body.contains("medicatie onbekend")
            && queue.body.contains(HAP),
        "{}",
        queue.body
    );
    // An assistant does not review emergencies.
    let mut assistant = as_staff(app, &staff, "assistent").await;
    assert_eq!(
        assistant.get("/praktijk/noodinzage").await.status,
        StatusCode::FORBIDDEN
    );
    let waiting = app
        .store
        .emergencies_to_review(&inzage_domain::PracticeId::new("praktijk-test").unwrap())
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1);
    let csrf = csrf_in(&queue.body);
    let no_note = gp
        .post(
            &format!("/praktijk/patienten/other/noodinzage/{}", waiting[0].id),
            &[("csrf", &csrf), ("notitie", " ")],
        )
        .await;
    assert_eq!(no_note.status, StatusCode::BAD_REQUEST);
    let done = gp
        .post(
            &format!("/praktijk/patienten/other/noodinzage/{}", waiting[0].id),
            &[
                ("csrf", &csrf),
                ("notitie", "Terecht: patiënt kwam bewusteloos binnen."),
            ],
        )
        .await;
    assert_eq!(
        done.location.as_deref(),
        Some("/praktijk/noodinzage?nagekeken=true")
    );
    assert!(
        gp.get("/praktijk/noodinzage")
            .await
            .body
            .contains("Er is niets na te kijken.")
    );
    // The patient sees it as an emergency fetch.
    let mut piet = app.client();
    piet.login("piet").await;
    piet.open("other").await;
    let log = piet.get("/logboek").await.body;
    assert!(
        log.contains("Heeft uw gegevens bekeken in een noodgeval"),
        "{log}"
    );
    let entries = app
        .store
        .audit_for_patient(&PatientId::new("other").unwrap())
        .await
        .unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.event.event == EventType::Emergency)
    );

    // The token endpoint: another grant type, no client; the operation without a bearer.
    let mut c = app.client();
    let form = "application/x-www-form-urlencoded";
    let grant = c
        .post_with(
            "/uitwisseling/token",
            &[("content-type", form)],
            &format!(
                "grant_type=password&client_id={}&client_secret={}",
                hap.id, hap.secret
            ),
        )
        .await;
    assert_eq!(grant.status, StatusCode::BAD_REQUEST);
    assert!(grant.body.contains("unsupported_grant_type"));
    let anonymous = c
        .post_with(
            "/uitwisseling/token",
            &[("content-type", form)],
            "grant_type=client_credentials",
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let no_bearer = c
        .get(&format!(
            "/uitwisseling/fhir/Patient/$professional-summary?identifier=http://fhir.nl/fhir/NamingSystem/bsn|{BSN_OTHER}&practitioner=x"
        ))
        .await;
    assert_eq!(no_bearer.status, StatusCode::UNAUTHORIZED);
    assert!(no_bearer.body.contains("OperationOutcome"));
}

/// R115, R116 at the desk and for those acting for a patient: staff record a choice with how
/// it was given; a 14-year-old can only say no online; a carer only reads.
async fn r115_the_desk_records_how_and_others_follow_the_access_rules(app: &TestApp) {
    let staff = seed_staff(app).await;
    let mut gp = as_staff(app, &staff, "gp").await;
    let page = gp.get("/praktijk/patienten/adult/toegang").await;
    assert!(page.body.contains("Andere apotheek"), "{}", page.body);
    let csrf = csrf_in(&page.body);
    // How it was given is required.
    let missing = gp
        .post(
            "/praktijk/patienten/adult/toegang",
            &[
                ("csrf", &csrf),
                ("actie", "delen"),
                ("delen_medicatie_apotheek", "ja"),
                ("wijze", ""),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let done = gp
        .post(
            "/praktijk/patienten/adult/toegang",
            &[
                ("csrf", &csrf),
                ("actie", "delen"),
                ("delen_medicatie_apotheek", "ja"),
                ("delen_samenvatting_ambulance", "nee"),
                ("wijze", "schriftelijk"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let r = app
        .store
        .load_record(&PatientId::new("adult").unwrap())
        .await
        .unwrap()
        .unwrap();
    let choices: Vec<_> = r
        .patient
        .exchange_consent
        .iter()
        .map(|c| (c.data, c.requester, c.answer, c.method))
        .collect();
    assert_eq!(
        choices,
        [
            (
                DataCategory::Summary,
                ProviderCategory::Ambulance,
                ConsentAnswer::No,
                ConsentMethod::Written
            ),
            (
                DataCategory::Medication,
                ProviderCategory::Pharmacy,
                ConsentAnswer::Yes,
                ConsentMethod::Written
            ),
        ]
    );
    let page = gp.get("/praktijk/patienten/adult/toegang").await;
    assert!(page.body.contains("schriftelijk"));
    // The patient sees the desk's choice.
    let mut anna = app.client();
    anna.login("anna").await;
    anna.open("adult").await;
    assert!(anna.get("/delen").await.body.contains("Nu: nee"));

    // A 14-year-old: no is possible online, yes is not.
    let mut tess = app.client();
    tess.login("tess").await;
    tess.open("teen").await;
    assert!(
        tess.get("/delen")
            .await
            .body
            .contains("Ja zeggen doet u samen")
    );
    assert_eq!(
        choose(&mut tess, "keuze-huisartsenpost", "ja").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        choose(&mut tess, "keuze-huisartsenpost", "nee")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // A carer authorised by the patient reads along and changes nothing.
    let mut carla = app.client();
    carla.login("carla").await;
    carla.open("elder/rep-carer").await;
    assert!(
        carla
            .get("/delen")
            .await
            .body
            .contains("De patiënt zelf kiest")
    );
    let before = app
        .store
        .load_record(&PatientId::new("elder").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        choose(&mut carla, "keuze-huisartsenpost", "nee")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let after = app
        .store
        .load_record(&PatientId::new("elder").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before, after);
    // A parent of a 10-year-old decides.
    anna.open("child/rep-parent").await;
    assert_eq!(
        choose(&mut anna, "keuze-ziekenhuis", "ja").await.status,
        StatusCode::SEE_OTHER
    );
}

/// Issue 20 part 3: the patient asks not to share an episode with the hospital; the GP agrees,
/// and from then on a hospital gets the summary without it (its lines too), a huisartsenpost
/// still with it. A request to discuss first leaves everything as it was, with the GP's words.
async fn r117_a_patients_block_request_the_gp_agreed_to_holds_for_that_provider(app: &TestApp) {
    let Some(hap) = Hap::start(app).await else {
        return;
    };
    let hospital = hap
        .another(app, "Ziekenhuis Oost", ProviderCategory::Hospital)
        .await;
    let mut anna = app.client();
    anna.login("anna").await;
    anna.open("adult").await;
    choose(&mut anna, "keuze-huisartsenpost", "ja").await;
    choose(&mut anna, "keuze-ziekenhuis", "ja").await;
    assert!(
        hospital.summary(BSN_ADULT).await["bundle"]
            .to_string()
            .contains("Suikerziekte VOLWASSEN")
    );

    let page = anna.get("/delen").await.body;
    assert!(page.contains("value=\"episode:adult-ep1\""), "{page}");
    // Only what this person sees can be named: not a shielded episode, not someone else's.
    assert!(!page.contains("adult-ep2"));
    assert_eq!(
        ask_block(&mut anna, "episode:adult-ep2").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        ask_block(&mut anna, "episode:other-ep1").await.status,
        StatusCode::BAD_REQUEST
    );
    let sent = ask_block(&mut anna, "episode:adult-ep1").await;
    assert_eq!(
        sent.location.as_deref(),
        Some("/delen?gevraagd=true#niet-delen")
    );
    assert_eq!(
        ask_block(&mut anna, "episode:adult-ep1").await.status,
        StatusCode::CONFLICT
    );
    assert!(
        anna.get("/delen")
            .await
            .body
            .contains("Uw huisarts kijkt ernaar")
    );
    // A carer who only reads along cannot ask.
    let mut carla = app.client();
    carla.login("carla").await;
    carla.open("elder/rep-carer").await;
    let csrf = carla.csrf("/delen").await;
    let refused = carla
        .post(
            "/delen/niet-delen",
            &[
                ("csrf", &csrf),
                ("item", "episode:elder-ep1"),
                ("aan", "ziekenhuis"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let staff = seed_staff(app).await;
    let mut gp = as_staff(app, &staff, "gp").await;
    let queue = gp.get("/praktijk/niet-delen").await;
    assert!(
        queue.body.contains("Suikerziekte VOLWASSEN")
            && queue.body.contains("Ziekenhuis of specialist")
            && queue.body.contains("Liever niet"),
        "{}",
        queue.body
    );
    let id = PatientId::new("adult").unwrap();
    let waiting = app.store.block_requests(&id).await.unwrap();
    let path = format!("/praktijk/patienten/adult/niet-delen/{}", waiting[0].id);
    let csrf = csrf_in(&queue.body);
    let no_words = gp
        .post(
            &path,
            &[("csrf", &csrf), ("actie", "bespreken"), ("antwoord", "")],
        )
        .await;
    assert_eq!(no_words.status, StatusCode::BAD_REQUEST);
    let agreed = gp
        .post(
            &path,
            &[("csrf", &csrf), ("actie", "akkoord"), ("antwoord", "")],
        )
        .await;
    assert_eq!(
        agreed.location.as_deref(),
        Some("/praktijk/niet-delen?verwerkt=true")
    );
    assert_eq!(
        gp.post(&path, &[("csrf", &csrf), ("actie", "akkoord")])
            .await
            .status,
        StatusCode::CONFLICT
    );

    let to_hospital = hospital.summary(BSN_ADULT).await["bundle"].to_string();
    assert!(
        !to_hospital.contains("Suikerziekte VOLWASSEN")
            && !to_hospital.contains("Conclusie VOLWASSEN"),
        "{to_hospital}"
    );
    let to_hap = hap.summary(BSN_ADULT).await["bundle"].to_string();
    assert!(to_hap.contains("Suikerziekte VOLWASSEN") && to_hap.contains("Conclusie VOLWASSEN"));
    // Online nothing changed; the patient reads the answer.
    assert!(
        anna.get("/ziektes")
            .await
            .body
            .contains("Suikerziekte VOLWASSEN")
    );
    assert!(
        anna.get("/delen")
            .await
            .body
            .contains("Afgesproken: dit wordt niet gedeeld")
    );

    // A referral letter made from the record honours the block too: the hospital's letter
    // leaves the episode and what hangs under it out, and keeps the rest.
    let csrf = gp.csrf("/praktijk/patienten/adult/verwijsbrief").await;
    let made = gp
        .post(
            "/praktijk/patienten/adult/verwijsbrief",
            &[
                ("csrf", &csrf),
                ("aan", "Interne geneeskunde, Ziekenhuis Oost"),
                ("vraag", "Graag beoordeling van de nierfunctie."),
                ("episode", ""),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let r = app.store.load_record(&id).await.unwrap().unwrap();
    let letter = r
        .letters
        .iter()
        .find(|l| {
            l.letter_type == inzage_domain::LetterType::ReferralLetter
                && l.direction == inzage_domain::LetterDirection::Outgoing
        })
        .expect("the referral letter is in the record");
    let inzage_domain::LetterContent::Pdf { bytes } = &letter.content else {
        panic!("the letter is a PDF");
    };
    let text = pdf_extract::extract_text_from_mem(bytes).unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Verwijsbrief")
            && flat.contains("Graag beoordeling van de nierfunctie.")
            && flat.contains("Penicilline VOLWASSEN"),
        "{flat}"
    );
    assert!(
        !flat.contains("Suikerziekte VOLWASSEN")
            && !flat.contains("Conclusie VOLWASSEN")
            && !flat.contains("Metformine VOLWASSEN"),
        "{flat}"
    );
    // The letter goes online with the record: nothing the patient may not read is in it.
    for never in NEVER {
        assert!(!flat.contains(never), "{never} in the referral letter");
    }
    // Made only by a GP, and only with a receiver and a question.
    let empty = gp
        .post(
            "/praktijk/patienten/adult/verwijsbrief",
            &[("csrf", &csrf), ("aan", ""), ("vraag", "")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let mut assistant = as_staff(app, &staff, "assistent").await;
    assert_eq!(
        assistant
            .get("/praktijk/patienten/adult/verwijsbrief")
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Discuss first: nothing changes, the patient reads why.
    // A result this person sees, as the form offers it.
    let page = anna.get("/delen").await.body;
    let result = page
        .split("value=\"result:")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    assert_eq!(
        ask_block(&mut anna, &format!("result:{result}"))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let waiting = app.store.block_requests(&id).await.unwrap();
    let request = waiting.iter().find(|b| b.item_id == result).unwrap();
    let before = app.store.load_record(&id).await.unwrap().unwrap();
    let csrf = gp.csrf("/praktijk/niet-delen").await;
    let discuss = gp
        .post(
            &format!("/praktijk/patienten/adult/niet-delen/{}", request.id),
            &[
                ("csrf", &csrf),
                ("actie", "bespreken"),
                ("antwoord", "Laten we even bellen."),
            ],
        )
        .await;
    assert_eq!(discuss.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.load_record(&id).await.unwrap().unwrap(), before);
    let page = anna.get("/delen").await.body;
    assert!(
        page.contains("Uw huisarts wil dit eerst met u bespreken")
            && page.contains("Laten we even bellen.")
    );
    // An assistant does not decide these.
    assert_eq!(
        assistant.get("/praktijk/niet-delen").await.status,
        StatusCode::FORBIDDEN
    );
}

/// The return path: the huisartsenpost's system sends the locum's report of a contact (with
/// fhir-kit-client); it waits at the practice until a GP files it into the record as an
/// out-of-hours contact with its SOEP lines, marked as coming from the huisartsenpost; the
/// patient then sees its E and P lines like any contact's.
async fn issue20_a_locum_report_arrives_and_is_filed_into_the_record(app: &TestApp) {
    let Some(hap) = Hap::start(app).await else {
        return;
    };
    let today = inzage_domain::time::local_date(app.clock.now()).to_string();
    let sent = hap.report(BSN_ADULT, &today).await;
    assert_eq!(sent["status"], 201, "{sent}");
    // Only a huisartsenpost sends these; an unknown patient is not found; a report for the
    // future is refused.
    let pharmacy = hap
        .another(app, "Apotheek Zuid", ProviderCategory::Pharmacy)
        .await;
    assert_eq!(pharmacy.report(BSN_ADULT, &today).await["status"], 403);
    assert_eq!(hap.report("111222333", &today).await["status"], 404);
    let tomorrow =
        (inzage_domain::time::local_date(app.clock.now()) + chrono::Days::new(2)).to_string();
    assert_eq!(hap.report(BSN_ADULT, &tomorrow).await["status"], 400);

    let staff = seed_staff(app).await;
    let mut gp = as_staff(app, &staff, "gp").await;
    let queue = gp.get("/praktijk/waarneemberichten").await;
    assert!(
        queue.body.contains("Pneumonie")
            && queue.body.contains(HAP)
            && queue.body.contains("dr. W. Waarnemer"),
        "{}",
        queue.body
    );
    // The narrative's markup and entities are read as text.
    assert!(
        queue.body.contains("koorts sinds 2 dagen &#38; hoesten"),
        "{}",
        queue.body
    );
    let id = PatientId::new("adult").unwrap();
    let before = app.store.load_record(&id).await.unwrap().unwrap();
    let path = format!(
        "/praktijk/patienten/adult/waarneemberichten/{}",
        sent["id"].as_str().unwrap()
    );
    let csrf = csrf_in(&queue.body);
    let wrong = gp
        .post(&path, &[("csrf", &csrf), ("soort", "03"), ("episode", "")])
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::BAD_REQUEST,
        "only an out-of-hours contact"
    );
    let filed = gp
        .post(
            &path,
            &[("csrf", &csrf), ("soort", "06"), ("episode", "adult-ep1")],
        )
        .await;
    assert_eq!(
        filed.location.as_deref(),
        Some("/praktijk/waarneemberichten?opgenomen=true")
    );
    assert_eq!(
        gp.post(&path, &[("csrf", &csrf), ("soort", "06"), ("episode", "")])
            .await
            .status,
        StatusCode::CONFLICT
    );
    let after = app.store.load_record(&id).await.unwrap().unwrap();
    assert_eq!(after.contacts.len(), before.contacts.len() + 1);
    let lines: Vec<_> = after
        .journal
        .iter()
        .filter(|l| l.text.contains("Pneumonie") || l.text.contains("WAARNEMING"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| matches!(&l.meta.source, inzage_domain::Source::OtherProvider { name } if name.contains(HAP))));
    let e = after
        .journal
        .iter()
        .find(|l| l.text == "Pneumonie")
        .unwrap();
    assert_eq!(
        e.icpc.as_ref().map(|c| c.to_string()).as_deref(),
        Some("R81")
    );
    assert_eq!(e.episode.as_ref().map(|x| x.as_str()), Some("adult-ep1"));
    // The patient sees the E and P lines, never the S and O lines.
    let mut anna = app.client();
    anna.login("anna").await;
    anna.open("adult").await;
    let log = anna.get("/logboek").await.body;
    assert!(
        log.contains("Heeft een verslag gestuurd van uw bezoek"),
        "{log}"
    );
    let page = anna.get("/ziektes").await.body;
    assert!(
        page.contains("Pneumonie") && page.contains("controle eigen huisarts"),
        "{page}"
    );
    assert!(!page.contains("WAARNEMING") && !page.contains("crepitaties"));
    let after_filing = gp
        .get("/praktijk/waarneemberichten?opgenomen=true")
        .await
        .body;
    assert!(
        after_filing.contains("Opgenomen in het dossier") && !after_filing.contains("Pneumonie")
    );
}

/// R112 (NEN 7512: between organisations, each proves who it is): a provider system gets a
/// token only with its own secret, for five minutes; a disabled system's token stops at once;
/// no operation answers without a valid token; only a huisartsenpost sends reports.
async fn r112_a_provider_system_proves_who_it_is_before_any_exchange(app: &TestApp) {
    let (id, secret) =
        inzage_exchange::register_client(&app.store, HAP, ProviderCategory::Hap, app.clock.now())
            .await
            .unwrap();
    let mut c = app.client();
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let token_for = |secret: &str| {
        format!("grant_type=client_credentials&client_id={id}&client_secret={secret}")
    };
    let wrong = c
        .post_with("/uitwisseling/token", &form, &token_for(&"0".repeat(64)))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("invalid_client"));
    let got = c
        .post_with("/uitwisseling/token", &form, &token_for(&secret))
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    let body: Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(
        (body["token_type"].as_str(), body["expires_in"].as_i64()),
        (Some("Bearer"), Some(300))
    );
    let token = body["access_token"].as_str().unwrap().to_owned();
    let summary = format!(
        "/uitwisseling/fhir/Patient/$professional-summary?identifier=http://fhir.nl/fhir/NamingSystem/bsn|{BSN_ADULT}&practitioner=dr.%20W"
    );
    let bearer = format!("Bearer {token}");
    // The token works (the patient was not asked: 403, not 401) ...
    assert_eq!(
        c.get_with(&summary, &[("authorization", &bearer)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // ... not after five minutes ...
    app.clock.advance(chrono::Duration::minutes(6));
    assert_eq!(
        c.get_with(&summary, &[("authorization", &bearer)])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // ... and a disabled system's new token stops at once.
    let again: Value = serde_json::from_str(
        &c.post_with("/uitwisseling/token", &form, &token_for(&secret))
            .await
            .body,
    )
    .unwrap();
    let bearer = format!("Bearer {}", again["access_token"].as_str().unwrap());
    assert_eq!(
        c.get_with(&summary, &[("authorization", &bearer)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(
        app.store
            .disable_exchange_client(&id, app.clock.now())
            .await
            .unwrap()
    );
    assert_eq!(
        c.get_with(&summary, &[("authorization", &bearer)])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let refused = c
        .post_with("/uitwisseling/token", &form, &token_for(&secret))
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    // Nothing answers without a token; the metadata says how to get one.
    assert_eq!(c.get(&summary).await.status, StatusCode::UNAUTHORIZED);
    let metadata = c.get("/uitwisseling/fhir/metadata").await;
    assert!(metadata.body.contains("client credentials"));
    // Another operation is not offered.
    let (pharmacy_id, pharmacy_secret) = inzage_exchange::register_client(
        &app.store,
        "Apotheek Zuid",
        ProviderCategory::Pharmacy,
        app.clock.now(),
    )
    .await
    .unwrap();
    let p: Value = serde_json::from_str(
        &c.post_with(
            "/uitwisseling/token",
            &form,
            &format!("grant_type=client_credentials&client_id={pharmacy_id}&client_secret={pharmacy_secret}"),
        )
        .await
        .body,
    )
    .unwrap();
    let pharmacy = format!("Bearer {}", p["access_token"].as_str().unwrap());
    assert_eq!(
        c.get_with(
            "/uitwisseling/fhir/Patient/$everything",
            &[("authorization", &pharmacy)]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

both_backends!(
    r113_r116_r118_a_hap_fetches_the_summary_only_while_the_patients_yes_holds,
    r114_an_emergency_is_declared_with_a_reason_and_reviewed_afterwards,
    r115_the_desk_records_how_and_others_follow_the_access_rules,
    r117_a_patients_block_request_the_gp_agreed_to_holds_for_that_provider,
    issue20_a_locum_report_arrives_and_is_filed_into_the_record,
    r112_a_provider_system_proves_who_it_is_before_any_exchange,
);
