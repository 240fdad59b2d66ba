//! At-least-once: an attempt that outlives the timeout is delivered again later, even though
//! the receiver already had it.

mod simulator_support;

use std::time::Duration;

use capillary_ens_testkit::simulator::{AttemptOutcome, DeliveryState, Simulator};
use simulator_support::{Recorder, event};

/// Slow on the first request (well past the timeout), immediate afterwards.
fn slow_first() -> Recorder {
    Recorder::scripted(|n, _| match n {
        0 => (200, Duration::from_secs(2)),
        _ => (200, Duration::ZERO),
    })
}

#[tokio::test]
async fn a_timed_out_attempt_is_redelivered_over_http() {
    let receiver = slow_first();
    let ens = Simulator::to_url(receiver.url().await)
        .attempt_timeout(Duration::from_millis(200))
        .build();

    let report = ens.deliver(event("e-1")).await;

    assert_eq!(report.state, DeliveryState::Delivered);
    assert_eq!(
        report.outcomes(),
        [&AttemptOutcome::TimedOut, &AttemptOutcome::Status(200)]
    );
    assert_eq!(
        report.attempt_offsets(),
        [Duration::ZERO, Duration::from_secs(30)]
    );
    assert_eq!(
        receiver.event_ids(),
        ["e-1", "e-1"],
        "the receiver saw the event twice"
    );
    assert!(report.attempts[0].elapsed >= Duration::from_millis(200));
}

#[tokio::test]
async fn a_timed_out_attempt_is_redelivered_in_process() {
    let receiver = slow_first();
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .attempt_timeout(Duration::from_millis(200))
        .build();

    let report = ens.deliver(event("e-2")).await;

    assert_eq!(
        report.outcomes(),
        [&AttemptOutcome::TimedOut, &AttemptOutcome::Status(200)]
    );
    assert_eq!(receiver.event_ids(), ["e-2", "e-2"]);
}
