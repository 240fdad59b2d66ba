//! `maxAllowedConnections`: never more attempts in flight than the limit, and the limit is
//! used when there is enough work.

mod simulator_support;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use capillary_ens_testkit::simulator::{DeliveryState, Metrics, Simulator};
use simulator_support::{Recorder, event};

/// Holds each request a moment so that concurrent ones overlap.
fn lingering() -> Recorder {
    Recorder::scripted(|_, _| (200, Duration::from_millis(40)))
}

#[tokio::test]
async fn in_flight_requests_reach_but_never_exceed_the_limit_over_http() {
    let receiver = lingering();
    let ens = Simulator::to_url(receiver.url().await)
        .max_connections(4)
        .build();

    let reports = ens
        .deliver_all((0..24).map(|n| event(&format!("e-{n}"))))
        .await;

    assert_eq!(reports.len(), 24);
    assert!(
        reports
            .iter()
            .all(|report| report.state == DeliveryState::Delivered)
    );
    assert_eq!(receiver.seen().len(), 24);
    assert_eq!(receiver.max_in_flight(), 4);
}

#[tokio::test]
async fn in_flight_requests_reach_but_never_exceed_the_limit_in_process() {
    let receiver = lingering();
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .max_connections(3)
        .build();

    ens.deliver_all((0..15).map(|n| event(&format!("e-{n}"))))
        .await;

    assert_eq!(receiver.max_in_flight(), 3);
}

#[tokio::test]
async fn one_connection_means_one_request_at_a_time() {
    let receiver = lingering();
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .max_connections(1)
        .build();

    ens.deliver_all((0..5).map(|n| event(&format!("e-{n}"))))
        .await;

    assert_eq!(receiver.max_in_flight(), 1);
    assert_eq!(receiver.event_ids(), ["e-0", "e-1", "e-2", "e-3", "e-4"]);
}

#[tokio::test]
async fn a_log_observed_while_delivering_shows_pending_deliveries() {
    let simulator: Arc<OnceLock<Simulator>> = Arc::default();
    let observed: Arc<OnceLock<Metrics>> = Arc::default();
    let (watch, record) = (Arc::clone(&simulator), Arc::clone(&observed));
    let receiver = Recorder::scripted(move |n, _| {
        if n == 0 {
            let metrics = watch.get().expect("the simulator is built").metrics();
            record.set(metrics).expect("observed once");
        }
        (200, Duration::ZERO)
    });
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .max_connections(1)
        .build();
    simulator.set(ens.clone()).expect("set once");

    ens.deliver_all((0..3).map(|n| event(&format!("e-{n}"))))
        .await;

    let during = observed.get().expect("the receiver observed the metrics");
    assert_eq!((during.total, during.pending, during.delivered), (3, 3, 0));
    let after = ens.metrics();
    assert_eq!((after.total, after.pending, after.delivered), (3, 0, 3));
}
