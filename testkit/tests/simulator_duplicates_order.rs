//! At-least-once and unordered: configured duplicates arrive twice, and a seed shuffles the
//! order the same way every time.

mod simulator_support;

use capillary_ens_testkit::simulator::{Duplicates, Simulator};
use simulator_support::{Recorder, event};

fn events(count: usize) -> Vec<serde_json::Value> {
    (1..=count).map(|n| event(&format!("e-{n}"))).collect()
}

async fn arrival_order(
    configure: impl FnOnce(
        capillary_ens_testkit::simulator::SimulatorBuilder,
    ) -> capillary_ens_testkit::simulator::SimulatorBuilder,
    count: usize,
) -> Vec<String> {
    let receiver = Recorder::always(200);
    let ens = configure(
        Simulator::to_router(receiver.router())
            .path("/ens")
            .max_connections(1),
    )
    .build();
    ens.deliver_all(events(count)).await;
    receiver.event_ids()
}

#[tokio::test]
async fn every_second_event_is_delivered_twice() {
    let receiver = Recorder::always(200);
    let ens = Simulator::to_url(receiver.url().await)
        .max_connections(1)
        .duplicates(Duplicates::every(2))
        .build();

    let reports = ens.deliver_all(events(4)).await;

    assert_eq!(
        receiver.event_ids(),
        ["e-1", "e-2", "e-2", "e-3", "e-4", "e-4"]
    );
    let duplicates: Vec<bool> = reports.iter().map(|report| report.duplicate).collect();
    assert_eq!(duplicates, [false, false, true, false, false, true]);
    assert!(reports.iter().all(|report| report.is_delivered()));
    assert_eq!(ens.log().all_by_event_id("e-2").count(), 2);
    assert_eq!(ens.metrics().total, 6);
}

#[tokio::test]
async fn every_counts_events_across_calls() {
    let receiver = Recorder::always(200);
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .duplicates(Duplicates::every(3))
        .build();

    for n in 1..=3 {
        ens.deliver(event(&format!("e-{n}"))).await;
    }

    assert_eq!(receiver.event_ids(), ["e-1", "e-2", "e-3", "e-3"]);
}

#[tokio::test]
async fn seeded_duplicates_repeat_for_a_seed() {
    let first = arrival_order(|b| b.duplicates(Duplicates::seeded(0.5, 7)), 40).await;
    let again = arrival_order(|b| b.duplicates(Duplicates::seeded(0.5, 7)), 40).await;

    assert_eq!(first, again);
    let extra = first.len() - 40;
    assert!(
        (5..=35).contains(&extra),
        "about half duplicated, got {extra}"
    );
    assert_eq!(
        arrival_order(|b| b.duplicates(Duplicates::seeded(0.0, 7)), 40)
            .await
            .len(),
        40
    );
    assert_eq!(
        arrival_order(|b| b.duplicates(Duplicates::seeded(1.0, 7)), 40)
            .await
            .len(),
        80
    );
}

#[tokio::test]
async fn reordering_shuffles_deterministically_by_seed() {
    let given: Vec<String> = (1..=12).map(|n| format!("e-{n}")).collect();
    let plain = arrival_order(|b| b, 12).await;
    let seeded = arrival_order(|b| b.reorder(42), 12).await;
    let same_seed = arrival_order(|b| b.reorder(42), 12).await;
    let other_seed = arrival_order(|b| b.reorder(43), 12).await;

    assert_eq!(
        plain, given,
        "without reordering, events go in the order given"
    );
    assert_ne!(seeded, given, "seed 42 changes the order");
    assert_eq!(seeded, same_seed, "the same seed gives the same order");
    assert_ne!(seeded, other_seed, "another seed gives another order");
    let mut sorted = seeded.clone();
    sorted.sort_by_key(|id| id[2..].parse::<u32>().expect("numbered"));
    assert_eq!(sorted, given, "every event is still delivered once");
}

#[tokio::test]
async fn an_event_given_again_is_logged_as_a_duplicate() {
    let receiver = Recorder::always(200);
    let ens = Simulator::to_router(receiver.router()).path("/ens").build();

    let first = ens.deliver(event("e-1")).await;
    let again = ens.deliver(event("e-1")).await;
    let other = ens.deliver(event("e-2")).await;

    assert!(!first.duplicate);
    assert!(
        again.duplicate,
        "the same eventId a second time is a duplicate"
    );
    assert!(!other.duplicate);
    let table = ens.log().to_string();
    assert_eq!(table.matches("(dup)").count(), 1, "{table}");
    assert_eq!(receiver.event_ids(), ["e-1", "e-1", "e-2"]);
}
