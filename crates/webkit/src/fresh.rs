//! Saving a change to a record while other saves may land in between: the change is applied to
//! the record as it is now and saved over that version only (optimistic concurrency, across
//! every server instance). When another save landed in between
//! ([`StoreError::Stale`](inzage_store::StoreError::Stale)), [`until_fresh!`](crate::until_fresh)
//! applies it again to the fresher record, after a short random pause so that writers who
//! collided do not collide again; up to [`ATTEMPTS`] times, then the conflict is answered (a 409
//! page that says so). Nothing is lost or half-written either way.

use crate::error::WebError;

/// How often a change is applied to the record when other saves keep landing in between.
pub const ATTEMPTS: u32 = 5;

/// The random pause before attempt `attempt + 1`.
pub async fn pause(attempt: u32) {
    let ms = rand::random_range(5..20 * u64::from(attempt));
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

/// Whether a save was refused because another save of the record landed first.
pub fn is_stale(e: &WebError) -> bool {
    matches!(e, WebError::Store(inzage_store::StoreError::Stale))
}

/// Awaits `$save` (an `async` block that reads the record as it is now, changes it and saves
/// it in one transaction, answering a `WebResult`) and runs it again when another save of the
/// record landed in between (see the module). A macro, so the retried future is the handler's
/// own.
#[macro_export]
macro_rules! until_fresh {
    ($save:expr) => {{
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            match $save.await {
                Err(e) if $crate::fresh::is_stale(&e) && attempt < $crate::fresh::ATTEMPTS => {
                    $crate::fresh::pause(attempt).await;
                }
                other => break other,
            }
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::ATTEMPTS;
    use crate::error::{WebError, WebResult};
    use inzage_store::StoreError;
    use std::cell::Cell;

    /// Runs a save that is refused as stale `stale` times and then answers `then`, and counts
    /// how often it ran.
    async fn run(stale: u32, then: WebResult<u32>) -> (WebResult<u32>, u32) {
        let calls = Cell::new(0u32);
        let then = Cell::new(Some(then));
        let answer = crate::until_fresh!(async {
            calls.set(calls.get() + 1);
            if calls.get() <= stale {
                Err(WebError::Store(StoreError::Stale))
            } else {
                then.take().expect("run once after the refusals")
            }
        });
        (answer, calls.get())
    }

    #[tokio::test]
    async fn a_save_refused_as_stale_is_run_again_until_it_lands() {
        let (answer, calls) = run(2, Ok(7)).await;
        assert_eq!((answer.ok(), calls), (Some(7), 3));
    }

    #[tokio::test]
    async fn a_save_refused_every_time_is_answered_as_stale_after_the_last_attempt() {
        let (answer, calls) = run(u32::MAX, Ok(7)).await;
        assert!(
            matches!(answer, Err(WebError::Store(StoreError::Stale))),
            "{answer:?}"
        );
        assert_eq!(calls, ATTEMPTS);
    }

    #[tokio::test]
    async fn another_error_is_answered_at_once() {
        let (answer, calls) = run(0, Err(WebError::NotFound)).await;
        assert!(matches!(answer, Err(WebError::NotFound)), "{answer:?}");
        assert_eq!(calls, 1);
    }
}
