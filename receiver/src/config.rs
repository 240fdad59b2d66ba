//! [`ReceiverConfig`]: everything the extractor and router need, taken from state via `FromRef`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::{Auth, IdempotencyStore, InMemoryStore};

/// The receiver's configuration: authentication, body limit and idempotency store.
///
/// Put it in your axum state (or make it the state) and derive `FromRef` so the
/// [`Webhook`](crate::Webhook) extractor and [`EnsRouter`](crate::EnsRouter) can find it.
/// Cloning is cheap.
///
/// ```
/// use capillary_ens_receiver::{Auth, InMemoryStore, ReceiverConfig, StaticHeaders};
///
/// let config = ReceiverConfig::new(Auth::new(StaticHeaders::bearer("t0ken")))
///     .body_limit(512 * 1024)
///     .idempotency_store(InMemoryStore::new().capacity(10_000));
/// assert_eq!(config.limit(), 512 * 1024);
/// ```
#[derive(Clone)]
pub struct ReceiverConfig {
    auth: Arc<Auth>,
    body_limit: usize,
    store: Arc<dyn IdempotencyStore>,
    in_flight_retry_after: Duration,
}

impl ReceiverConfig {
    /// The default body limit: 16 MiB.
    ///
    /// A body over the limit is answered 413, which ENS treats as final: the event is lost. So
    /// the limit must sit far above any real event. The largest ENS events are transactions
    /// with their line items (and enrichment adds customer and card details); a 5 000-line
    /// bill at ~2 KiB a line is ~10 MiB, and typical events are 1-20 KiB. The limit still
    /// bounds memory: ENS opens at most the webhook's `maxAllowedConnections` (10-20 in
    /// practice) at once, so a few hundred MiB at worst.
    pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

    /// A [`DEFAULT_BODY_LIMIT`](Self::DEFAULT_BODY_LIMIT) body limit and an [`InMemoryStore`]
    /// for deduplication.
    pub fn new(auth: Auth) -> Self {
        Self {
            auth: Arc::new(auth),
            body_limit: Self::DEFAULT_BODY_LIMIT,
            store: Arc::new(InMemoryStore::new()),
            in_flight_retry_after: Duration::from_secs(5),
        }
    }

    /// Refuses bodies larger than `bytes` with 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Deduplicates through `store`.
    pub fn idempotency_store(mut self, store: impl IdempotencyStore) -> Self {
        self.store = Arc::new(store);
        self
    }

    /// The `Retry-After` sent when another delivery of the same event is being processed.
    pub fn in_flight_retry_after(mut self, retry_after: Duration) -> Self {
        self.in_flight_retry_after = retry_after;
        self
    }

    /// The authentication.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// The body limit in bytes.
    pub fn limit(&self) -> usize {
        self.body_limit
    }

    /// The idempotency store.
    pub fn store(&self) -> &dyn IdempotencyStore {
        &*self.store
    }

    #[cfg(feature = "axum")]
    pub(crate) fn retry_after_in_flight(&self) -> Duration {
        self.in_flight_retry_after
    }
}

impl fmt::Debug for ReceiverConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiverConfig")
            .field("auth", &self.auth)
            .field("body_limit", &self.body_limit)
            .field("in_flight_retry_after", &self.in_flight_retry_after)
            .finish_non_exhaustive()
    }
}
