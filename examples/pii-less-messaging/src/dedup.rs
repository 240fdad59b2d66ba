//! [`SqliteIdempotencyStore`]: ENS deliveries deduplicated in the brand's database, durably.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use capillary_ens_receiver::{
    BoxFuture, Claim, Clock, DedupKey, IdempotencyStore, StoreError as ClaimError, SystemClock,
};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::Store;
use crate::time::epoch_millis;

/// Claims on ENS deliveries kept in the [`Store`]'s `deliveries` table, so a duplicate is
/// recognised across restarts and across processes sharing the database file.
///
/// The [`EnsRouter`](capillary_ens_receiver::EnsRouter) claims each event before running its handler:
/// a completed key answers 200 without running it again, a key being processed answers 429
/// with `Retry-After` (two concurrent deliveries of one event run the handler once), and a
/// failed handler releases the key so ENS's retry runs it again. A claim that was neither
/// completed nor released (the process died) lapses after the processing timeout, 5 minutes
/// by default. Completed keys are kept for good; prune old rows if the table grows too large.
///
/// ```
/// use capillary_ens_receiver::{Claim, DedupKey, IdempotencyStore};
/// use example_pii_less_messaging::{SqliteIdempotencyStore, Store};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let claims = SqliteIdempotencyStore::new(Store::open_in_memory()?);
/// let key = DedupKey::for_body(br#"{"eventName":"pointsIssued"}"#);
/// assert_eq!(claims.claim(&key).await?, Claim::Acquired);
/// assert_eq!(claims.claim(&key).await?, Claim::InFlight);
/// claims.complete(&key).await?;
/// assert_eq!(claims.claim(&key).await?, Claim::Completed);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct SqliteIdempotencyStore {
    store: Store,
    processing_timeout: Duration,
    clock: Arc<dyn Clock>,
}

impl SqliteIdempotencyStore {
    /// Claims in `store`, lapsing after 5 minutes of processing.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            processing_timeout: Duration::from_secs(5 * 60),
            clock: Arc::new(SystemClock),
        }
    }

    /// Lets a claim lapse after `timeout` without completion or release.
    pub fn processing_timeout(mut self, timeout: Duration) -> Self {
        self.processing_timeout = timeout;
        self
    }

    /// Takes "now" from `clock`.
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    fn now_ms(&self) -> i64 {
        epoch_millis(self.clock.now())
    }
}

impl fmt::Debug for SqliteIdempotencyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteIdempotencyStore")
            .field("processing_timeout", &self.processing_timeout)
            .finish_non_exhaustive()
    }
}

impl IdempotencyStore for SqliteIdempotencyStore {
    fn claim<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<Claim, ClaimError>> {
        let key = key.as_str().to_owned();
        let now = self.now_ms();
        let timeout = i64::try_from(self.processing_timeout.as_millis()).unwrap_or(i64::MAX);
        Box::pin(async move {
            self.store
                .run(move |connection| {
                    // IMMEDIATE takes the write lock first, so two processes cannot both
                    // acquire the same key.
                    let transaction =
                        connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                    let existing: Option<(String, i64)> = transaction
                        .query_row(
                            "SELECT state, since_ms FROM deliveries WHERE dedup_key = ?1",
                            [&key],
                            |row| Ok((row.get(0)?, row.get(1)?)),
                        )
                        .optional()?;
                    let claim = match existing {
                        Some((state, _)) if state == "completed" => Claim::Completed,
                        Some((_, since)) if now.saturating_sub(since) < timeout => Claim::InFlight,
                        _ => {
                            transaction.execute(
                                "INSERT INTO deliveries (dedup_key, state, since_ms) \
                                 VALUES (?1, 'in_flight', ?2) ON CONFLICT (dedup_key) \
                                 DO UPDATE SET state = 'in_flight', since_ms = ?2",
                                params![key, now],
                            )?;
                            Claim::Acquired
                        }
                    };
                    transaction.commit()?;
                    Ok(claim)
                })
                .await
                .map_err(ClaimError::new)
        })
    }

    fn complete<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<(), ClaimError>> {
        let key = key.as_str().to_owned();
        let now = self.now_ms();
        Box::pin(async move {
            self.store
                .run(move |connection| {
                    connection.execute(
                        "INSERT INTO deliveries (dedup_key, state, since_ms) \
                         VALUES (?1, 'completed', ?2) ON CONFLICT (dedup_key) \
                         DO UPDATE SET state = 'completed', since_ms = ?2",
                        params![key, now],
                    )?;
                    Ok(())
                })
                .await
                .map_err(ClaimError::new)
        })
    }

    fn release<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<(), ClaimError>> {
        let key = key.as_str().to_owned();
        Box::pin(async move {
            self.store
                .run(move |connection| {
                    // Never undo a completion.
                    connection.execute(
                        "DELETE FROM deliveries WHERE dedup_key = ?1 AND state = 'in_flight'",
                        [key],
                    )?;
                    Ok(())
                })
                .await
                .map_err(ClaimError::new)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::SystemTime;

    use super::*;

    #[tokio::test]
    async fn claims_cycle_and_lapse() {
        let seconds = Arc::new(AtomicU64::new(1_000));
        let source = Arc::clone(&seconds);
        let claims = SqliteIdempotencyStore::new(Store::open_in_memory().unwrap())
            .processing_timeout(Duration::from_secs(10))
            .with_clock(move || {
                SystemTime::UNIX_EPOCH + Duration::from_secs(source.load(Ordering::SeqCst))
            });
        let key = DedupKey::for_body(b"a");
        assert_eq!(claims.claim(&key).await.unwrap(), Claim::Acquired);
        seconds.fetch_add(9, Ordering::SeqCst);
        assert_eq!(claims.claim(&key).await.unwrap(), Claim::InFlight);
        seconds.fetch_add(1, Ordering::SeqCst);
        assert_eq!(
            claims.claim(&key).await.unwrap(),
            Claim::Acquired,
            "an abandoned claim lapses"
        );
        claims.release(&key).await.unwrap();
        assert_eq!(claims.claim(&key).await.unwrap(), Claim::Acquired);
        claims.complete(&key).await.unwrap();
        claims.release(&key).await.unwrap();
        seconds.fetch_add(1_000_000, Ordering::SeqCst);
        assert_eq!(
            claims.claim(&key).await.unwrap(),
            Claim::Completed,
            "completions are kept and never released"
        );
    }
}
