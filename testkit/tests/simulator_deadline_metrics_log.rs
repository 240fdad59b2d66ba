//! Stopping at a virtual deadline, resuming, the console metrics and the readable log.

mod simulator_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use capillary_ens_testkit::simulator::{DeliveryState, Metrics, Simulator, VirtualClock};
use simulator_support::{Recorder, event};

const SECOND: Duration = Duration::from_secs(1);

fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_732_527_005)
}

#[tokio::test]
async fn delivery_stops_at_a_deadline_retrying_and_resumes_later() {
    let up = Arc::new(AtomicBool::new(false));
    let is_up = Arc::clone(&up);
    let receiver = Recorder::scripted(move |_, _| {
        (
            if is_up.load(Ordering::SeqCst) {
                200
            } else {
                503
            },
            Duration::ZERO,
        )
    });
    let clock = VirtualClock::starting_at(start());
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .clock(clock.clone())
        .build();

    let report = ens
        .deliver_until(event("e-1"), start() + 100 * SECOND)
        .await;

    assert_eq!(report.state, DeliveryState::Retrying);
    assert_eq!(report.attempt_offsets(), [0, 30, 90].map(|s| s * SECOND));
    assert_eq!(report.next_attempt_at, Some(start() + 210 * SECOND));
    assert_eq!(
        clock.now(),
        start() + 100 * SECOND,
        "the clock ends at the deadline"
    );
    assert_eq!(ens.metrics().retrying, 1);
    assert!(ens.log().to_string().contains("retrying"));

    up.store(true, Ordering::SeqCst);
    let resumed = ens.resume().await;

    assert_eq!(resumed.len(), 1);
    assert_eq!(resumed[0].state, DeliveryState::Delivered);
    assert_eq!(
        resumed[0].attempt_offsets(),
        [0, 30, 90, 210].map(|s| s * SECOND)
    );
    assert_eq!(resumed[0].next_attempt_at, None);
    assert_eq!(ens.metrics().delivered, 1);
    assert!(ens.resume().await.is_empty(), "nothing is left to resume");
}

#[tokio::test]
async fn metrics_count_states_and_average_the_delivery_time() {
    let receiver = Recorder::scripted(|_, seen| {
        let status = match seen.event_id().as_str() {
            "ok" => 200,
            "bad" => 400,
            _ => 429,
        };
        (status, Duration::ZERO)
    });
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .max_connections(1)
        .clock(VirtualClock::starting_at(start()))
        .build();

    assert_eq!(ens.metrics(), Metrics::default());
    ens.deliver_all([event("ok"), event("bad")]).await;
    ens.deliver_until(event("busy"), start() + 40 * SECOND)
        .await;

    let metrics = ens.metrics();
    assert_eq!(metrics.total, 3);
    assert_eq!(metrics.delivered, 1);
    assert_eq!(metrics.failed, 1);
    assert_eq!(metrics.retrying, 1);
    assert_eq!(metrics.pending, 0);
    assert_eq!(metrics.average_delivery_time, Duration::ZERO);
}

#[tokio::test]
async fn average_delivery_time_is_measured_in_virtual_time() {
    let receiver = Recorder::statuses(&[503], 200);
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .max_connections(1)
        .build();

    ens.deliver(event("slow")).await; // 503 then 200: delivered after 30 s
    ens.deliver(event("fast")).await; // delivered at once

    let metrics = ens.metrics();
    assert_eq!((metrics.total, metrics.delivered), (2, 2));
    assert_eq!(metrics.average_delivery_time, 15 * SECOND);
}

#[tokio::test]
async fn the_log_renders_one_readable_row_per_delivery() {
    let receiver = Recorder::scripted(|n, seen| {
        let status = match (seen.event_id().as_str(), n) {
            ("e-1", 0) => 503,
            ("e-1", 1) => 429,
            ("e-bad", _) => 400,
            _ => 200,
        };
        (status, Duration::ZERO)
    });
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .max_connections(1)
        .build();

    ens.deliver(event("e-1")).await;
    ens.deliver(event("e-bad")).await;
    ens.deliver(&b"not json at all"[..]).await;

    let log = ens.log();
    assert_eq!(log.len(), 3);
    assert_eq!(
        log.find_by_event_id("e-1")
            .map(|report| report.attempts.len()),
        Some(3)
    );
    let table = log.to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(
        lines[0].starts_with("event") && lines[0].contains("attempts"),
        "{table}"
    );
    let row = |line: &str| line.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(
        row(lines[1]),
        "pointsIssued e-1 delivered 503@0s 429@30s 200@90s"
    );
    assert_eq!(row(lines[2]), "pointsIssued e-bad failed 400@0s");
    assert_eq!(row(lines[3]), "unknown - delivered 200@0s");
}

#[tokio::test]
async fn long_histories_are_shortened_in_the_log() {
    let receiver = Recorder::always(503);
    let ens = Simulator::to_router(receiver.router()).path("/ens").build();

    ens.deliver(event("e-long")).await;

    let table = ens.log().to_string();
    assert!(
        table.contains("503@0s 503@30s 503@90s …(169 more)… 503@597810s 503@601410s"),
        "{table}"
    );
}
