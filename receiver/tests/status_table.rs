//! The rows of the status table in receiver/README.md that `status_policy.rs`,
//! `idempotency_on_loopback.rs` and `inbox_contract.rs` do not already cover, each on a
//! loopback server and named as the rule.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use capillary_ens_receiver::{
    Auth, BoxFuture, Claim, ClaimToken, DedupKey, EnsRouter, IdempotencyStore, ReceiverConfig,
    StaticHeaders, StoreError, Webhook,
};
use capillary_ens_schemas::EventName;
use capillary_ens_schemas::events::{PointsIssued, TierUpgraded};
use serde_json::Value;

use common::{body_with_id, client, example, serve};

#[derive(Clone)]
struct App {
    ens: ReceiverConfig,
    seen: Arc<Mutex<Vec<String>>>,
}

impl axum::extract::FromRef<App> for ReceiverConfig {
    fn from_ref(state: &App) -> Self {
        state.ens.clone()
    }
}

async fn points(State(app): State<App>, webhook: Webhook<PointsIssued>) {
    let id = webhook.envelope.event_id.unwrap_or_default();
    app.seen.lock().unwrap().push(format!("points:{id}"));
}

async fn tier(State(app): State<App>, webhook: Webhook<TierUpgraded>) {
    let id = webhook.envelope.event_id.unwrap_or_default();
    app.seen.lock().unwrap().push(format!("tier:{id}"));
}

fn app(config: ReceiverConfig) -> App {
    App {
        ens: config,
        seen: Arc::default(),
    }
}

fn config() -> ReceiverConfig {
    ReceiverConfig::new(Auth::new(StaticHeaders::basic("ens", "s3cret")))
}

/// The README's quick start: one handler, mounted at `/webhooks/ens`.
async fn one_handler_receiver(config: ReceiverConfig) -> (String, App) {
    let state = app(config);
    let ens = EnsRouter::new().on::<PointsIssued, _, _>(points);
    let url = serve(
        Router::new()
            .merge(ens.into_router_at("/webhooks/ens"))
            .with_state(state.clone()),
    )
    .await;
    (url, state)
}

async fn post_as(url: &str, path: &str, authorization: &str, body: Vec<u8>) -> (u16, String) {
    let response = client()
        .post(format!("{url}{path}"))
        .header("authorization", authorization)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn post(url: &str, body: Vec<u8>) -> (u16, String) {
    post_as(url, "/webhooks/ens", "Basic ZW5zOnMzY3JldA==", body).await
}

fn mistyped(name: &EventName, event_id: &str, field: &str) -> Vec<u8> {
    let mut body = example(name);
    body["eventId"] = Value::from(event_id);
    body["data"][field] = Value::from("Jane Doe, +919800000000");
    serde_json::to_vec(&body).unwrap()
}

#[tokio::test]
async fn a_mistyped_event_the_app_does_not_handle_is_answered_2xx() {
    let (url, state) = one_handler_receiver(config()).await;
    let (status, text) = post(
        &url,
        mistyped(&EventName::TierUpgraded, "t-1", "loyaltyProgramId"),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert!(state.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_mistyped_event_the_app_handles_is_answered_2xx_and_counted_without_a_fallback() {
    let state = app(config());
    let ens = EnsRouter::new().on::<PointsIssued, _, _>(points);
    let counters = ens.counters();
    let url = serve(
        Router::new()
            .merge(ens.into_router_at("/webhooks/ens"))
            .with_state(state.clone()),
    )
    .await;
    let body = mistyped(&EventName::PointsIssued, "m-1", "loyaltyProgramId");
    let (status, text) = post(&url, body.clone()).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("does not match its type"), "{text}");
    assert_eq!(counters.mismatched(), 1);
    assert!(state.seen.lock().unwrap().is_empty());
    let (status, _) = post(&url, body).await;
    assert_eq!(status, 200, "the re-delivery is a duplicate");
    assert_eq!(counters.mismatched(), 1, "and not counted twice");
}

/// Collects formatted log lines.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_mismatch_is_logged_at_error_with_name_id_and_path_never_values() {
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let state = app(config());
    let router = EnsRouter::<App>::new().on::<PointsIssued, _, _>(points);
    let body = mistyped(&EventName::PointsIssued, "m-2", "loyaltyProgramId");
    let delivery =
        capillary_ens_receiver::Delivery::parse(body.into(), std::time::SystemTime::now()).unwrap();
    router.dispatch(&state, delivery).await;
    let logged = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    let line = logged
        .lines()
        .find(|line| line.contains("does not match its type"))
        .unwrap_or_else(|| panic!("no mismatch line in {logged}"));
    assert!(line.contains("ERROR"), "{line}");
    for expected in ["pointsIssued", "m-2", "data.loyaltyProgramId"] {
        assert!(line.contains(expected), "{expected} missing from {line}");
    }
    assert!(
        !logged.contains("Jane") && !logged.contains("+9198"),
        "{logged}"
    );
}

#[tokio::test]
async fn a_flat_event_with_an_extra_attributes_key_is_handled() {
    let (url, state) = one_handler_receiver(config()).await;
    for (id, key) in [("a-1", "attributes"), ("a-2", "eventType")] {
        let mut body = example(&EventName::PointsIssued);
        body["eventId"] = Value::from(id);
        body[key] = serde_json::json!({"anything": [1, 2]});
        let (status, text) = post(&url, serde_json::to_vec(&body).unwrap()).await;
        assert_eq!(status, 200, "{key}: {text}");
    }
    assert_eq!(*state.seen.lock().unwrap(), ["points:a-1", "points:a-2"]);
}

#[tokio::test]
async fn the_same_event_id_on_two_event_names_reaches_both_handlers() {
    let state = app(config());
    let ens = EnsRouter::new()
        .on::<PointsIssued, _, _>(points)
        .on::<TierUpgraded, _, _>(tier);
    let url = serve(
        Router::new()
            .merge(ens.into_router_at("/webhooks/ens"))
            .with_state(state.clone()),
    )
    .await;
    for name in [
        EventName::PointsIssued,
        EventName::TierUpgraded,
        EventName::PointsIssued,
    ] {
        let (status, _) = post(&url, body_with_id(&name, "shared-id")).await;
        assert_eq!(status, 200);
    }
    assert_eq!(
        *state.seen.lock().unwrap(),
        ["points:shared-id", "tier:shared-id"],
        "each event once, the repeat deduplicated"
    );
}

#[tokio::test]
async fn auth_schemes_are_case_insensitive() {
    let (url, state) = one_handler_receiver(config()).await;
    for (index, scheme) in ["Basic", "basic", "BASIC", "bAsIc"].into_iter().enumerate() {
        let body = body_with_id(&EventName::PointsIssued, &format!("c-{index}"));
        let (status, text) = post_as(
            &url,
            "/webhooks/ens",
            &format!("{scheme} ZW5zOnMzY3JldA=="),
            body,
        )
        .await;
        assert_eq!(status, 200, "{scheme}: {text}");
    }
    assert_eq!(state.seen.lock().unwrap().len(), 4);
    let (status, _) = post_as(
        &url,
        "/webhooks/ens",
        "basic ZW5zOlMzQ1JFVA==",
        body_with_id(&EventName::PointsIssued, "c-x"),
    )
    .await;
    assert_eq!(status, 401, "credentials are still compared exactly");
}

#[tokio::test]
async fn the_mount_path_is_answered_with_and_without_a_trailing_slash() {
    let (url, state) = one_handler_receiver(config()).await;
    for (path, id) in [("/webhooks/ens", "s-1"), ("/webhooks/ens/", "s-2")] {
        let body = body_with_id(&EventName::PointsIssued, id);
        let (status, text) = post_as(&url, path, "Basic ZW5zOnMzY3JldA==", body).await;
        assert_eq!(status, 200, "{path}: {text}");
    }
    assert_eq!(state.seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn other_paths_get_404_and_other_methods_405_which_ens_never_sends() {
    let (url, _) = one_handler_receiver(config()).await;
    let body = body_with_id(&EventName::PointsIssued, "p-404");
    let (status, _) = post_as(&url, "/webhooks/other", "Basic ZW5zOnMzY3JldA==", body).await;
    assert_eq!(status, 404);
    let response = client()
        .get(format!("{url}/webhooks/ens"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
}

#[tokio::test]
async fn the_default_body_limit_takes_a_ten_mib_event() {
    let (url, state) = one_handler_receiver(config()).await;
    let mut body = example(&EventName::PointsIssued);
    body["eventId"] = Value::from("big-1");
    body["data"]["padding"] = Value::from("x".repeat(10 * 1024 * 1024));
    let (status, text) = post(&url, serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(*state.seen.lock().unwrap(), ["points:big-1"]);
    assert_eq!(ReceiverConfig::DEFAULT_BODY_LIMIT, 16 * 1024 * 1024);
}

#[tokio::test]
async fn a_body_with_a_utf8_bom_is_handled() {
    let (url, state) = one_handler_receiver(config()).await;
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(body_with_id(&EventName::PointsIssued, "bom-1"));
    let (status, text) = post(&url, body).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(*state.seen.lock().unwrap(), ["points:bom-1"]);
}

/// A store that is down.
struct Down;

impl IdempotencyStore for Down {
    fn claim<'a>(&'a self, _: &'a DedupKey) -> BoxFuture<'a, Result<Claim, StoreError>> {
        Box::pin(async { Err(StoreError::new("connection refused")) })
    }

    fn complete<'a>(&'a self, _: &'a DedupKey) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Err(StoreError::new("connection refused")) })
    }

    fn release<'a>(
        &'a self,
        _: &'a DedupKey,
        _: ClaimToken,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Err(StoreError::new("connection refused")) })
    }
}

#[tokio::test]
async fn a_failing_idempotency_store_is_answered_503_with_retry_after() {
    let config = config()
        .idempotency_store(Down)
        .in_flight_retry_after(Duration::from_secs(4));
    let (url, state) = one_handler_receiver(config).await;
    let response = client()
        .post(format!("{url}/webhooks/ens"))
        .header("authorization", "Basic ZW5zOnMzY3JldA==")
        .body(body_with_id(&EventName::PointsIssued, "d-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(response.headers()["retry-after"], "4");
    assert!(state.seen.lock().unwrap().is_empty());
}
