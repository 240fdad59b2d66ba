//! The app's logs name events and transactions, never the customer's name, email or mobile,
//! and never a credential.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use ens_testkit::fixtures;
use ens_testkit::mocks::capillary::MockCustomer;

use common::{Bench, INVITATIONS, SURVEY_KEY};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_carry_ids_but_no_personal_data_or_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

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

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("evt-pii-1") && logs.contains("survey invitation sent"),
        "{logs}"
    );
    for secret in [
        "Zebedee",
        "zebedee@example.com",
        "919812345678",
        "Yolanda",
        "yolanda@example.com",
        "919887766554",
        SURVEY_KEY,
        "webhook-s3cret",
    ] {
        assert!(
            !logs.contains(secret),
            "{secret} leaked into the logs:\n{logs}"
        );
    }
}
