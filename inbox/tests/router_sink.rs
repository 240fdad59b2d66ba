//! The inbox behind `EnsRouter` (SQLite): the router acknowledges into the inbox, and the
//! workers run the router's typed handlers through `dispatch`.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use capillary_ens_inbox::{ErrorKind, Filter, Inbox, InboxConfig, SqliteStore, State};
use capillary_ens_receiver::{EnsRouter, HandlerError, ReceiverConfig, Webhook};
use capillary_ens_schemas::events::PointsIssued;
use capillary_ens_testkit::fixtures;
use capillary_ens_testkit::simulator::{Duplicates, Simulator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_router_acknowledges_into_the_inbox_and_workers_run_its_typed_handlers() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("inbox.db"))
        .await
        .unwrap();
    let config = InboxConfig::default()
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .poll_interval(Duration::from_millis(50));
    let inbox = Inbox::new(store, config);

    // The handlers: count per event id; the first attempt of `flaky` fails.
    let handled: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let seen = Arc::clone(&handled);
    let handlers = EnsRouter::<ReceiverConfig>::new().on::<PointsIssued, _, _>(
        move |webhook: Webhook<PointsIssued>| {
            let seen = Arc::clone(&seen);
            async move {
                let id = webhook.envelope.event_id.clone().unwrap_or_default();
                let mut seen = seen.lock().unwrap();
                let count = seen.entry(id.clone()).or_default();
                *count += 1;
                if id == "flaky" && *count == 1 {
                    return Err(HandlerError::from("the downstream is briefly down"));
                }
                Ok(())
            }
        },
    );
    let workers = inbox.start_router(handlers, support::receiver::config());

    let simulator = Simulator::to_router(support::receiver::app(inbox.clone()))
        .bearer(support::receiver::TOKEN)
        .duplicates(Duplicates::every(2))
        .build();
    let mut events: Vec<serde_json::Value> = (0..20)
        .map(|index| {
            fixtures::points_issued()
                .event_id(format!("ok-{index}"))
                .build()
        })
        .collect();
    events.push(fixtures::points_issued().event_id("flaky").build());
    events.push(serde_json::json!({
        "eventName": "pointsIssued", "eventId": "mistyped", "data": {"loyaltyProgramId": "two"}
    }));
    events.push(fixtures::tier_upgraded().event_id("no-handler").build());
    let reports = simulator.deliver_all(events).await;
    assert!(
        reports.iter().all(|report| report.is_delivered()),
        "every copy answered 2xx"
    );
    assert!(reports.len() > 23, "duplicates were sent");

    for _ in 0..200 {
        let stats = inbox.stats().await.unwrap();
        if stats.processed == 22 && stats.dead == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    workers.shutdown().await;
    let stats = inbox.stats().await.unwrap();
    assert_eq!(stats.received, 23);
    assert_eq!((stats.processed, stats.dead, stats.retrying), (22, 1, 0));
    assert_eq!(stats.duplicates_suppressed, reports.len() as u64 - 23);
    let counters = inbox.counters();
    assert_eq!(
        (counters.stored, counters.duplicates, counters.unavailable),
        (23, reports.len() as u64 - 23, 0),
        "this process's counters agree with the database: {counters:?}"
    );
    assert_eq!(
        (counters.processed, counters.retried, counters.dead_lettered),
        (22, 1, 1),
        "{counters:?}"
    );

    let handled = handled.lock().unwrap().clone();
    for index in 0..20 {
        assert_eq!(
            handled.get(&format!("ok-{index}")),
            Some(&1),
            "ok-{index} handled once"
        );
    }
    assert_eq!(
        handled.get("flaky"),
        Some(&2),
        "failed once, retried inside the inbox"
    );
    assert_eq!(
        handled.get("mistyped"),
        None,
        "a mismatch never reaches the typed handler"
    );

    let dead = inbox.list(&Filter::state(State::Dead)).await.unwrap();
    assert_eq!(dead.len(), 1);
    let error = dead[0].last_error.clone().unwrap();
    assert_eq!(error.kind, ErrorKind::TypeMismatch);
    assert_eq!(error.path.as_deref(), Some("data.loyaltyProgramId"));
    let unhandled = inbox
        .show("tierUpgraded:no-handler")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        unhandled.state,
        State::Processed,
        "no handler: acknowledged and done"
    );
}
