//! Header rotation end to end: the stateful admin mock plays Capillary, a real axum receiver
//! on loopback checks the header with `RotatingHeaders`, and an ENS-like sender keeps
//! delivering with whatever header the mock holds for the webhook. No delivery may get 401.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use capillary_ens_admin::{
    ApiRetryPolicy, Client, Credentials, HeaderRotation, RotationError, SecretString, SleepFuture,
    Sleeper, WebhookConfig,
};
use capillary_ens_receiver::{Auth, EnsRouter, ReceiverConfig, RotatingHeaders, Secret};
use capillary_ens_schemas::EventName;
use capillary_ens_testkit::mocks::admin_api::AdminApiMock;
use serde_json::{Value, json};
use tokio::sync::watch;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{RecordingSleeper, body};

const GRACE: Duration = Duration::from_secs(90);

async fn accept_all(_: capillary_ens_receiver::Webhook) {}

/// Serves an ENS receiver that authenticates with `accepted`; returns its URL.
async fn receiver(accepted: &RotatingHeaders) -> String {
    let config = ReceiverConfig::new(Auth::new(accepted.clone()));
    let app: Router = Router::new()
        .nest("/ens", EnsRouter::new().fallback(accept_all).into_router())
        .with_state(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/ens")
}

fn event(number: usize) -> Vec<u8> {
    let schema: Value =
        serde_json::from_str(EventName::PointsIssued.json_schema().unwrap()).unwrap();
    let mut example = schema["examples"][0].clone();
    example["eventId"] = json!(format!("rotation-{number}"));
    serde_json::to_vec(&example).unwrap()
}

async fn deliver(url: &str, header: Option<&str>, number: usize) -> u16 {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(event(number));
    if let Some(value) = header {
        request = request.header("authorization", value);
    }
    request.send().await.unwrap().status().as_u16()
}

/// Waits out the grace period only until the sender has delivered `after` events with the
/// new value (so every delivery that started with the old one has arrived); other waits
/// return at once.
#[derive(Debug, Clone)]
struct GraceUntilDelivered {
    delivered_with_new: watch::Receiver<usize>,
    after: usize,
}

impl Sleeper for GraceUntilDelivered {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        let mut delivered = self.delivered_with_new.clone();
        let after = self.after;
        Box::pin(async move {
            if duration == GRACE {
                delivered.wait_for(|count| *count >= after).await.unwrap();
            }
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_while_ens_keeps_delivering_loses_no_event() {
    let mock = Arc::new(AdminApiMock::start().await);
    let old = SecretString::bearer_auth("old-s3cret");
    let new = SecretString::bearer_auth("new-s3cret");
    let accepted = RotatingHeaders::new("Authorization", old.expose());
    let url = receiver(&accepted).await;

    let (new_tx, new_rx) = watch::channel(0_usize);
    let (all_tx, mut all_rx) = watch::channel(0_usize);
    let client = Client::builder(&mock.uri())
        .credentials(Credentials::basic(
            AdminApiMock::USER,
            AdminApiMock::PASSWORD,
        ))
        .sleeper(GraceUntilDelivered {
            delivered_with_new: new_rx,
            after: 3,
        })
        .build()
        .unwrap();
    let webhook = WebhookConfig::new("loyalty-sync", url.clone(), [EventName::PointsIssued])
        .with_header("Authorization", old.clone())
        .with_header("Content-Type", "application/json");
    let id = client.create_webhook(&webhook).await.unwrap().id.unwrap();

    // The ENS-like sender: each delivery carries the header the webhook holds right now.
    let outcomes: Arc<Mutex<Vec<(String, u16)>>> = Arc::default();
    let (stop_tx, stop_rx) = watch::channel(false);
    let sender = {
        let (mock, id, url, outcomes) = (
            Arc::clone(&mock),
            id.clone(),
            url.clone(),
            Arc::clone(&outcomes),
        );
        let new_value = new.expose().to_owned();
        tokio::spawn(async move {
            let mut number = 0;
            while !*stop_rx.borrow() {
                let header = mock.webhook_header(&id, "authorization").unwrap();
                let status = deliver(&url, Some(&header), number).await;
                number += 1;
                let with_new = header == new_value;
                outcomes.lock().unwrap().push((header, status));
                all_tx.send_modify(|count| *count += 1);
                if with_new {
                    new_tx.send_modify(|count| *count += 1);
                }
            }
        })
    };

    all_rx.wait_for(|count| *count >= 3).await.unwrap();
    let rotated = HeaderRotation::new(&client, &id, &accepted)
        .new_value(new.clone())
        .grace_period(GRACE)
        .run()
        .await
        .unwrap();
    let delivered_at_end = *all_rx.borrow();
    all_rx
        .wait_for(|count| *count >= delivered_at_end + 3)
        .await
        .unwrap();
    stop_tx.send(true).unwrap();
    sender.await.unwrap();

    // No delivery was refused, and both values were in use during the run.
    let outcomes = outcomes.lock().unwrap().clone();
    let refused: Vec<_> = outcomes
        .iter()
        .filter(|(_, status)| *status != 200)
        .collect();
    assert!(refused.is_empty(), "refused deliveries: {}", refused.len());
    assert!(outcomes.iter().any(|(header, _)| header == old.expose()));
    assert!(
        outcomes
            .iter()
            .filter(|(header, _)| header == new.expose())
            .count()
            >= 6
    );

    // The webhook sends the new value, everything else unchanged.
    assert_eq!(rotated.headers.get("authorization"), Some(&new));
    assert_eq!(
        mock.webhook_header(&id, "Authorization").as_deref(),
        Some(new.expose())
    );
    let puts = mock.requests_to("PUT", &format!("/v3/webHooks/{id}")).await;
    assert_eq!(puts.len(), 1);
    let sent = body(&puts[0]);
    assert_eq!(sent["name"], "loyalty-sync");
    assert_eq!(sent["eventNames"], json!(["pointsIssued"]));
    assert_eq!(sent["webHookHeaders"]["Content-Type"], "application/json");
    assert_eq!(sent["webHookHeaders"].as_object().unwrap().len(), 2);

    // The receiver now accepts the new value only.
    assert_eq!(accepted.accepted_count(), 1);
    assert_eq!(deliver(&url, Some(old.expose()), 9_000).await, 401);
    assert_eq!(deliver(&url, Some(new.expose()), 9_001).await, 200);
    assert_eq!(deliver(&url, None, 9_002).await, 401);
}

#[tokio::test]
async fn a_refused_update_rolls_the_receiver_back_to_the_old_value() {
    let mock = AdminApiMock::start().await;
    // Stored without validation: 0 connections, which the update call refuses.
    let id = mock.add_webhook(json!({
        "name": "broken",
        "webHookUrl": "https://hooks.example.com",
        "eventNames": ["pointsIssued"],
        "maxAllowedConnections": 0,
        "webHookHeaders": {"Authorization": "Bearer old"},
    }));
    let accepted = RotatingHeaders::bearer("old");
    let sleeper = RecordingSleeper::default();
    let client = common::client_with(&mock, sleeper.clone());

    let error = HeaderRotation::new(&client, &id, &accepted)
        .new_value(SecretString::bearer_auth("new"))
        .run()
        .await
        .unwrap_err();
    assert!(
        matches!(error, RotationError::NotApplied { .. }),
        "{error:?}"
    );
    assert_eq!(error.cause().status(), Some(400));
    assert_eq!(accepted.accepted_count(), 1);
    assert!(accepted.accepts(&Secret::from("Bearer old")));
    assert!(!accepted.accepts(&Secret::from("Bearer new")));
    assert_eq!(
        mock.webhook_header(&id, "authorization").as_deref(),
        Some("Bearer old")
    );
    assert!(sleeper.waits().is_empty());
}

#[tokio::test]
async fn an_unknown_webhook_changes_nothing() {
    let mock = AdminApiMock::start().await;
    let accepted = RotatingHeaders::bearer("old");
    let error = HeaderRotation::new(&common::client(&mock), "missing", &accepted)
        .new_value(SecretString::bearer_auth("new"))
        .run()
        .await
        .unwrap_err();
    assert!(matches!(error, RotationError::Read { .. }));
    assert!(error.cause().is_not_found());
    assert_eq!(accepted.accepted_count(), 1);
}

fn stored(header: &str) -> Value {
    json!({"data": [{
        "webHookId": "w1",
        "consumerGroupId": "g1",
        "name": "sync",
        "webHookUrl": "https://hooks.example.com",
        "eventNames": ["pointsIssued"],
        "webHookHeaders": {"Authorization": header},
    }]})
}

async fn flaky_api(read_back: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/webHooks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(stored("Bearer old")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/webHooks"))
        .respond_with(read_back)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/v3/webHooks/w1"))
        .respond_with(ResponseTemplate::new(504))
        .mount(&server)
        .await;
    server
}

fn no_retries(server: &MockServer) -> Client {
    Client::builder(&server.uri())
        .credentials(Credentials::bearer("t"))
        .retry_policy(ApiRetryPolicy::none())
        .sleeper(RecordingSleeper::default())
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_update_of_unknown_outcome_that_cannot_be_checked_keeps_both_values() {
    let server = flaky_api(ResponseTemplate::new(500)).await;
    let accepted = RotatingHeaders::bearer("old");
    let error = HeaderRotation::new(&no_retries(&server), "w1", &accepted)
        .new_value(SecretString::bearer_auth("new"))
        .run()
        .await
        .unwrap_err();
    assert!(
        matches!(error, RotationError::Uncertain { .. }),
        "{error:?}"
    );
    assert_eq!(error.cause().status(), Some(504));
    assert!(accepted.accepts(&Secret::from("Bearer old")));
    assert!(accepted.accepts(&Secret::from("Bearer new")));
}

#[tokio::test]
async fn an_update_of_unknown_outcome_is_checked_by_reading_back() {
    // Read back: the update did apply.
    let server = flaky_api(ResponseTemplate::new(200).set_body_json(stored("Bearer new"))).await;
    let accepted = RotatingHeaders::bearer("old");
    let webhook = HeaderRotation::new(&no_retries(&server), "w1", &accepted)
        .new_value(SecretString::bearer_auth("new"))
        .run()
        .await
        .unwrap();
    assert_eq!(
        webhook.headers.get("authorization").unwrap().expose(),
        "Bearer new"
    );
    assert_eq!(accepted.accepted_count(), 1);
    assert!(accepted.accepts(&Secret::from("Bearer new")));

    // Read back: the update did not apply.
    let server = flaky_api(ResponseTemplate::new(200).set_body_json(stored("Bearer old"))).await;
    let accepted = RotatingHeaders::bearer("old");
    let error = HeaderRotation::new(&no_retries(&server), "w1", &accepted)
        .new_value(SecretString::bearer_auth("new"))
        .run()
        .await
        .unwrap_err();
    assert!(
        matches!(error, RotationError::NotApplied { .. }),
        "{error:?}"
    );
    assert_eq!(accepted.accepted_count(), 1);
    assert!(accepted.accepts(&Secret::from("Bearer old")));
}
