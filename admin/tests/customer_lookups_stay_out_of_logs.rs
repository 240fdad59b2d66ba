//! Identifier values travel in the lookup's query string, and the client never logs a query
//! string: every log line of lookups that succeed, fail and are retried is free of them.

mod common;

use capillary_ens_admin::{Credentials, Identifier};
use capillary_ens_testkit::logs::LogCapture;
use capillary_ens_testkit::mocks::capillary::{self, CapillaryApiMock, MockCustomer};

use common::{RecordingSleeper, client_at};

#[tokio::test]
async fn identifier_values_never_reach_the_logs() {
    let logs = LogCapture::install();
    let mock = CapillaryApiMock::start().await;
    mock.add_customer(
        MockCustomer::new(42)
            .mobile("919876543210")
            .card_number("CARD-0042"),
    );
    mock.fail_next(1, 503);
    let credentials = Credentials::basic(capillary::DEFAULT_USERNAME, capillary::DEFAULT_PASSWORD);
    let client = client_at(&mock.uri(), credentials, RecordingSleeper::default());

    // Retried once (the 503), then found.
    let found = client
        .lookup_customer(&Identifier::mobile("919876543210"))
        .await
        .unwrap();
    assert_eq!(found.id, Some(42));
    let missing = client
        .lookup_customer_with_points(&Identifier::email("nobody@example.com"))
        .await
        .unwrap_err();
    assert!(missing.is_not_found());
    client
        .lookup_customer(&Identifier::card_number("CARD-0042"))
        .await
        .unwrap();

    logs.assert_contains("/v2/customers/lookup")
        .assert_contains("retrying")
        .assert_absent(&[
            "919876543210",
            "nobody@example.com",
            "nobody%40example.com",
            "CARD-0042",
            "identifierValue",
            capillary::DEFAULT_PASSWORD,
        ]);
}
