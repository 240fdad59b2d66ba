//! No name, number, address or message text in the traces or in `Debug` output, whatever
//! happens to a delivery: on the HTTP side, and in the inbox's workers (retries after a
//! provider outage and a rate limit, a dead letter).

mod support;

use capillary_ens_testkit::fixtures;
use capillary_ens_testkit::logs::LogCapture;
use capillary_ens_testkit::simulator::{Duplicates, Simulator};
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

/// Every value that must never be printed: the customers', the payloads' and the messages'.
fn personal_data() -> Vec<&'static str> {
    PERSONAL_VALUES
        .iter()
        .chain(PAYLOAD_VALUES)
        .chain(MESSAGE_TEXTS)
        .copied()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traces_hold_ids_never_personal_data() {
    let logs = LogCapture::install();

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
        // Personal data where a number belongs: a dead letter, traced by JSON path only.
        fixtures::points_issued()
            .event_id("e-trace-mistyped")
            .customer_id(ASHA)
            .set("data.loyaltyProgramId", "priya.nair@example.com"),
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

    let stats = harness.wait_until_idle().await;
    assert_eq!(stats.dead, 1, "the mistyped event: {}", stats.to_json());
    assert!(stats.duplicates_suppressed >= 1, "{}", stats.to_json());

    assert!(harness.accepted().len() >= 5, "messages were really sent");
    logs.assert_contains("message sent")
        .assert_contains("e-trace-welcome")
        .assert_contains("customer not in the brand's store")
        .assert_contains("provider failed")
        // The workers' lines: each attempt's span, a failed attempt, the dead letter.
        .assert_contains("ens.inbox.process")
        .assert_contains("inbox handler failed")
        .assert_contains("inbox delivery is a dead letter")
        .assert_contains("data.loyaltyProgramId")
        .assert_absent_ignoring_case(&personal_data());
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

    let printed_lowercase = printed.to_lowercase();
    for value in personal_data() {
        assert!(
            !printed_lowercase.contains(&value.to_lowercase()),
            "Debug output contains {value:?}:\n{printed}"
        );
    }
    assert!(!printed.contains("sk_live_secret"), "{printed}");
    assert!(printed.contains("[redacted]"));
    assert!(printed.contains("1002"), "ids stay visible: {printed}");
}
