//! Random deliveries drawn from the schemas validate against them and parse into their typed
//! variants, for every event and in both wire forms.

use capillary_ens_schemas::{Event, EventName, WireForm, json_schema, parse};
use capillary_ens_testkit::fixtures::{EnvelopeForm, arbitrary};
use jsonschema::{Registry, Validator};
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

/// Cases per event: enough to reach optional fields and both branches of the unions, small
/// enough for the whole catalogue to stay quick on two cores.
const CASES_PER_EVENT: u32 = 12;

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

fn registry() -> Registry<'static> {
    let documents: Vec<(&str, Value)> = json_schema::documents()
        .map(|document| (document.id, serde_json::from_str(document.text).unwrap()))
        .collect();
    Registry::new()
        .extend(documents)
        .expect("documents have valid ids")
        .prepare()
        .expect("the registry resolves")
}

fn validator(registry: &Registry, name: &EventName) -> Validator {
    let schema: Value = serde_json::from_str(name.json_schema().unwrap()).unwrap();
    jsonschema::options()
        .with_registry(registry)
        .build(&schema)
        .unwrap_or_else(|error| panic!("{name} does not compile: {error}"))
}

fn check(
    validator: &Validator,
    name: &EventName,
    delivery: &Value,
    form: &EnvelopeForm,
) -> Result<(), TestCaseError> {
    let errors: Vec<String> = validator
        .iter_errors(delivery)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    if !errors.is_empty() {
        return Err(TestCaseError::fail(format!(
            "{name} draw is invalid: {errors:#?}"
        )));
    }
    let parsed = parse(delivery.to_string().into_bytes())
        .map_err(|error| TestCaseError::fail(format!("{name} draw does not parse: {error}")))?;
    if parsed.event.name() != *name || matches!(parsed.event, Event::Unknown { .. }) {
        return Err(TestCaseError::fail(format!(
            "{name} draw parsed as {}",
            parsed.event.name()
        )));
    }
    let wrapped = matches!(parsed.envelope.wire_form, WireForm::Wrapped(_));
    if wrapped != (*form == EnvelopeForm::Wrapped) || parsed.envelope.event_id.is_none() {
        return Err(TestCaseError::fail(format!(
            "{name} draw has the wrong envelope"
        )));
    }
    Ok(())
}

#[test]
fn every_events_draws_validate_and_parse_in_both_forms() {
    let registry = registry();
    for name in EventName::ALL {
        let validator = validator(&registry, name);
        for form in [EnvelopeForm::Flat, EnvelopeForm::Wrapped] {
            let strategy = arbitrary::delivery(name.clone(), form);
            runner(CASES_PER_EVENT / 2)
                .run(&strategy, |delivery| {
                    check(&validator, name, &delivery, &form)
                })
                .unwrap_or_else(|error| panic!("{name} in {form:?} form: {error}"));
        }
    }
}

#[test]
fn event_draws_are_flat_with_the_right_name_and_distinct_ids() {
    let mut runner = runner(1);
    for name in [
        EventName::PointsIssued,
        EventName::CouponIssue,
        EventName::RequestWorkflowEvent,
    ] {
        let strategy = arbitrary::event(name.clone());
        let mut ids = std::collections::HashSet::new();
        for _ in 0..20 {
            let delivery = strategy.new_tree(&mut runner).unwrap().current();
            assert_eq!(delivery["eventName"], name.as_str());
            assert!(delivery.get("attributes").is_none());
            assert!(delivery["orgId"].is_i64());
            assert!(delivery["createdAt"].is_i64());
            assert!(delivery["data"].is_object());
            ids.insert(delivery["eventId"].as_str().unwrap().to_owned());
        }
        assert!(ids.len() >= 19, "{name}: event ids repeat");
    }
}

#[test]
fn draws_reach_optional_fields_and_leave_them_out() {
    // `manualPointsAdjustment` requires nothing in `data`: over many draws, its
    // `reason` is sometimes there and sometimes not, and the number-or-string total takes
    // both shapes.
    let mut runner = runner(1);
    let strategy = arbitrary::data(&EventName::ManualPointsAdjustment).unwrap();
    let (mut with_reason, mut without_reason, mut as_string, mut as_number) = (0, 0, 0, 0);
    for _ in 0..200 {
        let data = strategy.new_tree(&mut runner).unwrap().current();
        if data.get("reason").is_some() {
            with_reason += 1;
        } else {
            without_reason += 1;
        }
        match data.get("totalPoinstDeducted") {
            Some(Value::String(text)) => {
                assert!(text.parse::<f64>().is_ok(), "{text} is not a number");
                as_string += 1;
            }
            Some(Value::Number(_)) => as_number += 1,
            Some(other) => panic!("unexpected total {other}"),
            None => {}
        }
    }
    assert!(with_reason > 0 && without_reason > 0);
    assert!(as_string > 0 && as_number > 0);
}

#[test]
fn any_event_covers_many_events_and_always_parses() {
    let registry = registry();
    let validators: Vec<(EventName, Validator)> = EventName::ALL
        .iter()
        .map(|name| (name.clone(), validator(&registry, name)))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut runner = runner(1);
    let strategy = arbitrary::any_event();
    for _ in 0..150 {
        let delivery = strategy.new_tree(&mut runner).unwrap().current();
        let name = EventName::from_wire(delivery["eventName"].as_str().unwrap());
        let (_, validator) = validators.iter().find(|(known, _)| *known == name).unwrap();
        check(validator, &name, &delivery, &EnvelopeForm::Flat).unwrap();
        seen.insert(name);
    }
    assert!(seen.len() > 30, "only {} events drawn", seen.len());
}

#[test]
fn any_delivery_bytes_always_parse() {
    runner(64)
        .run(&arbitrary::any_delivery_bytes(), |bytes| {
            let delivery =
                parse(bytes.as_slice()).map_err(|error| TestCaseError::fail(error.to_string()))?;
            if matches!(delivery.event, Event::Unknown { .. }) {
                return Err(TestCaseError::fail("parsed as unknown"));
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn unknown_events_have_no_strategy() {
    let unknown = EventName::from_wire("somethingNew");
    assert!(arbitrary::try_event(&unknown).is_none());
    assert!(arbitrary::data(&unknown).is_none());
}
