//! `ExchangeStore`: what sharing with other providers keeps besides the record (migration 0027):
//! the registered provider systems (secrets and tokens as SHA-256 only), and one row per request
//! for a patient's summary, answered or refused, so that the practice reviews every emergency
//! retrieval afterwards (R114, R118). The consent itself is part of the record.

use crate::audit::{AuditEvent, format_instant};
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::exchange::{DataCategory, LocumReport, ProviderCategory};
use inzage_domain::{PatientId, PatientRecord, PracticeId};
use sqlx::Row;
use std::future::Future;

/// A registered provider system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeClient {
    pub id: String,
    /// As the patient reads it in their access log: "Huisartsenpost Midden-Stad".
    pub name: String,
    pub category: ProviderCategory,
    pub secret_hash: String,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

/// How a request for a summary ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered on the patient's consent.
    Consent,
    /// Answered on a declared emergency (the patient was not asked).
    Emergency,
    /// Refused: the patient said no, or was not asked and no emergency was declared.
    Refused,
}

impl Outcome {
    fn word(self) -> &'static str {
        match self {
            Self::Consent => "consent",
            Self::Emergency => "emergency",
            Self::Refused => "refused",
        }
    }
    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "consent" => Self::Consent,
            "emergency" => Self::Emergency,
            "refused" => Self::Refused,
            _ => return Err(StoreError::Corrupt(format!("retrieval outcome {s}"))),
        })
    }
}

/// One request for a patient's summary by a provider system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retrieval {
    pub id: String,
    pub patient: PatientId,
    pub practice: PracticeId,
    pub client_id: String,
    pub client_name: String,
    pub category: ProviderCategory,
    pub data: DataCategory,
    /// The doctor at the provider, as their system named them.
    pub practitioner: String,
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
    pub emergency_reason: Option<String>,
    pub review: Option<Review>,
}

/// The practice's look at an emergency retrieval afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// A locum's report as received, waiting to be filed or filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedReport {
    pub id: String,
    pub patient: PatientId,
    pub practice: PracticeId,
    pub client_id: String,
    pub client_name: String,
    pub received_at: DateTime<Utc>,
    pub report: LocumReport,
    pub filed: Option<(String, DateTime<Utc>, String)>,
}

pub trait ExchangeStore {
    /// Keeps a received report with its audit entry.
    fn receive_report(
        &self,
        report: &ReceivedReport,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The practice's reports not filed yet, oldest first.
    fn reports_to_file(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<ReceivedReport>, StoreError>> + Send;

    /// Files a waiting report once: saves `record` (with the report's contact) and marks the
    /// report filed, in one transaction. False when it is not waiting in this practice for this
    /// patient; then nothing is written.
    #[allow(clippy::too_many_arguments)]
    fn file_report(
        &self,
        practice: &PracticeId,
        id: &str,
        record: &PatientRecord,
        contact: &str,
        by: &str,
        at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Registers a provider system.
    fn add_exchange_client(
        &self,
        client: &ExchangeClient,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A registered system by its id, also when disabled.
    fn exchange_client(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<ExchangeClient>, StoreError>> + Send;

    fn exchange_clients(
        &self,
    ) -> impl Future<Output = Result<Vec<ExchangeClient>, StoreError>> + Send;

    /// Stops a system: its tokens stop working at once. False when there is no such system.
    fn disable_exchange_client(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Keeps an access token (its SHA-256) for a system until `expires_at`; drops expired ones.
    fn store_exchange_token(
        &self,
        token_hash: &str,
        client_id: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The enabled system a live token belongs to.
    fn exchange_token_client(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<ExchangeClient>, StoreError>> + Send;

    /// Keeps a request and its audit entry, in one transaction.
    fn record_retrieval(
        &self,
        retrieval: &Retrieval,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A patient's retrievals, newest first.
    fn retrievals_of(
        &self,
        patient: &PatientId,
    ) -> impl Future<Output = Result<Vec<Retrieval>, StoreError>> + Send;

    /// The practice's emergency retrievals nobody has reviewed yet, oldest first.
    fn emergencies_to_review(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<Retrieval>, StoreError>> + Send;

    /// Records the practice's review of one of its emergency retrievals, with its audit entry.
    /// False when there is no such retrieval waiting.
    fn review_emergency(
        &self,
        practice: &PracticeId,
        id: &str,
        review: &Review,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

fn client_row<R: Row>(r: &R) -> Result<ExchangeClient, StoreError>
where
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<String>: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
{
    let category: String = r.try_get("category")?;
    Ok(ExchangeClient {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        category: ProviderCategory::parse(&category)
            .ok_or_else(|| StoreError::Corrupt(format!("provider category {category}")))?,
        secret_hash: r.try_get("secret_hash")?,
        created_at: parse_instant(&r.try_get::<String, _>("created_at")?)?,
        disabled_at: r
            .try_get::<Option<String>, _>("disabled_at")?
            .as_deref()
            .map(parse_instant)
            .transpose()?,
    })
}

fn retrieval_row<R: Row>(r: &R) -> Result<Retrieval, StoreError>
where
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<String>: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
{
    let category: String = r.try_get("category")?;
    let data: String = r.try_get("data")?;
    let reviewed_at: Option<String> = r.try_get("reviewed_at")?;
    Ok(Retrieval {
        id: r.try_get("id")?,
        patient: PatientId::new(r.try_get::<String, _>("patient_id")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        practice: PracticeId::new(r.try_get::<String, _>("practice_id")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        client_id: r.try_get("client_id")?,
        client_name: r.try_get("client_name")?,
        category: ProviderCategory::parse(&category)
            .ok_or_else(|| StoreError::Corrupt(format!("provider category {category}")))?,
        data: DataCategory::parse(&data)
            .ok_or_else(|| StoreError::Corrupt(format!("data category {data}")))?,
        practitioner: r.try_get("practitioner")?,
        at: parse_instant(&r.try_get::<String, _>("at")?)?,
        outcome: Outcome::parse(&r.try_get::<String, _>("outcome")?)?,
        emergency_reason: r.try_get("emergency_reason")?,
        review: match reviewed_at {
            Some(at) => Some(Review {
                by: r
                    .try_get::<Option<String>, _>("reviewed_by")?
                    .unwrap_or_default(),
                at: parse_instant(&at)?,
                note: r
                    .try_get::<Option<String>, _>("review_note")?
                    .unwrap_or_default(),
            }),
            None => None,
        },
    })
}

/// The columns of `exchange_retrievals`, in `retrieval_row`'s order (a macro: sqlx takes only
/// static SQL, which `concat!` keeps).
macro_rules! retrieval_columns {
    () => {
        "id, patient_id, practice_id, client_id, client_name, category, data, practitioner, at, \
         outcome, emergency_reason, reviewed_by, reviewed_at, review_note"
    };
}

fn report_row<R: Row>(r: &R) -> Result<ReceivedReport, StoreError>
where
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<String>: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
{
    let body: String = r.try_get("body")?;
    let filed_at: Option<String> = r.try_get("filed_at")?;
    Ok(ReceivedReport {
        id: r.try_get("id")?,
        patient: PatientId::new(r.try_get::<String, _>("patient_id")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        practice: PracticeId::new(r.try_get::<String, _>("practice_id")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        client_id: r.try_get("client_id")?,
        client_name: r.try_get("client_name")?,
        received_at: parse_instant(&r.try_get::<String, _>("received_at")?)?,
        report: serde_json::from_str(&body)
            .map_err(|e| StoreError::Corrupt(format!("locum report: {e}")))?,
        filed: match filed_at {
            Some(at) => Some((
                r.try_get::<Option<String>, _>("filed_by")?
                    .unwrap_or_default(),
                parse_instant(&at)?,
                r.try_get::<Option<String>, _>("contact_id")?
                    .unwrap_or_default(),
            )),
            None => None,
        },
    })
}

macro_rules! impl_exchange {
    ($Store:ident) => {
        impl ExchangeStore for $Store {
            async fn receive_report(&self, x: &ReceivedReport, audit: AuditEvent) -> Result<(), StoreError> {
                let body = serde_json::to_string(&x.report).map_err(|e| StoreError::Invalid(e.to_string()))?;
                let mut tx = self.write.begin().await?;
                sqlx::query(
                    "INSERT INTO locum_reports (id, patient_id, practice_id, client_id, client_name, received_at, body) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&x.id)
                .bind(x.patient.as_str())
                .bind(x.practice.as_str())
                .bind(&x.client_id)
                .bind(&x.client_name)
                .bind(format_instant(x.received_at))
                .bind(body)
                .execute(&mut *tx)
                .await?;
                Self::append_audit_in(&mut tx, audit, &self.audit_key).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn reports_to_file(&self, practice: &PracticeId) -> Result<Vec<ReceivedReport>, StoreError> {
                sqlx::query(
                    "SELECT * FROM locum_reports WHERE practice_id = $1 AND filed_at IS NULL ORDER BY received_at, id",
                )
                .bind(practice.as_str())
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(report_row)
                .collect()
            }

            async fn file_report(
                &self,
                practice: &PracticeId,
                id: &str,
                record: &PatientRecord,
                contact: &str,
                by: &str,
                at: DateTime<Utc>,
                audit: AuditEvent,
            ) -> Result<bool, StoreError> {
                let mut tx = self.write.begin().await?;
                // Filed, the lines live in the record (where a destruction can reach them); the
                // report keeps only who sent it and when.
                let body: Option<String> = sqlx::query_scalar(
                    "SELECT body FROM locum_reports WHERE id = $1 AND practice_id = $2 AND patient_id = $3 AND filed_at IS NULL",
                )
                .bind(id)
                .bind(practice.as_str())
                .bind(record.patient.id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(body) = body else {
                    return Ok(false);
                };
                let mut report: LocumReport = serde_json::from_str(&body)
                    .map_err(|e| StoreError::Corrupt(format!("locum report: {e}")))?;
                report.lines.clear();
                let kept = serde_json::to_string(&report).map_err(|e| StoreError::Invalid(e.to_string()))?;
                let done = sqlx::query(
                    "UPDATE locum_reports SET filed_by = $4, filed_at = $5, contact_id = $6, body = $7 \
                     WHERE id = $1 AND practice_id = $2 AND patient_id = $3 AND filed_at IS NULL",
                )
                .bind(id)
                .bind(practice.as_str())
                .bind(record.patient.id.as_str())
                .bind(by)
                .bind(format_instant(at))
                .bind(contact)
                .bind(kept)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                Self::save_in(&mut tx, record, audit, &self.audit_key).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn add_exchange_client(&self, c: &ExchangeClient) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO exchange_clients (id, name, category, secret_hash, created_at, disabled_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&c.id)
                .bind(&c.name)
                .bind(c.category.slug())
                .bind(&c.secret_hash)
                .bind(format_instant(c.created_at))
                .bind(c.disabled_at.map(format_instant))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn exchange_client(&self, id: &str) -> Result<Option<ExchangeClient>, StoreError> {
                sqlx::query("SELECT * FROM exchange_clients WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.read)
                    .await?
                    .map(|r| client_row(&r))
                    .transpose()
            }

            async fn exchange_clients(&self) -> Result<Vec<ExchangeClient>, StoreError> {
                sqlx::query("SELECT * FROM exchange_clients ORDER BY name, id")
                    .fetch_all(&self.read)
                    .await?
                    .iter()
                    .map(client_row)
                    .collect()
            }

            async fn disable_exchange_client(
                &self,
                id: &str,
                now: DateTime<Utc>,
            ) -> Result<bool, StoreError> {
                let mut tx = self.write.begin().await?;
                let done = sqlx::query(
                    "UPDATE exchange_clients SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL",
                )
                .bind(id)
                .bind(format_instant(now))
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM exchange_tokens WHERE client_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn store_exchange_token(
                &self,
                token_hash: &str,
                client_id: &str,
                expires_at: DateTime<Utc>,
                now: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                let mut tx = self.write.begin().await?;
                sqlx::query("DELETE FROM exchange_tokens WHERE expires_at <= $1")
                    .bind(format_instant(now))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO exchange_tokens (token_hash, client_id, expires_at) VALUES ($1, $2, $3)",
                )
                .bind(token_hash)
                .bind(client_id)
                .bind(format_instant(expires_at))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn exchange_token_client(
                &self,
                token_hash: &str,
                now: DateTime<Utc>,
            ) -> Result<Option<ExchangeClient>, StoreError> {
                sqlx::query(
                    "SELECT c.* FROM exchange_tokens t JOIN exchange_clients c ON c.id = t.client_id \
                     WHERE t.token_hash = $1 AND t.expires_at > $2 AND c.disabled_at IS NULL",
                )
                .bind(token_hash)
                .bind(format_instant(now))
                .fetch_optional(&self.read)
                .await?
                .map(|r| client_row(&r))
                .transpose()
            }

            async fn record_retrieval(
                &self,
                x: &Retrieval,
                audit: AuditEvent,
            ) -> Result<(), StoreError> {
                let mut tx = self.write.begin().await?;
                sqlx::query(concat!(

                    "INSERT INTO exchange_retrievals (",
                    retrieval_columns!(),
                    ") \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL, NULL)"
                ))
                .bind(&x.id)
                .bind(x.patient.as_str())
                .bind(x.practice.as_str())
                .bind(&x.client_id)
                .bind(&x.client_name)
                .bind(x.category.slug())
                .bind(x.data.slug())
                .bind(&x.practitioner)
                .bind(format_instant(x.at))
                .bind(x.outcome.word())
                .bind(x.emergency_reason.as_deref())
                .execute(&mut *tx)
                .await?;
                Self::append_audit_in(&mut tx, audit, &self.audit_key).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn retrievals_of(&self, patient: &PatientId) -> Result<Vec<Retrieval>, StoreError> {
                sqlx::query(concat!(

                    "SELECT ",
                    retrieval_columns!(),
                    " FROM exchange_retrievals WHERE patient_id = $1 \
                     ORDER BY at DESC, id"
                ))
                .bind(patient.as_str())
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(retrieval_row)
                .collect()
            }

            async fn emergencies_to_review(
                &self,
                practice: &PracticeId,
            ) -> Result<Vec<Retrieval>, StoreError> {
                sqlx::query(concat!(

                    "SELECT ",
                    retrieval_columns!(),
                    " FROM exchange_retrievals WHERE practice_id = $1 \
                     AND outcome = 'emergency' AND reviewed_at IS NULL ORDER BY at, id"
                ))
                .bind(practice.as_str())
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(retrieval_row)
                .collect()
            }

            async fn review_emergency(
                &self,
                practice: &PracticeId,
                id: &str,
                review: &Review,
                audit: AuditEvent,
            ) -> Result<bool, StoreError> {
                let mut tx = self.write.begin().await?;
                let done = sqlx::query(
                    "UPDATE exchange_retrievals SET reviewed_by = $3, reviewed_at = $4, review_note = $5 \
                     WHERE id = $1 AND practice_id = $2 AND outcome = 'emergency' AND reviewed_at IS NULL",
                )
                .bind(id)
                .bind(practice.as_str())
                .bind(&review.by)
                .bind(format_instant(review.at))
                .bind(&review.note)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                Self::append_audit_in(&mut tx, audit, &self.audit_key).await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}

impl_exchange!(SqliteStore);
impl_exchange!(PostgresStore);

impl ExchangeStore for Store {
    async fn receive_report(
        &self,
        report: &ReceivedReport,
        audit: AuditEvent,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.receive_report(report, audit))
    }
    async fn reports_to_file(
        &self,
        practice: &PracticeId,
    ) -> Result<Vec<ReceivedReport>, StoreError> {
        delegate!(self, s => s.reports_to_file(practice))
    }
    async fn file_report(
        &self,
        practice: &PracticeId,
        id: &str,
        record: &PatientRecord,
        contact: &str,
        by: &str,
        at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.file_report(practice, id, record, contact, by, at, audit))
    }
    async fn add_exchange_client(&self, client: &ExchangeClient) -> Result<(), StoreError> {
        delegate!(self, s => s.add_exchange_client(client))
    }
    async fn exchange_client(&self, id: &str) -> Result<Option<ExchangeClient>, StoreError> {
        delegate!(self, s => s.exchange_client(id))
    }
    async fn exchange_clients(&self) -> Result<Vec<ExchangeClient>, StoreError> {
        delegate!(self, s => s.exchange_clients())
    }
    async fn disable_exchange_client(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.disable_exchange_client(id, now))
    }
    async fn store_exchange_token(
        &self,
        token_hash: &str,
        client_id: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.store_exchange_token(token_hash, client_id, expires_at, now))
    }
    async fn exchange_token_client(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ExchangeClient>, StoreError> {
        delegate!(self, s => s.exchange_token_client(token_hash, now))
    }
    async fn record_retrieval(
        &self,
        retrieval: &Retrieval,
        audit: AuditEvent,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.record_retrieval(retrieval, audit))
    }
    async fn retrievals_of(&self, patient: &PatientId) -> Result<Vec<Retrieval>, StoreError> {
        delegate!(self, s => s.retrievals_of(patient))
    }
    async fn emergencies_to_review(
        &self,
        practice: &PracticeId,
    ) -> Result<Vec<Retrieval>, StoreError> {
        delegate!(self, s => s.emergencies_to_review(practice))
    }
    async fn review_emergency(
        &self,
        practice: &PracticeId,
        id: &str,
        review: &Review,
        audit: AuditEvent,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.review_emergency(practice, id, review, audit))
    }
}
