//! What each event sends, to whom, on which channel; and the events that send nothing. ENS is
//! answered once the delivery is in the inbox; the workers send the messages.

mod support;

use capillary_ens_inbox::{ErrorKind, State};
use capillary_ens_testkit::fixtures;
use capillary_ens_testkit::simulator::{AttemptOutcome, DeliveryState, Simulator};
use example_pii_less_messaging::MessageOutcome;
use serde_json::{Value, json};
use support::{ASHA, DEV_NO_CONTACT, Harness, KIRAN_MOBILE, MEERA_EXTERNAL_ID, MESSAGES, RAVI};

fn message_with_key<'a>(sent: &'a [Value], key: &str) -> &'a Value {
    sent.iter()
        .find(|message| message["idempotencyKey"] == key)
        .unwrap_or_else(|| panic!("no message with idempotencyKey {key}; sent: {sent:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_event_sends_its_message_to_the_customer_from_the_brands_store() {
    let harness = Harness::start().await;
    let ens = harness.ens().build();
    let events = [
        fixtures::customer_added()
            .event_id("e-welcome")
            .customer_id(ASHA),
        fixtures::points_issued()
            .event_id("e-issued")
            .customer_id(RAVI),
        fixtures::points_redeemed()
            .event_id("e-redeemed")
            .customer_id(ASHA),
        fixtures::tier_upgraded()
            .event_id("e-upgraded")
            .customer_id(ASHA),
        fixtures::tier_downgraded()
            .event_id("e-downgraded")
            .customer_id(ASHA),
        fixtures::points_expiry_reminder()
            .event_id("e-expiry")
            .customer_id(ASHA),
        fixtures::coupon_issue()
            .event_id("e-coupon")
            .customer_id(ASHA),
    ];

    let reports = ens
        .deliver_all(events.iter().map(|event| event.build()))
        .await;
    let stats = harness.wait_until_idle().await;

    assert_eq!((stats.received, stats.processed), (7, 7));
    for report in &reports {
        assert_eq!(
            report.outcomes(),
            [&AttemptOutcome::Status(200)],
            "{}: {}",
            report.event_name,
            report.attempts_summary()
        );
    }
    let sent = harness.sent();
    assert_eq!(sent.len(), 7, "{sent:#?}");
    let sms = |key: &str, body: &str| json!({ "channel": "sms", "to": "919800000001", "body": body, "idempotencyKey": key });
    assert_eq!(
        message_with_key(&sent, "e-welcome"),
        &sms(
            "e-welcome",
            "Hi Asha, welcome to the club! Your membership is active."
        )
    );
    assert_eq!(
        message_with_key(&sent, "e-issued"),
        &json!({
            "channel": "email",
            "to": "ravi@example.com",
            "subject": "You earned 150 points",
            "body": "Hi Ravi, you earned 150 points. Your balance is now 1270.5 points.",
            "idempotencyKey": "e-issued",
        }),
        "Ravi prefers email"
    );
    assert_eq!(
        message_with_key(&sent, "e-redeemed"),
        &sms(
            "e-redeemed",
            "Hi Asha, you redeemed 400 points worth 100.00. Thank you!"
        )
    );
    assert_eq!(
        message_with_key(&sent, "e-upgraded"),
        &sms(
            "e-upgraded",
            "Congratulations Asha! You are now a Gold member, until 2025-11-30."
        )
    );
    assert_eq!(
        message_with_key(&sent, "e-downgraded"),
        &sms(
            "e-downgraded",
            "Hi Asha, your membership is now Gold, valid until 2025-12-31. Shop with us to move back up!"
        )
    );
    assert_eq!(
        message_with_key(&sent, "e-expiry"),
        &sms(
            "e-expiry",
            "Hi Asha, 300 points expire on 2025-05-19. Use them before they go!"
        )
    );
    assert_eq!(
        message_with_key(&sent, "e-coupon"),
        &sms(
            "e-coupon",
            "Hi Asha, here is your coupon K7QW2MZP: Welcome offer - Rs 200 off on next purchase. \
             Valid till 2024-12-19."
        )
    );
    for request in harness.provider.received(MESSAGES) {
        assert_eq!(
            request.header("authorization"),
            Some("Bearer provider-token")
        );
    }

    let log = harness.app.store.messages().await.unwrap();
    assert_eq!(log.len(), 7);
    for record in &log {
        assert_eq!(record.outcome, MessageOutcome::Sent);
        assert_eq!(record.provider_message_id.as_deref(), Some("msg_1"));
        assert_eq!(record.message_key, record.event_id);
    }
}

#[tokio::test]
async fn customers_are_found_by_external_id_or_mobile_when_capillary_has_no_match() {
    let harness = Harness::start().await;
    let ens = harness.ens().build();

    let by_external_id = fixtures::tier_downgraded()
        .event_id("e-external")
        .customer_id(9_999)
        .external_id(MEERA_EXTERNAL_ID);
    let by_mobile = fixtures::points_issued()
        .event_id("e-mobile")
        .remove("data.customerIdentifiers.customerId")
        .mobile(KIRAN_MOBILE);
    assert!(ens.deliver(by_external_id.build()).await.is_delivered());
    assert!(ens.deliver(by_mobile.build()).await.is_delivered());
    harness.wait_until_idle().await;

    let sent = harness.sent();
    let meera = message_with_key(&sent, "e-external");
    assert_eq!(meera["to"], "919800000003");
    assert!(meera["body"].as_str().unwrap().starts_with("Hi Meera,"));
    let kiran = message_with_key(&sent, "e-mobile");
    assert_eq!(kiran["to"], KIRAN_MOBILE);
    assert!(kiran["body"].as_str().unwrap().starts_with("Hi Kiran,"));
}

#[tokio::test]
async fn unknown_customers_and_customers_without_contact_are_acknowledged_without_a_message() {
    let harness = Harness::start().await;
    let ens = harness.ens().build();

    // The payload carries a mobile and an email of its own: they are not used.
    let unknown = fixtures::points_issued()
        .event_id("e-unknown")
        .customer_id(424_242);
    let no_contact = fixtures::tier_upgraded()
        .event_id("e-no-contact")
        .customer_id(DEV_NO_CONTACT);
    for event in [unknown, no_contact] {
        let report = ens.deliver(event.build()).await;
        assert_eq!(report.outcomes(), [&AttemptOutcome::Status(200)]);
    }
    let stats = harness.wait_until_idle().await;

    assert_eq!(
        (stats.processed, stats.dead),
        (2, 0),
        "settled, not retried: {}",
        stats.to_json()
    );
    for (name, id) in [
        ("pointsIssued", "e-unknown"),
        ("tierUpgraded", "e-no-contact"),
    ] {
        let row = harness.app.delivery(name, id).await;
        assert_eq!((row.state, row.attempts), (State::Processed, 1), "{id}");
    }
    harness.provider.assert_received_exactly(MESSAGES, 0);
    assert!(harness.app.store.messages().await.unwrap().is_empty());
}

#[tokio::test]
async fn events_without_a_message_are_acknowledged_and_ignored() {
    let harness = Harness::start().await;
    let report = harness
        .ens()
        .build()
        .deliver(
            fixtures::transaction_added()
                .event_id("e-transaction")
                .customer_id(ASHA)
                .build(),
        )
        .await;
    harness.wait_until_idle().await;

    assert_eq!(report.outcomes(), [&AttemptOutcome::Status(200)]);
    let row = harness
        .app
        .delivery("transactionAdded", "e-transaction")
        .await;
    assert_eq!((row.state, row.attempts), (State::Processed, 1));
    harness.provider.assert_received_exactly(MESSAGES, 0);
}

#[tokio::test]
async fn a_forged_request_is_refused_and_stores_nothing() {
    let harness = Harness::start().await;
    let forger = Simulator::to_url(harness.app.url.clone())
        .basic_auth("ens", "a-guessed-password")
        .build();
    let no_credentials = Simulator::to_url(harness.app.url.clone()).build();

    for ens in [forger, no_credentials] {
        let report = ens
            .deliver(fixtures::points_issued().customer_id(ASHA).build())
            .await;
        assert_eq!(report.state, DeliveryState::Failed);
        assert_eq!(report.outcomes(), [&AttemptOutcome::Status(401)]);
    }
    let stats = harness.wait_until_idle().await;
    assert_eq!(stats.received, 0, "nothing stored: {}", stats.to_json());
    assert_eq!(stats.duplicates_suppressed, 0);
    harness.provider.assert_received_exactly(MESSAGES, 0);
}

#[tokio::test]
async fn a_coupon_issue_with_several_coupons_sends_one_message_per_coupon() {
    let harness = Harness::start().await;
    let event = fixtures::coupon_issue()
        .event_id("e-coupons")
        .set(
            "data.coupons[1]",
            fixtures::coupon_issue().build()["data"]["coupons"][0].clone(),
        )
        .set("data.coupons[1].id", 77)
        .set("data.coupons[1].code", "SECOND-1")
        .customer_id(ASHA);

    let report = harness.ens().build().deliver(event.build()).await;
    harness.wait_until_idle().await;

    assert!(report.is_delivered(), "{}", report.attempts_summary());
    let sent = harness.sent();
    assert_eq!(sent.len(), 2);
    assert!(
        message_with_key(&sent, "e-coupons:1302558841")["body"]
            .as_str()
            .unwrap()
            .contains("K7QW2MZP")
    );
    assert!(
        message_with_key(&sent, "e-coupons:77")["body"]
            .as_str()
            .unwrap()
            .contains("SECOND-1")
    );
}

#[tokio::test]
async fn a_message_the_provider_rejects_for_good_is_logged_and_not_retried() {
    let harness = Harness::start().await;
    harness.provider.accept_with(
        http::Method::POST,
        MESSAGES,
        capillary_ens_testkit::mocks::third_party::Reply::status(422),
    );
    let ens = harness.ens().build();
    let event = fixtures::points_issued()
        .event_id("e-rejected")
        .customer_id(ASHA);

    let first = ens.deliver(event.build()).await;
    harness.wait_until_idle().await;
    let again = ens.deliver(event.build()).await;
    let stats = harness.wait_until_idle().await;

    assert_eq!(first.outcomes(), [&AttemptOutcome::Status(200)]);
    assert_eq!(again.outcomes(), [&AttemptOutcome::Status(200)]);
    harness.provider.assert_received_exactly(MESSAGES, 1);
    let log = harness.app.store.messages().await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].outcome, MessageOutcome::Rejected);
    let row = harness.app.delivery("pointsIssued", "e-rejected").await;
    assert_eq!(
        (row.state, row.attempts),
        (State::Processed, 1),
        "settled on the first attempt, not retried by the inbox"
    );
    assert_eq!((stats.retrying, stats.dead), (0, 0));
}

#[tokio::test]
async fn an_event_whose_data_does_not_match_its_type_is_a_dead_letter_at_once() {
    let harness = Harness::start().await;
    let event = fixtures::points_issued()
        .event_id("e-mistyped")
        .customer_id(ASHA)
        .set("data.loyaltyProgramId", "two");

    let report = harness.ens().build().deliver(event.build()).await;
    let stats = harness.wait_until_idle().await;

    assert_eq!(report.outcomes(), [&AttemptOutcome::Status(200)]);
    assert_eq!(stats.dead, 1, "{}", stats.to_json());
    let row = harness.app.delivery("pointsIssued", "e-mistyped").await;
    assert_eq!(
        (row.state, row.attempts),
        (State::Dead, 1),
        "retrying would fail the same way"
    );
    let error = row.last_error.expect("why it is dead");
    assert_eq!(error.kind, ErrorKind::TypeMismatch);
    assert_eq!(error.path.as_deref(), Some("data.loyaltyProgramId"));
    harness.provider.assert_received_exactly(MESSAGES, 0);
}
