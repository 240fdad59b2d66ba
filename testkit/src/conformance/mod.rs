//! A conformance suite for [`IdempotencyStore`]s: prove that your own store (or one of the
//! toolkit's) deduplicates the way the receiver relies on.
//!
//! The suite runs on real time, with short timings you choose ([`Timings`]), so it works for
//! stores whose expiry lives in a server (Redis's `PX`, a database's timestamps). A
//! [`StoreFactory`] gives each check a fresh store (and a second handle onto the same data,
//! as a second replica would have; for a store that serves one process, a clone of the same
//! store); each check panics with a message saying which rule broke.
//!
//! ```
//! use std::sync::Arc;
//! use capillary_ens_receiver::{IdempotencyStore, InMemoryStore};
//! use capillary_ens_testkit::conformance::{self, Replicas, Timings};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! conformance::check_store(|timings: Timings| async move {
//!     let store = InMemoryStore::new()
//!         .processing_timeout(timings.processing_timeout)
//!         .ttl(timings.ttl);
//!     // Clones of an in-memory store share its data, as two replicas share a database.
//!     Replicas::new(Arc::new(store.clone()), Arc::new(store))
//! })
//! .await;
//! # }
//! ```

mod checks;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use capillary_ens_receiver::{BoxFuture, IdempotencyStore};

pub use checks::{
    check_claim, check_concurrent_duplicate, check_crash_recovery, check_duplicate, check_release,
    check_release_fencing, check_release_fencing_in_one_store, check_retention,
};

/// The timings a store under test is built with. Keep them short: the suite sleeps past them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timings {
    /// A claim neither completed nor released lapses after this (the process died).
    pub processing_timeout: Duration,
    /// A completion is remembered this long.
    pub ttl: Duration,
}

impl Timings {
    /// 300 ms claims and 1.5 s completions: long enough for a store on loopback to answer
    /// with margin, short enough for the suite to run in a few seconds.
    pub const QUICK: Timings = Timings {
        processing_timeout: Duration::from_millis(300),
        ttl: Duration::from_millis(1500),
    };

    /// How long the suite waits for a timing to pass: the timing, plus a margin for clocks
    /// that round to milliseconds or seconds.
    pub(crate) fn past(duration: Duration) -> Duration {
        duration + duration / 2 + Duration::from_millis(50)
    }
}

/// Two handles onto one store's data, as two replicas of a receiver have.
#[derive(Clone)]
pub struct Replicas {
    /// The first replica's store.
    pub first: Arc<dyn IdempotencyStore>,
    /// The second replica's store, over the same data.
    pub second: Arc<dyn IdempotencyStore>,
}

impl Replicas {
    /// `first` and `second` over the same data.
    pub fn new(first: Arc<dyn IdempotencyStore>, second: Arc<dyn IdempotencyStore>) -> Self {
        Self { first, second }
    }
}

/// Builds a fresh, empty store for each check. Any `Fn(Timings) -> impl Future<Output =
/// Replicas>` is one.
pub trait StoreFactory: Send + Sync {
    /// A fresh store with `timings`, whose keys no other check sees.
    fn replicas(&self, timings: Timings) -> BoxFuture<'_, Replicas>;
}

impl<F, Fut> StoreFactory for F
where
    F: Fn(Timings) -> Fut + Send + Sync,
    Fut: Future<Output = Replicas> + Send + 'static,
{
    fn replicas(&self, timings: Timings) -> BoxFuture<'_, Replicas> {
        Box::pin(self(timings))
    }
}

/// Runs every check the receiver relies on, one after the other: claim, duplicate,
/// concurrent duplicate, release, crash recovery (a lapsed claim), release fencing (across
/// the two replicas, then within one store: a lapsed claim's release must not free the claim
/// acquired since) and retention.
pub async fn check_store(factory: impl StoreFactory) {
    let factory: &dyn StoreFactory = &factory;
    check_claim(factory).await;
    check_duplicate(factory).await;
    check_concurrent_duplicate(factory).await;
    check_release(factory).await;
    check_crash_recovery(factory).await;
    check_release_fencing(factory).await;
    check_release_fencing_in_one_store(factory).await;
    check_retention(factory).await;
}
