//! [`PostgresDedup`]: the receiver's idempotency store in PostgreSQL, shared by replicas that
//! handle inline.

use std::sync::Arc;
use std::time::Duration;

use capillary_ens_receiver::{
    BoxFuture, Claim, ClaimToken, Clock, DedupKey, IdempotencyStore, StoreError, SystemClock,
};

use super::PostgresStore;

/// Claims, completions and releases in the `ens_dedup` table. A claim lapses after the
/// processing timeout; a completion is kept for the TTL (8 days by default). A claim's row
/// holds its [`ClaimToken`], and a release only deletes the row that still holds the token it
/// is given: never a claim another delivery (on any replica) took after it lapsed.
#[derive(Clone)]
pub struct PostgresDedup {
    store: PostgresStore,
    processing_timeout: Duration,
    ttl: Duration,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for PostgresDedup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresDedup")
            .field("processing_timeout", &self.processing_timeout)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl PostgresDedup {
    /// Deduplication in `store`'s database: claims lapse after 5 minutes, completions after
    /// 8 days.
    pub fn new(store: &PostgresStore) -> Self {
        Self {
            store: store.clone(),
            processing_timeout: Duration::from_secs(5 * 60),
            ttl: Duration::from_secs(8 * 24 * 60 * 60),
            clock: Arc::new(SystemClock),
        }
    }

    /// Lets a claim lapse after `timeout`.
    pub fn processing_timeout(mut self, timeout: Duration) -> Self {
        self.processing_timeout = timeout;
        self
    }

    /// Keeps completions for `ttl`.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Takes "now" from `clock`.
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Deletes up to `batch` lapsed claims and expired completions; returns how many.
    pub async fn prune(&self, batch: usize) -> Result<u64, StoreError> {
        let now = self.clock.now();
        let batch = i64::try_from(batch).unwrap_or(i64::MAX);
        let client = self.store.pool().get().await.map_err(StoreError::new)?;
        client
            .execute(
                "DELETE FROM ens_dedup WHERE key IN (SELECT key FROM ens_dedup \
                 WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)",
                &[&now, &batch],
            )
            .await
            .map_err(StoreError::new)
    }
}

impl IdempotencyStore for PostgresDedup {
    fn claim<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<Claim, StoreError>> {
        Box::pin(async move {
            let now = self.clock.now();
            let until = now + self.processing_timeout;
            let token = ClaimToken::random();
            let client = self.store.pool().get().await.map_err(StoreError::new)?;
            let acquired = client
                .query_opt(
                    "INSERT INTO ens_dedup AS dedup (key, token, completed, expires_at) \
                     VALUES ($1, $2, false, $4) \
                     ON CONFLICT (key) DO UPDATE SET token = EXCLUDED.token, completed = false, \
                        expires_at = EXCLUDED.expires_at \
                     WHERE dedup.expires_at <= $3 \
                     RETURNING key",
                    &[&key.as_str(), &token.to_string(), &now, &until],
                )
                .await
                .map_err(StoreError::new)?;
            if acquired.is_some() {
                return Ok(Claim::Acquired(token));
            }
            let completed = client
                .query_opt(
                    "SELECT completed FROM ens_dedup WHERE key = $1 AND expires_at > $2",
                    &[&key.as_str(), &now],
                )
                .await
                .map_err(StoreError::new)?;
            // A row that lapsed between the two statements is in flight for this delivery:
            // ENS retries, and the retry acquires it.
            Ok(match completed.map(|row| row.get::<_, bool>(0)) {
                Some(true) => Claim::Completed,
                _ => Claim::InFlight,
            })
        })
    }

    fn complete<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let until = self.clock.now() + self.ttl;
            let client = self.store.pool().get().await.map_err(StoreError::new)?;
            client
                .execute(
                    "INSERT INTO ens_dedup (key, token, completed, expires_at) \
                     VALUES ($1, NULL, true, $2) ON CONFLICT (key) DO UPDATE \
                     SET token = NULL, completed = true, expires_at = EXCLUDED.expires_at",
                    &[&key.as_str(), &until],
                )
                .await
                .map_err(StoreError::new)?;
            Ok(())
        })
    }

    fn release<'a>(
        &'a self,
        key: &'a DedupKey,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let client = self.store.pool().get().await.map_err(StoreError::new)?;
            client
                .execute(
                    "DELETE FROM ens_dedup WHERE key = $1 AND completed = false AND token = $2",
                    &[&key.as_str(), &token.to_string()],
                )
                .await
                .map_err(StoreError::new)?;
            Ok(())
        })
    }
}
