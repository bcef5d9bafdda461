//! Questions to the practice (e-consult, R47): a thread per topic, messages from the patient (or
//! a representative) and from the practice, an optional attachment per message, and the
//! e-consult contact a thread became in the record. Every change to a thread is one transaction;
//! converting a thread saves the record (with its audit entry) in the same transaction.

use crate::audit::{AuditEvent, format_instant};
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::{PatientId, PatientRecord, PracticeId};
use sqlx::Row;
use std::future::Future;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadStatus {
    /// The practice has to answer.
    Waiting,
    /// The practice answered last.
    Answered,
    Closed,
}

impl ThreadStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Answered => "answered",
            Self::Closed => "closed",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        [Self::Waiting, Self::Answered, Self::Closed]
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| StoreError::Corrupt(format!("thread status {s:?}")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub id: String,
    pub patient: PatientId,
    pub subject: String,
    /// The login subject of who asked.
    pub started_by: String,
    /// Who asked (BSN): the reply notice goes to them.
    pub started_bsn: String,
    /// `patient` or `representative:<id>`.
    pub started_role: String,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub status: ThreadStatus,
    /// The e-consult contact this thread became, if converted.
    pub consult: Option<String>,
}

/// An attachment: an image or a PDF, checked by its content before it gets here.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("media_type", &self.media_type)
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub thread: String,
    pub from_practice: bool,
    /// Login subject or `staff:<username>`.
    pub author: String,
    /// The name shown with the message.
    pub author_name: String,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    /// Name and media type of the attachment; its bytes come from [`MessageStore::attachment`].
    pub attachment: Option<(String, String)>,
}

pub trait MessageStore: Send + Sync {
    /// Starts a thread with its first message or messages (each with its attachment), in one
    /// transaction: all of them or nothing.
    fn start_thread(
        &self,
        thread: &Thread,
        messages: &[(&Message, Option<&Attachment>)],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Adds a message to a thread of `patient` that is not closed, and sets the thread's status
    /// (`close` closes it after this message). `false` when there is no such open thread; then
    /// nothing is written.
    fn add_message(
        &self,
        patient: &PatientId,
        message: &Message,
        attachment: Option<&Attachment>,
        close: bool,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// A patient's threads, most recently changed first.
    fn threads(
        &self,
        patient: &PatientId,
    ) -> impl Future<Output = Result<Vec<Thread>, StoreError>> + Send;

    /// One thread of `patient` with its messages, oldest first.
    fn thread(
        &self,
        patient: &PatientId,
        id: &str,
    ) -> impl Future<Output = Result<Option<(Thread, Vec<Message>)>, StoreError>> + Send;

    /// The attachment of message `message` in thread `thread` of `patient`.
    fn attachment(
        &self,
        patient: &PatientId,
        thread: &str,
        message: &str,
    ) -> impl Future<Output = Result<Option<Attachment>, StoreError>> + Send;

    /// Threads waiting for an answer from the practice, oldest first.
    fn waiting_threads(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<Thread>, StoreError>> + Send;

    /// Records that a thread became the e-consult contact `consult` and saves the record with it,
    /// in one transaction. `false` when the thread is not `patient`'s or was converted already.
    fn convert_thread(
        &self,
        patient: &PatientId,
        id: &str,
        consult: &str,
        record: &PatientRecord,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

macro_rules! thread_columns {
    () => {
        "id, patient_id, subject, started_by, started_bsn, started_role, started_at, updated_at, \
         status, consult_id"
    };
}

macro_rules! message_columns {
    () => {
        "m.id, m.thread_id, m.from_practice, m.author, m.author_name, m.body, m.sent_at, \
         m.attachment_name, m.attachment_type"
    };
}

fn thread_row<R: Row>(r: &R) -> Result<Thread, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(Thread {
        id: r.try_get(0)?,
        patient: PatientId::new(r.try_get::<String, _>(1)?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        subject: r.try_get(2)?,
        started_by: r.try_get(3)?,
        started_bsn: r.try_get(4)?,
        started_role: r.try_get(5)?,
        started_at: parse_instant(&r.try_get::<String, _>(6)?)?,
        updated_at: parse_instant(&r.try_get::<String, _>(7)?)?,
        status: ThreadStatus::parse(&r.try_get::<String, _>(8)?)?,
        consult: r.try_get(9)?,
    })
}

fn message_row<R: Row>(r: &R) -> Result<Message, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let name: Option<String> = r.try_get(7)?;
    let media_type: Option<String> = r.try_get(8)?;
    Ok(Message {
        id: r.try_get(0)?,
        thread: r.try_get(1)?,
        from_practice: r.try_get(2)?,
        author: r.try_get(3)?,
        author_name: r.try_get(4)?,
        body: r.try_get(5)?,
        sent_at: parse_instant(&r.try_get::<String, _>(6)?)?,
        attachment: name.zip(media_type),
    })
}

macro_rules! impl_messages {
    ($Store:ident, $Db:ty) => {
        impl $Store {
            async fn insert_message(
                tx: &mut sqlx::Transaction<'_, $Db>,
                m: &Message,
                a: Option<&Attachment>,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO messages (id, thread_id, from_practice, author, author_name, body, \
                     sent_at, attachment_name, attachment_type, attachment) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(&m.id)
                .bind(&m.thread)
                .bind(m.from_practice)
                .bind(&m.author)
                .bind(&m.author_name)
                .bind(&m.body)
                .bind(format_instant(m.sent_at))
                .bind(a.map(|a| a.name.clone()))
                .bind(a.map(|a| a.media_type.clone()))
                .bind(a.map(|a| a.bytes.clone()))
                .execute(&mut **tx)
                .await?;
                Ok(())
            }
        }

        impl MessageStore for $Store {
            async fn start_thread(
                &self,
                t: &Thread,
                messages: &[(&Message, Option<&Attachment>)],
            ) -> Result<(), StoreError> {
                let mut tx = self.write.begin().await?;
                sqlx::query(concat!(
                    "INSERT INTO message_threads (", thread_columns!(), ") \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                ))
                .bind(&t.id)
                .bind(t.patient.as_str())
                .bind(&t.subject)
                .bind(&t.started_by)
                .bind(&t.started_bsn)
                .bind(&t.started_role)
                .bind(format_instant(t.started_at))
                .bind(format_instant(t.updated_at))
                .bind(t.status.as_str())
                .bind(&t.consult)
                .execute(&mut *tx)
                .await?;
                for (m, attachment) in messages {
                    Self::insert_message(&mut tx, m, *attachment).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn add_message(
                &self,
                patient: &PatientId,
                m: &Message,
                attachment: Option<&Attachment>,
                close: bool,
            ) -> Result<bool, StoreError> {
                let status = if close {
                    ThreadStatus::Closed
                } else if m.from_practice {
                    ThreadStatus::Answered
                } else {
                    ThreadStatus::Waiting
                };
                let mut tx = self.write.begin().await?;
                let done = sqlx::query(
                    "UPDATE message_threads SET status = $3, updated_at = $4 \
                     WHERE id = $1 AND patient_id = $2 AND status <> 'closed'",
                )
                .bind(&m.thread)
                .bind(patient.as_str())
                .bind(status.as_str())
                .bind(format_instant(m.sent_at))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                Self::insert_message(&mut tx, m, attachment).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn threads(&self, patient: &PatientId) -> Result<Vec<Thread>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ", thread_columns!(), " FROM message_threads WHERE patient_id = $1 \
                     ORDER BY updated_at DESC, id"
                ))
                .bind(patient.as_str())
                .fetch_all(&self.read)
                .await?;
                rows.iter().map(thread_row).collect()
            }

            async fn thread(
                &self,
                patient: &PatientId,
                id: &str,
            ) -> Result<Option<(Thread, Vec<Message>)>, StoreError> {
                let Some(row) = sqlx::query(concat!(
                    "SELECT ", thread_columns!(), " FROM message_threads \
                     WHERE id = $1 AND patient_id = $2"
                ))
                .bind(id)
                .bind(patient.as_str())
                .fetch_optional(&self.read)
                .await?
                else {
                    return Ok(None);
                };
                let thread = thread_row(&row)?;
                let rows = sqlx::query(concat!(
                    "SELECT ", message_columns!(), " FROM messages m WHERE m.thread_id = $1 \
                     ORDER BY m.sent_at, m.id"
                ))
                .bind(id)
                .fetch_all(&self.read)
                .await?;
                let messages = rows.iter().map(message_row).collect::<Result<_, _>>()?;
                Ok(Some((thread, messages)))
            }

            async fn attachment(
                &self,
                patient: &PatientId,
                thread: &str,
                message: &str,
            ) -> Result<Option<Attachment>, StoreError> {
                let row = sqlx::query(
                    "SELECT m.attachment_name, m.attachment_type, m.attachment FROM messages m \
                     JOIN message_threads t ON t.id = m.thread_id \
                     WHERE m.id = $1 AND t.id = $2 AND t.patient_id = $3 \
                     AND m.attachment IS NOT NULL",
                )
                .bind(message)
                .bind(thread)
                .bind(patient.as_str())
                .fetch_optional(&self.read)
                .await?;
                row.map(|r| {
                    Ok(Attachment {
                        name: r.try_get(0)?,
                        media_type: r.try_get(1)?,
                        bytes: r.try_get(2)?,
                    })
                })
                .transpose()
            }

            async fn waiting_threads(&self, practice: &PracticeId) -> Result<Vec<Thread>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT ", thread_columns!(), " FROM message_threads WHERE status = 'waiting' \
                     AND patient_id IN (SELECT id FROM patients WHERE practice_id = $1) \
                     ORDER BY updated_at, id"
                ))
                .bind(practice.as_str())
                .fetch_all(&self.read)
                .await?;
                rows.iter().map(thread_row).collect()
            }

            async fn convert_thread(
                &self,
                patient: &PatientId,
                id: &str,
                consult: &str,
                record: &PatientRecord,
                audit: AuditEvent,
            ) -> Result<bool, StoreError> {
                if record.patient.id != *patient {
                    return Err(StoreError::Invalid("the record is another patient's".into()));
                }
                let mut tx = self.write.begin().await?;
                let done = sqlx::query(
                    "UPDATE message_threads SET consult_id = $3 \
                     WHERE id = $1 AND patient_id = $2 AND consult_id IS NULL",
                )
                .bind(id)
                .bind(patient.as_str())
                .bind(consult)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                Self::save_in(&mut tx, record, audit, &self.audit_key).await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}

impl_messages!(SqliteStore, sqlx::Sqlite);
impl_messages!(PostgresStore, sqlx::Postgres);

impl MessageStore for Store {
    async fn start_thread(
        &self,
        thread: &Thread,
        messages: &[(&Message, Option<&Attachment>)],
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.start_thread(thread, messages))
    }
    async fn add_message(
        &self,
        patient: &PatientId,
        message: &Message,
        attachment: Option<&Attachment>,
        close: bool,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.add_message(patient, message, attachment, close))
    }
    async fn threads(&self, patient: &PatientId) -> Result<Vec<Thread>, StoreError> {
        delegate!(self, s => s.threads(patient))
    }
    async fn thread(
        &self,
        patient: &PatientId,
        id: &str,
    ) -> Result<Option<(Thread, Vec<Message>)>, StoreError> {
        delegate!(self, s => s.thread(patient, id))
    }
    async fn attachment(
        &self,
        patient: &PatientId,
        thread: &str,
        message: &str,
    ) -> Result<Option<Attachment>, StoreError> {
        delegate!(self, s => s.attachment(patient, thread, message))
    }
    async fn waiting_threads(&self, practice: &PracticeId) -> Result<Vec<Thread>, StoreError> {
        delegate!(self, s => s.waiting_threads(practice))
    }
    async fn convert_thread(
        &self,
        patient: &PatientId,
        id: &str,
        consult: &str,
        record: &PatientRecord,
        audit: AuditEvent,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.convert_thread(patient, id, consult, record, audit))
    }
}
