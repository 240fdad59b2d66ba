//! ENS's retry policy: which answers are final, which are retried, on what schedule, and when
//! ENS gives up.

mod simulator_support;

use std::time::{Duration, SystemTime};

use capillary_ens_testkit::simulator::{
    AttemptOutcome, DeliveryState, RetryPolicy, Simulator, VirtualClock,
};
use simulator_support::{Recorder, closed_port_url, event};

const SECOND: Duration = Duration::from_secs(1);
const WEEK: Duration = Duration::from_secs(7 * 24 * 60 * 60);

fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_732_527_005)
}

/// 0, 30 s, 90 s, 210 s, … doubling up to one hour apart, while within seven days.
fn ens_schedule() -> Vec<Duration> {
    let mut offsets = vec![Duration::ZERO];
    let mut delay = 30 * SECOND;
    loop {
        let next = *offsets.last().expect("not empty") + delay;
        if next > WEEK {
            return offsets;
        }
        offsets.push(next);
        delay = (delay * 2).min(3600 * SECOND);
    }
}

#[tokio::test]
async fn a_receiver_that_always_fails_is_retried_on_schedule_for_seven_days_then_given_up() {
    let receiver = Recorder::always(503);
    let clock = VirtualClock::starting_at(start());
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .clock(clock.clone())
        .build();

    let report = ens.deliver(event("e-1")).await;

    assert_eq!(report.state, DeliveryState::Failed);
    let offsets = report.attempt_offsets();
    assert_eq!(
        offsets[..9],
        [0, 30, 90, 210, 450, 930, 1890, 3810, 7410].map(|s| s * SECOND)
    );
    assert_eq!(offsets, ens_schedule());
    assert_eq!(offsets.len(), 174);
    let last = *offsets.last().expect("attempts were made");
    assert_eq!(last, 601_410 * SECOND);
    assert!(
        last <= WEEK && last + 3600 * SECOND > WEEK,
        "the last attempt is the last one inside the window"
    );
    assert!(
        report
            .outcomes()
            .iter()
            .all(|outcome| **outcome == AttemptOutcome::Status(503))
    );
    assert_eq!(report.next_attempt_at, None);
    assert_eq!(
        receiver.seen().len(),
        174,
        "every attempt really reached the receiver"
    );
    assert_eq!(
        clock.now(),
        start() + last,
        "the virtual clock stands at the last attempt"
    );
    let numbers: Vec<u32> = report
        .attempts
        .iter()
        .map(|attempt| attempt.number)
        .collect();
    assert_eq!(numbers, (1..=174).collect::<Vec<u32>>());
}

#[tokio::test]
async fn too_many_requests_then_ok_is_delivered_on_the_second_attempt() {
    let receiver = Recorder::statuses(&[429], 200);
    let ens = Simulator::to_url(receiver.url().await).build();

    let report = ens.deliver(event("e-2")).await;

    assert_eq!(report.state, DeliveryState::Delivered);
    assert_eq!(
        report.outcomes(),
        [&AttemptOutcome::Status(429), &AttemptOutcome::Status(200)]
    );
    assert_eq!(report.attempt_offsets(), [Duration::ZERO, 30 * SECOND]);
    assert_eq!(receiver.seen().len(), 2);
}

#[tokio::test]
async fn bad_request_is_final_after_one_attempt() {
    let receiver = Recorder::always(400);
    let ens = Simulator::to_url(receiver.url().await).build();

    let report = ens.deliver(event("e-3")).await;

    assert_eq!(report.state, DeliveryState::Failed);
    assert_eq!(report.outcomes(), [&AttemptOutcome::Status(400)]);
    assert_eq!(receiver.seen().len(), 1, "never retried");
}

#[tokio::test]
async fn other_client_errors_request_timeout_and_redirects_are_final_too() {
    for status in [401, 403, 404, 408, 410, 413, 415, 422, 301, 302, 307, 308] {
        let receiver = Recorder::always(status);
        let ens = Simulator::to_router(receiver.router()).path("/ens").build();

        let report = ens.deliver(event("e-4")).await;

        assert_eq!(report.state, DeliveryState::Failed, "status {status}");
        assert_eq!(report.attempts.len(), 1, "status {status} is not retried");
    }
}

#[tokio::test]
async fn too_many_requests_and_server_errors_are_retried() {
    for status in [429, 500, 502, 503, 504] {
        let receiver = Recorder::statuses(&[status, status], 204);
        let ens = Simulator::to_router(receiver.router()).path("/ens").build();

        let report = ens.deliver(event("e-5")).await;

        assert_eq!(report.state, DeliveryState::Delivered, "status {status}");
        assert_eq!(
            report.attempt_offsets(),
            [Duration::ZERO, 30 * SECOND, 90 * SECOND],
            "status {status}"
        );
    }
}

#[tokio::test]
async fn a_closed_port_is_retried_until_the_window_closes_then_failed() {
    let policy = RetryPolicy::exponential(SECOND, 2, 60 * SECOND, 20 * SECOND);
    let ens = Simulator::to_url(closed_port_url().await)
        .retry_policy(policy)
        .build();

    let report = ens.deliver(event("e-6")).await;

    assert_eq!(report.state, DeliveryState::Failed);
    assert_eq!(
        report.attempt_offsets(),
        [0, 1, 3, 7, 15].map(|s| s * SECOND),
        "the next retry, at 31 s, would fall outside the 20 s window"
    );
    for outcome in report.outcomes() {
        let AttemptOutcome::ConnectionError(reason) = outcome else {
            panic!("expected a connection error, got {outcome:?}");
        };
        assert!(reason.starts_with("connection failed"), "{reason}");
        assert!(
            !reason.contains("127.0.0.1"),
            "no URL in the reason: {reason}"
        );
        assert!(outcome.is_retriable() && !outcome.is_success());
    }
}

#[tokio::test]
async fn no_retries_policy_fails_on_the_first_retriable_error() {
    let receiver = Recorder::always(503);
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .retry_policy(RetryPolicy::none())
        .build();

    let report = ens.deliver(event("e-7")).await;

    assert_eq!(report.state, DeliveryState::Failed);
    assert_eq!(report.attempts.len(), 1);
}

#[tokio::test]
async fn a_panicking_in_process_receiver_counts_as_a_connection_error() {
    async fn explode() -> axum::http::StatusCode {
        panic!("receiver bug")
    }
    let router = axum::Router::new().route("/", axum::routing::post(explode));
    let ens = Simulator::to_router(router)
        .retry_policy(RetryPolicy::none())
        .build();

    let report = ens.deliver(event("e-8")).await;

    assert_eq!(report.state, DeliveryState::Failed);
    assert!(matches!(
        report.outcomes()[..],
        [AttemptOutcome::ConnectionError(_)]
    ));
}

#[test]
fn outcome_classification() {
    use AttemptOutcome::{ConnectionError, Status, TimedOut};
    for code in [200, 201, 202, 204, 299] {
        assert!(
            Status(code).is_success() && !Status(code).is_retriable(),
            "{code}"
        );
    }
    for code in [
        100, 301, 302, 307, 308, 400, 401, 403, 404, 408, 409, 422, 499, 600,
    ] {
        assert!(
            !Status(code).is_success() && !Status(code).is_retriable(),
            "{code}"
        );
    }
    for code in [429, 500, 503, 599] {
        assert!(
            !Status(code).is_success() && Status(code).is_retriable(),
            "{code}"
        );
    }
    assert!(TimedOut.is_retriable());
    assert!(ConnectionError("refused".into()).is_retriable());
}
