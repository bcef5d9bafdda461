//! Issue 21: two `inzage serve` processes on one PostgreSQL database, as an operator runs them
//! behind a load balancer. Staff on both change the same record at the same moment: every change
//! either lands or is refused with a clear message, none is lost. A change made through one
//! instance is read at once through the other (its record cache never serves an older record).
//! The e-mail queue is worked by both, and every notice is sent exactly once. Background jobs
//! that change the database run on one instance per turn.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use inzage_domain::{Clock, PracticeId, StaffRole, SystemClock};
use inzage_store::{NoticeKind, NotifyStore, RecordStore, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const PASSWORD: &str = "een lang wachtwoord voor de test";
/// 32 bytes, hex: the audit key both instances and the seeding share.
const AUDIT_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

mod support;

/// One `inzage serve` on `url`, configured by the `inzage.toml` in `dir`; its base URL once ready.
async fn start(dir: &std::path::Path, url: &str) -> (support::Server, String) {
    support::serve(
        dir,
        &[
            ("INZAGE_DATABASE_URL", url.to_owned()),
            ("INZAGE_AUDIT_KEY", AUDIT_KEY.to_owned()),
        ],
    )
    .await
}

/// A browser of one staff member on one instance: it keeps its cookies (as the TLS proxy in
/// front would pass them on) and follows no redirects.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookies: Mutex<HashMap<String, String>>,
}

struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Browser {
    fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_owned(),
            cookies: Mutex::new(HashMap::new()),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let cookie = {
            let jar = self.cookies.lock().unwrap();
            jar.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let r = request.header("cookie", cookie).send().await.unwrap();
        {
            let mut jar = self.cookies.lock().unwrap();
            for set in r.headers().get_all("set-cookie") {
                let pair = set.to_str().unwrap().split(';').next().unwrap();
                let (k, v) = pair.split_once('=').unwrap();
                jar.insert(k.trim().to_owned(), v.trim().to_owned());
            }
        }
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        Answer {
            status,
            location,
            body: r.text().await.unwrap(),
        }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.send(self.http.post(format!("{}{path}", self.base)).form(form))
            .await
    }

    async fn csrf(&self, path: &str) -> String {
        let body = self.get(path).await.body;
        let at = body
            .find("name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no CSRF field on {path}: {body}"));
        body[at + 19..at + 19 + 64].to_owned()
    }

    /// Password, then the authenticator's code.
    async fn staff_login(&self, username: &str, secret: &str) {
        let csrf = self.csrf("/praktijk/inloggen").await;
        let a = self
            .post(
                "/praktijk/inloggen",
                &[
                    ("csrf", &csrf),
                    ("username", username),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            a.location.as_deref(),
            Some("/praktijk/inloggen/code"),
            "{}",
            a.body
        );
        let code = inzage_login::auth::totp_for(secret)
            .unwrap()
            .generate(SystemClock.now().timestamp() as u64)
            .to_string();
        let csrf = self.csrf("/praktijk/inloggen/code").await;
        let a = self
            .post(
                "/praktijk/inloggen/code",
                &[("csrf", &csrf), ("code", &code)],
            )
            .await;
        assert_eq!(a.location.as_deref(), Some("/praktijk"), "{}", a.body);
    }
}

/// An SMTP server that accepts every message and keeps its recipients: the mail relay both
/// instances send through.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(vec![]));
    let kept = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut recipients = vec![];
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        recipients.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        let _ = write.write_all(b"354 go on\r\n").await;
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                        }
                        kept.lock().unwrap().append(&mut recipients);
                        b"250 kept\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, received)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue21_two_instances_on_one_postgresql_lose_no_update_and_send_no_notice_twice() {
    let Some(db) = inzage_store::testing::TestDb::postgres().await else {
        return;
    };
    let now = SystemClock.now();
    // The practice's data, seeded as an import would: one patient, two staff members.
    let seed = Store::connect(&db.url).await.unwrap();
    seed.set_audit_key(&hex::decode(AUDIT_KEY).unwrap())
        .unwrap();
    let record = inzage_testkit::nictiz::record(now);
    let practice: PracticeId = record.practice.id.clone();
    let patient = record.patient.id.clone();
    seed.save_record(
        &record,
        inzage::cli_audit(
            inzage_store::EventType::Create,
            &patient,
            now,
            "test".into(),
            "seed".into(),
        ),
    )
    .await
    .unwrap();
    let mut secrets = vec![];
    for name in ["arts-een", "arts-twee"] {
        secrets.push(
            inzage_practice::create_staff(
                &seed,
                name,
                PASSWORD,
                practice.clone(),
                StaffRole::Gp,
                name,
                now,
            )
            .await
            .unwrap(),
        );
    }

    let (smtp, received) = smtp_sink().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("inzage.toml"),
        format!(
            "[mail]\nsmtp_url = \"smtp://127.0.0.1:{smtp}\"\n\
             from = \"Praktijk <noreply@praktijk.example>\"\ninterval_seconds = 1\n"
        ),
    )
    .unwrap();
    let (_one, base_one) = start(dir.path(), &db.url).await;
    let (_two, base_two) = start(dir.path(), &db.url).await;
    // Each lives to the end of the test (the consults run concurrently on both).
    let a: &'static Browser = Box::leak(Box::new(Browser::new(&base_one)));
    let b: &'static Browser = Box::leak(Box::new(Browser::new(&base_two)));
    a.staff_login("arts-een", &secrets[0]).await;
    b.staff_login("arts-twee", &secrets[1]).await;

    // Consistent reads: instance two has the record in its cache; a change through instance
    // one is on instance two's next page.
    let page = format!("/praktijk/patienten/{}", patient.as_str());
    assert_eq!(b.get(&page).await.status, 200);
    let consult = format!("/praktijk/patienten/{}/nieuw/consult", patient.as_str());
    let today = inzage_domain::time::local_date(now).to_string();
    let csrf_a = a.csrf(&consult).await;
    let csrf_b = b.csrf(&consult).await;
    let add = |who: &'static Browser, csrf: &str, text: &str| {
        let form = [
            ("csrf", csrf.to_owned()),
            ("datum", today.clone()),
            ("contactsoort", "04".to_owned()),
            ("p", text.to_owned()),
        ];
        let request = who.http.post(format!("{}{consult}", who.base)).form(&form);
        who.send(request)
    };
    let first = add(a, &csrf_a, "PLAN-VIA-EEN").await;
    assert_eq!(first.status, 303, "{}", first.body);
    let seen = b.get(&page).await;
    assert!(seen.body.contains("PLAN-VIA-EEN"), "{}", seen.body);

    // No lost update: twelve consults at the same moment, half through each instance.
    let texts: Vec<String> = (0..12).map(|i| format!("PLAN-GELIJK-{i:02}")).collect();
    let answers = futures_util::future::join_all(texts.iter().enumerate().map(|(i, t)| {
        if i % 2 == 0 {
            add(a, &csrf_a, t)
        } else {
            add(b, &csrf_b, t)
        }
    }))
    .await;
    let stored = seed.load_record(&patient).await.unwrap().unwrap();
    let mut landed = 0;
    for (text, answer) in texts.iter().zip(&answers) {
        let present = stored.journal.iter().filter(|l| &l.text == text).count();
        match answer.status {
            303 => {
                assert_eq!(present, 1, "{text} was saved but is not in the record once");
                landed += 1;
            }
            409 => {
                assert_eq!(present, 0, "{text} was refused but is in the record");
                assert!(
                    answer.body.contains("Intussen gewijzigd"),
                    "{}",
                    answer.body
                );
            }
            other => panic!("{text}: {other} {}", answer.body),
        }
    }
    assert!(landed >= 1, "no concurrent change landed");
    assert!(stored.journal.iter().any(|l| l.text == "PLAN-VIA-EEN"));
    eprintln!("concurrent consults: {landed} of 12 landed, the rest refused as changed");

    // Each instance chained its audit entries in a lane of its own (the seeding's store had
    // taken one before them), and every lane's chain holds.
    let lanes: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT seq >> 40 FROM audit_log ORDER BY 1")
        .fetch_all(&sqlx::PgPool::connect(&db.url).await.unwrap())
        .await
        .unwrap();
    assert!(
        lanes.len() >= 3,
        "the seeding's lane and one per instance: {lanes:?}"
    );
    assert!(seed.verify_audit_chain().await.unwrap().is_ok());

    // Every notice once: twenty queued, both instances sending.
    for i in 0..20 {
        assert!(
            seed.enqueue_notice(
                &format!("notice-{i:02}"),
                &format!("persoon{i:02}@example.org"),
                &practice,
                NoticeKind::Released,
                "nl",
                SystemClock.now(),
            )
            .await
            .unwrap()
        );
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while seed.pending_notices().await.unwrap() > 0 {
        assert!(Instant::now() < deadline, "the notices were not sent");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // A moment for a second (wrong) delivery to arrive, if there were one.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut got = received.lock().unwrap().clone();
    got.sort();
    let expected: Vec<String> = (0..20)
        .map(|i| format!("persoon{i:02}@example.org"))
        .collect();
    assert_eq!(got, expected, "every notice exactly once");

    // The purges ran on one instance: each leased job has one holder.
    let holders: Vec<(String, String)> =
        sqlx::query_as("SELECT job, holder FROM job_leases ORDER BY job")
            .fetch_all(&sqlx::PgPool::connect(&db.url).await.unwrap())
            .await
            .unwrap();
    assert!(
        holders.iter().any(|(job, _)| job == "sessions-purge"),
        "{holders:?}"
    );
    db.drop_database().await;
}
