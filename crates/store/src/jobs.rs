//! `JobStore`: leases that let several server instances on one database run a background job
//! once per turn instead of once per instance (migration 0026). A lease is taken by one
//! conditional upsert: it lands only when nobody holds the job, the holder's lease ran out, or
//! the taker already holds it, so of two instances asking at the same moment exactly one gets it.
//! (E-mail notices have leases per job of their own: `notify`.)

use crate::audit::format_instant;
use crate::backend::{PostgresStore, SqliteStore};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::future::Future;

pub trait JobStore {
    /// Takes the lease on `job` for `holder` until `until`, when no other holder has a live
    /// lease at `now`. True when `holder` now holds it.
    fn take_job_lease(
        &self,
        job: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

macro_rules! impl_jobs {
    ($Store:ident) => {
        impl JobStore for $Store {
            async fn take_job_lease(
                &self,
                job: &str,
                holder: &str,
                now: DateTime<Utc>,
                until: DateTime<Utc>,
            ) -> Result<bool, StoreError> {
                let taken = sqlx::query(
                    "INSERT INTO job_leases (job, holder, held_until) VALUES ($1, $2, $3) \
                     ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, held_until = excluded.held_until \
                     WHERE job_leases.held_until <= $4 OR job_leases.holder = excluded.holder",
                )
                .bind(job)
                .bind(holder)
                .bind(format_instant(until))
                .bind(format_instant(now))
                .execute(&self.write)
                .await?;
                Ok(taken.rows_affected() == 1)
            }
        }
    };
}

impl_jobs!(SqliteStore);
impl_jobs!(PostgresStore);

impl JobStore for Store {
    async fn take_job_lease(
        &self,
        job: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, s => s.take_job_lease(job, holder, now, until))
    }
}
