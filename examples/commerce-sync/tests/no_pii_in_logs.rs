//! The app's logs name events and customers by id, never by name, mobile, email or external
//! id, and never show a credential.

mod common;

use capillary_ens_testkit::logs::LogCapture;
use capillary_ens_testkit::mocks::capillary::MockCustomer;
use example_commerce_sync::ShopCustomerKey;

use common::{Bench, SHOP_TOKEN, customer_updated, points_issued};

#[tokio::test]
async fn logs_carry_ids_but_no_personal_data_or_secrets() {
    let logs = LogCapture::install();

    let bench = Bench::start_keyed_by(ShopCustomerKey::ExternalId).await;
    bench.capillary.add_customer(
        MockCustomer::new(43)
            .first_name("Zebedee")
            .mobile("919812345678")
            .external_id("EXT-ZEBEDEE")
            .points(5.0),
    );
    // Failures on both APIs, so the error paths log too.
    bench.capillary.fail_next(1, 500);
    bench.shop.fail_next(1, 503);
    let ens = bench.ens().build();
    let with_pii = points_issued(42, 1000, 10.0)
        .external_id("EXT-YOLANDA")
        .mobile("919887766554")
        .email("yolanda@example.com")
        .set("data.customerIdentifiers.firstName", "Yolanda");
    assert!(ens.deliver(with_pii.build()).await.is_delivered());
    assert!(
        ens.deliver(customer_updated(43, 2000).build())
            .await
            .is_delivered()
    );
    assert_eq!(bench.shop.received_requests().len(), 3);

    logs.assert_contains("shop updated")
        .assert_contains("customer_id=43");
    logs.assert_absent(&[
        "Zebedee",
        "919812345678",
        "EXT-ZEBEDEE",
        "Yolanda",
        "919887766554",
        "yolanda@example.com",
        "EXT-YOLANDA",
        SHOP_TOKEN,
        "webhook-t0ken",
    ]);
}
