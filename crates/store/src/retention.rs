//! `RetentionStore`: the record's life cycle (R107, R108, R111; migration 0028). The daily sweep
//! reports records whose 20-year term has ended (`retention_reviews`); a GP decides to keep one
//! longer, with a reason and a date, or to destroy it. Destruction, at the end of the term or on
//! the patient's request, removes the record's rows and the earlier versions of its items, and
//! is kept in `record_destructions` with who decided and when. The audit log is never touched:
//! its entries about the patient stay (R106, R107).

use crate::audit::{AuditEvent, format_instant};
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::{Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use inzage_domain::visibility::ItemRef;
use inzage_domain::{PatientId, PatientRecord, PracticeId};
use sqlx::Row;
use std::future::Future;

/// A record whose term has ended, waiting for a GP's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRecord {
    pub patient: PatientId,
    pub family_name: String,
    pub birth_date: String,
    /// The last medical change (or, for a record not saved since migration 0028, its last
    /// change of any kind).
    pub last_change: DateTime<Utc>,
    /// When the daily sweep first reported it.
    pub found_at: DateTime<Utc>,
}

/// Why a record or part of it was destroyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestructionBasis {
    /// The retention term ended and a GP decided.
    Term,
    /// The patient asked (WGBO 7:455) and a GP agreed.
    Request,
}

impl DestructionBasis {
    fn word(self) -> &'static str {
        match self {
            Self::Term => "term",
            Self::Request => "request",
        }
    }
}

/// A destruction as kept afterwards: no content, only what, why, who and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destruction {
    pub id: String,
    pub patient: PatientId,
    pub practice: PracticeId,
    pub basis: DestructionBasis,
    /// `record`, or the destroyed items as `kind:id`, comma-separated.
    pub scope: String,
    pub requested_at: Option<DateTime<Utc>>,
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
}

pub trait RetentionStore {
    /// The daily report: every record whose last medical change was before `cutoff` (so its
    /// term has ended) and that is not already reported gets a row; a "keep longer" whose date
    /// has passed is reported again. Deletes nothing. Answers how many were newly reported.
    fn sweep_retention(
        &self,
        cutoff: DateTime<Utc>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The practice's reported records still due (a record changed since is not), oldest first.
    fn retention_due(
        &self,
        practice: &PracticeId,
        cutoff: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<DueRecord>, StoreError>> + Send;

    /// A GP keeps a reported record longer, until `until`, for `reason`. False when it is not
    /// waiting for a decision in this practice.
    #[allow(clippy::too_many_arguments)]
    fn keep_longer(
        &self,
        practice: &PracticeId,
        patient: &PatientId,
        until: NaiveDate,
        reason: &str,
        by: &str,
        at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Destroys a whole record of `practice` in one transaction: its rows, its items' earlier
    /// versions, the measurements kept beside it; keeps `destruction` and the audit entry (and
    /// decides the patient's request, as `destroy_items`). With `due_before` (the end of the
    /// term), only a reported record still waiting for a decision whose last medical change was
    /// before it. False when not so, or no such record in this practice, or the request is not
    /// waiting (nothing written).
    fn destroy_record(
        &self,
        destruction: &Destruction,
        due_before: Option<DateTime<Utc>>,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Saves `record` (the named items already removed from it) and removes the earlier
    /// versions of the `removed` items, with `destruction` and the audit entry, in one
    /// transaction. On the patient's request (`basis` Request, the destruction's id is the
    /// request's) the request is decided in the same transaction; false, with nothing written,
    /// when it is not waiting.
    fn destroy_items(
        &self,
        record: &PatientRecord,
        removed: &[ItemRef],
        destruction: &Destruction,
        audit: AuditEvent,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The practice's destructions, newest first.
    fn destructions(
        &self,
        practice: &PracticeId,
    ) -> impl Future<Output = Result<Vec<Destruction>, StoreError>> + Send;
}

/// The stored kind of an item (as the record documents and `record_item_history` name it).
fn kind_word(item: &ItemRef) -> Result<String, StoreError> {
    match serde_json::to_value(item.kind) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(StoreError::Invalid("item kind".into())),
    }
}

macro_rules! impl_retention {
    ($Store:ident, $Db:ty) => {
        impl $Store {
            /// A destruction on the patient's request decides that request (its id is the
            /// destruction's), which must still be waiting: false when not. Others: true.
            async fn decide_request(
                tx: &mut sqlx::Transaction<'_, $Db>,
                d: &Destruction,
            ) -> Result<bool, StoreError> {
                if d.basis == DestructionBasis::Request {
                    let decided = sqlx::query(
                        "UPDATE practice_requests SET status = 'destroyed', decided_by = $3, decided_at = $4 \
                         WHERE kind = 'destruction' AND id = $1 AND patient_id = $2 AND decided_at IS NULL",
                    )
                    .bind(&d.id)
                    .bind(d.patient.as_str())
                    .bind(&d.decided_by)
                    .bind(format_instant(d.decided_at))
                    .execute(&mut **tx)
                    .await?;
                    if decided.rows_affected() != 1 {
                        return Ok(false);
                    }
                }
                Ok(true)
            }

            async fn keep_destruction(
                tx: &mut sqlx::Transaction<'_, $Db>,
                d: &Destruction,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO record_destructions (id, patient_id, practice_id, basis, scope, \
                     requested_at, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&d.id)
                .bind(d.patient.as_str())
                .bind(d.practice.as_str())
                .bind(d.basis.word())
                .bind(&d.scope)
                .bind(d.requested_at.map(format_instant))
                .bind(&d.decided_by)
                .bind(format_instant(d.decided_at))
                .execute(&mut **tx)
                .await?;
                Ok(())
            }
        }

        impl RetentionStore for $Store {
            async fn sweep_retention(
                &self,
                cutoff: DateTime<Utc>,
                today: NaiveDate,
                now: DateTime<Utc>,
            ) -> Result<u64, StoreError> {
                let mut tx = self.write.begin().await?;
                // A "keep longer" whose date has passed comes back as reported.
                sqlx::query(
                    "UPDATE retention_reviews SET decision = NULL, decided_by = NULL, decided_at = NULL, \
                     found_at = $2 WHERE decision = 'keep' AND keep_until < $1",
                )
                .bind(today.to_string())
                .bind(format_instant(now))
                .execute(&mut *tx)
                .await?;
                let found = sqlx::query(
                    "INSERT INTO retention_reviews (patient_id, practice_id, found_at) \
                     SELECT id, practice_id, $2 FROM patients \
                     WHERE COALESCE(medical_changed_at, updated_at) < $1 \
                     ON CONFLICT (patient_id) DO NOTHING",
                )
                .bind(format_instant(cutoff))
                .bind(format_instant(now))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(found.rows_affected())
            }

            async fn retention_due(
                &self,
                practice: &PracticeId,
                cutoff: DateTime<Utc>,
            ) -> Result<Vec<DueRecord>, StoreError> {
                sqlx::query(
                    "SELECT p.id, p.family_name, p.birth_date, COALESCE(p.medical_changed_at, p.updated_at), r.found_at \
                     FROM retention_reviews r JOIN patients p ON p.id = r.patient_id \
                     WHERE r.practice_id = $1 AND p.practice_id = $1 AND r.decided_at IS NULL \
                     AND COALESCE(p.medical_changed_at, p.updated_at) < $2 \
                     ORDER BY 4, p.id",
                )
                .bind(practice.as_str())
                .bind(format_instant(cutoff))
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(|r| {
                    Ok(DueRecord {
                        patient: PatientId::new(r.try_get::<String, _>(0)?)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        family_name: r.try_get(1)?,
                        birth_date: r.try_get(2)?,
                        last_change: parse_instant(&r.try_get::<String, _>(3)?)?,
                        found_at: parse_instant(&r.try_get::<String, _>(4)?)?,
                    })
                })
                .collect()
            }

            async fn keep_longer(
                &self,
                practice: &PracticeId,
                patient: &PatientId,
                until: NaiveDate,
                reason: &str,
                by: &str,
                at: DateTime<Utc>,
                audit: AuditEvent,
            ) -> Result<bool, StoreError> {
                let mut tx = self.write.begin().await?;
                let done = sqlx::query(
                    "UPDATE retention_reviews SET decision = 'keep', keep_until = $3, reason = $4, \
                     decided_by = $5, decided_at = $6 \
                     WHERE patient_id = $1 AND practice_id = $2 AND decided_at IS NULL",
                )
                .bind(patient.as_str())
                .bind(practice.as_str())
                .bind(until.to_string())
                .bind(reason)
                .bind(by)
                .bind(format_instant(at))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                Self::append_audit_in(&mut tx, audit, &self.audit_key).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn destroy_record(
                &self,
                d: &Destruction,
                due_before: Option<DateTime<Utc>>,
                audit: AuditEvent,
            ) -> Result<bool, StoreError> {
                let mut tx = self.write.begin().await?;
                // The request is decided before its row goes with the record; the decision is
                // kept in `record_destructions`.
                if !Self::decide_request(&mut tx, d).await? {
                    return Ok(false);
                }
                let gone = match due_before {
                    // At the end of the term: only while still due and reported, checked in this
                    // transaction (a medical change or a "keep longer" meanwhile stops it).
                    Some(cutoff) => sqlx::query(
                        "DELETE FROM patients WHERE id = $1 AND practice_id = $2 \
                         AND COALESCE(medical_changed_at, updated_at) < $3 \
                         AND EXISTS (SELECT 1 FROM retention_reviews r \
                                     WHERE r.patient_id = $1 AND r.decided_at IS NULL)",
                    )
                    .bind(d.patient.as_str())
                    .bind(d.practice.as_str())
                    .bind(format_instant(cutoff))
                    .execute(&mut *tx)
                    .await?,
                    None => sqlx::query("DELETE FROM patients WHERE id = $1 AND practice_id = $2")
                        .bind(d.patient.as_str())
                        .bind(d.practice.as_str())
                        .execute(&mut *tx)
                        .await?,
                };
                if gone.rows_affected() != 1 {
                    return Ok(false);
                }
                // The rows without a foreign key to the record go by hand.
                sqlx::query("DELETE FROM record_item_history WHERE patient_id = $1")
                    .bind(d.patient.as_str())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM self_measurements WHERE patient_id = $1")
                    .bind(d.patient.as_str())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE retention_reviews SET decision = 'destroyed', decided_by = $2, decided_at = $3 \
                     WHERE patient_id = $1",
                )
                .bind(d.patient.as_str())
                .bind(&d.decided_by)
                .bind(format_instant(d.decided_at))
                .execute(&mut *tx)
                .await?;
                Self::keep_destruction(&mut tx, d).await?;
                Self::append_audit_in(&mut tx, audit, &self.audit_key).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn destroy_items(
                &self,
                record: &PatientRecord,
                removed: &[ItemRef],
                d: &Destruction,
                audit: AuditEvent,
            ) -> Result<bool, StoreError> {
                let mut tx = self.write.begin().await?;
                if !Self::decide_request(&mut tx, d).await? {
                    return Ok(false);
                }
                Self::save_in(&mut tx, record, audit, &self.audit_key).await?;
                for item in removed {
                    sqlx::query(
                        "DELETE FROM record_item_history WHERE patient_id = $1 AND kind = $2 AND item_id = $3",
                    )
                    .bind(record.patient.id.as_str())
                    .bind(kind_word(item)?)
                    .bind(&item.id)
                    .execute(&mut *tx)
                    .await?;
                }
                Self::keep_destruction(&mut tx, d).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn destructions(&self, practice: &PracticeId) -> Result<Vec<Destruction>, StoreError> {
                sqlx::query(
                    "SELECT id, patient_id, practice_id, basis, scope, requested_at, decided_by, decided_at \
                     FROM record_destructions WHERE practice_id = $1 ORDER BY decided_at DESC, id",
                )
                .bind(practice.as_str())
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(|r| {
                    let basis: String = r.try_get(3)?;
                    Ok(Destruction {
                        id: r.try_get(0)?,
                        patient: PatientId::new(r.try_get::<String, _>(1)?)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        practice: PracticeId::new(r.try_get::<String, _>(2)?)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        basis: if basis == "term" {
                            DestructionBasis::Term
                        } else {
                            DestructionBasis::Request
                        },
                        scope: r.try_get(4)?,
                        requested_at: r
                            .try_get::<Option<String>, _>(5)?
                            .as_deref()
                            .map(parse_instant)
                            .transpose()?,
                        decided_by: r.try_get(6)?,
                        decided_at: parse_instant(&r.try_get::<String, _>(7)?)?,
                    })
                })
                .collect()
            }
        }
    };
}

impl_retention!(SqliteStore, sqlx::Sqlite);
impl_retention!(PostgresStore, sqlx::Postgres);

impl RetentionStore for Store {
    async fn sweep_retention(
        &self,
        cutoff: DateTime<Utc>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.sweep_retention(cutoff, today, now))
    }
    async fn retention_due(
        &self,
        practice: &PracticeId,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<DueRecord>, StoreError> {
        delegate!(self, s => s.retention_due(practice, cutoff))
    }
    async fn keep_longer(
        &self,
        practice: &PracticeId,
        patient: &PatientId,
        until: NaiveDate,
        reason: &str,
        by: &str,
        at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.keep_longer(practice, patient, until, reason, by, at, audit))
    }
    async fn destroy_record(
        &self,
        d: &Destruction,
        due_before: Option<DateTime<Utc>>,
        audit: AuditEvent,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.destroy_record(d, due_before, audit))
    }
    async fn destroy_items(
        &self,
        record: &PatientRecord,
        removed: &[ItemRef],
        d: &Destruction,
        audit: AuditEvent,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.destroy_items(record, removed, d, audit))
    }
    async fn destructions(&self, practice: &PracticeId) -> Result<Vec<Destruction>, StoreError> {
        delegate!(self, s => s.destructions(practice))
    }
}
