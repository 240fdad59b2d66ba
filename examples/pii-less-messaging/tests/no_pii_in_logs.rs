//! No name, number, address or message text in the traces or in `Debug` output, whatever
//! happens to a delivery.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use ens_testkit::fixtures;
use ens_testkit::simulator::{Duplicates, Simulator};
use example_pii_less_messaging::{
    Channel, Customer, CustomerKey, OutgoingMessage, Provider, Templates, Vars,
};
use support::{
    ASHA, DEV_NO_CONTACT, Harness, KIRAN_MOBILE, MEERA_EXTERNAL_ID, PERSONAL_VALUES, RAVI,
};

/// Personal values the fixtures' payloads carry (they are never used, but must not be logged).
const PAYLOAD_VALUES: &[&str] = &["919876543210", "priya.nair@example.com", "Priya", "Sharma"];

/// The rendered texts of messages.
const MESSAGE_TEXTS: &[&str] = &["you earned", "welcome to the club", "your coupon"];

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_no_personal_data(text: &str, what: &str) {
    for value in PERSONAL_VALUES
        .iter()
        .chain(PAYLOAD_VALUES)
        .chain(MESSAGE_TEXTS)
    {
        assert!(
            !text.to_lowercase().contains(&value.to_lowercase()),
            "{what} contains {value:?}:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traces_hold_ids_never_personal_data() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let harness = Harness::start().await;
    let ens = harness.ens().duplicates(Duplicates::every(2)).build();
    harness.provider.fail_next(1, 503);
    harness.provider.rate_limit_next(1);
    let events = [
        fixtures::customer_added()
            .event_id("e-trace-welcome")
            .customer_id(ASHA),
        fixtures::points_issued().customer_id(RAVI),
        fixtures::points_redeemed()
            .remove("data.customerIdentifiers.customerId")
            .mobile(KIRAN_MOBILE),
        fixtures::tier_upgraded()
            .customer_id(1)
            .external_id(MEERA_EXTERNAL_ID),
        fixtures::tier_downgraded().customer_id(DEV_NO_CONTACT),
        fixtures::points_expiry_reminder().customer_id(424_242),
        fixtures::coupon_issue().customer_id(ASHA),
    ];
    let reports = ens
        .deliver_all(events.iter().map(|event| event.build()))
        .await;
    assert!(reports.iter().all(|report| report.is_delivered()));
    let forged = Simulator::to_url(harness.app.url.clone())
        .basic_auth("ens", "guess")
        .build();
    forged
        .deliver(fixtures::points_issued().customer_id(ASHA).build())
        .await;

    assert!(harness.accepted().len() >= 5, "messages were really sent");
    let text = captured.text();
    for expected in [
        "message sent",
        "e-trace-welcome",
        "customer not in the brand's store",
        "provider failed",
    ] {
        assert!(
            text.contains(expected),
            "the capture is missing {expected:?}:\n{text}"
        );
    }
    assert_no_personal_data(&text, "the traces");
}

#[test]
fn debug_output_is_redacted() {
    let customer = Customer::new("Ravi")
        .capillary_id(RAVI)
        .mobile("919800000002")
        .email("ravi@example.com")
        .last_name("Kumar")
        .external_id("CRM-7");
    let key = CustomerKey::capillary_id(RAVI);
    let message = OutgoingMessage {
        channel: Channel::Email,
        to: "ravi@example.com".into(),
        subject: Some("You earned 150 points".into()),
        body: "Hi Ravi, you earned 150 points.".into(),
        idempotency_key: "e-1".to_owned(),
    };
    let vars = Vars::new().set("first_name", "Ravi");
    let rendered =
        Templates::default().render(example_pii_less_messaging::MessageKind::Welcome, &vars);
    let provider = Provider::new("http://127.0.0.1:9", "sk_live_secret");

    let printed = format!("{customer:?} {key:?} {message:?} {vars:?} {rendered:?} {provider:?}");

    assert_no_personal_data(&printed, "Debug output");
    assert!(!printed.contains("sk_live_secret"), "{printed}");
    assert!(printed.contains("[redacted]"));
    assert!(printed.contains("1002"), "ids stay visible: {printed}");
}
