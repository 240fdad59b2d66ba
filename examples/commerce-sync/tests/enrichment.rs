//! Values an event does not carry are read from the Capillary API, once, authenticated; and
//! the shop can key customers by their external id.

mod common;

use capillary_ens_testkit::mocks::capillary::MockCustomer;
use capillary_ens_testkit::simulator::AttemptOutcome;
use example_commerce_sync::ShopCustomerKey;
use serde_json::json;

use common::{
    Bench, customer_updated, loyalty_path, points_issued, points_redeemed, tier_upgraded,
};

#[tokio::test]
async fn a_customer_update_pushes_the_balance_and_tier_read_from_capillary() {
    let bench = Bench::start().await;
    bench
        .capillary
        .add_customer(MockCustomer::new(42).points(1270.5).tier("Gold"));

    let report = bench
        .ens()
        .build()
        .deliver(customer_updated(42, 5000).build())
        .await;

    assert_eq!(report.outcomes(), [&AttemptOutcome::Status(200)]);
    assert_eq!(
        bench.puts_for("42"),
        [json!({"points_balance": 1270.5, "tier": "Gold", "source_updated_at": 5000})]
    );
    let lookups = bench.capillary.requests_for_customer(42);
    assert_eq!(lookups.len(), 1, "{lookups:?}");
    assert_eq!(lookups[0].path(), "/v2/customers/42");
    assert_eq!(lookups[0].query_param("embed"), Some("points"));
    assert_eq!(
        lookups[0].header("authorization"),
        Some(bench.capillary.authorization())
    );
}

#[tokio::test]
async fn a_redemption_without_the_balance_reads_it_from_capillary_for_the_events_program() {
    let bench = Bench::start().await;
    // The fixture's program is 2649.
    bench.capillary.add_customer(
        MockCustomer::new(42)
            .program_id(2649)
            .points(870.5)
            .tier("Silver"),
    );
    let redemption =
        points_redeemed(42, 3000, 0.0).set("data.redemptionFromEarningPrograms", json!([]));

    bench.ens().build().deliver(redemption.build()).await;

    // Only the balance: a redemption says nothing about the tier.
    assert_eq!(
        bench.puts_for("42"),
        [json!({"points_balance": 870.5, "source_updated_at": 3000})]
    );
    assert_eq!(bench.capillary.requests_for_customer(42).len(), 1);
}

#[tokio::test]
async fn a_tier_missing_from_the_programs_list_is_read_from_capillary() {
    let bench = Bench::start().await;
    bench
        .capillary
        .add_customer(MockCustomer::new(42).points(10.0).tier("Diamond"));

    bench
        .ens()
        .build()
        .deliver(tier_upgraded(42, 2000, 4).build())
        .await;

    assert_eq!(
        bench.puts_for("42"),
        [json!({"tier": "Diamond", "source_updated_at": 2000})]
    );
}

#[tokio::test]
async fn a_stale_event_is_not_even_looked_up() {
    let bench = Bench::start().await;
    bench
        .capillary
        .add_customer(MockCustomer::new(42).points(1.0).tier("Gold"));
    let ens = bench.ens().build();

    ens.deliver(points_issued(42, 5000, 300.0).build()).await;
    ens.deliver(tier_upgraded(42, 6000, 3).build()).await;
    // Older than both fields: stale before any lookup.
    ens.deliver(customer_updated(42, 4000).build()).await;

    assert!(bench.capillary.received_requests().is_empty());
    bench.shop.assert_received_exactly(&loyalty_path("42"), 2);
}

#[tokio::test]
async fn a_capillary_outage_is_retried_and_nothing_is_pushed_meanwhile() {
    let bench = Bench::start().await;
    bench
        .capillary
        .add_customer(MockCustomer::new(42).points(55.0).tier("Gold"));
    bench.capillary.fail_next(1, 503);

    let report = bench
        .ens()
        .build()
        .deliver(customer_updated(42, 5000).build())
        .await;

    assert_eq!(
        report.outcomes(),
        [&AttemptOutcome::Status(503), &AttemptOutcome::Status(200)]
    );
    assert_eq!(
        bench.puts_for("42"),
        [json!({"points_balance": 55.0, "tier": "Gold", "source_updated_at": 5000})]
    );
}

/// A customer Capillary does not know (deleted, or merged into another) is acknowledged
/// rather than retried for a week.
#[tokio::test]
async fn an_unknown_customer_is_acknowledged_without_a_push() {
    let bench = Bench::start().await;

    let report = bench
        .ens()
        .build()
        .deliver(customer_updated(42, 5000).build())
        .await;

    assert_eq!(report.outcomes(), [&AttemptOutcome::Status(200)]);
    assert_eq!(
        bench.capillary.requests_for_customer(42)[0].answered_with(),
        404
    );
    assert!(bench.shop.received_requests().is_empty());
}

#[tokio::test]
async fn the_shop_can_key_customers_by_external_id() {
    let bench = Bench::start_keyed_by(ShopCustomerKey::ExternalId).await;
    bench
        .capillary
        .add_customer(MockCustomer::new(43).external_id("SHOP 43/b"));
    let ens = bench.ens().build();

    // In the payload: no lookup.
    ens.deliver(
        points_issued(42, 1000, 100.0)
            .external_id("SHOP-42")
            .build(),
    )
    .await;
    // Not in the payload: read from the Capillary profile, and percent-encoded in the path.
    ens.deliver(points_issued(43, 1000, 7.0).build()).await;
    // Neither: the customer is not in the shop.
    bench.capillary.add_customer(MockCustomer::new(44));
    ens.deliver(points_issued(44, 1000, 1.0).build()).await;

    assert_eq!(
        bench.puts_for("SHOP-42"),
        [json!({"points_balance": 100.0, "source_updated_at": 1000})]
    );
    assert_eq!(
        bench.puts_for("SHOP%2043%2Fb"),
        [json!({"points_balance": 7.0, "source_updated_at": 1000})]
    );
    assert!(bench.capillary.requests_for_customer(42).is_empty());
    assert_eq!(bench.capillary.requests_for_customer(43).len(), 1);
    assert_eq!(bench.shop.received_requests().len(), 2);
}
