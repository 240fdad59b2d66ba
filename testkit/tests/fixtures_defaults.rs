//! Every event has a fixture, under its own constructor, whose default delivery validates
//! against the event's schema and parses into its typed variant in both wire forms.

use capillary_ens_schemas::{Event, EventName, WireForm, json_schema, parse};
use capillary_ens_testkit::fixtures::{self, EnvelopeForm, Fixture};
use jsonschema::{Registry, Validator};
use serde_json::Value;

/// A validator for the schema document of `name`, with every document registered.
fn validator(name: &EventName) -> Validator {
    let documents: Vec<(&str, Value)> = json_schema::documents()
        .map(|document| (document.id, serde_json::from_str(document.text).unwrap()))
        .collect();
    let registry = Registry::new()
        .extend(
            documents
                .iter()
                .map(|(id, document)| (*id, document.clone())),
        )
        .expect("documents have valid ids")
        .prepare()
        .expect("the registry resolves");
    let schema: Value = serde_json::from_str(name.json_schema().unwrap()).unwrap();
    jsonschema::options()
        .with_registry(&registry)
        .build(&schema)
        .unwrap_or_else(|error| panic!("{name} does not compile: {error}"))
}

fn assert_valid(validator: &Validator, name: &EventName, delivery: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(delivery)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name} fixture is invalid: {errors:#?}");
}

#[test]
fn every_default_fixture_parses_into_its_variant_in_both_forms() {
    let mut checked = 0;
    for name in EventName::ALL {
        let fixture = fixtures::for_event(name).unwrap_or_else(|| panic!("{name} has no fixture"));
        assert_eq!(&fixture.name(), name);
        let validator = validator(name);
        for form in [EnvelopeForm::Flat, EnvelopeForm::Wrapped] {
            let fixture = fixture.clone().form(form);
            let json = fixture.build();
            assert_valid(&validator, name, &json);
            let delivery = parse(fixture.to_bytes())
                .unwrap_or_else(|error| panic!("{name} in {form:?} form: {error}"));
            assert_eq!(&delivery.envelope.event_name, name);
            assert_eq!(delivery.event.name(), *name);
            assert!(!matches!(delivery.event, Event::Unknown { .. }), "{name}");
            assert!(
                delivery.envelope.event_id.is_some(),
                "{name} has no event id"
            );
            assert!(
                delivery.envelope.created_at.is_some(),
                "{name} has no createdAt"
            );
            match (form, &delivery.envelope.wire_form) {
                (EnvelopeForm::Flat, WireForm::Flat) => {
                    assert!(json.get("attributes").is_none());
                }
                (EnvelopeForm::Wrapped, WireForm::Wrapped(wrapper)) => {
                    assert_eq!(wrapper.action_type.as_deref(), Some("START"));
                    let org_id = delivery.envelope.org_id.expect("examples carry orgId");
                    assert_eq!(
                        wrapper.event_type.as_deref(),
                        Some(format!("{org_id}_{name}").as_str())
                    );
                    assert!(wrapper.time_stamp >= delivery.envelope.created_at);
                    assert!(json["attributes"].get("eventId").is_none());
                }
                (form, other) => panic!("{name}: asked for {form:?}, parsed as {other:?}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 2 * 66);
}

#[test]
fn the_typed_accessors_agree_with_the_parser() {
    for fixture in fixtures::all() {
        let name = fixture.name();
        let delivery = fixture.typed();
        assert_eq!(delivery.event.name(), name);
        let event: Event = fixture.parse();
        assert_eq!(event.name(), name);
    }
    let points: capillary_ens_schemas::events::PointsIssued = fixtures::points_issued().parse();
    assert!(points.total_points_issued.unwrap().to_f64() > 0.0);
    let wrong =
        fixtures::points_issued().try_parse::<capillary_ens_schemas::events::TierUpgraded>();
    let error = wrong.unwrap_err().to_string();
    assert_eq!(error, "a `pointsIssued` fixture is not a `TierUpgraded`");
}

#[test]
fn all_covers_every_event_in_catalogue_order() {
    let names: Vec<EventName> = fixtures::all().map(|fixture| fixture.name()).collect();
    assert_eq!(names, EventName::ALL);
}

#[test]
fn unknown_events_have_no_fixture() {
    assert!(
        fixtures::for_event(&EventName::from_wire("communicationMessageUndelivered")).is_none()
    );
}

#[test]
fn debug_shows_the_event_and_id_but_no_payload_values() {
    let fixture = fixtures::customer_added()
        .mobile("919800011122")
        .email("asha@example.com")
        .external_id("CRM-1");
    let printed = format!("{fixture:?}");
    assert_eq!(
        printed,
        r#"Fixture { event: "customerAdded", event_id: "<fresh per build>", form: Flat }"#
    );
    let printed = format!("{:?}", fixture.event_id("e-1").wrapped());
    assert_eq!(
        printed,
        r#"Fixture { event: "customerAdded", event_id: "e-1", form: Wrapped }"#
    );
}

/// A fixture constructor such as `fixtures::points_issued`.
type Constructor = fn() -> Fixture;

/// Each named constructor builds the event it is named after.
#[test]
fn every_constructor_builds_its_own_event() {
    let constructors: &[(Constructor, &str)] = &[
        (fixtures::customer_added, "customerAdded"),
        (fixtures::customer_updated, "customerUpdated"),
        (fixtures::loyalty_customer_merge, "loyaltyCustomerMerge"),
        (fixtures::transaction_added, "transactionAdded"),
        (fixtures::transaction_updated, "transactionUpdated"),
        (fixtures::transaction_rejected, "transactionRejected"),
        (fixtures::retro_bill_added, "retroBillAdded"),
        (
            fixtures::not_interested_bill_added,
            "notInterestedBillAdded",
        ),
        (
            fixtures::rejected_transaction_retrigger,
            "rejectedTransactionRetrigger",
        ),
        (fixtures::points_issued, "pointsIssued"),
        (fixtures::points_redeemed, "pointsRedeemed"),
        (fixtures::points_expired, "pointsExpired"),
        (fixtures::points_expiry_reminder, "pointsExpiryReminder"),
        (fixtures::points_expiry_change, "pointsExpiryChange"),
        (
            fixtures::single_points_expiry_updated,
            "singlePointsExpiryUpdated",
        ),
        (fixtures::issued_points_reversed, "issuedPointsReversed"),
        (fixtures::redeemed_points_reversed, "redeemedPointsReversed"),
        (
            fixtures::points_transferred_initiated,
            "pointsTransferredInitiated",
        ),
        (
            fixtures::points_transferred_received,
            "pointsTransferredReceived",
        ),
        (
            fixtures::promised_to_current_points_conversion,
            "promisedToCurrentPointsConversion",
        ),
        (fixtures::manual_points_adjustment, "manualPointsAdjustment"),
        (
            fixtures::alternate_currencies_issued,
            "alternateCurrenciesIssued",
        ),
        (
            fixtures::issued_alternate_currencies_reversed,
            "issuedAlternateCurrenciesReversed",
        ),
        (fixtures::tier_upgraded, "tierUpgraded"),
        (fixtures::tier_downgraded, "tierDowngraded"),
        (fixtures::tier_renewed, "tierRenewed"),
        (fixtures::tier_downgrade_reminder, "tierDowngradeReminder"),
        (fixtures::coupon_issue, "CouponIssue"),
        (fixtures::coupon_redeem, "CouponRedeem"),
        (fixtures::issue_bulk_coupon, "IssueBulkCoupon"),
        (fixtures::reward_issued, "rewardIssued"),
        (fixtures::issue_reward_failure, "issueRewardFailure"),
        (
            fixtures::update_reward_transaction,
            "updateRewardTransaction",
        ),
        (fixtures::reward_created, "rewardCreated"),
        (fixtures::reward_updated, "rewardUpdated"),
        (fixtures::badge_earned, "badgeEarned"),
        (fixtures::promotion_issued, "promotionIssued"),
        (fixtures::promotion_earned, "promotionEarned"),
        (fixtures::cart_promotion_issued, "cartPromotionIssued"),
        (fixtures::cart_promotion_earned, "cartPromotionEarned"),
        (fixtures::cart_promotion_redeemed, "cartPromotionRedeemed"),
        (fixtures::cart_promotion_revoked, "cartPromotionRevoked"),
        (
            fixtures::target_customer_enrolment,
            "targetCustomerEnrolment",
        ),
        (fixtures::target_value_achieved, "targetValueAchieved"),
        (fixtures::target_value_updated, "targetValueUpdated"),
        (
            fixtures::target_achieved_value_updated,
            "targetAchievedValueUpdated",
        ),
        (fixtures::target_period_started, "targetPeriodStarted"),
        (fixtures::target_period_completed, "targetPeriodCompleted"),
        (fixtures::unified_targets_achieved, "unifiedTargetsAchieved"),
        (
            fixtures::unified_targets_un_achieved,
            "unifiedTargetsUnAchieved",
        ),
        (
            fixtures::streak_customer_enrolment,
            "streakCustomerEnrolment",
        ),
        (
            fixtures::streak_customer_un_enrolment,
            "streakCustomerUnEnrolment",
        ),
        (fixtures::streak_level_achieved, "streakLevelAchieved"),
        (fixtures::streak_level_un_achieved, "streakLevelUnAchieved"),
        (fixtures::group_created, "groupCreated"),
        (fixtures::group_updated, "groupUpdated"),
        (fixtures::group_member_added, "groupMemberAdded"),
        (fixtures::group_member_removed, "groupMemberRemoved"),
        (
            fixtures::points_contribution_to_group,
            "pointsContributionToGroup",
        ),
        (fixtures::partner_program_linked, "partnerProgramLinked"),
        (fixtures::partner_program_delinked, "partnerProgramDelinked"),
        (fixtures::partner_program_updated, "partnerProgramUpdated"),
        (
            fixtures::supplementary_membership_expiry_reminder,
            "supplementaryMembershipExpiryReminder",
        ),
        (fixtures::card_updated, "cardUpdated"),
        (fixtures::request_updated, "requestUpdated"),
        (fixtures::request_workflow_event, "requestWorkflowEvent"),
    ];
    assert_eq!(constructors.len(), EventName::ALL.len());
    for (constructor, wire) in constructors {
        let fixture = constructor();
        assert_eq!(fixture.name().as_str(), *wire);
        assert_eq!(fixture.build()["eventName"], *wire);
        assert_eq!(
            fixture.clone().wrapped().build()["attributes"]["eventName"],
            *wire
        );
    }
    for name in EventName::ALL {
        assert!(
            constructors.iter().any(|(_, wire)| *wire == name.as_str()),
            "{name} has no constructor in this list"
        );
    }
}
