//! Reading the event id and name from any body: both envelopes, junk, and never a panic.

use capillary_ens_testkit::simulator::Outgoing;
use proptest::prelude::*;
use serde_json::json;

#[test]
fn the_flat_envelope_is_read() {
    let event = Outgoing::from(json!({"eventName": "tierUpgraded", "eventId": "e-1", "data": {}}));
    assert_eq!(
        (event.event_name(), event.event_id()),
        ("tierUpgraded", Some("e-1"))
    );
}

#[test]
fn the_wrapper_envelope_is_read() {
    let event = Outgoing::from(&json!({
        "eventId": "e-2",
        "eventType": "150698_customerAdded",
        "attributes": {"eventName": "customerAdded", "orgId": 150698, "data": {}}
    }));
    assert_eq!(
        (event.event_name(), event.event_id()),
        ("customerAdded", Some("e-2"))
    );
}

#[test]
fn bodies_that_are_not_events_are_still_sent() {
    let junk = Outgoing::from(&b"\xff\x00 not json"[..]);
    assert_eq!((junk.event_name(), junk.event_id()), ("unknown", None));
    assert_eq!(junk.body().as_ref(), b"\xff\x00 not json");
    let loose = Outgoing::from(r#"{"eventName": 42, "eventId": "e-3"}"#);
    assert_eq!(loose.event_id(), Some("e-3"));
}

#[test]
fn debug_shows_no_body() {
    let event =
        Outgoing::from(json!({"eventName": "pointsIssued", "data": {"mobile": "919999999999"}}));
    let shown = format!("{event:?}");
    assert!(!shown.contains("919999999999"), "{shown}");
    assert!(shown.contains("pointsIssued"), "{shown}");
}

proptest! {
    #[test]
    fn any_bytes_are_accepted_unchanged(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let event = Outgoing::from(body.clone());
        prop_assert_eq!(event.body().as_ref(), body.as_slice());
        prop_assert!(!event.event_name().is_empty());
    }

    #[test]
    fn any_json_shaped_text_is_accepted(
        name in any::<String>(),
        id in proptest::option::of(any::<String>()),
        wrapped in any::<bool>(),
    ) {
        let mut inner = json!({"eventName": name, "data": {}});
        if let Some(id) = &id {
            inner["eventId"] = json!(id);
        }
        let body = if wrapped { json!({"eventType": name, "attributes": inner}) } else { inner };
        let event = Outgoing::from(body);
        prop_assert!(event.body().len() > 2);
    }
}
