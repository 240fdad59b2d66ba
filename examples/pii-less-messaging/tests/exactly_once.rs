//! One message per event: under duplicates, concurrent deliveries, provider outages and
//! restarts.

mod support;

use std::time::Duration;

use capillary_ens_testkit::fixtures;
use capillary_ens_testkit::simulator::{AttemptOutcome, DeliveryState, Duplicates};
use example_pii_less_messaging::MessageOutcome;
use support::{ASHA, Harness, MESSAGES, RAVI, serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_delivered_twice_sends_one_message() {
    let harness = Harness::start().await;
    let ens = harness.ens().duplicates(Duplicates::every(1)).build();
    let events = [
        fixtures::customer_added().customer_id(ASHA),
        fixtures::points_issued().customer_id(RAVI),
        fixtures::tier_upgraded().customer_id(ASHA),
        fixtures::coupon_issue().customer_id(ASHA),
    ];

    let reports = ens
        .deliver_all(events.iter().map(|event| event.build()))
        .await;

    assert_eq!(reports.len(), 8, "each event and its duplicate");
    assert_eq!(reports.iter().filter(|report| report.duplicate).count(), 4);
    assert!(reports.iter().all(|report| report.is_delivered()));
    let sent = harness.sent();
    assert_eq!(sent.len(), 4, "{sent:#?}");
    let mut keys: Vec<&str> = sent
        .iter()
        .map(|message| message["idempotencyKey"].as_str().unwrap())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 4, "one message per event");
}

#[tokio::test]
async fn the_same_bytes_delivered_again_are_acknowledged_without_a_second_message() {
    let harness = Harness::start().await;
    let ens = harness.ens().build();
    let body = fixtures::points_redeemed().customer_id(ASHA).to_bytes();

    let first = ens.deliver(body.clone()).await;
    let second = ens.deliver(body).await;

    assert_eq!(first.outcomes(), [&AttemptOutcome::Status(200)]);
    assert_eq!(second.outcomes(), [&AttemptOutcome::Status(200)]);
    harness.provider.assert_received_exactly(MESSAGES, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_deliveries_of_one_event_send_one_message() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    // A slow provider keeps the first delivery in flight while the second arrives.
    let slow_provider = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(202).set_delay(Duration::from_millis(500)))
        .expect(1)
        .mount(&slow_provider)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let app = serve(&dir.path().join("brand.sqlite3"), &slow_provider.uri()).await;
    for customer in support::customers() {
        app.store.add_customer(customer).await.unwrap();
    }
    let ens = capillary_ens_testkit::simulator::Simulator::to_url(app.url.clone())
        .basic_auth(support::USER, support::PASSWORD)
        .build();
    let body = fixtures::tier_upgraded().customer_id(ASHA).to_bytes();

    // The simulator's clock is virtual: without a deadline, the delivery that finds the event
    // in flight would run through ENS's whole week of retries while the provider is still
    // answering in real time. Stop both after ten virtual minutes, then carry on.
    let deadline = ens.clock().now() + Duration::from_secs(600);
    tokio::join!(
        ens.deliver_until(body.clone(), deadline),
        ens.deliver_until(body, deadline)
    );
    ens.resume().await;

    let log = ens.log();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|report| report.is_delivered()), "{log}");
    let outcomes: Vec<&AttemptOutcome> = log.iter().flat_map(|report| report.outcomes()).collect();
    assert!(
        outcomes.contains(&&AttemptOutcome::Status(429)),
        "the delivery that found the event in flight was asked to retry: {outcomes:?}"
    );
    slow_provider.verify().await;
    assert_eq!(app.store.messages().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_provider_outage_is_retried_by_ens_until_the_message_is_sent_once() {
    let harness = Harness::start().await;
    harness.provider.fail_next(2, 503);
    let ens = harness.ens().build();

    let report = ens
        .deliver(
            fixtures::points_issued()
                .event_id("e-outage")
                .customer_id(ASHA)
                .build(),
        )
        .await;

    assert_eq!(report.state, DeliveryState::Delivered);
    assert_eq!(
        report.outcomes(),
        [
            &AttemptOutcome::Status(503),
            &AttemptOutcome::Status(503),
            &AttemptOutcome::Status(200),
        ],
        "{}",
        report.attempts_summary()
    );
    harness.provider.assert_received_exactly(MESSAGES, 3);
    let accepted = harness.accepted();
    assert_eq!(accepted.len(), 1, "one message accepted in the end");
    assert_eq!(accepted[0]["idempotencyKey"], "e-outage");
    let log = harness.app.store.messages().await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].outcome, MessageOutcome::Sent);
}

#[tokio::test]
async fn a_provider_rate_limit_is_passed_on_with_its_retry_after() {
    let harness = Harness::start().await;
    harness.provider.rate_limit_next(1);
    let body = fixtures::points_issued().customer_id(ASHA).to_bytes();
    let client = reqwest::Client::new();
    let post = || {
        client
            .post(&harness.app.url)
            .basic_auth(support::USER, Some(support::PASSWORD))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
    };

    let limited = post().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "1");
    assert!(harness.app.store.messages().await.unwrap().is_empty());

    assert_eq!(post().await.unwrap().status(), 200, "the retry sends it");
    assert_eq!(harness.accepted().len(), 1);
}

#[tokio::test]
async fn an_unreachable_provider_answers_retriable_and_marks_nothing_sent() {
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let app = serve(
        &dir.path().join("brand.sqlite3"),
        &format!("http://127.0.0.1:{closed_port}"),
    )
    .await;
    for customer in support::customers() {
        app.store.add_customer(customer).await.unwrap();
    }
    let ens = capillary_ens_testkit::simulator::Simulator::to_url(app.url.clone())
        .basic_auth(support::USER, support::PASSWORD)
        .build();
    let deadline = ens.clock().now() + Duration::from_secs(60);

    let report = ens
        .deliver_until(
            fixtures::points_issued().customer_id(ASHA).build(),
            deadline,
        )
        .await;

    assert_eq!(report.state, DeliveryState::Retrying);
    assert_eq!(
        report.outcomes(),
        [&AttemptOutcome::Status(503), &AttemptOutcome::Status(503)],
        "{}",
        report.attempts_summary()
    );
    assert!(app.store.messages().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_restarted_app_does_not_resend_an_event_it_already_handled() {
    let harness = Harness::start().await;
    let body = fixtures::tier_downgraded().customer_id(ASHA).to_bytes();
    let report = harness.ens().build().deliver(body.clone()).await;
    assert!(report.is_delivered());
    harness.provider.assert_received_exactly(MESSAGES, 1);

    let Harness { provider, app, dir } = harness;
    app.stop().await;
    let restarted = serve(&dir.path().join("brand.sqlite3"), &provider.uri()).await;
    let ens = capillary_ens_testkit::simulator::Simulator::to_url(restarted.url.clone())
        .basic_auth(support::USER, support::PASSWORD)
        .build();

    let redelivered = ens.deliver(body).await;
    let fresh = ens
        .deliver(fixtures::points_expiry_reminder().customer_id(ASHA).build())
        .await;

    assert_eq!(redelivered.outcomes(), [&AttemptOutcome::Status(200)]);
    assert!(fresh.is_delivered());
    provider.assert_received_exactly(MESSAGES, 2);
    assert_eq!(restarted.store.messages().await.unwrap().len(), 2);
}
