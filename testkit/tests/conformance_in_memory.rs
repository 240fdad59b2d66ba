//! The in-memory store passes the store conformance suite.

use std::sync::Arc;

use capillary_ens_receiver::InMemoryStore;
use capillary_ens_testkit::conformance::{self, Replicas, Timings};

#[tokio::test]
async fn the_in_memory_store_passes_the_conformance_suite() {
    conformance::check_store(|timings: Timings| async move {
        let store = InMemoryStore::new()
            .processing_timeout(timings.processing_timeout)
            .ttl(timings.ttl);
        Replicas::new(Arc::new(store.clone()), Arc::new(store))
    })
    .await;
}

/// A store that acquires every claim breaks the suite: the suite can fail.
#[tokio::test]
#[should_panic(expected = "claim: a second claim while the first is held must be in flight")]
async fn a_store_that_never_deduplicates_fails_the_suite() {
    use capillary_ens_receiver::{BoxFuture, Claim, DedupKey, IdempotencyStore, StoreError};

    struct Forgetful;
    impl IdempotencyStore for Forgetful {
        fn claim<'a>(&'a self, _: &'a DedupKey) -> BoxFuture<'a, Result<Claim, StoreError>> {
            Box::pin(async { Ok(Claim::Acquired) })
        }
        fn complete<'a>(&'a self, _: &'a DedupKey) -> BoxFuture<'a, Result<(), StoreError>> {
            Box::pin(async { Ok(()) })
        }
        fn release<'a>(&'a self, _: &'a DedupKey) -> BoxFuture<'a, Result<(), StoreError>> {
            Box::pin(async { Ok(()) })
        }
    }
    conformance::check_store(|_: Timings| async {
        Replicas::new(Arc::new(Forgetful), Arc::new(Forgetful))
    })
    .await;
}
