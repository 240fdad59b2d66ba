//! Personal data and credentials never reach the logs: a delivery carrying a mobile number
//! and an email goes through the router, the inbox, a failing attempt, a retry, a dead letter
//! and an unavailable database, everything traced at TRACE.

mod support;

use std::time::Duration;

use capillary_ens_inbox::{Filter, Inbox, InboxConfig, SqliteStore, State};
use capillary_ens_receiver::{EnsRouter, HandlerError, ReceiverConfig, Webhook};
use capillary_ens_schemas::events::PointsIssued;
use capillary_ens_testkit::fixtures;
use capillary_ens_testkit::logs::LogCapture;
use capillary_ens_testkit::simulator::Simulator;

const MOBILE: &str = "919812345678";
const EMAIL: &str = "priya.k@example.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_or_credentials_in_the_inbox_logs() {
    let logs = LogCapture::install();
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("inbox.db"))
        .await
        .unwrap();
    let config = InboxConfig::default()
        .max_attempts(2)
        .backoff(Duration::from_millis(5), Duration::from_millis(10))
        .poll_interval(Duration::from_millis(20));
    let inbox = Inbox::new(store, config);
    let handlers = EnsRouter::<ReceiverConfig>::new().on::<PointsIssued, _, _>(
        |webhook: Webhook<PointsIssued>| async move {
            Err::<(), _>(HandlerError::from(format!(
                "the sms provider refused event {}",
                webhook.envelope.event_id.unwrap_or_default()
            )))
        },
    );
    let workers = inbox.start_router(handlers, support::receiver::config());

    let simulator = Simulator::to_router(support::receiver::app(inbox.clone()))
        .bearer(support::receiver::TOKEN)
        .build();
    let personal = fixtures::points_issued()
        .event_id("pii-1")
        .mobile(MOBILE)
        .email(EMAIL);
    assert!(simulator.deliver(personal.build()).await.is_delivered());
    let mistyped = serde_json::json!({
        "eventName": "pointsIssued", "eventId": "pii-2",
        "data": {"loyaltyProgramId": EMAIL, "customerIdentifiers": {"mobile": MOBILE}}
    });
    assert!(simulator.deliver(mistyped).await.is_delivered());

    for _ in 0..200 {
        if inbox.stats().await.unwrap().dead == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    workers.shutdown().await;
    assert_eq!(
        inbox.list(&Filter::state(State::Dead)).await.unwrap().len(),
        2
    );

    logs.assert_contains("pii-1")
        .assert_contains("inbox delivery is a dead letter")
        .assert_absent(&[MOBILE, EMAIL, support::receiver::TOKEN]);
}
