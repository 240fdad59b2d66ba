//! Overrides land where they should, bad paths are clear errors, and every build has its own
//! event id.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use capillary_ens_schemas::events::{CouponIssue, GroupMemberAdded, IssueBulkCoupon, PointsIssued};
use capillary_ens_schemas::{Event, EventName, parse};
use capillary_ens_testkit::fixtures::{self, FixtureError};
use serde_json::{Value, json};

#[test]
fn envelope_setters_land_in_both_forms() {
    let fixture = fixtures::points_issued()
        .event_id("evt-1")
        .org_id(777)
        .ref_id("777_abc")
        .api_request_id("req-9")
        .created_at_ms(1_700_000_000_000);
    let flat = fixture.build();
    assert_eq!(flat["eventId"], "evt-1");
    assert_eq!(flat["orgId"], 777);
    assert_eq!(flat["refId"], "777_abc");
    assert_eq!(flat["apiRequestId"], "req-9");
    assert_eq!(flat["createdAt"], 1_700_000_000_000i64);

    let wrapped = fixture.clone().wrapped().build();
    assert_eq!(wrapped["eventId"], "evt-1");
    assert_eq!(wrapped["eventType"], "777_pointsIssued");
    assert_eq!(wrapped["timeStamp"], 1_700_000_000_041i64);
    assert_eq!(wrapped["consumerGroupId"], Value::Null);
    assert_eq!(wrapped["attributes"]["orgId"], 777);
    assert_eq!(wrapped["attributes"]["createdAt"], 1_700_000_000_000i64);

    let envelope = fixture.wrapped().typed().envelope;
    assert_eq!(envelope.event_id.as_deref(), Some("evt-1"));
    assert_eq!(envelope.org_id, Some(777));
    assert_eq!(envelope.ref_id.as_deref(), Some("777_abc"));
    assert_eq!(envelope.api_request_id.as_deref(), Some("req-9"));
    assert_eq!(envelope.created_at, Some(1_700_000_000_000));
}

#[test]
fn created_at_takes_a_system_time_and_defaults_to_now() {
    let time = UNIX_EPOCH + Duration::from_millis(1_732_527_005_123);
    let fixture = fixtures::tier_upgraded().created_at(time);
    assert_eq!(fixture.build()["createdAt"], 1_732_527_005_123i64);

    let before = now_ms();
    let created_at = fixtures::tier_upgraded().build()["createdAt"]
        .as_i64()
        .unwrap();
    let after = now_ms();
    assert!(
        (before..=after).contains(&created_at),
        "{created_at} is not now"
    );
}

fn now_ms() -> i64 {
    let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(elapsed.as_millis()).unwrap()
}

#[test]
fn every_build_gets_a_fresh_event_id_unless_fixed() {
    let fixture = fixtures::transaction_added();
    let ids: HashSet<String> = (0..200)
        .map(|_| fixture.build()["eventId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 200);
    let from_bytes: Value = serde_json::from_slice(&fixture.to_bytes()).unwrap();
    assert!(!ids.contains(from_bytes["eventId"].as_str().unwrap()));
    let example_id = "0b7d7c8e-7f1d-4c55-9a51-6f3b2f0f6d21";
    let all_ids: HashSet<String> = fixtures::all()
        .map(|fixture| fixture.build()["eventId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all_ids.len(), 66);
    assert!(!all_ids.contains(example_id));

    let fixed = fixture.clone().event_id("same");
    assert_eq!(fixed.build()["eventId"], fixed.build()["eventId"]);
    let fixed_by_path = fixture.clone().set("eventId", "by-path");
    assert_eq!(fixed_by_path.build()["eventId"], "by-path");
    let without = fixture.remove("eventId");
    assert!(without.build().get("eventId").is_none());
    assert_eq!(without.typed().envelope.event_id, None);
}

#[test]
fn customer_id_lands_in_the_events_customer() {
    let points: PointsIssued = fixtures::points_issued().customer_id(42).parse();
    assert_eq!(points.customer_identifiers.customer_id, Some(42));

    let coupons: IssueBulkCoupon = fixtures::issue_bulk_coupon().customer_id(7).parse();
    let coupons = coupons.coupons.unwrap();
    assert!(coupons.len() > 1);
    for coupon in &coupons {
        assert_eq!(coupon.customer_identifiers.customer_id, Some(7));
    }

    let group = fixtures::group_member_added().customer_id(9).build();
    assert_eq!(
        group["data"]["primaryMember"]["customerIdentifiers"]["customerId"],
        9
    );
    assert_ne!(
        group["data"]["memberAdded"]["customerIdentifiers"]["customerId"],
        9
    );
    let typed: GroupMemberAdded = fixtures::group_member_added().customer_id(9).parse();
    let primary = typed.primary_member.unwrap().customer_identifiers.unwrap();
    assert_eq!(primary.customer_id, Some(9));

    let merge = fixtures::loyalty_customer_merge().customer_id(5).build();
    assert_eq!(
        merge["data"]["survivorCustomerIdentifiers"]["customerId"],
        5
    );

    // A customer identifier removed by hand comes back where the schema puts it.
    let recreated = fixtures::tier_upgraded()
        .remove("data.customerIdentifiers")
        .customer_id(3)
        .build();
    assert_eq!(
        recreated["data"]["customerIdentifiers"],
        json!({"customerId": 3})
    );
}

#[test]
fn every_event_with_a_customer_takes_a_customer_id() {
    let mut without = Vec::new();
    for fixture in fixtures::all() {
        let name = fixture.name();
        match fixture.try_customer_id(123_456) {
            Ok(fixture) => {
                let text = fixture.build().to_string();
                assert!(text.contains("\"customerId\":123456"), "{name}");
                assert!(!matches!(fixture.typed().event, Event::Unknown { .. }));
            }
            Err(FixtureError::NoCustomer { event }) => {
                assert_eq!(event, name);
                without.push(name.as_str().to_owned());
            }
            Err(other) => panic!("{name}: {other}"),
        }
    }
    without.sort();
    assert_eq!(
        without,
        [
            "cardUpdated",
            "requestWorkflowEvent",
            "rewardCreated",
            "rewardUpdated",
            "updateRewardTransaction"
        ]
    );
}

#[test]
fn customer_setters_on_an_event_without_a_customer_explain_themselves() {
    let error = fixtures::card_updated().try_customer_id(1).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`cardUpdated` carries no customerIdentifiers; set a path with `set` instead"
    );
    let panic = std::panic::catch_unwind(|| fixtures::card_updated().mobile("91"))
        .expect_err("mobile on cardUpdated must panic");
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("`cardUpdated` carries no customerIdentifiers"),
        "{message}"
    );
}

#[test]
fn instore_identifiers_land_under_instore() {
    let fixture = fixtures::customer_added()
        .mobile("919800011122")
        .email("asha@example.com")
        .external_id("CRM-1");
    let instore = &fixture.build()["data"]["customerIdentifiers"]["instore"];
    assert_eq!(instore["mobile"], "919800011122");
    assert_eq!(instore["email"], "asha@example.com");
    assert_eq!(instore["externalId"], "CRM-1");
    let Event::CustomerAdded(customer) = fixture.typed().event else {
        panic!("not a customerAdded");
    };
    let typed = customer.customer_identifiers.instore.unwrap();
    assert_eq!(typed.mobile.unwrap().expose(), "919800011122");
    assert_eq!(typed.email.unwrap().expose(), "asha@example.com");

    // An event whose example has no `instore` gets one.
    let coupon = fixtures::coupon_issue().email("a@b.c").build();
    assert_eq!(
        coupon["data"]["coupons"][0]["customerIdentifiers"]["instore"]["email"],
        "a@b.c"
    );
}

#[test]
fn set_and_remove_follow_dotted_paths_with_indices() {
    let fixture = fixtures::coupon_issue()
        .set("data.coupons[0].code", "SUMMER-25")
        .set(
            "data.coupons[1]",
            json!({"id": 2, "code": "B", "valid_till": 1, "issued_on": 1,
                                      "customerIdentifiers": {"customerId": 8}}),
        )
        .set("data.series_info.description", "Summer sale")
        .set("data.newKeyFromTheFuture.nested", true)
        .remove("data.addedBy.id");
    let json = fixture.build();
    assert_eq!(json["data"]["coupons"][0]["code"], "SUMMER-25");
    assert_eq!(
        json["data"]["coupons"][1]["customerIdentifiers"]["customerId"],
        8
    );
    assert_eq!(json["data"]["newKeyFromTheFuture"], json!({"nested": true}));
    assert!(json["data"]["addedBy"].get("id").is_none());
    let typed: CouponIssue = fixture.parse();
    let coupons = typed.coupons.unwrap();
    assert_eq!(coupons.len(), 2);
    assert_eq!(coupons[0].code.as_deref(), Some("SUMMER-25"));
    assert_eq!(
        typed.series_info.unwrap().description.as_deref(),
        Some("Summer sale")
    );

    let wrapped = fixture.wrapped().build();
    assert_eq!(
        wrapped["attributes"]["data"]["coupons"][0]["code"],
        "SUMMER-25"
    );

    let removed = fixtures::points_issued().remove("data.promisedPointsIssued");
    assert!(
        removed.build()["data"]
            .get("promisedPointsIssued")
            .is_none()
    );
}

#[test]
fn bad_paths_are_clear_errors() {
    let cases = [
        (
            "data.totalPointsIssued.value",
            "cannot use path `data.totalPointsIssued.value`: `data.totalPointsIssued` is a number, not an object",
        ),
        (
            "data.customerIdentifiers[0]",
            "cannot use path `data.customerIdentifiers[0]`: `data.customerIdentifiers` is an object, not an array",
        ),
        (
            "data.regularPointsBreakup[7].points",
            "cannot use path `data.regularPointsBreakup[7].points`: index 7 is out of bounds: `data.regularPointsBreakup` has 1 elements",
        ),
        ("", "cannot use path ``: the path is empty"),
        ("data..x", "cannot use path `data..x`: a key is empty"),
        (
            "data.coupons[x]",
            "cannot use path `data.coupons[x]`: an index must be a whole number such as `[0]`",
        ),
        (
            "eventName.x",
            "cannot use path `eventName.x`: `eventName` is a string, not an object",
        ),
    ];
    for (path, message) in cases {
        let error = fixtures::points_issued().try_set(path, 1).unwrap_err();
        assert!(matches!(error, FixtureError::Path { .. }), "{path}");
        assert_eq!(error.to_string(), message);
    }
    let error = fixtures::points_issued()
        .try_remove("data.noSuchKey")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot use path `data.noSuchKey`: there is nothing at `data.noSuchKey`"
    );
    let panic =
        std::panic::catch_unwind(|| fixtures::points_issued().set("data.totalPointsIssued.x", 1))
            .expect_err("a bad path must panic in the fluent api");
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("`data.totalPointsIssued` is a number"),
        "{message}"
    );
}

#[test]
fn an_override_that_breaks_the_type_is_reported_with_its_path() {
    let fixture = fixtures::points_issued().set("data.loyaltyProgramId", "two");
    let error = fixture.try_typed().unwrap_err();
    let FixtureError::Parse { source } = &error else {
        panic!("expected a parse error, got {error}");
    };
    assert_eq!(source.path(), Some("data.loyaltyProgramId"));
    let error = fixture.wrapped().try_typed().unwrap_err();
    assert!(
        error
            .to_string()
            .contains("attributes.data.loyaltyProgramId"),
        "{error}"
    );
    // The bytes are still produced, for testing how a receiver handles them.
    let bytes = fixtures::points_issued()
        .set("data.loyaltyProgramId", "two")
        .to_bytes();
    assert!(parse(bytes).is_err());
}

#[test]
fn a_fixture_can_pose_as_an_unknown_event() {
    let fixture = fixtures::points_issued().set("eventName", "somethingNew");
    let delivery = fixture.typed();
    assert_eq!(
        delivery.envelope.event_name,
        EventName::from_wire("somethingNew")
    );
    assert!(matches!(delivery.event, Event::Unknown { .. }));
}
