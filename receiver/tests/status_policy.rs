//! The answers match ENS's retry policy: 400 only for what is not an event, never for an event
//! the types cannot hold; 413, 415 and 401 as HTTP means them; both envelopes; unknown and
//! mistyped events reach a handler.

mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use capillary_ens_receiver::{
    Auth, EnsRouter, HandlerError, ReceiverConfig, StaticHeaders, Webhook,
};
use capillary_ens_schemas::events::PointsIssued;
use capillary_ens_schemas::{Event, EventName};
use serde_json::{Value, json};

use common::{body_with_id, client, example, serve};

const BEARER: &str = "Bearer t0ken";

#[derive(Clone)]
struct AppState {
    ens: ReceiverConfig,
    seen: Arc<Mutex<Vec<String>>>,
}

impl axum::extract::FromRef<AppState> for ReceiverConfig {
    fn from_ref(state: &AppState) -> Self {
        state.ens.clone()
    }
}

async fn points(State(state): State<AppState>, webhook: Webhook<PointsIssued>) {
    let customer = webhook
        .event
        .customer_identifiers
        .customer_id
        .unwrap_or_default();
    state
        .seen
        .lock()
        .unwrap()
        .push(format!("points:{customer}"));
}

async fn fallback(State(state): State<AppState>, webhook: Webhook) {
    let entry = match (&webhook.event, &webhook.type_error) {
        (Event::Unknown { name, .. }, Some(error)) => {
            format!("mistyped:{name}:{}", error.path().unwrap_or(""))
        }
        (Event::Unknown { name, .. }, None) => format!("unknown:{name}"),
        (event, _) => format!("other:{}", event.name()),
    };
    state.seen.lock().unwrap().push(entry);
}

async fn server(with_fallback: bool) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let state = AppState {
        ens: ReceiverConfig::new(Auth::new(StaticHeaders::bearer("t0ken"))).body_limit(64 * 1024),
        seen: Arc::clone(&seen),
    };
    let mut ens = EnsRouter::new().on::<PointsIssued, _, _>(points);
    if with_fallback {
        ens = ens.fallback(fallback);
    }
    let app = Router::new()
        .nest("/hooks/ens", ens.into_router())
        .route(
            "/points-only",
            post(|webhook: Webhook<PointsIssued>| async move {
                webhook.event.loyalty_program_id.to_string()
            }),
        )
        .with_state(state);
    (serve(app).await, seen)
}

async fn send(url: &str, path: &str, content_type: Option<&str>, body: Vec<u8>) -> (u16, String) {
    let mut request = client()
        .post(format!("{url}{path}"))
        .header("authorization", BEARER);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.body(body).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn deliver(url: &str, body: Vec<u8>) -> (u16, String) {
    send(url, "/hooks/ens", Some("application/json"), body).await
}

#[tokio::test]
async fn a_typed_event_reaches_its_handler() {
    let (url, seen) = server(true).await;
    let (status, text) = deliver(&url, body_with_id(&EventName::PointsIssued, "p-1")).await;
    assert_eq!((status, text.as_str()), (200, "processed"));
    let customer =
        example(&EventName::PointsIssued)["data"]["customerIdentifiers"]["customerId"].clone();
    assert_eq!(*seen.lock().unwrap(), [format!("points:{customer}")]);
}

#[tokio::test]
async fn both_envelope_forms_are_accepted() {
    let (url, seen) = server(true).await;
    let flat = example(&EventName::PointsIssued);
    let wrapped = json!({
        "eventId": "wrapped-1",
        "eventType": "50952_pointsIssued",
        "consumerGroupId": null,
        "actionType": "START",
        "timeStamp": 1732527005200u64,
        "attributes": {
            "eventName": "pointsIssued",
            "orgId": 50952,
            "createdAt": 1732527005123u64,
            "data": flat["data"].clone()
        }
    });
    assert_eq!(
        deliver(&url, serde_json::to_vec(&wrapped).unwrap()).await.0,
        200
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(seen.lock().unwrap()[0].starts_with("points:"));
}

#[tokio::test]
async fn an_unknown_event_goes_to_the_fallback_or_is_acknowledged() {
    let body = serde_json::to_vec(
        &json!({"eventName": "customerSubscription", "eventId": "u-1", "data": {"x": 1}}),
    )
    .unwrap();
    let (url, seen) = server(true).await;
    assert_eq!(deliver(&url, body.clone()).await.0, 200);
    assert_eq!(*seen.lock().unwrap(), ["unknown:customerSubscription"]);

    let (url, seen) = server(false).await;
    let (status, text) = deliver(&url, body).await;
    assert_eq!(status, 200, "never 400: ENS would drop it");
    assert!(text.contains("no handler"), "{text}");
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_mistyped_event_reaches_the_fallback_with_the_failing_path() {
    let mut body = example(&EventName::PointsIssued);
    body["eventId"] = Value::from("m-1");
    body["data"]["loyaltyProgramId"] = Value::from("not-a-number");
    let body = serde_json::to_vec(&body).unwrap();

    let (url, seen) = server(true).await;
    assert_eq!(deliver(&url, body.clone()).await.0, 200);
    assert_eq!(
        *seen.lock().unwrap(),
        ["mistyped:pointsIssued:data.loyaltyProgramId"]
    );

    let (url, seen) = server(false).await;
    let (status, _) = deliver(&url, body.clone()).await;
    assert_eq!(
        status, 200,
        "deterministic: acknowledged, never retried for days"
    );
    assert!(seen.lock().unwrap().is_empty());

    let (status, _) = send(&url, "/points-only", Some("application/json"), body).await;
    assert_eq!(status, 202, "a typed extractor acknowledges it too");
}

#[tokio::test]
async fn a_typed_extractor_acknowledges_other_events() {
    let (url, _) = server(true).await;
    let (status, text) = send(
        &url,
        "/points-only",
        Some("application/json"),
        body_with_id(&EventName::TierUpgraded, "t-1"),
    )
    .await;
    assert_eq!(status, 202, "{text}");
    let (status, text) = send(
        &url,
        "/points-only",
        Some("application/json"),
        body_with_id(&EventName::PointsIssued, "t-2"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        text,
        example(&EventName::PointsIssued)["data"]["loyaltyProgramId"].to_string()
    );
}

#[tokio::test]
async fn bodies_that_are_not_events_get_400() {
    let (url, _) = server(true).await;
    for body in [
        &b"not json"[..],
        b"{\"eventName\":",
        b"[1,2]",
        b"{\"data\":{}}",
        b"{\"eventName\":\"pointsIssued\"}",
    ] {
        let (status, text) = deliver(&url, body.to_vec()).await;
        assert_eq!(status, 400, "{}: {text}", String::from_utf8_lossy(body));
    }
}

#[tokio::test]
async fn too_large_and_wrong_content_type() {
    let (url, seen) = server(true).await;
    let mut big = example(&EventName::PointsIssued);
    big["padding"] = Value::from("x".repeat(70 * 1024));
    let (status, text) = deliver(&url, serde_json::to_vec(&big).unwrap()).await;
    assert_eq!(status, 413, "{text}");

    let body = body_with_id(&EventName::PointsIssued, "ct-1");
    assert_eq!(
        send(&url, "/hooks/ens", Some("text/plain"), body.clone())
            .await
            .0,
        415
    );
    assert_eq!(
        send(
            &url,
            "/hooks/ens",
            Some("application/x-www-form-urlencoded"),
            body.clone()
        )
        .await
        .0,
        415
    );
    assert_eq!(
        send(
            &url,
            "/hooks/ens",
            Some("application/json; charset=utf-8"),
            body.clone()
        )
        .await
        .0,
        200
    );
    assert_eq!(
        send(
            &url,
            "/hooks/ens",
            None,
            body_with_id(&EventName::PointsIssued, "ct-2")
        )
        .await
        .0,
        200
    );
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn unauthenticated_requests_get_401_before_parsing() {
    let (url, seen) = server(true).await;
    let response = client()
        .post(format!("{url}/hooks/ens"))
        .header("authorization", "Bearer nope")
        .body("not even json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn handler_failures_are_retriable() {
    async fn failing(_: Webhook<PointsIssued>) -> Result<(), HandlerError> {
        Err(HandlerError::from("sms provider is down"))
    }
    async fn throttled(_: Webhook<PointsIssued>) -> Result<(), HandlerError> {
        Err(HandlerError::rate_limited(
            std::time::Duration::from_secs(30),
            "slow down",
        ))
    }
    for (ens, expected, retry_after) in [
        (
            EnsRouter::new().on::<PointsIssued, _, _>(failing),
            503,
            None,
        ),
        (
            EnsRouter::new().on::<PointsIssued, _, _>(throttled),
            429,
            Some("30"),
        ),
    ] {
        let config = ReceiverConfig::new(Auth::new(StaticHeaders::bearer("t0ken")));
        let url = serve(
            Router::new()
                .nest("/hooks/ens", ens.into_router())
                .with_state(config),
        )
        .await;
        let response = client()
            .post(format!("{url}/hooks/ens"))
            .header("authorization", BEARER)
            .body(body_with_id(&EventName::PointsIssued, "f-1"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), expected);
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap()),
            retry_after
        );
    }
}
