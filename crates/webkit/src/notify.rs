//! Notifications (issue 8, R119, R120, R122): an e-mail that says only that there is new
//! information in the portal of the practice, with a link. Never a diagnosis, value, medication,
//! message text or name: [`compose`] takes nothing but the practice's name and the portal's
//! address, so there is no way to put content in.
//!
//! Events (an answer to a question, a decided repeat prescription, a booked or cancelled
//! appointment, a released result) queue jobs through [`notify_record`]: one per person who wants that kind of notice and, for record events, who can see the item
//! the event is about in their own online view (so nothing is announced that is not, or not
//! yet, visible to them). The [`Notifier`] works through the queue: over SMTP when configured,
//! otherwise (development) into the dev mailbox shown at `/dev/postvak`.

use crate::AppState;
use crate::error::WebResult;
use crate::i18n::Tr;
use chrono::{DateTime, Duration, Utc};
use inzage_domain::visibility::visible_record;
use inzage_domain::{Bsn, Clock, OnlineChannel, PatientRecord, PatientView, Viewer};
use inzage_store::{DevMail, NoticeKind, NotifyJob, NotifyStore, RecordStore, Store, StoreError};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::sync::Arc;

/// Whether `text` is an e-mail address a notice can be sent to.
pub fn is_address(text: &str) -> bool {
    text.parse::<lettre::Address>().is_ok()
}

/// Whether this server sends notices at all.
pub fn enabled(config: &crate::WebConfig) -> bool {
    config.mail.smtp_url.is_some() || config.dev_mode
}

/// The whole e-mail, in the person's language: subject and text. Only the practice's name and
/// the portal address go in. In another language than Dutch the Dutch text follows, so the
/// e-mail is recognisably the practice's own.
pub fn compose(practice_name: &str, portal_url: &str, lang: &str) -> (String, String) {
    let text = |tr: &Tr| {
        let args = [
            ("practice", practice_name.to_owned()),
            ("url", portal_url.to_owned()),
        ];
        format!(
            "{}\n\n{}\n{}\n\n{}\n",
            tr.t("mail-greeting"),
            tr.ta("mail-waiting", &args),
            tr.ta("mail-login", &args),
            tr.t("mail-no-content"),
        )
    };
    let tr = Tr::new(lang);
    let subject = tr.t1("mail-subject", "practice", practice_name);
    let mut body = text(&tr);
    if tr.code() != "nl" {
        body = format!("{body}\n---\n\n{}", text(&Tr::new("nl")));
    }
    (subject, body)
}

/// Queues a notice for everyone (or, with `only`, that one person) who can open `record` online
/// now (the patient and valid representatives), asked for this kind of notice, and for whom
/// `shows` holds on their own view: the item the event is about must be visible to that person
/// (R122). Nothing happens when notices are off. The view is computed only for people who gave
/// an address and want this kind.
pub async fn notify_record(
    state: &AppState,
    record: &PatientRecord,
    kind: NoticeKind,
    only: Option<&Bsn>,
    shows: impl Fn(&PatientView<'_>) -> bool,
) -> WebResult<()> {
    if !enabled(&state.config) {
        return Ok(());
    }
    let mut viewers: Vec<(Bsn, Viewer)> = vec![];
    if let Some(bsn) = &record.patient.bsn {
        viewers.push((bsn.clone(), Viewer::Patient { bsn: bsn.clone() }));
    }
    for r in &record.representations {
        viewers.push((
            r.agent_bsn.clone(),
            Viewer::Representative {
                bsn: r.agent_bsn.clone(),
                representation: r.id.clone(),
            },
        ));
    }
    let now = state.now();
    let mut settings = None;
    let mut told: Vec<Bsn> = vec![];
    for (bsn, viewer) in viewers {
        if told.contains(&bsn) || only.is_some_and(|o| *o != bsn) {
            continue;
        }
        let Some(contact) = state.store.notify_contact(&bsn).await? else {
            continue;
        };
        if !contact.kinds.contains(&kind) {
            continue;
        }
        let settings = match &settings {
            Some(s) => s,
            None => settings.insert(state.store.settings(&record.practice.id).await?),
        };
        let sees = visible_record(record, &viewer, OnlineChannel::Portal, settings, now)
            .is_ok_and(|view| shows(&view));
        if sees {
            let id = format!("n-{}", crate::session::random_token());
            let lang = state.store.person_language(&bsn).await?;
            let lang = inzage_domain::locale::offered(lang.as_deref().unwrap_or("nl"));
            state
                .store
                .enqueue_notice(&id, &contact.email, &record.practice.id, kind, lang, now)
                .await?;
            told.push(bsn);
        }
    }
    Ok(())
}

/// How a notice leaves the server.
#[derive(Clone)]
enum Transport {
    Smtp(Arc<AsyncSmtpTransport<Tokio1Executor>>),
    DevMailbox,
}

/// The configured sender.
fn sender(config: &crate::WebConfig) -> Result<Mailbox, String> {
    config
        .mail
        .from
        .parse()
        .map_err(|e| format!("mail sender {:?}: {e}", config.mail.from))
}

impl Transport {
    /// SMTP when configured; the dev mailbox in development mode; otherwise `None` (no e-mail).
    fn from_config(config: &crate::WebConfig) -> Result<Option<Self>, String> {
        Ok(match &config.mail.smtp_url {
            Some(url) => Some(Transport::Smtp(Arc::new(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("smtp url: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            ))),
            None if config.dev_mode => Some(Transport::DevMailbox),
            None => None,
        })
    }

    /// Sends one plain-text e-mail.
    #[allow(clippy::too_many_arguments)]
    async fn deliver(
        &self,
        store: &Store,
        from: &Mailbox,
        id: String,
        to: &str,
        subject: String,
        body: String,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        match self {
            Transport::DevMailbox => store
                .deliver_dev_mail(&DevMail {
                    id,
                    email: to.to_owned(),
                    subject,
                    body,
                    sent_at: now,
                })
                .await
                .map_err(|e| e.to_string()),
            Transport::Smtp(smtp) => {
                let to: Mailbox = to.parse().map_err(|e| format!("address: {e}"))?;
                let message = lettre::Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(subject)
                    .header(lettre::message::header::ContentType::TEXT_PLAIN)
                    .body(body)
                    .map_err(|e| format!("message: {e}"))?;
                smtp.send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("smtp: {e}"))
            }
        }
    }
}

/// Sends one e-mail now (not through the notice queue): over SMTP when configured, else in
/// development mode into the dev mailbox. For a staff member's invitation, which carries a
/// one-time link for their eyes only. `Err` when this server sends no e-mail at all.
pub async fn send_now(
    state: &AppState,
    to: &str,
    subject: String,
    body: String,
) -> Result<(), String> {
    let transport = Transport::from_config(&state.config)?
        .ok_or_else(|| "no mail server configured".to_owned())?;
    let from = sender(&state.config)?;
    let id = format!("direct-{}", crate::session::random_id());
    transport
        .deliver(&state.store, &from, id, to, subject, body, state.now())
        .await
}

/// Attempts before a notice is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// The wait before attempt `attempts + 1`: one minute, doubling, at most six hours.
pub fn backoff(attempts: i64) -> Duration {
    let minutes = 1i64 << attempts.clamp(1, 10).saturating_sub(1);
    Duration::minutes(minutes.min(360))
}

/// What one round of sending did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
}

/// Works through the notice queue. Several instances (one per server) may run against one
/// database: each claims jobs under its own name with a lease.
#[derive(Clone)]
pub struct Notifier {
    store: Store,
    clock: Arc<dyn Clock>,
    transport: Transport,
    from: Mailbox,
    portal_url: String,
    /// This instance's name in the queue.
    worker: String,
    lease: Duration,
}

impl Notifier {
    /// `None` when notices are off (no SMTP server and not in development mode).
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        config: &crate::WebConfig,
    ) -> Result<Option<Self>, String> {
        let Some(transport) = Transport::from_config(config)? else {
            return Ok(None);
        };
        let from = sender(config)?;
        Ok(Some(Self {
            store,
            clock,
            transport,
            from,
            portal_url: config.mail.portal_url.clone(),
            worker: format!("worker-{}", &crate::session::random_token()[..12]),
            lease: Duration::minutes(5),
        }))
    }

    /// The same notifier under another worker name (a second server instance).
    pub fn instance(&self, name: &str) -> Self {
        Self {
            worker: name.to_owned(),
            ..self.clone()
        }
    }

    /// Sends what is due now. A failed attempt is retried after [`backoff`]; after
    /// [`MAX_ATTEMPTS`] the job is marked failed.
    pub async fn deliver_due(&self) -> Result<Round, StoreError> {
        let now = self.clock.now();
        let jobs = self
            .store
            .claim_notices(&self.worker, now, self.lease, 50)
            .await?;
        let practices = if jobs.is_empty() {
            vec![]
        } else {
            self.store.list_practices().await?
        };
        let mut round = Round::default();
        for job in jobs {
            let name = practices
                .iter()
                .find(|p| p.id == job.practice)
                .map_or("uw huisartsenpraktijk", |p| p.name.as_str());
            match self.send(&job, name, now).await {
                Ok(()) => {
                    self.store.notice_sent(&job.id, &self.worker, now).await?;
                    round.sent += 1;
                }
                Err(error) => {
                    let retry = (job.attempts < MAX_ATTEMPTS).then(|| now + backoff(job.attempts));
                    // The transport's error says nothing about content; the address is not logged.
                    tracing::warn!(job = %job.id, attempts = job.attempts, %error, "notice not sent");
                    self.store
                        .notice_failed(&job.id, &self.worker, &error, retry)
                        .await?;
                    round.failed += 1;
                }
            }
        }
        Ok(round)
    }

    async fn send(
        &self,
        job: &NotifyJob,
        practice_name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let (subject, body) = compose(practice_name, &self.portal_url, &job.lang);
        self.transport
            .deliver(
                &self.store,
                &self.from,
                job.id.clone(),
                &job.email,
                subject,
                body,
                now,
            )
            .await
    }

    /// Sends what is due every `every`, for as long as the server runs.
    pub async fn run(self, every: std::time::Duration) {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = self.deliver_due().await {
                tracing::error!(error = %e, "notice queue");
            }
        }
    }
}
