//! [`RedisDedup`]: the receiver's idempotency store in Redis, for replicas that keep handling
//! inline (no inbox) but must not handle one event twice.

use std::sync::Arc;
use std::time::Duration;

use capillary_ens_receiver::{
    BoxFuture, Claim, ClaimToken, DedupKey, IdempotencyStore, StoreError,
};
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, Script, SetExpiry, SetOptions};

use crate::InboxError;

/// What a completed key holds; a claim holds its token instead.
const COMPLETED: &str = "done";

/// Deletes the key only while it still holds this claim's token (compare and delete, atomic in
/// Redis), so a delivery whose claim lapsed cannot release the claim another delivery took
/// since, on this replica or another.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
";

/// Claims with `SET key <token> NX PX <processing timeout>` (a [`ClaimToken::random`] in its
/// text form), completes by overwriting with `done` and the TTL (8 days by default), releases
/// with a script that deletes the key only while it holds the claim's token.
///
/// Expiry is Redis's: a claim lapses after the processing timeout (the process died), a
/// completion after the TTL.
#[derive(Clone)]
pub struct RedisDedup {
    connection: ConnectionManager,
    prefix: String,
    processing_timeout: Duration,
    ttl: Duration,
    release: Arc<Script>,
}

impl std::fmt::Debug for RedisDedup {
    // The URL can hold a password: it is not kept.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisDedup")
            .field("prefix", &self.prefix)
            .field("processing_timeout", &self.processing_timeout)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl RedisDedup {
    /// Connects to `url` (`redis://host:port/db`); keys are prefixed `ens:dedup:`, claims
    /// lapse after 5 minutes, completions after 8 days. The connection reconnects by itself.
    pub async fn connect(url: &str) -> Result<Self, InboxError> {
        let client = redis::Client::open(url)
            .map_err(|_| InboxError::invalid_url("not a valid redis url"))?;
        let connection = ConnectionManager::new(client)
            .await
            .map_err(InboxError::unavailable)?;
        Ok(Self {
            connection,
            prefix: "ens:dedup:".to_owned(),
            processing_timeout: Duration::from_secs(5 * 60),
            ttl: Duration::from_secs(8 * 24 * 60 * 60),
            release: Arc::new(Script::new(RELEASE)),
        })
    }

    /// Prefixes every key with `prefix` (several receivers on one Redis).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
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

    fn key(&self, key: &DedupKey) -> String {
        format!("{}{}", self.prefix, key.as_str())
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

impl IdempotencyStore for RedisDedup {
    fn claim<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<Claim, StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let redis_key = self.key(key);
            let token = ClaimToken::random();
            let options = SetOptions::default()
                .conditional_set(redis::ExistenceCheck::NX)
                .with_expiration(SetExpiry::PX(millis(self.processing_timeout)));
            let set: Option<String> = connection
                .set_options(&redis_key, token.to_string(), options)
                .await
                .map_err(StoreError::new)?;
            if set.is_some() {
                return Ok(Claim::Acquired(token));
            }
            let held: Option<String> = connection.get(&redis_key).await.map_err(StoreError::new)?;
            // A key that expired between the two commands is in flight for this delivery:
            // ENS retries, and the retry acquires it.
            Ok(match held.as_deref() {
                Some(COMPLETED) => Claim::Completed,
                _ => Claim::InFlight,
            })
        })
    }

    fn complete<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let options = SetOptions::default().with_expiration(SetExpiry::PX(millis(self.ttl)));
            let _: Option<String> = connection
                .set_options(self.key(key), COMPLETED, options)
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
            let mut connection = self.connection.clone();
            let _: i64 = self
                .release
                .key(self.key(key))
                .arg(token.to_string())
                .invoke_async(&mut connection)
                .await
                .map_err(StoreError::new)?;
            Ok(())
        })
    }
}
