//! The hooks a durable inbox builds on: an `Acknowledge` sink takes each authenticated delivery
//! instead of the handlers, and `EnsRouter::dispatch` runs the handlers on a stored delivery
//! without HTTP.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::State;
use bytes::Bytes;
use capillary_ens_receiver::{
    Acknowledge, AcknowledgeError, Acknowledged, Auth, BoxFuture, Delivery, Dispatch, EnsRouter,
    HandlerError, ReceiverConfig, StaticHeaders, Webhook,
};
use capillary_ens_schemas::EventName;
use capillary_ens_schemas::events::{PointsIssued, TierUpgraded};
use serde_json::Value;

use common::{body_with_id, client, example, serve};

/// A sink that keeps deliveries in memory, or fails every one.
#[derive(Clone, Default)]
struct Kept {
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    failing: bool,
}

impl Acknowledge for Kept {
    fn acknowledge(
        &self,
        delivery: Delivery,
    ) -> BoxFuture<'_, Result<Acknowledged, AcknowledgeError>> {
        let answer = if self.failing {
            Err(AcknowledgeError::new("the disk is full").retry_after(Duration::from_secs(7)))
        } else {
            let mut kept = self.deliveries.lock().unwrap();
            if kept.iter().any(|seen| seen.key() == delivery.key()) {
                Ok(Acknowledged::Duplicate)
            } else {
                kept.push(delivery);
                Ok(Acknowledged::Stored)
            }
        };
        Box::pin(async move { answer })
    }
}

#[derive(Clone)]
struct App {
    ens: ReceiverConfig,
    handled: Arc<Mutex<Vec<String>>>,
}

impl axum::extract::FromRef<App> for ReceiverConfig {
    fn from_ref(state: &App) -> Self {
        state.ens.clone()
    }
}

async fn points(
    State(app): State<App>,
    webhook: Webhook<PointsIssued>,
) -> Result<(), HandlerError> {
    let id = webhook.envelope.event_id.clone().unwrap_or_default();
    if id == "fail" {
        return Err(HandlerError::from("downstream is down"));
    }
    app.handled.lock().unwrap().push(format!("points:{id}"));
    Ok(())
}

fn app() -> App {
    App {
        ens: ReceiverConfig::new(Auth::new(StaticHeaders::bearer("t0ken"))),
        handled: Arc::default(),
    }
}

async fn post(url: &str, body: Vec<u8>) -> reqwest::Response {
    client()
        .post(format!("{url}/ens"))
        .header("authorization", "Bearer t0ken")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

fn stored(body: Vec<u8>) -> Delivery {
    Delivery::parse(Bytes::from(body), SystemTime::now()).expect("an event")
}

#[tokio::test]
async fn a_sink_takes_deliveries_instead_of_the_handlers() {
    let state = app();
    let sink = Kept::default();
    let router = EnsRouter::new().on::<PointsIssued, _, _>(points);
    let url = serve(
        Router::new()
            .nest("/ens", router.acknowledge_with(sink.clone()).into_router())
            .with_state(state.clone()),
    )
    .await;

    let body = body_with_id(&EventName::PointsIssued, "p-1");
    let response = post(&url, body.clone()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "stored");
    let response = post(&url, body.clone()).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().starts_with("duplicate"));

    assert!(
        state.handled.lock().unwrap().is_empty(),
        "not handled inline"
    );
    let kept = sink.deliveries.lock().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(&kept[0].raw[..], &body[..], "the exact bytes are stored");
    assert_eq!(kept[0].key().as_str(), "pointsIssued:p-1");
}

#[tokio::test]
async fn a_failing_sink_is_answered_503_with_its_retry_after() {
    let sink = Kept {
        failing: true,
        ..Kept::default()
    };
    let url = serve(
        Router::new()
            .nest(
                "/ens",
                EnsRouter::new().acknowledge_with(sink).into_router(),
            )
            .with_state(app()),
    )
    .await;
    let response = post(&url, body_with_id(&EventName::TierUpgraded, "t-1")).await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "7");
}

#[tokio::test]
async fn dispatch_runs_handlers_on_stored_deliveries_without_http() {
    let state = app();
    let router = EnsRouter::<App>::new().on::<PointsIssued, _, _>(points);

    let handled = router
        .dispatch(
            &state,
            stored(body_with_id(&EventName::PointsIssued, "p-9")),
        )
        .await;
    assert!(matches!(handled, Dispatch::Handled), "{handled:?}");
    assert_eq!(*state.handled.lock().unwrap(), ["points:p-9"]);

    let failed = router
        .dispatch(
            &state,
            stored(body_with_id(&EventName::PointsIssued, "fail")),
        )
        .await;
    assert!(failed.is_retriable(), "{failed:?}");
    let Dispatch::Failed(error) = failed else {
        panic!("expected a handler error, got {failed:?}")
    };
    assert_eq!(error.status(), 503);

    let unhandled = router
        .dispatch(
            &state,
            stored(body_with_id(&EventName::TierUpgraded, "t-9")),
        )
        .await;
    assert!(matches!(unhandled, Dispatch::NoHandler), "{unhandled:?}");

    let mut mistyped = example(&EventName::PointsIssued);
    mistyped["eventId"] = Value::from("m-9");
    mistyped["data"]["loyaltyProgramId"] = Value::from("Jane Doe +919800000000");
    let mismatch = router
        .dispatch(&state, stored(serde_json::to_vec(&mistyped).unwrap()))
        .await;
    let Dispatch::Mismatch(mismatch) = mismatch else {
        panic!("expected a mismatch, got {mismatch:?}")
    };
    assert!(!Dispatch::Mismatch(mismatch.clone()).is_retriable());
    assert_eq!(mismatch.path(), "data.loyaltyProgramId");
    assert_eq!(mismatch.event_id.as_deref(), Some("m-9"));
    let shown = format!("{mismatch:?} {mismatch}");
    assert!(
        !shown.contains("Jane") && !shown.contains("+9198"),
        "{shown}"
    );
    assert_eq!(router.counters().mismatched(), 1);
    assert_eq!(router.counters().unhandled(), 1);
    assert_eq!(state.handled.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_mismatch_goes_to_the_mismatch_handler_before_the_fallback() {
    let state = app();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let (mismatches, fallbacks) = (Arc::clone(&seen), Arc::clone(&seen));
    let router = EnsRouter::<App>::new()
        .on::<TierUpgraded, _, _>(|_: Webhook<TierUpgraded>| async {})
        .on_mismatch(move |webhook: Webhook| {
            let seen = Arc::clone(&mismatches);
            async move {
                let path = webhook
                    .type_error
                    .as_ref()
                    .and_then(|e| e.path().map(str::to_owned));
                seen.lock()
                    .unwrap()
                    .push(format!("mismatch:{}", path.unwrap_or_default()));
            }
        })
        .fallback(move |webhook: Webhook| {
            let seen = Arc::clone(&fallbacks);
            async move {
                seen.lock()
                    .unwrap()
                    .push(format!("fallback:{}", webhook.envelope.event_name.as_str()));
            }
        });
    let mut mistyped = example(&EventName::PointsIssued);
    mistyped["data"]["loyaltyProgramId"] = Value::from("two");
    let outcome = router
        .dispatch(&state, stored(serde_json::to_vec(&mistyped).unwrap()))
        .await;
    assert!(matches!(outcome, Dispatch::Handled), "{outcome:?}");
    let outcome = router
        .dispatch(&state, stored(body_with_id(&EventName::PointsIssued, "p")))
        .await;
    assert!(matches!(outcome, Dispatch::Handled), "{outcome:?}");
    assert_eq!(
        *seen.lock().unwrap(),
        ["mismatch:data.loyaltyProgramId", "fallback:pointsIssued"]
    );
}
