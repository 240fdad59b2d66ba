//! The checks, one rule each.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

use capillary_ens_receiver::{Claim, DedupKey, IdempotencyStore};

use super::{StoreFactory, Timings};

/// A key no earlier run used: stores kept between runs (a database, Redis) start clean.
fn fresh_key(rule: &str) -> DedupKey {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let run = RandomState::new().hash_one(std::process::id());
    let sequence = NEXT.fetch_add(1, Ordering::Relaxed);
    DedupKey::for_body(format!("conformance:{rule}:{run:x}:{sequence}").as_bytes())
}

async fn claim(store: &dyn IdempotencyStore, key: &DedupKey, rule: &str) -> Claim {
    store
        .claim(key)
        .await
        .unwrap_or_else(|error| panic!("{rule}: the store failed to claim: {error:?}"))
}

async fn complete(store: &dyn IdempotencyStore, key: &DedupKey, rule: &str) {
    store
        .complete(key)
        .await
        .unwrap_or_else(|error| panic!("{rule}: the store failed to complete: {error:?}"));
}

async fn release(store: &dyn IdempotencyStore, key: &DedupKey, rule: &str) {
    store
        .release(key)
        .await
        .unwrap_or_else(|error| panic!("{rule}: the store failed to release: {error:?}"));
}

/// The first claim of a key acquires it; a second claim, from either replica, finds it in
/// flight.
pub async fn check_claim(factory: &dyn StoreFactory) {
    const RULE: &str = "claim";
    let stores = factory.replicas(Timings::QUICK).await;
    let key = fresh_key(RULE);
    assert_eq!(
        claim(&*stores.first, &key, RULE).await,
        Claim::Acquired,
        "{RULE}: the first claim of a new key must acquire it"
    );
    assert_eq!(
        claim(&*stores.first, &key, RULE).await,
        Claim::InFlight,
        "{RULE}: a second claim while the first is held must be in flight"
    );
    assert_eq!(
        claim(&*stores.second, &key, RULE).await,
        Claim::InFlight,
        "{RULE}: another replica's claim while the first is held must be in flight"
    );
}

/// A completed key answers every later claim, from either replica, as completed; a release
/// after completion never undoes it.
pub async fn check_duplicate(factory: &dyn StoreFactory) {
    const RULE: &str = "duplicate";
    let stores = factory.replicas(Timings::QUICK).await;
    let key = fresh_key(RULE);
    assert_eq!(claim(&*stores.first, &key, RULE).await, Claim::Acquired);
    complete(&*stores.first, &key, RULE).await;
    for store in [&stores.first, &stores.second] {
        assert_eq!(
            claim(&**store, &key, RULE).await,
            Claim::Completed,
            "{RULE}: a completed key must answer later claims as completed"
        );
    }
    release(&*stores.first, &key, RULE).await;
    assert_eq!(
        claim(&*stores.second, &key, RULE).await,
        Claim::Completed,
        "{RULE}: a release after completion must not undo it"
    );
}

/// Sixteen concurrent claims of one key, spread over both replicas: exactly one acquires it.
pub async fn check_concurrent_duplicate(factory: &dyn StoreFactory) {
    const RULE: &str = "concurrent duplicate";
    let stores = factory.replicas(Timings::QUICK).await;
    let key = fresh_key(RULE);
    let mut claims = tokio::task::JoinSet::new();
    for index in 0..16 {
        let store = if index % 2 == 0 {
            stores.first.clone()
        } else {
            stores.second.clone()
        };
        let key = key.clone();
        claims.spawn(async move { claim(&*store, &key, RULE).await });
    }
    let mut acquired = 0;
    while let Some(answer) = claims.join_next().await {
        match answer.expect("a claim task panicked") {
            Claim::Acquired => acquired += 1,
            Claim::InFlight => {}
            other => panic!("{RULE}: an unclaimed key answered {other:?}"),
        }
    }
    assert_eq!(
        acquired, 1,
        "{RULE}: exactly one of 16 concurrent claims must acquire the key"
    );
}

/// A released claim can be acquired again (the handler failed; ENS's retry must run it).
pub async fn check_release(factory: &dyn StoreFactory) {
    const RULE: &str = "release";
    let stores = factory.replicas(Timings::QUICK).await;
    let key = fresh_key(RULE);
    assert_eq!(claim(&*stores.first, &key, RULE).await, Claim::Acquired);
    release(&*stores.first, &key, RULE).await;
    assert_eq!(
        claim(&*stores.second, &key, RULE).await,
        Claim::Acquired,
        "{RULE}: a released key must be claimable again"
    );
}

/// A claim neither completed nor released (the process died mid-handler) lapses after the
/// processing timeout, and the key can be acquired again; not before.
pub async fn check_crash_recovery(factory: &dyn StoreFactory) {
    const RULE: &str = "crash recovery";
    let timings = Timings::QUICK;
    let stores = factory.replicas(timings).await;
    let key = fresh_key(RULE);
    assert_eq!(claim(&*stores.first, &key, RULE).await, Claim::Acquired);
    // The first replica "dies" here: it never completes nor releases.
    assert_eq!(
        claim(&*stores.second, &key, RULE).await,
        Claim::InFlight,
        "{RULE}: the claim must hold before the processing timeout"
    );
    tokio::time::sleep(Timings::past(timings.processing_timeout)).await;
    assert_eq!(
        claim(&*stores.second, &key, RULE).await,
        Claim::Acquired,
        "{RULE}: a claim must lapse after the processing timeout"
    );
}

/// A completion is remembered for the TTL, then forgotten (retention).
pub async fn check_retention(factory: &dyn StoreFactory) {
    const RULE: &str = "retention";
    let timings = Timings::QUICK;
    let stores = factory.replicas(timings).await;
    let key = fresh_key(RULE);
    assert_eq!(claim(&*stores.first, &key, RULE).await, Claim::Acquired);
    complete(&*stores.first, &key, RULE).await;
    tokio::time::sleep(timings.processing_timeout).await;
    assert_eq!(
        claim(&*stores.second, &key, RULE).await,
        Claim::Completed,
        "{RULE}: a completion must be remembered for the TTL (past the processing timeout)"
    );
    tokio::time::sleep(Timings::past(timings.ttl)).await;
    assert_eq!(
        claim(&*stores.second, &key, RULE).await,
        Claim::Acquired,
        "{RULE}: a completion must be forgotten after the TTL"
    );
}

/// A replica whose claim lapsed cannot release the claim another replica took since: its
/// release must leave the new claim in place.
pub async fn check_release_fencing(factory: &dyn StoreFactory) {
    const RULE: &str = "release fencing";
    let timings = Timings::QUICK;
    let stores = factory.replicas(timings).await;
    let key = fresh_key(RULE);
    assert_eq!(claim(&*stores.first, &key, RULE).await, Claim::Acquired);
    tokio::time::sleep(Timings::past(timings.processing_timeout)).await;
    assert_eq!(
        claim(&*stores.second, &key, RULE).await,
        Claim::Acquired,
        "{RULE}: the lapsed claim must be acquirable by another replica"
    );
    // The slow first replica finally fails and releases its (lapsed) claim.
    release(&*stores.first, &key, RULE).await;
    assert_eq!(
        claim(&*stores.first, &key, RULE).await,
        Claim::InFlight,
        "{RULE}: releasing a lapsed claim must not free the claim another replica holds"
    );
}
