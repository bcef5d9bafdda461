//! The portal under test: the real application in-process on a real database, a clock the test
//! moves, and a client that keeps cookies like a browser.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use http_body_util::BodyExt;
use inzage_domain::time::{local_date, start_of_local_day};
use inzage_domain::*;
use inzage_store::testing::TestDb;
use inzage_store::{AuditEvent, Channel, EventType, MedmijStore, RecordStore, Store};
use inzage_web::WebConfig;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// A clock the test moves by hand.
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn advance(&self, d: Duration) {
        *self.0.lock().unwrap() += d;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// Captures this thread's log output (the tests run on a current-thread runtime).
pub struct LogCapture {
    buffer: Arc<Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

#[derive(Clone)]
struct Writer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogCapture {
    pub fn start() -> Self {
        let buffer = Arc::new(Mutex::new(vec![]));
        let writer = Writer(buffer.clone());
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        // Tests run side by side on threads without a capture. While tracing knows of one
        // dispatcher only, a log statement another thread reaches first is judged by that
        // thread's (none: never logged) and stays silent for this capture too. A second,
        // permanent dispatcher makes tracing ask each thread's own at every statement.
        static SECOND: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
        SECOND.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
        let guard = tracing::subscriber::set_default(subscriber);
        tracing::callsite::rebuild_interest_cache();
        Self {
            buffer,
            _guard: guard,
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.lock().unwrap()).into_owned()
    }
}

pub struct TestApp {
    pub app: Router,
    pub store: Store,
    pub clock: Arc<TestClock>,
    pub db: TestDb,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub content_type: String,
    pub body: String,
    pub bytes: Vec<u8>,
    /// The Content-Security-Policy the page came with.
    pub csp: String,
}

/// A browser: one cookie jar.
pub struct Client<'a> {
    pub app: &'a TestApp,
    cookies: BTreeMap<String, String>,
}

impl Client<'_> {
    /// The names of the cookies this browser holds.
    pub fn cookie_names(&self) -> Vec<&str> {
        self.cookies.keys().map(String::as_str).collect()
    }
}

impl TestApp {
    pub async fn new(db: TestDb, config: WebConfig) -> Self {
        let clock = Arc::new(TestClock(Mutex::new(Utc::now())));
        let store = db.store.clone();
        seed(&store, clock.now()).await;
        let app = inzage_web::app(store.clone(), clock.clone(), config);
        Self {
            app,
            store,
            clock,
            db,
        }
    }

    pub fn client(&self) -> Client<'_> {
        Client {
            app: self,
            cookies: BTreeMap::new(),
        }
    }

    pub async fn audit_count(&self) -> u64 {
        self.store.counts().await.unwrap().audit_entries
    }
}

pub fn test_config() -> WebConfig {
    WebConfig {
        dev_mode: true,
        login_rate_burst: 1000,
        login_rate_period_ms: 1,
        ..WebConfig::default()
    }
}

impl Client<'_> {
    async fn send(&mut self, req: Request<Body>) -> Page {
        let res = self.app.app.clone().oneshot(req).await.unwrap();
        for c in res.headers().get_all(header::SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (pair, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") || value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.into(), value.into());
            }
        }
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        let content_type = res
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let csp = res
            .headers()
            .get(header::CONTENT_SECURITY_POLICY)
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Page {
            csp,
            status,
            location,
            content_type,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// A GET with extra request headers (an API client: no cookies needed).
    pub async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut req = Request::get(path).header(header::COOKIE, self.cookie_header());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// A POST with extra request headers and a raw body (an API client).
    pub async fn post_with(&mut self, path: &str, headers: &[(&str, &str)], body: &str) -> Page {
        let mut req = Request::post(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(body.to_owned())).unwrap())
            .await
    }

    /// A POST with extra request headers and a body given as it is (a stream, say).
    #[allow(dead_code)]
    pub async fn post_body(&mut self, path: &str, headers: &[(&str, &str)], body: Body) -> Page {
        let mut req = Request::post(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(body).unwrap()).await
    }

    /// A multipart form as a browser sends it for a file upload: fields plus one file.
    #[allow(dead_code)]
    pub async fn post_multipart(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Page {
        const B: &str = "----inzage-test-boundary";
        let mut body: Vec<u8> = vec![];
        for (k, v) in form {
            body.extend(
                format!("--{B}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                    .as_bytes(),
            );
        }
        let (name, filename, bytes) = file;
        body.extend(
            format!(
                "--{B}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(bytes);
        body.extend(format!("\r\n--{B}--\r\n").as_bytes());
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={B}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// A JSON call as `static/passkey.js` makes it, with the CSRF token in a header.
    pub async fn post_json(&mut self, path: &str, csrf: &str, body: &str) -> Page {
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", csrf)
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(req).await
    }

    /// The CSRF token of the form on `path`.
    pub async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        csrf_in(&page.body)
    }

    /// Step one: username and password.
    pub async fn password(&mut self, username: &str, password: &str) -> Page {
        let csrf = self.csrf("/inloggen").await;
        self.post(
            "/inloggen",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Step two: the code.
    pub async fn code(&mut self, code: &str) -> Page {
        let csrf = self.csrf("/inloggen/code").await;
        self.post("/inloggen/code", &[("csrf", &csrf), ("code", code)])
            .await
    }

    /// A full login with password and the authenticator code of now. Moves the clock one TOTP
    /// step on first, because a code works only once.
    pub async fn login(&mut self, username: &str) -> Page {
        self.app.clock.advance(Duration::seconds(31));
        let p = self.password(username, PASSWORD).await;
        assert_eq!(p.location.as_deref(), Some("/inloggen/code"), "{}", p.body);
        let code = totp_now(self.app, username);
        let p = self.code(&code).await;
        assert_eq!(p.location.as_deref(), Some("/kiezen"), "{}", p.body);
        p
    }

    /// A staff login: password, then the authenticator code of now (one TOTP step later
    /// than any login before).
    pub async fn staff_login(&mut self, username: &str, secret: &str) -> Page {
        self.app.clock.advance(Duration::seconds(31));
        let csrf = self.csrf("/praktijk/inloggen").await;
        let p = self
            .post(
                "/praktijk/inloggen",
                &[
                    ("csrf", &csrf),
                    ("username", username),
                    ("password", STAFF_PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            p.location.as_deref(),
            Some("/praktijk/inloggen/code"),
            "{}",
            p.body
        );
        let code = inzage_login::auth::totp_for(secret)
            .unwrap()
            .generate(self.app.clock.now().timestamp() as u64)
            .to_string();
        let csrf = self.csrf("/praktijk/inloggen/code").await;
        let p = self
            .post(
                "/praktijk/inloggen/code",
                &[("csrf", &csrf), ("code", &code)],
            )
            .await;
        // Each role lands on the first page of its menu.
        let home = p.location.clone().unwrap_or_default();
        assert!(
            home == "/praktijk" || home == "/praktijk/medewerkers",
            "{home}: {}",
            p.body
        );
        p
    }

    /// Opens the record whose chooser value is `key` (after login). A person with one record
    /// and nothing else is sent to it straight away.
    pub async fn open(&mut self, key: &str) -> Page {
        let page = self.get("/kiezen").await;
        if page.location.is_some() {
            return page;
        }
        let csrf = csrf_in(&page.body);
        self.post("/kiezen", &[("csrf", &csrf), ("record", key)])
            .await
    }
}

pub fn csrf_in(body: &str) -> String {
    let at = body
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no CSRF field in {body}"));
    body[at + 19..at + 19 + 64].to_owned()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn totp_now(app: &TestApp, username: &str) -> String {
    let secret = secret_of(username);
    inzage_login::auth::totp_for(&secret)
        .unwrap()
        .generate(app.clock.now().timestamp() as u64)
        .to_string()
}

// ---- the synthetic practice: people, relations, and planted markers ----

pub const PASSWORD: &str = "correct horse battery staple";
pub const STAFF_PASSWORD: &str = "staff password of twenty";

/// Staff of the test practice, one per role, and a GP of another practice on the same server.
/// Returns (username, TOTP secret, role).
pub async fn seed_staff(app: &TestApp) -> Vec<(String, String, StaffRole)> {
    let mut out = vec![];
    for (username, practice, role) in [
        ("gp", "praktijk-test", StaffRole::Gp),
        ("assistent", "praktijk-test", StaffRole::Assistant),
        ("poh", "praktijk-test", StaffRole::PracticeNurse),
        ("beheer", "praktijk-test", StaffRole::Administrator),
        ("gp-elders", "praktijk-elders", StaffRole::Gp),
    ] {
        let secret = inzage_practice::create_staff(
            &app.store,
            username,
            STAFF_PASSWORD,
            PracticeId::new(practice).unwrap(),
            role,
            &format!("Medewerker {username}"),
            app.clock.now(),
        )
        .await
        .unwrap();
        out.push((username.to_owned(), secret, role));
    }
    out
}

/// Strings that must never reach any page for any viewer of the records below.
/// The held values appear in both forms: pages write a decimal comma, FHIR a point.
pub const NEVER: [&str; 11] = [
    "MARKER-S-LINE",
    "MARKER-O-LINE",
    "MARKER-WORKNOTE",
    "MARKER-SHIELDED-EPISODE",
    "MARKER-SHIELDED-LINE",
    "MARKER-SHIELDED-MED",
    "987.654",
    "876.543",
    "987,654",
    "876,543",
    "MARKER-BEFORE-START",
];
/// In the other patient's record only: must never reach the adult, parent, teen or carer.
pub const OTHER_PATIENT: &str = "MARKER-OTHER-PATIENT";

pub const BSN_ADULT: &str = "200000007";
pub const BSN_CHILD: &str = "200000019";
pub const BSN_TEEN: &str = "200000020";
pub const BSN_ELDER: &str = "200000032";
pub const BSN_CARER: &str = "200000044";
pub const BSN_OTHER: &str = "200000056";
pub const BSN_OLD_CHILD: &str = "200000068";

/// A browser logged in as staff member `who`, one of the accounts `seed_staff` returned.
#[allow(dead_code)]
pub async fn as_staff<'a>(
    app: &'a TestApp,
    staff: &[(String, String, StaffRole)],
    who: &str,
) -> Client<'a> {
    let (_, secret, _) = staff.iter().find(|s| s.0 == who).unwrap();
    let mut c = app.client();
    c.staff_login(who, secret).await;
    c
}

pub fn secret_of(username: &str) -> String {
    // 20 bytes, base32: a fixed secret per test account.
    let mut bytes = username.as_bytes().to_vec();
    bytes.resize(20, b'x');
    totp_secret(&bytes)
}

fn totp_secret(bytes: &[u8]) -> String {
    totp_rs::Secret::from(bytes.to_vec()).to_base32()
}

fn meta(at: DateTime<Utc>) -> ItemMeta {
    ItemMeta::new(Actor::System("test".into()), at)
}

fn shielded(at: DateTime<Utc>) -> ItemMeta {
    let mut m = meta(at);
    m.shield = Some(Box::new(Shield {
        reason: ShieldReason::PotentiallyHarmful,
        text: "afgeschermd".into(),
        by: Actor::System("gp".into()),
        at,
    }));
    m
}

fn practice() -> Practice {
    Practice {
        id: PracticeId::new("praktijk-test").unwrap(),
        name: "Huisartsenpraktijk Testhof".into(),
        agb: None,
        identifiers: vec![],
        address: None,
        contact: ContactDetails {
            phone: Some("010-0000000".into()),
            email: None,
        },
    }
}

fn person(
    id: &str,
    bsn: &str,
    given: &str,
    family: &str,
    birth: NaiveDate,
    now: DateTime<Utc>,
) -> PatientRecord {
    let patient = Patient {
        id: PatientId::new(id).unwrap(),
        practice: practice().id,
        bsn: Some(Bsn::parse(bsn).unwrap()),
        name: HumanName {
            given: vec![given.into()],
            initials: None,
            prefix: None,
            family: family.into(),
        },
        birth_date: birth,
        gender: Gender::Female,
        address: None,
        contact: ContactDetails::default(),
        general_practitioner: None,
        online_consent: Some(OnlineConsent {
            portal: true,
            pgo: false,
            recorded_by: Actor::System("test".into()),
            recorded_at: now - Duration::days(100),
        }),
        wants_results_immediately: false,
        exchange_consent: vec![],
        meta: meta(now - Duration::days(1000)),
    };
    PatientRecord::new(patient, practice())
}

fn years_ago(now: DateTime<Utc>, years: u32, days_extra: u64) -> NaiveDate {
    let today = local_date(now);
    today
        .with_year_sub(years)
        .checked_sub_days(Days::new(days_extra))
        .unwrap()
}

trait YearSub {
    fn with_year_sub(self, years: u32) -> NaiveDate;
}
impl YearSub for NaiveDate {
    fn with_year_sub(self, years: u32) -> NaiveDate {
        self.checked_sub_months(chrono::Months::new(12 * years))
            .unwrap()
    }
}

/// A record with one of everything, visible and hidden, and the markers of `NEVER` in the
/// hidden parts. `tag` makes its visible texts unique per patient.
fn full_record(mut r: PatientRecord, tag: &str, now: DateTime<Utc>) -> PatientRecord {
    let p = r.patient.id.as_str().to_owned();
    let id = |k: &str| format!("{p}-{k}");
    let recent = local_date(now) - Days::new(30);
    let at = start_of_local_day(recent) + Duration::hours(10);
    r.episodes.push(Episode {
        id: EpisodeId::new(id("ep1")).unwrap(),
        title: format!("Suikerziekte {tag}"),
        icpc: IcpcCode::parse("T90").ok(),
        icpc_display: Some("Diabetes mellitus".into()),
        start: PartialDate::Date(recent - Days::new(400)),
        end: None,
        attentiewaarde: true,
        first_encounter: None,
        last_encounter: None,
        problem: None,
        care_manager: None,
        meta: meta(at),
    });
    r.episodes.push(Episode {
        id: EpisodeId::new(id("ep2")).unwrap(),
        title: "MARKER-SHIELDED-EPISODE".into(),
        icpc: IcpcCode::parse("P76").ok(),
        icpc_display: Some("Depressie".into()),
        start: PartialDate::Date(recent - Days::new(100)),
        end: None,
        attentiewaarde: false,
        first_encounter: None,
        last_encounter: None,
        problem: None,
        care_manager: None,
        meta: shielded(at),
    });
    r.contacts.push(Contact {
        id: ContactId::new(id("c1")).unwrap(),
        contact_type: inzage_domain::codes::ContactType::parse("03").unwrap(),
        date: recent,
        end: None,
        practitioner: None,
        episode: Some(EpisodeId::new(id("ep1")).unwrap()),
        patient_took_part: Some(true),
        meta: meta(at),
    });
    let mut line = |k: &str, soep: Soep, text: String, episode: &str, date: NaiveDate| {
        r.journal.push(JournalLine {
            id: JournalLineId::new(id(k)).unwrap(),
            soep,
            text,
            icpc: None,
            icpc_display: None,
            date,
            contact: Some(ContactId::new(id("c1")).unwrap()).filter(|_| date == recent),
            episode: Some(EpisodeId::new(id(episode)).unwrap()),
            // The line without a contact names its author (the record page heads it so).
            author: (date != recent).then(|| PractitionerId::new("gp-x").unwrap()),
            meta: meta(at),
        });
    };
    line("s", Soep::S, "MARKER-S-LINE klachten".into(), "ep1", recent);
    line(
        "o",
        Soep::O,
        "MARKER-O-LINE RR 150/90".into(),
        "ep1",
        recent,
    );
    line("e", Soep::E, format!("Conclusie {tag}"), "ep1", recent);
    line(
        "p",
        Soep::P,
        format!("Plan {tag}: RR meten, metformine z.n."),
        "ep1",
        recent,
    );
    line("p2", Soep::P, "MARKER-SHIELDED-LINE".into(), "ep2", recent);
    line(
        "old",
        Soep::P,
        "MARKER-BEFORE-START".into(),
        "ep1",
        NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
    );
    r.work_notes.push(WorkNote {
        id: WorkNoteId::new(id("wn")).unwrap(),
        author: PractitionerId::new("gp-x").unwrap(),
        text: "MARKER-WORKNOTE".into(),
        meta: meta(at),
    });
    r.practitioners.push(Practitioner {
        id: PractitionerId::new("gp-x").unwrap(),
        practice: Some(practice().id),
        name: HumanName {
            given: vec!["Huis".into()],
            initials: None,
            prefix: None,
            family: "Arts".into(),
        },
        agb: None,
        identifiers: vec![],
        roles: vec![StaffRole::Gp],
        contact: ContactDetails::default(),
    });
    let med = |k: &str, name: String, m: ItemMeta| MedicationAgreement {
        id: MedicationId::new(id(k)).unwrap(),
        product: Product {
            source_id: None,
            name,
            codes: vec![],
        },
        dosage_text: "2dd 1 tablet".into(),
        dosage_codes: vec![],
        dosage: Default::default(),
        period_start: Some(recent - Days::new(200)),
        period_end: None,
        authored_on: None,
        prescriber: None,
        contact: None,
        episode: Some(EpisodeId::new(id("ep1")).unwrap()),
        meta: m,
    };
    r.medication
        .push(med("m1", format!("Metformine {tag}"), meta(at)));
    r.medication
        .push(med("m2", "MARKER-SHIELDED-MED".into(), shielded(at)));
    r.allergies.push(Allergy {
        id: AllergyId::new(id("a1")).unwrap(),
        substance: Coding::new("urn:test", "x", Some(&format!("Penicilline {tag}"))),
        category: AllergyCategory::Medication,
        criticality: Some(Criticality::High),
        status: AllergyStatus::Active,
        onset: None,
        reaction: Some("huiduitslag".into()),
        reaction_codes: vec![],
        note: None,
        recorder: None,
        meta: meta(at),
    });
    let result = |k: &str, value: &str, review: ReviewState, effective: DateTime<Utc>| LabResult {
        id: ResultId::new(id(k)).unwrap(),
        kind: ResultKind::L,
        code: inzage_domain::codes::Nhg45Code::parse("2307").unwrap(),
        name: "HbA1c".into(),
        other_codes: vec![],
        value: ResultValue::Quantity {
            value: Decimal::parse(value).unwrap(),
            unit: inzage_domain::codes::Ucum::parse("mmol/mol").ok(),
        },
        reference_range: Some(Box::new(ReferenceRange {
            low: Decimal::parse("20").ok(),
            high: Decimal::parse("42").ok(),
            text: None,
            kind: None,
        })),
        body_site: None,
        interpretation: None,
        effective,
        review,
        patient_comment: None,
        performer: None,
        contact: None,
        episode: None,
        meta: meta(effective),
    };
    let gp = Actor::System("gp".into());
    r.results.push(result(
        "r1",
        "53",
        ReviewState::Released { by: gp.clone(), at },
        at - Duration::days(60),
    ));
    r.results.push(result(
        "r2",
        "48",
        ReviewState::Released { by: gp.clone(), at },
        at,
    ));
    // Received yesterday, not reviewed: held for the practice's delay.
    r.results.push(result(
        "r3",
        "987.654",
        ReviewState::Pending {
            received_at: now - Duration::days(1),
        },
        now - Duration::days(1),
    ));
    r.results.push(result(
        "r4",
        "876.543",
        ReviewState::Withheld {
            by: gp,
            at,
            reason: "bespreken".into(),
        },
        at,
    ));
    r.letters.push(Letter {
        id: LetterId::new(id("l1")).unwrap(),
        direction: LetterDirection::Incoming,
        letter_type: LetterType::SpecialistLetter,
        date: recent,
        title: format!("Brief internist {tag}"),
        author: "Ziekenhuis Test".into(),
        content: LetterContent::Pdf {
            bytes: format!("%PDF-1.4 letter of {tag}").into_bytes(),
        },
        episode: None,
        document: None,
        meta: meta(at),
    });
    r
}

fn representation(
    id: &str,
    agent: &str,
    basis: RepresentationBasis,
    now: DateTime<Utc>,
) -> Representation {
    let today = local_date(now);
    Representation {
        id: RepresentationId::new(id).unwrap(),
        agent_bsn: Bsn::parse(agent).unwrap(),
        agent_name: HumanName {
            given: vec!["Vertegen".into()],
            initials: None,
            prefix: None,
            family: "Woordiger".into(),
        },
        basis,
        valid_from: today - Days::new(100),
        valid_to: Some(today + Days::new(100)),
        scope: None,
        evidence: Some(Evidence {
            kind: "test".into(),
            checked_by: Actor::System("test".into()),
            checked_at: now - Duration::days(100),
        }),
        child_consent: None,
        revoked_at: None,
    }
}

/// Stores the practice: an adult (also parent of a 10-year-old and of a 17-year-old), a
/// 14-year-old, an elder with a carer, the carer (no record of their own), and another patient.
async fn seed(store: &Store, now: DateTime<Utc>) {
    let settings = PracticeSettings {
        online_access_under_16: true,
        ..PracticeSettings::default()
    };
    let adult = full_record(
        person(
            "adult",
            BSN_ADULT,
            "Anna",
            "Volwassen",
            years_ago(now, 45, 3),
            now,
        ),
        "VOLWASSEN",
        now,
    );
    let mut child = full_record(
        person(
            "child",
            BSN_CHILD,
            "Kees",
            "Kind",
            years_ago(now, 10, 3),
            now,
        ),
        "KIND",
        now,
    );
    child.representations.push(representation(
        "rep-parent",
        BSN_ADULT,
        RepresentationBasis::ParentalAuthority,
        now,
    ));
    let mut old_child = full_record(
        person(
            "oldchild",
            BSN_OLD_CHILD,
            "Olaf",
            "Ouder-Kind",
            years_ago(now, 17, 3),
            now,
        ),
        "ZEVENTIEN",
        now,
    );
    old_child.representations.push(representation(
        "rep-parent-17",
        BSN_ADULT,
        RepresentationBasis::ParentalAuthority,
        now,
    ));
    let teen = full_record(
        person(
            "teen",
            BSN_TEEN,
            "Tess",
            "Tiener",
            years_ago(now, 14, 3),
            now,
        ),
        "TIENER",
        now,
    );
    let mut elder = full_record(
        person(
            "elder",
            BSN_ELDER,
            "Otto",
            "Oudere",
            years_ago(now, 85, 3),
            now,
        ),
        "OUDERE",
        now,
    );
    elder.representations.push(representation(
        "rep-carer",
        BSN_CARER,
        RepresentationBasis::WrittenAuthorisation,
        now,
    ));
    let mut other = full_record(
        person(
            "other",
            BSN_OTHER,
            "Piet",
            "Ander",
            years_ago(now, 50, 3),
            now,
        ),
        "ANDER",
        now,
    );
    other.episodes[0].title = format!("Suikerziekte ANDER {OTHER_PATIENT}");
    for r in [&adult, &child, &old_child, &teen, &elder, &other] {
        let audit = AuditEvent {
            at: now - Duration::days(2),
            event: EventType::Create,
            patient: Some(r.patient.id.clone()),
            user: "test".into(),
            responsible_user: "test".into(),
            role: "system".into(),
            channel: Channel::Cli,
            request_id: "seed".into(),
            detail: "test record".into(),
        };
        store.save_record(r, audit).await.unwrap();
    }
    store
        .save_settings(&practice().id, &settings)
        .await
        .unwrap();
    for (username, bsn) in [
        ("anna", BSN_ADULT),
        ("tess", BSN_TEEN),
        ("carla", BSN_CARER),
        ("piet", BSN_OTHER),
    ] {
        inzage_login::auth::create_account(
            store,
            username,
            PASSWORD,
            Bsn::parse(bsn).unwrap(),
            username,
            Some(secret_of(username)),
            now,
        )
        .await
        .unwrap();
    }
}

/// Runs each scenario `async fn name(app: &TestApp)` on SQLite and on PostgreSQL (skipped with a
/// message when no server answers), each on a fresh database, with `test_config()` or the
/// configuration given after `with` (`inzage_testkit::both_backends!`).
#[allow(unused_macros)]
macro_rules! both_backends {
    ($($scenarios:tt)*) => {
        inzage_testkit::both_backends!(setup = app_on; $($scenarios)*);
    };
}

/// A scenario's application on a fresh database.
#[allow(dead_code)]
pub async fn app_on(db: TestDb, config: Option<WebConfig>) -> TestApp {
    TestApp::new(db, config.unwrap_or_else(test_config)).await
}

impl inzage_testkit::Fixture for TestApp {
    fn db(&self) -> &TestDb {
        &self.db
    }
}

/// Limits every representation of `patient` to `sections` (as a practice would record a
/// narrower authorisation), saved with an audit entry.
#[allow(dead_code)]
pub async fn limit_representations(app: &TestApp, patient: &str, sections: &[Section]) {
    let id = PatientId::new(patient).unwrap();
    let mut r = app.store.load_record(&id).await.unwrap().unwrap();
    for rep in &mut r.representations {
        rep.scope = Some(sections.to_vec());
    }
    let audit = inzage_store::AuditEvent {
        at: app.clock.now(),
        event: inzage_store::EventType::Update,
        patient: Some(id),
        user: "test".into(),
        responsible_user: "test".into(),
        role: "operator".into(),
        channel: inzage_store::Channel::Cli,
        request_id: "t".into(),
        detail: "scope".into(),
    };
    app.store.save_record(&r, audit).await.unwrap();
}

// ---- MedMij: the Nictiz qualification patient and tokens ----

/// The BSN the Nictiz qualification patient logs in with (synthetic; the fixture masks it).
pub const FIXTURE_BSN: &str = "200000093";

/// Stores a 15-minute MedMij access token for `patient`, as the token endpoint would.
pub async fn give_token(app: &TestApp, patient: &str, token: &str) {
    let now = app.clock.now();
    app.store
        .store_access_token(&inzage_store::AccessToken {
            token_hash: inzage_medmij::token_hash(token),
            patient: PatientId::new(patient).unwrap(),
            client_id: "pgo.example".into(),
            subject: "idp:test".into(),
            issued_at: now,
            expires_at: now + Duration::minutes(15),
            grant_id: None,
        })
        .await
        .unwrap();
}

/// Saves `record` with the patient's online consent, with or without the PGO channel, over
/// whatever is stored (as an operator's import would); `record` is then the record as stored.
pub async fn set_pgo_consent(app: &TestApp, record: &mut PatientRecord, pgo: bool) {
    record.stored_version = None;
    record.patient.online_consent = Some(OnlineConsent {
        portal: true,
        pgo,
        recorded_by: Actor::System("test".into()),
        recorded_at: app.clock.now(),
    });
    app.store
        .save_record(record, audit_event(record, app))
        .await
        .unwrap();
    *record = app
        .store
        .load_record(&record.patient.id)
        .await
        .unwrap()
        .unwrap();
}

pub fn audit_event(record: &PatientRecord, app: &TestApp) -> inzage_store::AuditEvent {
    inzage_store::AuditEvent {
        at: app.clock.now(),
        event: EventType::Update,
        patient: Some(record.patient.id.clone()),
        user: "test".into(),
        responsible_user: "test".into(),
        role: "test".into(),
        channel: Channel::Cli,
        request_id: "test".into(),
        detail: "test: consent".into(),
    }
}

/// The Nictiz GenPractData qualification patient (Jacqueline XXX_Cevat), read through our
/// import with the fixture's date placeholders filled in for the test clock's today.
pub fn nictiz_record(app: &TestApp) -> PatientRecord {
    let mut r = inzage_testkit::nictiz::record(app.clock.now());
    // The fixture masks the BSN; a patient who logged in to consent has one (synthetic here).
    r.patient.bsn = Some(Bsn::parse(FIXTURE_BSN).unwrap());
    r
}

// ---- the Nictiz SelfMeasurements 2.0 patients (data service 52) ----

/// The SelfMeasurements 2.0 fixture directory.
pub fn selfmeasurements_dir(sub: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/nictiz/SelfMeasurements-2-0/Cert/_reference")
        .join(sub)
}

/// One of the two SelfMeasurements patients (`kwalificatie1` XXX_Bourgonjee, `kwalificatie2`
/// XXX_Bergzoon), read through our import, with a synthetic BSN, PGO consent and the token its
/// scripts send.
pub async fn load_selfmeasurement_patient(
    app: &TestApp,
    which: &str,
    bsn: &str,
    token: &str,
) -> inzage_domain::PatientRecord {
    let file = selfmeasurements_dir("resources-generic")
        .join(format!("medmij-selfmeasurements-Patient-{which}.xml"));
    let now = app.clock.now();
    let mut resources = vec![];
    inzage_fhir::expand(
        "patient",
        inzage_fhir::parse_document(&std::fs::read_to_string(file).unwrap()).unwrap(),
        &mut resources,
    );
    let mut mapped = inzage_fhir::map_resources(
        &resources,
        now,
        inzage_domain::Actor::System("import".into()),
    );
    assert_eq!(mapped.records.len(), 1, "{:#?}", mapped.issues);
    let mut r = mapped.records.remove(0);
    r.patient.bsn = Some(inzage_domain::Bsn::parse(bsn).unwrap());
    app.store
        .save_record(&r, audit_event(&r, app))
        .await
        .unwrap();
    set_pgo_consent(app, &mut r, true).await;
    give_token(app, r.patient.id.as_str(), token).await;
    r
}

/// XXX_Bourgonjee's nine measurements (the Serving-XIS and Retrieving-PHR scenarios' data), read
/// through the reader that receives them, into `r`'s practice; returns how many.
pub async fn serve_selfmeasurement_fixtures(app: &TestApp, r: &PatientRecord) -> usize {
    let today = local_date(app.clock.now());
    let mut files: Vec<std::path::PathBuf> =
        std::fs::read_dir(selfmeasurements_dir("resources-serve-receive"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.to_string_lossy().contains("kwalificatie")
                    && p.extension().is_some_and(|e| e == "xml")
            })
            .collect();
    files.sort();
    assert_eq!(files.len(), 9);
    let measurements: Vec<_> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let text = inzage_fhir::placeholders::substitute_dates(
                &std::fs::read_to_string(f).unwrap(),
                today,
            );
            inzage_fhir::vitals::read_measurement(
                &inzage_fhir::parse_document(&text).unwrap(),
                &format!("fixture-{i}"),
                &r.patient.id,
                app.clock.now(),
                "fixture",
            )
            .unwrap()
        })
        .collect();
    use inzage_store::SelfMeasurementStore;
    app.store
        .add_self_measurements(&r.practice.id, &measurements, audit_event(r, app))
        .await
        .unwrap();
    measurements.len()
}
