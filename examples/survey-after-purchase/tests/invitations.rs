//! The survey app end to end: ENS simulated, the app on a loopback port, the Capillary API
//! and the survey platform as wiremock servers.

mod common;

use capillary_ens_testkit::fixtures;
use capillary_ens_testkit::mocks::capillary::MockCustomer;
use capillary_ens_testkit::simulator::{AttemptOutcome, DeliveryState, Duplicates, Simulator};
use serde_json::json;

use common::{Bench, INVITATIONS, SURVEY_ID, SURVEY_KEY};

/// 2024-11-18T11:55:13.000Z, the example's `enteredAt`.
const ENTERED_AT: &str = "2024-11-18T11:55:13.000Z";

fn purchase(event_id: &str) -> fixtures::Fixture {
    fixtures::transaction_added()
        .event_id(event_id)
        .customer_id(42)
}

#[tokio::test]
async fn a_payload_with_the_contact_is_invited_without_asking_capillary() {
    let bench = Bench::start().await;
    let event = purchase("evt-with-contact")
        .set("data.customerIdentifiers.firstName", "Arjun")
        .set(
            "data.customerIdentifiers.instore.email",
            "arjun@example.com",
        );

    let report = bench.ens().build().deliver(event.build()).await;

    assert_eq!(report.outcomes(), [&AttemptOutcome::Status(200)]);
    assert_eq!(
        bench.surveys.received_json(INVITATIONS),
        [json!({
            "surveyId": SURVEY_ID,
            "contact": {"email": "arjun@example.com"},
            "firstName": "Arjun",
            "transaction": {
                "billNumber": "BLR1042-20241118-0087",
                "amount": 2249.0,
                "currency": "INR",
                "store": "blr_indiranagar",
                "purchasedAt": ENTERED_AT
            },
            "externalReference": "evt-with-contact"
        })]
    );
    let request = &bench.surveys.received(INVITATIONS)[0];
    assert_eq!(request.header("x-api-key"), Some(SURVEY_KEY));
    assert!(bench.capillary.received_requests().is_empty());
}

#[tokio::test]
async fn a_mobile_only_payload_is_invited_by_mobile() {
    let bench = Bench::start().await;
    // The schema example carries `instore.mobile` only.
    bench
        .ens()
        .build()
        .deliver(purchase("evt-mobile").build())
        .await;

    let invitations = bench.surveys.received_json(INVITATIONS);
    assert_eq!(invitations.len(), 1);
    assert_eq!(invitations[0]["contact"], json!({"mobile": "919845012345"}));
    assert!(invitations[0].get("firstName").is_none());
    assert!(bench.capillary.received_requests().is_empty());
}

#[tokio::test]
async fn a_payload_without_the_contact_is_enriched_from_capillary() {
    let bench = Bench::start().await;
    bench.capillary.add_customer(
        MockCustomer::new(42)
            .first_name("Priya")
            .email("priya@example.com")
            .mobile("919876543210"),
    );
    let event = purchase("evt-enriched").remove("data.customerIdentifiers.instore");

    let report = bench.ens().build().deliver(event.build()).await;

    assert_eq!(report.outcomes(), [&AttemptOutcome::Status(200)]);
    assert_eq!(
        bench.surveys.received_json(INVITATIONS),
        [json!({
            "surveyId": SURVEY_ID,
            "contact": {"email": "priya@example.com"},
            "firstName": "Priya",
            "transaction": {
                "billNumber": "BLR1042-20241118-0087",
                "amount": 2249.0,
                "currency": "INR",
                "store": "blr_indiranagar",
                "purchasedAt": ENTERED_AT
            },
            "externalReference": "evt-enriched"
        })]
    );
    let lookups = bench.capillary.requests_for_customer(42);
    assert_eq!(lookups.len(), 1, "{lookups:?}");
    assert_eq!(lookups[0].path(), "/v2/customers/42");
    assert_eq!(lookups[0].answered_with(), 200);
    assert_eq!(
        lookups[0].header("authorization"),
        Some(bench.capillary.authorization())
    );
    assert_eq!(bench.capillary.received_requests().len(), 1);
}

#[tokio::test]
async fn duplicates_get_one_invitation() {
    let bench = Bench::start().await;
    let ens = bench.ens().duplicates(Duplicates::every(1)).build();
    let events = [purchase("evt-dup-1").build(), purchase("evt-dup-2").build()];

    let reports = ens.deliver_all(events).await;

    assert_eq!(reports.len(), 4);
    assert!(reports.iter().all(|report| report.is_delivered()));
    assert_eq!(reports.iter().filter(|report| report.duplicate).count(), 2);
    let mut references: Vec<String> = bench
        .surveys
        .received_json(INVITATIONS)
        .iter()
        .map(|invitation| invitation["externalReference"].as_str().unwrap().to_owned())
        .collect();
    references.sort();
    assert_eq!(references, ["evt-dup-1", "evt-dup-2"]);

    // A redelivery later on is a duplicate too.
    let again = ens.deliver(purchase("evt-dup-1").build()).await;
    assert_eq!(again.outcomes(), [&AttemptOutcome::Status(200)]);
    bench.surveys.assert_received_exactly(INVITATIONS, 2);
}

#[tokio::test]
async fn a_survey_outage_is_retried_by_ens_until_one_invitation_goes_through() {
    let bench = Bench::start().await;
    bench.surveys.fail_next(2, 503);

    let report = bench
        .ens()
        .build()
        .deliver(purchase("evt-outage").build())
        .await;

    assert_eq!(report.state, DeliveryState::Delivered);
    assert_eq!(
        report.outcomes(),
        [
            &AttemptOutcome::Status(503),
            &AttemptOutcome::Status(503),
            &AttemptOutcome::Status(200)
        ]
    );
    let attempts = bench.surveys.received(INVITATIONS);
    let answers: Vec<u16> = attempts
        .iter()
        .map(|request| request.answered_with())
        .collect();
    assert_eq!(answers, [503, 503, 200]);
    let bodies = bench.surveys.received_json(INVITATIONS);
    assert!(bodies.iter().all(|body| body == &bodies[0]), "{bodies:?}");
    assert_eq!(bodies[0]["externalReference"], "evt-outage");
}

#[tokio::test]
async fn a_survey_rate_limit_is_passed_on_as_429() {
    let bench = Bench::start().await;
    bench.surveys.rate_limit_next(1);

    let report = bench
        .ens()
        .build()
        .deliver(purchase("evt-429").build())
        .await;

    assert_eq!(
        report.outcomes(),
        [&AttemptOutcome::Status(429), &AttemptOutcome::Status(200)]
    );
    bench.surveys.assert_received_exactly(INVITATIONS, 2);
}

#[tokio::test]
async fn a_capillary_outage_is_retried_and_nothing_is_sent_meanwhile() {
    let bench = Bench::start().await;
    bench
        .capillary
        .add_customer(MockCustomer::new(42).email("priya@example.com"));
    bench.capillary.fail_next(1, 503);
    let event = purchase("evt-capillary-down").remove("data.customerIdentifiers.instore");

    let report = bench.ens().build().deliver(event.build()).await;

    assert_eq!(
        report.outcomes(),
        [&AttemptOutcome::Status(503), &AttemptOutcome::Status(200)]
    );
    let answers: Vec<u16> = bench
        .capillary
        .requests_for_customer(42)
        .iter()
        .map(|request| request.answered_with())
        .collect();
    assert_eq!(answers, [503, 200]);
    bench.surveys.assert_received_exactly(INVITATIONS, 1);
}

/// A customer Capillary does not know (deleted, or merged into another) gets no survey; the
/// event is acknowledged rather than retried for a week.
#[tokio::test]
async fn an_unknown_customer_is_acknowledged_without_an_invitation() {
    let bench = Bench::start().await;
    let event = purchase("evt-unknown").remove("data.customerIdentifiers.instore");

    let report = bench.ens().build().deliver(event.build()).await;

    assert_eq!(report.outcomes(), [&AttemptOutcome::Status(200)]);
    let lookups = bench.capillary.requests_for_customer(42);
    assert_eq!(lookups.len(), 1);
    assert_eq!(lookups[0].answered_with(), 404);
    bench.surveys.assert_received_exactly(INVITATIONS, 0);
}

#[tokio::test]
async fn returns_empty_bills_and_customers_without_contact_get_no_survey() {
    let bench = Bench::start().await;
    bench
        .capillary
        .add_customer(MockCustomer::new(7).first_name("Nobody"));
    let events = [
        purchase("evt-return").set("data.billType", "RETURN"),
        purchase("evt-zero").set("data.amount", 0),
        fixtures::transaction_added()
            .event_id("evt-no-contact")
            .customer_id(7)
            .remove("data.customerIdentifiers.instore"),
        fixtures::transaction_added()
            .event_id("evt-no-customer")
            .remove("data.customerIdentifiers.customerId")
            .remove("data.customerIdentifiers.instore"),
    ];

    let reports = bench
        .ens()
        .build()
        .deliver_all(events.iter().map(|event| event.build()))
        .await;

    for report in &reports {
        assert_eq!(
            report.outcomes(),
            [&AttemptOutcome::Status(200)],
            "{:?}",
            report.event_id
        );
    }
    bench.surveys.assert_received_exactly(INVITATIONS, 0);
    // Only the customer without a contact in the payload was looked up.
    assert_eq!(bench.capillary.received_requests().len(), 1);
    assert_eq!(bench.capillary.requests_for_customer(7).len(), 1);
}

#[tokio::test]
async fn wrong_webhook_credentials_are_refused_and_nothing_is_sent() {
    let bench = Bench::start().await;
    let ens = Simulator::to_url(&bench.url)
        .basic_auth("ens", "guess")
        .build();

    let report = ens.deliver(purchase("evt-forged").build()).await;

    assert_eq!(report.outcomes(), [&AttemptOutcome::Status(401)]);
    assert_eq!(report.state, DeliveryState::Failed);
    bench.surveys.assert_received_exactly(INVITATIONS, 0);
}
