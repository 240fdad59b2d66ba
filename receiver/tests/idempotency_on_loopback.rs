//! ENS delivers at least once: duplicates, sequential or concurrent, run the handler once, and
//! a failure lets the retry run it again.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use capillary_ens_receiver::{
    Auth, EnsRouter, HandlerError, InMemoryStore, ReceiverConfig, StaticHeaders, Webhook,
};
use capillary_ens_schemas::EventName;
use capillary_ens_schemas::events::TierUpgraded;
use serde_json::Value;
use tokio::sync::Notify;

use common::{body_with_id, client, example, serve};

#[derive(Clone)]
struct Counting {
    ens: ReceiverConfig,
    calls: Arc<AtomicUsize>,
    failures_left: Arc<AtomicUsize>,
    gate: Option<Arc<Notify>>,
}

impl axum::extract::FromRef<Counting> for ReceiverConfig {
    fn from_ref(state: &Counting) -> Self {
        state.ens.clone()
    }
}

async fn count(
    State(state): State<Counting>,
    _: Webhook<TierUpgraded>,
) -> Result<(), HandlerError> {
    state.calls.fetch_add(1, Ordering::SeqCst);
    if let Some(gate) = &state.gate {
        gate.notified().await;
    }
    let failing = state
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            left.checked_sub(1)
        })
        .is_ok();
    if failing {
        Err(HandlerError::from("downstream failed"))
    } else {
        Ok(())
    }
}

async fn server(failures: usize, gate: Option<Arc<Notify>>) -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let state = Counting {
        ens: ReceiverConfig::new(Auth::new(StaticHeaders::bearer("t0ken")))
            .in_flight_retry_after(Duration::from_secs(2)),
        calls: Arc::clone(&calls),
        failures_left: Arc::new(AtomicUsize::new(failures)),
        gate,
    };
    let app = Router::new()
        .nest(
            "/ens",
            EnsRouter::new()
                .on::<TierUpgraded, _, _>(count)
                .into_router(),
        )
        .with_state(state);
    (serve(app).await, calls)
}

async fn deliver(url: &str, body: Vec<u8>) -> reqwest::Response {
    client()
        .post(format!("{url}/ens"))
        .header("authorization", "Bearer t0ken")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sequential_duplicates_run_the_handler_once() {
    let (url, calls) = server(0, None).await;
    let body = body_with_id(&EventName::TierUpgraded, "dup-1");
    for _ in 0..3 {
        assert_eq!(deliver(&url, body.clone()).await.status().as_u16(), 200);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let other = body_with_id(&EventName::TierUpgraded, "dup-2");
    assert_eq!(deliver(&url, other).await.status().as_u16(), 200);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "another event id is another event"
    );
}

#[tokio::test]
async fn events_without_an_id_are_deduplicated_by_body() {
    let (url, calls) = server(0, None).await;
    let mut body = example(&EventName::TierUpgraded);
    body.as_object_mut().unwrap().remove("eventId");
    let bytes = serde_json::to_vec(&body).unwrap();
    assert_eq!(deliver(&url, bytes.clone()).await.status().as_u16(), 200);
    assert_eq!(deliver(&url, bytes).await.status().as_u16(), 200);
    body["createdAt"] = Value::from(1);
    assert_eq!(
        deliver(&url, serde_json::to_vec(&body).unwrap())
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn concurrent_duplicates_run_the_handler_once() {
    let gate = Arc::new(Notify::new());
    let (url, calls) = server(0, Some(Arc::clone(&gate))).await;
    let body = body_with_id(&EventName::TierUpgraded, "concurrent-1");
    let first = tokio::spawn({
        let (url, body) = (url.clone(), body.clone());
        async move { deliver(&url, body).await.status().as_u16() }
    });
    // Wait until the first delivery is inside the handler.
    while calls.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let second = deliver(&url, body.clone()).await;
    assert_eq!(
        second.status().as_u16(),
        429,
        "retriable while the first is in flight"
    );
    assert_eq!(second.headers()["retry-after"], "2");
    gate.notify_one();
    assert_eq!(first.await.unwrap(), 200);
    assert_eq!(deliver(&url, body).await.status().as_u16(), 200);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failure_releases_the_claim_so_the_retry_runs() {
    let (url, calls) = server(1, None).await;
    let body = body_with_id(&EventName::TierUpgraded, "retry-1");
    assert_eq!(deliver(&url, body.clone()).await.status().as_u16(), 503);
    assert_eq!(deliver(&url, body.clone()).await.status().as_u16(), 200);
    assert_eq!(deliver(&url, body).await.status().as_u16(), 200);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "failed once, succeeded once, then deduplicated"
    );
}

/// Each call waits for its own gate; the first call then fails, later ones succeed.
#[derive(Clone)]
struct Hanging {
    ens: ReceiverConfig,
    calls: Arc<AtomicUsize>,
    gates: Arc<[Notify; 2]>,
}

impl axum::extract::FromRef<Hanging> for ReceiverConfig {
    fn from_ref(state: &Hanging) -> Self {
        state.ens.clone()
    }
}

async fn hang_then_fail_once(
    State(state): State<Hanging>,
    _: Webhook<TierUpgraded>,
) -> Result<(), HandlerError> {
    let call = state.calls.fetch_add(1, Ordering::SeqCst);
    if let Some(gate) = state.gates.get(call) {
        gate.notified().await;
    }
    if call == 0 {
        Err(HandlerError::from("downstream failed"))
    } else {
        Ok(())
    }
}

/// A handler that hangs past the processing timeout, then fails, releases only its own
/// (lapsed) claim: the retry that acquired the event meanwhile keeps it, and a third delivery
/// is told to come back later instead of running the handler alongside the retry.
#[tokio::test]
async fn a_lapsed_claim_released_late_does_not_free_the_retrys_claim() {
    let processing_timeout = Duration::from_millis(200);
    let calls = Arc::new(AtomicUsize::new(0));
    let gates: Arc<[Notify; 2]> = Arc::new([Notify::new(), Notify::new()]);
    let state = Hanging {
        ens: ReceiverConfig::new(Auth::new(StaticHeaders::bearer("t0ken")))
            .idempotency_store(InMemoryStore::new().processing_timeout(processing_timeout)),
        calls: Arc::clone(&calls),
        gates: Arc::clone(&gates),
    };
    let app = Router::new()
        .nest(
            "/ens",
            EnsRouter::new()
                .on::<TierUpgraded, _, _>(hang_then_fail_once)
                .into_router(),
        )
        .with_state(state);
    let url = serve(app).await;
    let body = body_with_id(&EventName::TierUpgraded, "hung-1");
    let spawn_delivery = |url: &String, body: &Vec<u8>| {
        let (url, body) = (url.clone(), body.clone());
        tokio::spawn(async move { deliver(&url, body).await.status().as_u16() })
    };
    let until_calls = |expected: usize| {
        let calls = Arc::clone(&calls);
        async move {
            while calls.load(Ordering::SeqCst) < expected {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };

    let hung = spawn_delivery(&url, &body);
    until_calls(1).await;
    tokio::time::sleep(processing_timeout + Duration::from_millis(100)).await;
    // ENS's retry: the first claim lapsed, so the retry acquires the event and runs.
    let retry = spawn_delivery(&url, &body);
    until_calls(2).await;
    // The hung handler fails at last: 503, and its release must not free the retry's claim.
    gates[0].notify_one();
    assert_eq!(hung.await.unwrap(), 503);
    let third = deliver(&url, body.clone()).await;
    assert_eq!(
        third.status().as_u16(),
        429,
        "the retry still holds the event"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "the handler did not run a third time"
    );
    gates[1].notify_one();
    assert_eq!(retry.await.unwrap(), 200);
    assert_eq!(deliver(&url, body).await.status().as_u16(), 200);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
