//! [`SqliteDedup`]: the receiver's idempotency store on the inbox's SQLite file, for handling
//! inline with deduplication that survives restarts.

use std::sync::Arc;
use std::time::Duration;

use capillary_ens_receiver::{
    BoxFuture, Claim, ClaimToken, Clock, DedupKey, IdempotencyStore, StoreError, SystemClock,
};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::SqliteStore;
use crate::time::to_millis;

/// Claims, completions and releases in the `ens_dedup` table. A claim lapses after the
/// processing timeout (the process died mid-handler); a completion is kept for the TTL
/// (8 days by default, longer than ENS retries). A claim's row holds its [`ClaimToken`], and a
/// release only deletes the row that still holds the token it is given.
#[derive(Clone)]
pub struct SqliteDedup {
    store: SqliteStore,
    processing_timeout: Duration,
    ttl: Duration,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SqliteDedup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteDedup")
            .field("path", &self.store.path())
            .field("processing_timeout", &self.processing_timeout)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl SqliteDedup {
    /// Deduplication in `store`'s file: claims lapse after 5 minutes, completions after 8 days.
    pub fn new(store: &SqliteStore) -> Self {
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
        let now = to_millis(self.clock.now());
        let batch = i64::try_from(batch).unwrap_or(i64::MAX);
        let deleted = self
            .store
            .writer()
            .run(move |writer| {
                writer.connection.execute(
                    "DELETE FROM ens_dedup WHERE key IN \
                     (SELECT key FROM ens_dedup WHERE expires_at <= ?1 LIMIT ?2)",
                    params![now, batch],
                )
            })
            .await
            .map_err(StoreError::new)?;
        Ok(deleted as u64)
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl IdempotencyStore for SqliteDedup {
    fn claim<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<Claim, StoreError>> {
        let now = to_millis(self.clock.now());
        let until = now.saturating_add(millis(self.processing_timeout));
        let token = ClaimToken::random();
        let text = key.as_str().to_owned();
        Box::pin(async move {
            self
                .store
                .writer()
                .run(move |writer| {
                    writer.durability(true)?;
                    let transaction = writer
                        .connection
                        .transaction_with_behavior(TransactionBehavior::Immediate)?;
                    let live: Option<bool> = transaction
                        .query_row(
                            "SELECT completed FROM ens_dedup WHERE key = ?1 AND expires_at > ?2",
                            params![text, now],
                            |row| row.get(0),
                        )
                        .optional()?;
                    let claim = match live {
                        Some(true) => Claim::Completed,
                        Some(false) => Claim::InFlight,
                        None => {
                            transaction.execute(
                                "INSERT OR REPLACE INTO ens_dedup (key, token, completed, expires_at) \
                                 VALUES (?1, ?2, 0, ?3)",
                                params![text, token.to_string(), until],
                            )?;
                            Claim::Acquired(token)
                        }
                    };
                    transaction.commit()?;
                    Ok(claim)
                })
                .await
                .map_err(StoreError::new)
        })
    }

    fn complete<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<(), StoreError>> {
        let until = to_millis(self.clock.now()).saturating_add(millis(self.ttl));
        let text = key.as_str().to_owned();
        Box::pin(async move {
            self.store
                .writer()
                .run(move |writer| {
                    writer.durability(true)?;
                    writer.connection.execute(
                        "INSERT INTO ens_dedup (key, token, completed, expires_at) \
                         VALUES (?1, NULL, 1, ?2) ON CONFLICT (key) DO UPDATE \
                         SET token = NULL, completed = 1, expires_at = excluded.expires_at",
                        params![text, until],
                    )
                })
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
        let text = key.as_str().to_owned();
        let token = token.to_string();
        Box::pin(async move {
            self.store
                .writer()
                .run(move |writer| {
                    writer.durability(false)?;
                    writer.connection.execute(
                        "DELETE FROM ens_dedup WHERE key = ?1 AND completed = 0 AND token = ?2",
                        params![text, token],
                    )
                })
                .await
                .map_err(StoreError::new)?;
            Ok(())
        })
    }
}
