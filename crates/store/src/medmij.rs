//! MedMij tokens: what the resource server needs to know about a presented bearer token.
//! Only hashes are stored; a token is valid until it expires or is revoked.

use crate::audit::format_instant;
use crate::backend::{PostgresStore, SqliteStore, parse_instant};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use inzage_domain::PatientId;
use sqlx::Row;
use std::future::Future;

/// An access token as stored: its SHA-256 (hex), whose record it opens, for which PGO
/// (`client_id`, the PGO's hostname) and on whose consent (`subject`: the login that consented).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub token_hash: String,
    pub patient: PatientId,
    pub client_id: String,
    pub subject: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub trait MedmijStore: Send + Sync {
    fn store_access_token(
        &self,
        token: &AccessToken,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The token with this hash if it is valid at `now` (not expired, not revoked).
    fn access_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<AccessToken>, StoreError>> + Send;

    /// Revokes every token of one patient for one PGO, at once; returns how many.
    fn revoke_access_tokens(
        &self,
        patient: &PatientId,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

macro_rules! impl_medmij {
    ($Store:ident) => {
        impl MedmijStore for $Store {
            async fn store_access_token(&self, t: &AccessToken) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO medmij_access_tokens (token_hash, patient_id, client_id, subject, issued_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&t.token_hash)
                .bind(t.patient.as_str())
                .bind(&t.client_id)
                .bind(&t.subject)
                .bind(format_instant(t.issued_at))
                .bind(format_instant(t.expires_at))
                .execute(&self.write)
                .await?;
                Ok(())
            }

            async fn access_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<AccessToken>, StoreError> {
                let Some(r) = sqlx::query(
                    "SELECT token_hash, patient_id, client_id, subject, issued_at, expires_at FROM medmij_access_tokens \
                     WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
                )
                .bind(token_hash)
                .bind(format_instant(now))
                .fetch_optional(&self.read)
                .await?
                else {
                    return Ok(None);
                };
                Ok(Some(AccessToken {
                    token_hash: r.try_get(0)?,
                    patient: PatientId::new(r.try_get::<String, _>(1)?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    client_id: r.try_get(2)?,
                    subject: r.try_get(3)?,
                    issued_at: parse_instant(&r.try_get::<String, _>(4)?)?,
                    expires_at: parse_instant(&r.try_get::<String, _>(5)?)?,
                }))
            }

            async fn revoke_access_tokens(&self, patient: &PatientId, client_id: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
                let done = sqlx::query(
                    "UPDATE medmij_access_tokens SET revoked_at = $3 WHERE patient_id = $1 AND client_id = $2 AND revoked_at IS NULL",
                )
                .bind(patient.as_str())
                .bind(client_id)
                .bind(format_instant(now))
                .execute(&self.write)
                .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

impl_medmij!(SqliteStore);
impl_medmij!(PostgresStore);

impl MedmijStore for Store {
    async fn store_access_token(&self, token: &AccessToken) -> Result<(), StoreError> {
        delegate!(self, s => s.store_access_token(token))
    }
    async fn access_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccessToken>, StoreError> {
        delegate!(self, s => s.access_token(token_hash, now))
    }
    async fn revoke_access_tokens(
        &self,
        patient: &PatientId,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.revoke_access_tokens(patient, client_id, now))
    }
}
