//! A pool connection kept across the batches of the group commit and of the batched reads.
//!
//! sqlx tests a connection with a round trip to it each time it goes back to the pool
//! (`PoolConnection::return_to_pool` pings it); a task that took a connection per batch paid
//! that round trip once per batch, as much as the batch's own query. A lease keeps the
//! connection from one batch to the next and gives it back after an error (the pool then tests
//! it), and, when it is shared with others (the SQLite writer, which record saves need too),
//! whenever its task has nothing waiting and at the latest after [`SHARED_USES`] batches, so
//! that others wait at most that long. A kept connection that was not used for [`KEPT_IDLE`]
//! goes back before the next batch, which takes one the pool has tested: a connection the
//! database closed during a quiet spell (a restart, a fail-over, an idle timeout) fails no
//! batch, and the pool's idle timeout and maximum lifetime still apply. A task waiting for
//! work with a connection held gives it back when the pool is closed ([`Lease::wait`]), so
//! that `Pool::close`, which waits for every connection, ends.

use sqlx::pool::PoolConnection;
use sqlx::{Database, Pool};

/// The most batches a shared lease runs before giving its connection back.
pub(crate) const SHARED_USES: u32 = 32;

/// How long a kept connection may lie unused and still serve the next batch untested.
pub(crate) const KEPT_IDLE: std::time::Duration = std::time::Duration::from_secs(1);

pub(crate) struct Lease<DB: Database> {
    pool: Pool<DB>,
    conn: Option<PoolConnection<DB>>,
    uses: u32,
    /// At most this many batches on one taking of the connection (`None`: kept).
    max_uses: Option<u32>,
    /// When the last batch on the connection ended.
    used: std::time::Instant,
}

impl<DB: Database> Lease<DB> {
    /// A lease that keeps its connection (a task of its own, such as a batched reader).
    pub(crate) fn kept(pool: Pool<DB>) -> Self {
        Self {
            pool,
            conn: None,
            uses: 0,
            max_uses: None,
            used: std::time::Instant::now(),
        }
    }

    /// A lease that gives its connection back after [`SHARED_USES`] batches or when idle.
    pub(crate) fn shared(pool: Pool<DB>) -> Self {
        Self {
            max_uses: Some(SHARED_USES),
            ..Self::kept(pool)
        }
    }

    /// The connection for the next batch, taken from the pool when not held.
    pub(crate) async fn conn(&mut self) -> Result<&mut PoolConnection<DB>, sqlx::Error> {
        if self.max_uses.is_some_and(|max| self.uses >= max) || self.used.elapsed() > KEPT_IDLE {
            self.give_back();
        }
        let conn = match self.conn.take() {
            Some(conn) => conn,
            None => self.pool.acquire().await?,
        };
        self.uses += 1;
        Ok(self.conn.insert(conn))
    }

    /// After a batch: gives the connection back after an error, and a shared one when its
    /// task has nothing waiting.
    pub(crate) fn done(&mut self, failed: bool, idle: bool) {
        self.used = std::time::Instant::now();
        if failed || (idle && self.max_uses.is_some()) {
            self.give_back();
        }
    }

    /// Waits for `next`, the task's next work. A connection held meanwhile goes back when the
    /// pool is closed; a batch after that fails with the pool's error. Work already waiting
    /// is taken first (`biased`), so a close ends at the first quiet moment.
    pub(crate) async fn wait<T>(&mut self, next: impl std::future::Future<Output = T>) -> T {
        if self.conn.is_none() {
            return next.await;
        }
        let mut next = std::pin::pin!(next);
        let pool = self.pool.clone();
        tokio::select! {
            biased;
            found = &mut next => found,
            () = async move { pool.close_event().await } => {
                self.give_back();
                next.await
            }
        }
    }

    fn give_back(&mut self) {
        self.conn = None;
        self.uses = 0;
    }
}
