//! Queue mode: ENS re-sends a retried event before the webhook's later events, so one wrong
//! retriable answer holds back everything behind it; a final answer (or a 2xx) does not.

mod simulator_support;

use std::time::{Duration, SystemTime};

use capillary_ens_testkit::simulator::{DeliveryState, Simulator, VirtualClock};
use simulator_support::{Recorder, event};

const WEEK: Duration = Duration::from_secs(7 * 24 * 60 * 60);
const HOUR: Duration = Duration::from_secs(60 * 60);

fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_732_527_005)
}

/// A receiver that answers `answer` to the event `poison` and 200 to every other.
fn refusing(poison: &'static str, answer: u16) -> Recorder {
    Recorder::scripted(move |_, seen| {
        let status = if seen.event_id() == poison {
            answer
        } else {
            200
        };
        (status, Duration::ZERO)
    })
}

async fn deliver_three(
    receiver: &Recorder,
    queue_mode: bool,
) -> Vec<capillary_ens_testkit::simulator::DeliveryReport> {
    let mut builder = Simulator::to_router(receiver.router())
        .path("/ens")
        .clock(VirtualClock::starting_at(start()));
    if queue_mode {
        builder = builder.queue_mode();
    }
    builder
        .build()
        .deliver_all([event("first"), event("poison"), event("third")])
        .await
}

#[tokio::test]
async fn a_retriable_answer_holds_back_every_later_event_for_the_whole_retry_window() {
    let receiver = refusing("poison", 503);
    let reports = deliver_three(&receiver, true).await;

    assert_eq!(reports[0].state, DeliveryState::Delivered);
    assert_eq!(
        reports[1].state,
        DeliveryState::Failed,
        "given up after a week"
    );
    assert!(
        reports[1].attempts.len() > 100,
        "{}",
        reports[1].attempts_summary()
    );
    assert_eq!(reports[2].state, DeliveryState::Delivered);
    let held = reports[2].held_back().expect("attempted");
    assert!(
        held > WEEK - HOUR && held <= WEEK,
        "the third event waited {held:?} behind the retried one"
    );
    let ids = receiver.event_ids();
    assert_eq!(ids.first().map(String::as_str), Some("first"));
    assert_eq!(
        ids.last().map(String::as_str),
        Some("third"),
        "in order, third last"
    );
    assert!(ids[1..ids.len() - 1].iter().all(|id| id == "poison"));
}

#[tokio::test]
async fn a_final_answer_or_an_acknowledgement_holds_nothing_back() {
    for answer in [200, 202, 400, 408, 302] {
        let receiver = refusing("poison", answer);
        let reports = deliver_three(&receiver, true).await;
        assert_eq!(reports[1].attempts.len(), 1, "{answer} is not retried");
        assert_eq!(reports[2].held_back(), Some(Duration::ZERO), "{answer}");
        assert_eq!(
            receiver.event_ids(),
            ["first", "poison", "third"],
            "{answer}"
        );
    }
}

#[tokio::test]
async fn a_short_outage_delays_later_events_only_until_it_ends() {
    // 503 twice, then 200: the poison event is delivered at 90 s, the third right after.
    let receiver = Recorder::scripted(|n, seen| {
        let status = if seen.event_id() == "poison" && n < 3 {
            503
        } else {
            200
        };
        (status, Duration::ZERO)
    });
    let reports = deliver_three(&receiver, true).await;
    assert_eq!(
        reports[1].attempt_offsets().last(),
        Some(&Duration::from_secs(90))
    );
    assert_eq!(reports[2].held_back(), Some(Duration::from_secs(90)));
}

#[tokio::test]
async fn without_queue_mode_events_are_independent() {
    let receiver = refusing("poison", 503);
    let reports = deliver_three(&receiver, false).await;
    assert_eq!(reports[1].state, DeliveryState::Failed);
    assert_eq!(reports[2].held_back(), Some(Duration::ZERO));
}
