//! The in-memory store passes the store conformance suite, and broken stores fail it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use capillary_ens_receiver::{
    BoxFuture, Claim, ClaimToken, DedupKey, IdempotencyStore, InMemoryStore, StoreError,
};
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
    struct Forgetful;
    impl IdempotencyStore for Forgetful {
        fn claim<'a>(&'a self, _: &'a DedupKey) -> BoxFuture<'a, Result<Claim, StoreError>> {
            Box::pin(async { Ok(Claim::Acquired(ClaimToken::random())) })
        }
        fn complete<'a>(&'a self, _: &'a DedupKey) -> BoxFuture<'a, Result<(), StoreError>> {
            Box::pin(async { Ok(()) })
        }
        fn release<'a>(
            &'a self,
            _: &'a DedupKey,
            _: ClaimToken,
        ) -> BoxFuture<'a, Result<(), StoreError>> {
            Box::pin(async { Ok(()) })
        }
    }
    conformance::check_store(|_: Timings| async {
        Replicas::new(Arc::new(Forgetful), Arc::new(Forgetful))
    })
    .await;
}

/// A store that gets everything right but ignores the token on release: a handler whose claim
/// lapsed frees the claim ENS's retry acquired since.
#[derive(Clone)]
struct Unfenced {
    keys: Arc<Mutex<HashMap<DedupKey, Held>>>,
    timings: Timings,
}

#[derive(Clone, Copy)]
enum Held {
    InFlight(Instant),
    Completed(Instant),
}

impl Unfenced {
    fn new(timings: Timings) -> Self {
        Self {
            keys: Arc::default(),
            timings,
        }
    }

    fn live(&self, held: Held) -> Option<Claim> {
        match held {
            Held::InFlight(since) if since.elapsed() < self.timings.processing_timeout => {
                Some(Claim::InFlight)
            }
            Held::Completed(at) if at.elapsed() < self.timings.ttl => Some(Claim::Completed),
            _ => None,
        }
    }
}

impl IdempotencyStore for Unfenced {
    fn claim<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<Claim, StoreError>> {
        let mut keys = self.keys.lock().unwrap();
        let claim = match keys.get(key).and_then(|held| self.live(*held)) {
            Some(claim) => claim,
            None => {
                keys.insert(key.clone(), Held::InFlight(Instant::now()));
                Claim::Acquired(ClaimToken::random())
            }
        };
        Box::pin(async move { Ok(claim) })
    }

    fn complete<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut keys = self.keys.lock().unwrap();
        keys.insert(key.clone(), Held::Completed(Instant::now()));
        Box::pin(async { Ok(()) })
    }

    fn release<'a>(
        &'a self,
        key: &'a DedupKey,
        _token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut keys = self.keys.lock().unwrap();
        if let Some(Held::InFlight(_)) = keys.get(key) {
            keys.remove(key);
        }
        Box::pin(async { Ok(()) })
    }
}

/// The unfenced store passes every rule but fencing (so the failure below is the fencing
/// check's, not an accident of the store).
#[tokio::test]
async fn an_unfenced_store_passes_the_other_checks() {
    let factory = |timings: Timings| async move {
        let store = Unfenced::new(timings);
        Replicas::new(Arc::new(store.clone()), Arc::new(store))
    };
    conformance::check_claim(&factory).await;
    conformance::check_duplicate(&factory).await;
    conformance::check_concurrent_duplicate(&factory).await;
    conformance::check_release(&factory).await;
    conformance::check_crash_recovery(&factory).await;
    conformance::check_retention(&factory).await;
}

#[tokio::test]
#[should_panic(
    expected = "release fencing: releasing a lapsed claim must not free the claim acquired since"
)]
async fn a_store_that_releases_without_checking_the_token_fails_the_suite() {
    conformance::check_store(|timings: Timings| async move {
        let store = Unfenced::new(timings);
        Replicas::new(Arc::new(store.clone()), Arc::new(store))
    })
    .await;
}

/// The workaround the inbox's stores used before claims carried tokens: each handle remembers
/// the token it last claimed a key with, and releases with that. Two replicas (two handles)
/// are fenced from each other, but within one handle the retry's claim overwrote the slow
/// delivery's token, so the slow delivery's release frees the retry's claim.
struct TokensByKey {
    store: InMemoryStore,
    last: Mutex<HashMap<DedupKey, ClaimToken>>,
}

impl TokensByKey {
    fn new(store: InMemoryStore) -> Self {
        Self {
            store,
            last: Mutex::default(),
        }
    }
}

impl IdempotencyStore for TokensByKey {
    fn claim<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<Claim, StoreError>> {
        Box::pin(async move {
            let claim = self.store.claim(key).await?;
            if let Claim::Acquired(token) = claim {
                self.last.lock().unwrap().insert(key.clone(), token);
            }
            Ok(claim)
        })
    }

    fn complete<'a>(&'a self, key: &'a DedupKey) -> BoxFuture<'a, Result<(), StoreError>> {
        self.last.lock().unwrap().remove(key);
        self.store.complete(key)
    }

    fn release<'a>(
        &'a self,
        key: &'a DedupKey,
        _token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let last = self.last.lock().unwrap().remove(key);
        Box::pin(async move {
            match last {
                Some(token) => self.store.release(key, token).await,
                None => Ok(()),
            }
        })
    }
}

fn tokens_by_key(timings: Timings) -> Replicas {
    let store = InMemoryStore::new()
        .processing_timeout(timings.processing_timeout)
        .ttl(timings.ttl);
    Replicas::new(
        Arc::new(TokensByKey::new(store.clone())),
        Arc::new(TokensByKey::new(store)),
    )
}

#[tokio::test]
async fn per_process_tokens_fence_replicas_from_each_other() {
    conformance::check_release_fencing(&|timings: Timings| async move { tokens_by_key(timings) })
        .await;
}

#[tokio::test]
#[should_panic(
    expected = "release fencing in one store: releasing a lapsed claim must not free the claim acquired since"
)]
async fn per_process_tokens_fail_the_suite_within_one_process() {
    conformance::check_release_fencing_in_one_store(&|timings: Timings| async move {
        tokens_by_key(timings)
    })
    .await;
}
