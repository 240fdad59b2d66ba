//! Events delivered out of order, twice, or during an outage leave the shop with the newest
//! state, and a stale event never reaches the shop.

mod common;

use std::time::Duration;

use capillary_ens_testkit::simulator::{AttemptOutcome, DeliveryState, Duplicates};
use serde_json::{Value, json};

use common::{Bench, loyalty_path, points_issued, points_redeemed, tier_upgraded};

#[tokio::test]
async fn an_out_of_order_sequence_ends_with_the_newest_state() {
    let bench = Bench::start().await;
    let ens = bench.ens().build();

    // Created in the order 1000, 2000, 3000, 4000; delivered newest points event first.
    for event in [
        points_issued(42, 4000, 160.0),
        tier_upgraded(42, 2000, 2),
        points_issued(42, 1000, 100.0),
        points_redeemed(42, 3000, 60.0),
    ] {
        let report = ens.deliver(event.build()).await;
        assert_eq!(report.outcomes(), [&AttemptOutcome::Status(200)]);
    }

    // The two stale points events caused no PUT; the late tier event did.
    assert_eq!(
        bench.puts_for("42"),
        [
            json!({"points_balance": 160.0, "source_updated_at": 4000}),
            json!({"points_balance": 160.0, "tier": "Gold", "source_updated_at": 4000}),
        ]
    );
    let put = &bench.shop.received(&loyalty_path("42"))[0];
    assert_eq!(put.method(), "PUT");
    assert_eq!(put.header("authorization"), Some("Bearer shop-t0ken"));
    // Everything was in the payloads.
    assert!(bench.capillary.received_requests().is_empty());
}

/// What the shop must hold last for one customer.
struct Expected {
    customer: i64,
    last_put: Value,
}

#[tokio::test]
async fn any_shuffled_concurrent_delivery_ends_with_the_newest_state() {
    let expected = [
        Expected {
            customer: 42,
            last_put: json!({"points_balance": 160.0, "tier": "Platinum", "source_updated_at": 5000}),
        },
        Expected {
            customer: 43,
            last_put: json!({"points_balance": 75.0, "tier": "Gold", "source_updated_at": 4500}),
        },
    ];
    for seed in 0..8 {
        let bench = Bench::start().await;
        let ens = bench.ens().reorder(seed).build();
        let events = [
            points_issued(42, 1000, 100.0),
            tier_upgraded(42, 2000, 2),
            points_redeemed(42, 3000, 60.0),
            points_issued(42, 4000, 160.0),
            tier_upgraded(42, 5000, 3),
            points_issued(43, 1500, 10.0),
            tier_upgraded(43, 2500, 2),
            points_issued(43, 4500, 75.0),
            points_redeemed(43, 3500, 5.0),
        ];

        let reports = ens
            .deliver_all(events.iter().map(|event| event.build()))
            .await;

        assert!(
            reports.iter().all(|report| report.is_delivered()),
            "seed {seed}: {reports:?}"
        );
        for Expected { customer, last_put } in &expected {
            let puts = bench.puts_for(&customer.to_string());
            assert_eq!(
                puts.last(),
                Some(last_put),
                "seed {seed}, customer {customer}: {puts:?}"
            );
            let stamps: Vec<i64> = puts
                .iter()
                .map(|put| put["source_updated_at"].as_i64().unwrap())
                .collect();
            assert!(
                stamps.is_sorted(),
                "seed {seed}, customer {customer}: the shop went back in time: {stamps:?}"
            );
        }
    }
}

#[tokio::test]
async fn duplicate_deliveries_are_applied_once() {
    let bench = Bench::start().await;
    let ens = bench.ens().duplicates(Duplicates::every(1)).build();

    for event in [
        points_issued(42, 1000, 100.0),
        tier_upgraded(42, 2000, 2),
        points_redeemed(42, 3000, 60.0),
    ] {
        let report = ens.deliver(event.build()).await;
        assert!(report.is_delivered());
    }

    let log = ens.log();
    assert_eq!(log.0.len(), 6, "{log}");
    assert!(log.0.iter().all(|report| report.is_delivered()), "{log}");
    assert_eq!(
        bench.puts_for("42"),
        [
            json!({"points_balance": 100.0, "source_updated_at": 1000}),
            json!({"points_balance": 100.0, "tier": "Gold", "source_updated_at": 2000}),
            json!({"points_balance": 60.0, "tier": "Gold", "source_updated_at": 3000}),
        ]
    );
}

#[tokio::test]
async fn a_shop_outage_is_retried_until_the_update_goes_through() {
    let bench = Bench::start().await;
    bench.shop.fail_next(2, 503);
    let ens = bench.ens().build();

    let report = ens.deliver(points_issued(42, 2000, 250.0).build()).await;

    assert_eq!(report.state, DeliveryState::Delivered);
    assert_eq!(
        report.outcomes(),
        [
            &AttemptOutcome::Status(503),
            &AttemptOutcome::Status(503),
            &AttemptOutcome::Status(200)
        ]
    );
    let answers: Vec<u16> = bench
        .shop
        .received(&loyalty_path("42"))
        .iter()
        .map(|put| put.answered_with())
        .collect();
    assert_eq!(answers, [503, 503, 200]);
    let body = json!({"points_balance": 250.0, "source_updated_at": 2000});
    assert!(bench.puts_for("42").iter().all(|put| put == &body));

    // Once applied, an older event is stale.
    ens.deliver(points_issued(42, 1000, 100.0).build()).await;
    bench.shop.assert_received_exactly(&loyalty_path("42"), 3);
}

/// A failed push is not remembered: while the newer event waits for its retry, an older one
/// is still applied, and the retry then brings the shop forward.
#[tokio::test]
async fn a_failed_push_does_not_count_as_applied() {
    let bench = Bench::start().await;
    let ens = bench.ens().build();
    bench.shop.fail_next(1, 503);

    let deadline = ens.clock().now() + Duration::from_secs(10);
    let newer = ens
        .deliver_until(points_issued(42, 2000, 250.0).build(), deadline)
        .await;
    assert_eq!(newer.state, DeliveryState::Retrying);

    let older = ens.deliver(points_issued(42, 1000, 100.0).build()).await;
    assert!(older.is_delivered());
    let resumed = ens.resume().await;
    assert!(resumed.iter().all(|report| report.is_delivered()));

    let puts = bench.puts_for("42");
    assert_eq!(puts.len(), 3, "{puts:?}");
    assert_eq!(
        &puts[1..],
        [
            json!({"points_balance": 100.0, "source_updated_at": 1000}),
            json!({"points_balance": 250.0, "source_updated_at": 2000}),
        ]
    );
}

#[tokio::test]
async fn a_shop_rate_limit_is_passed_on_as_429() {
    let bench = Bench::start().await;
    bench.shop.rate_limit_next(1);

    let report = bench
        .ens()
        .build()
        .deliver(points_issued(42, 2000, 250.0).build())
        .await;

    assert_eq!(
        report.outcomes(),
        [&AttemptOutcome::Status(429), &AttemptOutcome::Status(200)]
    );
}
