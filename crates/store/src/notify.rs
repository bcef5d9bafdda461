//! Notifications (R119, R120, R122): who wants which notices at which address, the outbox the
//! sender works through, and the development mailbox.
//!
//! The outbox holds an address, a practice and a notice kind: never medical content. A worker
//! claims a due job with a conditional UPDATE that sets a lease (`claimed_until`), so two server
//! instances never hold the same job at once; a failed attempt is retried after a back-off, and
//! a job whose lease ran out (its worker died mid-send) is due again.

use crate::audit::format_instant;
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use inzage_domain::{Bsn, PracticeId};
use sqlx::Row;
use std::future::Future;

/// What a notice is about. Only used to honour the person's choices: every notice has the same
/// text ("Er staat nieuwe informatie voor u klaar ...").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// The practice answered a question.
    Reply,
    /// A repeat prescription was decided.
    Prescription,
    /// An appointment was booked or cancelled.
    Appointment,
    /// New information became visible (a released result, a letter, ...).
    Released,
}

impl NoticeKind {
    pub const ALL: [Self; 4] = [
        Self::Reply,
        Self::Prescription,
        Self::Appointment,
        Self::Released,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reply => "reply",
            Self::Prescription => "prescription",
            Self::Appointment => "appointment",
            Self::Released => "released",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A person's notification choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyContact {
    pub bsn: Bsn,
    pub email: String,
    pub kinds: Vec<NoticeKind>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Pending,
    Sent,
    /// Given up after the last attempt.
    Failed,
}

impl JobStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }
    fn parse(s: &str) -> Result<Self, StoreError> {
        [Self::Pending, Self::Sent, Self::Failed]
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| StoreError::Corrupt(format!("job status {s:?}")))
    }
}

/// One e-mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyJob {
    pub id: String,
    pub email: String,
    pub practice: PracticeId,
    pub kind: NoticeKind,
    pub created_at: DateTime<Utc>,
    pub status: JobStatus,
    /// Attempts made so far (including one in progress).
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The transport's error of the last failed attempt (no content: an SMTP status).
    pub last_error: Option<String>,
    /// The language the e-mail is written in: the person's, when it was queued.
    pub lang: String,
}

/// A delivered development e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevMail {
    pub id: String,
    pub email: String,
    pub subject: String,
    pub body: String,
    pub sent_at: DateTime<Utc>,
}

pub trait NotifyStore: Send + Sync {
    /// Stores (or replaces) a person's choices.
    fn set_notify_contact(
        &self,
        contact: &NotifyContact,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Removes a person's address: no more notices.
    fn remove_notify_contact(
        &self,
        bsn: &Bsn,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn notify_contact(
        &self,
        bsn: &Bsn,
    ) -> impl Future<Output = Result<Option<NotifyContact>, StoreError>> + Send;

    /// The language the person chose to read inzage in, if they chose one while logged in.
    fn person_language(
        &self,
        bsn: &Bsn,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Keeps the person's language for their next login, their e-mails and their copy.
    fn set_person_language(
        &self,
        bsn: &Bsn,
        lang: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Queues one e-mail in `lang`. `false` when one for the same address and practice is
    /// still waiting: the text would be the same, so the two collapse into one.
    fn enqueue_notice(
        &self,
        id: &str,
        email: &str,
        practice: &PracticeId,
        kind: NoticeKind,
        lang: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Claims up to `limit` due jobs for `worker` until `now + lease`. A job is due when it is
    /// pending, its next attempt has come, and no other worker holds a live lease on it.
    fn claim_notices(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<NotifyJob>, StoreError>> + Send;

    /// Marks a claimed job sent. `false` when `worker` no longer holds it.
    fn notice_sent(
        &self,
        id: &str,
        worker: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records a failed attempt: due again at `retry_at`, or given up when `None`.
    fn notice_failed(
        &self,
        id: &str,
        worker: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Every job, newest first (operators and tests).
    fn notify_jobs(&self) -> impl Future<Output = Result<Vec<NotifyJob>, StoreError>> + Send;

    /// How many e-mails wait to be sent (the job backlog an operator watches).
    fn pending_notices(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;

    fn deliver_dev_mail(
        &self,
        mail: &DevMail,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The development mailbox, newest first.
    fn dev_mails(&self) -> impl Future<Output = Result<Vec<DevMail>, StoreError>> + Send;
}

macro_rules! job_columns {
    () => {
        "id, email, practice_id, kind, created_at, status, attempts, next_attempt_at, sent_at, \
         last_error, lang"
    };
}

fn job_row<R: Row>(r: &R) -> Result<NotifyJob, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let kind: String = r.try_get(3)?;
    Ok(NotifyJob {
        id: r.try_get(0)?,
        email: r.try_get(1)?,
        practice: PracticeId::new(r.try_get::<String, _>(2)?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        kind: NoticeKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("notice kind {kind:?}")))?,
        created_at: parse_instant(&r.try_get::<String, _>(4)?)?,
        status: JobStatus::parse(&r.try_get::<String, _>(5)?)?,
        attempts: r.try_get(6)?,
        next_attempt_at: parse_instant(&r.try_get::<String, _>(7)?)?,
        sent_at: r
            .try_get::<Option<String>, _>(8)?
            .map(|s| parse_instant(&s))
            .transpose()?,
        last_error: r.try_get(9)?,
        lang: r.try_get(10)?,
    })
}

macro_rules! impl_notify {
    ($Store:ident) => {
        impl NotifyStore for $Store {
            async fn set_notify_contact(&self, c: &NotifyContact) -> Result<(), StoreError> {
                let kinds = c.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",");
                sqlx::query(
                    "INSERT INTO notification_contacts (bsn, email, kinds, updated_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (bsn) DO UPDATE SET \
                     email = excluded.email, kinds = excluded.kinds, updated_at = excluded.updated_at",
                )
                .bind(c.bsn.as_str())
                .bind(&c.email)
                .bind(kinds)
                .bind(format_instant(c.updated_at))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn remove_notify_contact(&self, bsn: &Bsn) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM notification_contacts WHERE bsn = $1")
                    .bind(bsn.as_str())
                    .execute(&self.write)
                    .await?;
                Ok(())
            }

            async fn notify_contact(&self, bsn: &Bsn) -> Result<Option<NotifyContact>, StoreError> {
                let row = sqlx::query(
                    "SELECT email, kinds, updated_at FROM notification_contacts WHERE bsn = $1",
                )
                .bind(bsn.as_str())
                .fetch_optional(&self.read)
                .await?;
                row.map(|r| {
                    let kinds: String = r.try_get(1)?;
                    Ok(NotifyContact {
                        bsn: bsn.clone(),
                        email: r.try_get(0)?,
                        kinds: kinds.split(',').filter_map(NoticeKind::parse).collect(),
                        updated_at: parse_instant(&r.try_get::<String, _>(2)?)?,
                    })
                })
                .transpose()
            }

            async fn person_language(&self, bsn: &Bsn) -> Result<Option<String>, StoreError> {
                Ok(sqlx::query_scalar("SELECT lang FROM person_languages WHERE bsn = $1")
                    .bind(bsn.as_str())
                    .fetch_optional(&self.read)
                    .await?)
            }

            async fn set_person_language(
                &self,
                bsn: &Bsn,
                lang: &str,
                now: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO person_languages (bsn, lang, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (bsn) DO UPDATE SET lang = excluded.lang, \
                     updated_at = excluded.updated_at",
                )
                .bind(bsn.as_str())
                .bind(lang)
                .bind(format_instant(now))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn enqueue_notice(
                &self,
                id: &str,
                email: &str,
                practice: &PracticeId,
                kind: NoticeKind,
                lang: &str,
                now: DateTime<Utc>,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "INSERT INTO notification_jobs (id, email, practice_id, kind, created_at, status, \
                     attempts, next_attempt_at, lang) \
                     VALUES ($1, $2, $3, $4, $5, 'pending', 0, $5, $6) \
                     ON CONFLICT (email, practice_id) WHERE status = 'pending' DO NOTHING",
                )
                .bind(id)
                .bind(email)
                .bind(practice.as_str())
                .bind(kind.as_str())
                .bind(format_instant(now))
                .bind(lang)
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn claim_notices(
                &self,
                worker: &str,
                now: DateTime<Utc>,
                lease: Duration,
                limit: i64,
            ) -> Result<Vec<NotifyJob>, StoreError> {
                let now_s = format_instant(now);
                let candidates: Vec<String> = sqlx::query_scalar(
                    "SELECT id FROM notification_jobs WHERE status = 'pending' \
                     AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1) \
                     ORDER BY next_attempt_at, id LIMIT $2",
                )
                .bind(&now_s)
                .bind(limit)
                .fetch_all(&self.write)
                .await?;
                let mut claimed = vec![];
                for id in candidates {
                    // Only one worker's UPDATE can match: the other sees a live lease.
                    let row = sqlx::query(concat!(
                        "UPDATE notification_jobs SET claimed_by = $2, claimed_until = $3, \
                         attempts = attempts + 1 \
                         WHERE id = $1 AND status = 'pending' AND next_attempt_at <= $4 \
                         AND (claimed_until IS NULL OR claimed_until < $4) RETURNING ",
                        job_columns!()
                    ))
                    .bind(&id)
                    .bind(worker)
                    .bind(format_instant(now + lease))
                    .bind(&now_s)
                    .fetch_optional(&self.write)
                    .await?;
                    if let Some(row) = row {
                        claimed.push(job_row(&row)?);
                    }
                }
                Ok(claimed)
            }

            async fn notice_sent(&self, id: &str, worker: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
                let done = sqlx::query(
                    "UPDATE notification_jobs SET status = 'sent', sent_at = $3, claimed_until = NULL, \
                     last_error = NULL WHERE id = $1 AND claimed_by = $2 AND status = 'pending'",
                )
                .bind(id)
                .bind(worker)
                .bind(format_instant(now))
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn notice_failed(
                &self,
                id: &str,
                worker: &str,
                error: &str,
                retry_at: Option<DateTime<Utc>>,
            ) -> Result<bool, StoreError> {
                let status = if retry_at.is_some() { "pending" } else { "failed" };
                let next = retry_at.map(format_instant);
                let done = sqlx::query(
                    "UPDATE notification_jobs SET status = $3, last_error = $4, claimed_until = NULL, \
                     next_attempt_at = COALESCE($5, next_attempt_at) \
                     WHERE id = $1 AND claimed_by = $2 AND status = 'pending'",
                )
                .bind(id)
                .bind(worker)
                .bind(status)
                .bind(error.chars().take(500).collect::<String>())
                .bind(next)
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn notify_jobs(&self) -> Result<Vec<NotifyJob>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ", job_columns!(), " FROM notification_jobs ORDER BY created_at DESC, id"
                ))
                .fetch_all(&self.read)
                .await?;
                rows.iter().map(job_row).collect()
            }

            async fn pending_notices(&self) -> Result<u64, StoreError> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM notification_jobs WHERE status = 'pending'",
                )
                .fetch_one(&self.read)
                .await?;
                Ok(n as u64)
            }

            async fn deliver_dev_mail(&self, m: &DevMail) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO dev_mailbox (id, email, subject, body, sent_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&m.id)
                .bind(&m.email)
                .bind(&m.subject)
                .bind(&m.body)
                .bind(format_instant(m.sent_at))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn dev_mails(&self) -> Result<Vec<DevMail>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, email, subject, body, sent_at FROM dev_mailbox ORDER BY sent_at DESC, id",
                )
                .fetch_all(&self.read)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(DevMail {
                            id: r.try_get(0)?,
                            email: r.try_get(1)?,
                            subject: r.try_get(2)?,
                            body: r.try_get(3)?,
                            sent_at: parse_instant(&r.try_get::<String, _>(4)?)?,
                        })
                    })
                    .collect()
            }
        }
    };
}

impl_notify!(SqliteStore);
impl_notify!(PostgresStore);

impl NotifyStore for Store {
    async fn set_notify_contact(&self, contact: &NotifyContact) -> Result<(), StoreError> {
        delegate!(self, s => s.set_notify_contact(contact))
    }
    async fn remove_notify_contact(&self, bsn: &Bsn) -> Result<(), StoreError> {
        delegate!(self, s => s.remove_notify_contact(bsn))
    }
    async fn notify_contact(&self, bsn: &Bsn) -> Result<Option<NotifyContact>, StoreError> {
        delegate!(self, s => s.notify_contact(bsn))
    }
    async fn person_language(&self, bsn: &Bsn) -> Result<Option<String>, StoreError> {
        delegate!(self, s => s.person_language(bsn))
    }
    async fn set_person_language(
        &self,
        bsn: &Bsn,
        lang: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.set_person_language(bsn, lang, now))
    }
    async fn enqueue_notice(
        &self,
        id: &str,
        email: &str,
        practice: &PracticeId,
        kind: NoticeKind,
        lang: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.enqueue_notice(id, email, practice, kind, lang, now))
    }
    async fn claim_notices(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<NotifyJob>, StoreError> {
        delegate!(self, s => s.claim_notices(worker, now, lease, limit))
    }
    async fn notice_sent(
        &self,
        id: &str,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.notice_sent(id, worker, now))
    }
    async fn notice_failed(
        &self,
        id: &str,
        worker: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.notice_failed(id, worker, error, retry_at))
    }
    async fn notify_jobs(&self) -> Result<Vec<NotifyJob>, StoreError> {
        delegate!(self, s => s.notify_jobs())
    }
    async fn pending_notices(&self) -> Result<u64, StoreError> {
        delegate!(self, s => s.pending_notices())
    }
    async fn deliver_dev_mail(&self, mail: &DevMail) -> Result<(), StoreError> {
        delegate!(self, s => s.deliver_dev_mail(mail))
    }
    async fn dev_mails(&self) -> Result<Vec<DevMail>, StoreError> {
        delegate!(self, s => s.dev_mails())
    }
}
