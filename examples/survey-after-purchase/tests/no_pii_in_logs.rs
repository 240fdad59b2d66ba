//! The app's logs name events and transactions, never the customer's name, email or mobile,
//! and never a credential.

mod common;

use capillary_ens_testkit::fixtures;
use capillary_ens_testkit::logs::LogCapture;
use capillary_ens_testkit::mocks::capillary::MockCustomer;

use common::{Bench, INVITATIONS, SURVEY_KEY};

#[tokio::test]
async fn logs_carry_ids_but_no_personal_data_or_secrets() {
    let logs = LogCapture::install();

    let bench = Bench::start().await;
    bench.capillary.add_customer(
        MockCustomer::new(42)
            .first_name("Zebedee")
            .email("zebedee@example.com")
            .mobile("919812345678"),
    );
    // Failures on both APIs, so the error paths log too.
    bench.capillary.fail_next(1, 500);
    bench.surveys.fail_next(1, 503);
    let enriched = fixtures::transaction_added()
        .event_id("evt-pii-1")
        .customer_id(42)
        .remove("data.customerIdentifiers.instore");
    let in_payload = fixtures::transaction_added()
        .event_id("evt-pii-2")
        .customer_id(43)
        .set("data.customerIdentifiers.firstName", "Yolanda")
        .set(
            "data.customerIdentifiers.instore.email",
            "yolanda@example.com",
        )
        .set("data.customerIdentifiers.instore.mobile", "919887766554");
    let ens = bench.ens().build();
    assert!(ens.deliver(enriched.build()).await.is_delivered());
    assert!(ens.deliver(in_payload.build()).await.is_delivered());
    bench.surveys.assert_received_exactly(INVITATIONS, 3);

    logs.assert_contains("evt-pii-1")
        .assert_contains("survey invitation sent");
    logs.assert_absent(&[
        "Zebedee",
        "zebedee@example.com",
        "919812345678",
        "Yolanda",
        "yolanda@example.com",
        "919887766554",
        SURVEY_KEY,
        "webhook-s3cret",
    ]);
}
