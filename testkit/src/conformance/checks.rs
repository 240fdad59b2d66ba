//! The checks, one rule each.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

use capillary_ens_receiver::{Claim, ClaimToken, DedupKey, IdempotencyStore};

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

/// Claims `key`, which must be acquired (`why` says why), and returns the claim's token.
async fn acquire(
    store: &dyn IdempotencyStore,
    key: &DedupKey,
    rule: &str,
    why: &str,
) -> ClaimToken {
    match claim(store, key, rule).await {
        Claim::Acquired(token) => token,
        other => panic!("{rule}: {why} (the claim answered {other:?})"),
    }
}

async fn complete(store: &dyn IdempotencyStore, key: &DedupKey, rule: &str) {
    store
        .complete(key)
        .await
        .unwrap_or_else(|error| panic!("{rule}: the store failed to complete: {error:?}"));
}

async fn release(store: &dyn IdempotencyStore, key: &DedupKey, token: ClaimToken, rule: &str) {
    store
        .release(key, token)
        .await
        .unwrap_or_else(|error| panic!("{rule}: the store failed to release: {error:?}"));
}

/// The first claim of a key acquires it; a second claim, from either replica, finds it in
/// flight.
pub async fn check_claim(factory: &dyn StoreFactory) {
    const RULE: &str = "claim";
    let stores = factory.replicas(Timings::QUICK).await;
    let key = fresh_key(RULE);
    acquire(
        &*stores.first,
        &key,
        RULE,
        "the first claim of a new key must acquire it",
    )
    .await;
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
    let token = acquire(&*stores.first, &key, RULE, "a new key must be acquired").await;
    complete(&*stores.first, &key, RULE).await;
    for store in [&stores.first, &stores.second] {
        assert_eq!(
            claim(&**store, &key, RULE).await,
            Claim::Completed,
            "{RULE}: a completed key must answer later claims as completed"
        );
    }
    release(&*stores.first, &key, token, RULE).await;
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
            Claim::Acquired(_) => acquired += 1,
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
    let first = acquire(&*stores.first, &key, RULE, "a new key must be acquired").await;
    release(&*stores.first, &key, first, RULE).await;
    let second = acquire(
        &*stores.second,
        &key,
        RULE,
        "a released key must be claimable again",
    )
    .await;
    assert_ne!(
        first, second,
        "{RULE}: a key claimed again must be claimed with a new token"
    );
}

/// A claim neither completed nor released (the process died mid-handler) lapses after the
/// processing timeout, and the key can be acquired again; not before.
pub async fn check_crash_recovery(factory: &dyn StoreFactory) {
    const RULE: &str = "crash recovery";
    let timings = Timings::QUICK;
    let stores = factory.replicas(timings).await;
    let key = fresh_key(RULE);
    acquire(&*stores.first, &key, RULE, "a new key must be acquired").await;
    // The first replica "dies" here: it never completes nor releases.
    assert_eq!(
        claim(&*stores.second, &key, RULE).await,
        Claim::InFlight,
        "{RULE}: the claim must hold before the processing timeout"
    );
    tokio::time::sleep(Timings::past(timings.processing_timeout)).await;
    acquire(
        &*stores.second,
        &key,
        RULE,
        "a claim must lapse after the processing timeout",
    )
    .await;
}

/// A completion is remembered for the TTL, then forgotten (retention).
pub async fn check_retention(factory: &dyn StoreFactory) {
    const RULE: &str = "retention";
    let timings = Timings::QUICK;
    let stores = factory.replicas(timings).await;
    let key = fresh_key(RULE);
    acquire(&*stores.first, &key, RULE, "a new key must be acquired").await;
    complete(&*stores.first, &key, RULE).await;
    tokio::time::sleep(timings.processing_timeout).await;
    assert_eq!(
        claim(&*stores.second, &key, RULE).await,
        Claim::Completed,
        "{RULE}: a completion must be remembered for the TTL (past the processing timeout)"
    );
    tokio::time::sleep(Timings::past(timings.ttl)).await;
    acquire(
        &*stores.second,
        &key,
        RULE,
        "a completion must be forgotten after the TTL",
    )
    .await;
}

/// A replica whose claim lapsed cannot release the claim another replica took since: its
/// release (with its own, stale token) must leave the new claim in place.
pub async fn check_release_fencing(factory: &dyn StoreFactory) {
    const RULE: &str = "release fencing";
    let stores = factory.replicas(Timings::QUICK).await;
    release_fencing(&*stores.first, &*stores.second, RULE).await;
}

/// The same rule within one store: a delivery whose claim lapsed cannot release the claim a
/// later delivery took since on the same store (both in one process, e.g. a handler that
/// hung and ENS's retry reaching the same replica).
pub async fn check_release_fencing_in_one_store(factory: &dyn StoreFactory) {
    const RULE: &str = "release fencing in one store";
    let stores = factory.replicas(Timings::QUICK).await;
    release_fencing(&*stores.first, &*stores.first, RULE).await;
}

/// `slow` claims, lapses; `retry` claims again; `slow` fails and releases with its token.
async fn release_fencing(slow: &dyn IdempotencyStore, retry: &dyn IdempotencyStore, rule: &str) {
    let key = fresh_key(rule);
    let lapsed = acquire(slow, &key, rule, "a new key must be acquired").await;
    tokio::time::sleep(Timings::past(Timings::QUICK.processing_timeout)).await;
    let current = acquire(retry, &key, rule, "a lapsed claim must be acquirable again").await;
    assert_ne!(
        lapsed, current,
        "{rule}: a lapsed key claimed again must be claimed with a new token"
    );
    // The slow handler finally fails and releases its lapsed claim.
    release(slow, &key, lapsed, rule).await;
    for store in [slow, retry] {
        assert_eq!(
            claim(store, &key, rule).await,
            Claim::InFlight,
            "{rule}: releasing a lapsed claim must not free the claim acquired since"
        );
    }
    // The current owner's release still works.
    release(retry, &key, current, rule).await;
    acquire(
        slow,
        &key,
        rule,
        "the current owner's release must free the key",
    )
    .await;
}
