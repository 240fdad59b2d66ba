//! [`SyncStore`]: where each customer's [`CustomerSyncState`] is kept between events.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use capillary_ens_receiver::BoxFuture;

use crate::state::CustomerSyncState;

/// Keeps, per Capillary customer id, what the shop was last told. Implement it over a
/// database to survive restarts and to share state between instances; [`InMemorySyncStore`]
/// is the single-process default.
///
/// The app serializes the events of one customer itself (one at a time per customer, within
/// a process), so a store needs no compare-and-set for a single instance.
pub trait SyncStore: Send + Sync + 'static {
    /// The state of `customer_id`; the default (nothing known) for a customer never seen.
    fn load(&self, customer_id: i64) -> BoxFuture<'_, Result<CustomerSyncState, SyncStoreError>>;

    /// Replaces the state of `customer_id`.
    fn save(
        &self,
        customer_id: i64,
        state: CustomerSyncState,
    ) -> BoxFuture<'_, Result<(), SyncStoreError>>;
}

/// A [`SyncStore`] in a `HashMap`: lost on restart, one entry per customer seen.
///
/// ```
/// use example_commerce_sync::{CustomerSyncState, InMemorySyncStore, Stamped, SyncStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let store = InMemorySyncStore::new();
/// assert_eq!(store.load(42).await.unwrap(), CustomerSyncState::default());
/// let state = CustomerSyncState::new(Some(Stamped::new(120.0, 1_700_000_000_000)), None);
/// store.save(42, state.clone()).await.unwrap();
/// assert_eq!(store.load(42).await.unwrap(), state);
/// # }
/// ```
#[derive(Debug, Default)]
pub struct InMemorySyncStore {
    states: Mutex<HashMap<i64, CustomerSyncState>>,
}

impl InMemorySyncStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl SyncStore for InMemorySyncStore {
    fn load(&self, customer_id: i64) -> BoxFuture<'_, Result<CustomerSyncState, SyncStoreError>> {
        let state = self
            .states
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&customer_id)
            .cloned()
            .unwrap_or_default();
        Box::pin(async move { Ok(state) })
    }

    fn save(
        &self,
        customer_id: i64,
        state: CustomerSyncState,
    ) -> BoxFuture<'_, Result<(), SyncStoreError>> {
        self.states
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(customer_id, state);
        Box::pin(async { Ok(()) })
    }
}

/// A [`SyncStore`] failed; the event is answered 503 and ENS retries it.
#[derive(Debug)]
#[non_exhaustive]
pub struct SyncStoreError {
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl SyncStoreError {
    /// Wraps the store's own error.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            source: source.into(),
        }
    }
}

impl fmt::Display for SyncStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the sync store failed: {}", self.source)
    }
}

impl std::error::Error for SyncStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}
