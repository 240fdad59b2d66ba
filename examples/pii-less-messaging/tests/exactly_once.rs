//! One message per event: under duplicates, concurrent deliveries, provider outages and
//! restarts. ENS is answered once the delivery is in the inbox; the inbox, not ENS, retries.

mod support;

use std::time::{Duration, SystemTime};

use capillary_ens_inbox::{ErrorKind, State};
use capillary_ens_testkit::fixtures;
use capillary_ens_testkit::simulator::{AttemptOutcome, DeliveryState, Duplicates};
use example_pii_less_messaging::MessageOutcome;
use support::{
    ASHA, Harness, MAX_ATTEMPTS, MESSAGES, RAVI, accepting_provider, inbox_config, seed, serve,
};

const OK: &AttemptOutcome = &AttemptOutcome::Status(200);

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
    let stats = harness.wait_until_idle().await;

    assert_eq!(reports.len(), 8, "each event and its duplicate");
    assert_eq!(reports.iter().filter(|report| report.duplicate).count(), 4);
    for report in &reports {
        assert_eq!(report.outcomes(), [OK], "{}", report.attempts_summary());
    }
    assert_eq!(
        (stats.received, stats.processed, stats.duplicates_suppressed),
        (4, 4, 4),
        "{}",
        stats.to_json()
    );
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
    let harness = Harness::without_workers().await;
    let app = &harness.app;
    let ens = harness.ens().build();
    let body = fixtures::points_redeemed().customer_id(ASHA).to_bytes();

    let first = ens.deliver(body.clone()).await;
    let before_processing = ens.deliver(body.clone()).await;
    assert_eq!(app.process_due().await, 1);
    let after_processing = ens.deliver(body).await;
    assert_eq!(
        app.process_due().await,
        0,
        "the duplicate was not stored again"
    );

    for report in [&first, &before_processing, &after_processing] {
        assert_eq!(report.outcomes(), [OK]);
    }
    harness.provider.assert_received_exactly(MESSAGES, 1);
    let stats = app.inbox().stats().await.unwrap();
    assert_eq!(
        (stats.received, stats.processed, stats.duplicates_suppressed),
        (1, 1, 2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_deliveries_of_one_event_are_both_acknowledged_and_send_one_message() {
    let mut harness = Harness::without_workers().await;
    let ens = harness.ens().build();
    let body = fixtures::tier_upgraded()
        .event_id("e-concurrent")
        .customer_id(ASHA)
        .to_bytes();

    let (one, other) = tokio::join!(ens.deliver(body.clone()), ens.deliver(body));

    assert_eq!(one.outcomes(), [OK], "{}", one.attempts_summary());
    assert_eq!(other.outcomes(), [OK], "{}", other.attempts_summary());
    let stored = harness.app.inbox().stats().await.unwrap();
    assert_eq!(
        (
            stored.received,
            stored.pending,
            stored.duplicates_suppressed
        ),
        (1, 1, 1),
        "stored once, the other answered as a duplicate: {}",
        stored.to_json()
    );
    harness.provider.assert_received_exactly(MESSAGES, 0);

    harness.app.start_workers();
    let stats = harness.wait_until_idle().await;

    assert_eq!(stats.processed, 1);
    harness.provider.assert_received_exactly(MESSAGES, 1);
    assert_eq!(harness.app.store.messages().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_outage_is_retried_in_the_inbox_and_the_message_is_sent_once() {
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
    harness.wait_until_idle().await;

    assert_eq!(report.state, DeliveryState::Delivered);
    assert_eq!(
        report.outcomes(),
        [OK],
        "ENS is answered once, and never asked to retry: {}",
        report.attempts_summary()
    );
    harness.provider.assert_received_exactly(MESSAGES, 3);
    let accepted = harness.accepted();
    assert_eq!(accepted.len(), 1, "one message accepted in the end");
    assert_eq!(accepted[0]["idempotencyKey"], "e-outage");
    let log = harness.app.store.messages().await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].outcome, MessageOutcome::Sent);
    let row = harness.app.delivery("pointsIssued", "e-outage").await;
    assert_eq!((row.state, row.attempts), (State::Processed, 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_rate_limit_makes_the_inbox_wait_for_its_retry_after() {
    let mut harness = Harness::without_workers().await;
    harness.provider.rate_limit_next(1);
    let ens = harness.ens().build();
    let event = fixtures::points_issued()
        .event_id("e-limited")
        .customer_id(ASHA);

    let report = ens.deliver(event.build()).await;
    assert_eq!(report.outcomes(), [OK], "{}", report.attempts_summary());
    let before_attempt = SystemTime::now();
    assert_eq!(harness.app.process_due().await, 1);

    let limited = harness.app.delivery("pointsIssued", "e-limited").await;
    assert_eq!(limited.state, State::Retrying);
    assert_eq!(
        limited.last_error.map(|error| error.kind),
        Some(ErrorKind::RateLimited)
    );
    let next_attempt = limited
        .next_attempt_at
        .expect("a retrying row is due later");
    // `Retry-After: 1`, far longer than the tests' backoff (10 ms); the database keeps
    // milliseconds.
    assert!(
        next_attempt >= before_attempt + Duration::from_millis(999),
        "the retry waits for the provider's Retry-After: {next_attempt:?} vs {before_attempt:?}"
    );
    assert!(harness.app.store.messages().await.unwrap().is_empty());

    harness.app.start_workers();
    harness.wait_until_idle().await;

    harness.provider.assert_received_exactly(MESSAGES, 2);
    assert_eq!(harness.accepted().len(), 1, "the retry sends it");
    let sent = harness.app.delivery("pointsIssued", "e-limited").await;
    assert_eq!((sent.state, sent.attempts), (State::Processed, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_down_for_good_leaves_a_dead_letter_after_the_last_attempt() {
    let harness = Harness::start().await;
    harness.provider.fail_next(1_000, 503);
    let ens = harness.ens().build();

    let report = ens
        .deliver(
            fixtures::points_issued()
                .event_id("e-down")
                .customer_id(ASHA)
                .build(),
        )
        .await;
    let stats = harness.wait_until_idle().await;

    assert_eq!(report.outcomes(), [OK], "{}", report.attempts_summary());
    assert_eq!((stats.dead, stats.processed), (1, 0), "{}", stats.to_json());
    harness
        .provider
        .assert_received_exactly(MESSAGES, MAX_ATTEMPTS as usize);
    let dead = harness.app.delivery("pointsIssued", "e-down").await;
    assert_eq!((dead.state, dead.attempts), (State::Dead, MAX_ATTEMPTS));
    assert_eq!(
        dead.last_error.map(|error| error.kind),
        Some(ErrorKind::Handler)
    );
    assert!(
        harness.app.store.messages().await.unwrap().is_empty(),
        "nothing is logged as sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_provider_is_retried_in_the_inbox_and_marks_nothing_sent() {
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let mut app = serve(
        dir.path(),
        &format!("http://127.0.0.1:{closed_port}"),
        inbox_config(),
    )
    .await;
    seed(&app).await;
    app.start_workers();

    let report = app
        .ens()
        .build()
        .deliver(
            fixtures::points_issued()
                .event_id("e-unreachable")
                .customer_id(ASHA)
                .build(),
        )
        .await;
    app.wait_until_idle().await;

    assert_eq!(report.outcomes(), [OK], "{}", report.attempts_summary());
    let dead = app.delivery("pointsIssued", "e-unreachable").await;
    assert_eq!((dead.state, dead.attempts), (State::Dead, MAX_ATTEMPTS));
    assert!(app.store.messages().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_app_skips_what_it_handled_and_processes_what_it_had_only_stored() {
    let provider = accepting_provider().await;
    let dir = tempfile::tempdir().unwrap();
    let first = serve(dir.path(), &provider.uri(), inbox_config()).await;
    seed(&first).await;
    let handled = fixtures::tier_downgraded()
        .event_id("e-handled")
        .customer_id(ASHA)
        .to_bytes();
    let stored_only = fixtures::points_expiry_reminder()
        .event_id("e-stored-only")
        .customer_id(ASHA)
        .to_bytes();

    let ens = first.ens().build();
    assert_eq!(ens.deliver(handled.clone()).await.outcomes(), [OK]);
    assert_eq!(first.process_due().await, 1);
    provider.assert_received_exactly(MESSAGES, 1);
    // Acknowledged, then the process stops before any worker took it.
    assert_eq!(ens.deliver(stored_only.clone()).await.outcomes(), [OK]);
    provider.assert_received_exactly(MESSAGES, 1);
    first.stop().await;

    // The same files; the customers are already in the brand's database.
    let mut restarted = serve(dir.path(), &provider.uri(), inbox_config()).await;
    restarted.start_workers();
    let ens = restarted.ens().build();
    let redelivered = ens.deliver(handled).await;
    let stored_again = ens.deliver(stored_only).await;
    let stats = restarted.wait_until_idle().await;

    assert_eq!(redelivered.outcomes(), [OK]);
    assert_eq!(stored_again.outcomes(), [OK]);
    assert_eq!(
        (stats.received, stats.processed, stats.duplicates_suppressed),
        (2, 2, 2),
        "{}",
        stats.to_json()
    );
    let sent = provider.received_json(MESSAGES);
    let keys: Vec<&str> = sent
        .iter()
        .map(|message| message["idempotencyKey"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["e-handled", "e-stored-only"]);
    assert_eq!(restarted.store.messages().await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_a_partial_failure_sends_only_the_missing_message() {
    use wiremock::matchers::{body_partial_json, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    // The second coupon's first send fails; everything else is accepted.
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(body_partial_json(
            serde_json::json!({ "idempotencyKey": "e-coupons:77" }),
        ))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&provider)
        .await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(202))
        .with_priority(2)
        .mount(&provider)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mut app = serve(dir.path(), &provider.uri(), inbox_config()).await;
    seed(&app).await;
    app.start_workers();
    let event = fixtures::coupon_issue()
        .event_id("e-coupons")
        .set(
            "data.coupons[1]",
            fixtures::coupon_issue().build()["data"]["coupons"][0].clone(),
        )
        .set("data.coupons[1].id", 77)
        .customer_id(ASHA);

    let report = app.ens().build().deliver(event.build()).await;
    app.wait_until_idle().await;

    assert_eq!(report.outcomes(), [OK], "{}", report.attempts_summary());
    let keys: Vec<String> = provider
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|request| {
            let message: serde_json::Value = request.body_json().unwrap();
            message["idempotencyKey"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        keys,
        ["e-coupons:1302558841", "e-coupons:77", "e-coupons:77"],
        "the retry skips the coupon already in the message log"
    );
    let row = app.delivery("CouponIssue", "e-coupons").await;
    assert_eq!((row.state, row.attempts), (State::Processed, 2));
    let log = app.store.messages().await.unwrap();
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|record| record.outcome == MessageOutcome::Sent)
    );
}
