//! `Debug` of a delivery, in every shape it takes, shows the envelope and the body's length,
//! never a value from the body: formatted with a payload full of personal data.

mod common;

use std::time::SystemTime;

use capillary_ens_receiver::{Delivery, Webhook};
use capillary_ens_schemas::EventName;
use capillary_ens_schemas::events::PointsIssued;
use serde_json::json;

const PERSONAL: [&str; 6] = [
    "Jane",
    "Doe",
    "+919800000000",
    "jane.doe@example.com",
    "EXT-778899",
    "4111111111111111",
];

fn full_of_personal_data(data_matches: bool) -> Delivery {
    let mut body = common::example(&EventName::PointsIssued);
    body["eventId"] = json!("pii-1");
    body["customerName"] = json!("Jane Doe");
    let identifiers = &mut body["data"]["customerIdentifiers"];
    identifiers["firstName"] = json!("Jane");
    identifiers["lastName"] = json!("Doe");
    identifiers["mobile"] = json!("+919800000000");
    identifiers["email"] = json!("jane.doe@example.com");
    identifiers["externalId"] = json!("EXT-778899");
    identifiers["cardNumber"] = json!("4111111111111111");
    body["data"]["unknownKey"] = json!("jane.doe@example.com");
    if !data_matches {
        body["data"]["loyaltyProgramId"] = json!("Jane Doe +919800000000");
    }
    Delivery::parse(serde_json::to_vec(&body).unwrap().into(), SystemTime::now()).expect("an event")
}

fn assert_no_personal_data(shown: &str) {
    for value in PERSONAL {
        assert!(!shown.contains(value), "{value} shown in {shown}");
    }
    assert!(shown.contains("raw_len"), "{shown}");
    assert!(shown.contains("pii-1"), "ids are shown: {shown}");
}

#[test]
fn a_delivery_prints_no_body() {
    for data_matches in [true, false] {
        let delivery = full_of_personal_data(data_matches);
        assert_no_personal_data(&format!("{delivery:?}"));
        assert_no_personal_data(&format!("{delivery:#?}"));
    }
}

#[test]
fn a_webhook_prints_no_body_whatever_its_type() {
    let typed: Webhook<PointsIssued> = full_of_personal_data(true).narrow().unwrap();
    assert_no_personal_data(&format!("{typed:?}"));
    let any: Webhook = full_of_personal_data(true).narrow().unwrap();
    assert_no_personal_data(&format!("{any:#?}"));
    let mistyped: Webhook = full_of_personal_data(false).narrow().unwrap();
    assert!(mistyped.type_error.is_some());
    assert_no_personal_data(&format!("{mistyped:?}"));
}

#[test]
fn a_rejection_prints_no_body() {
    let rejection = full_of_personal_data(false)
        .narrow::<PointsIssued>()
        .unwrap_err();
    let shown = format!("{rejection:?} {rejection} {}", rejection.body_text());
    for value in PERSONAL {
        assert!(!shown.contains(value), "{value} shown in {shown}");
    }
    assert_eq!(rejection.status(), 202);
}
