//! The schema documents are valid draft 2020-12, their examples validate, and every example
//! parses into its own typed variant and round-trips without loss.

mod common;

use std::collections::BTreeSet;

use capillary_ens_schemas::{Delivery, Event, EventGroup, EventName, json_schema, parse};
use jsonschema::Registry;
use serde_json::Value;

use common::{documents, event_document, examples};

#[test]
fn the_catalogue_has_all_66_events_in_their_groups() {
    assert_eq!(EventName::ALL.len(), 66);
    let grouped: usize = EventGroup::ALL
        .iter()
        .map(|group| group.events().len())
        .sum();
    assert_eq!(grouped, 66, "every event is in exactly one group");
    let distinct: BTreeSet<&str> = EventName::ALL.iter().map(EventName::as_str).collect();
    assert_eq!(distinct.len(), 66);
    for name in [
        "CouponIssue",
        "CouponRedeem",
        "IssueBulkCoupon",
        "pointsIssued",
        "requestWorkflowEvent",
    ] {
        assert!(distinct.contains(name), "{name} is missing");
    }
    for name in EventName::ALL {
        let group = name.group().expect("known events have a group");
        assert!(
            group.events().contains(name),
            "{name} is not listed in {group}"
        );
        assert_eq!(EventName::from_wire(name.as_str()), *name);
        assert_eq!(name.as_str().parse::<EventName>().unwrap(), *name);
        assert!(name.summary().is_some_and(|summary| !summary.is_empty()));
    }
}

#[test]
fn every_document_is_valid_draft_2020_12() {
    for (id, document) in documents() {
        assert_eq!(
            document["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{id} must declare draft 2020-12"
        );
        if let Err(error) = jsonschema::meta::validate(&document) {
            panic!("{id} is not a valid schema: {error}");
        }
    }
}

#[test]
fn no_document_closes_itself_to_unknown_keys() {
    fn walk(id: &str, pointer: &str, value: &Value) {
        match value {
            Value::Object(map) => {
                for key in ["additionalProperties", "unevaluatedProperties"] {
                    assert_ne!(
                        map.get(key),
                        Some(&Value::Bool(false)),
                        "{id}#{pointer} sets {key}: false"
                    );
                }
                for (key, child) in map {
                    walk(id, &format!("{pointer}/{key}"), child);
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    walk(id, &format!("{pointer}/{index}"), child);
                }
            }
            _ => {}
        }
    }
    for (id, document) in documents() {
        walk(id, "", &document);
    }
}

#[test]
fn every_example_validates_against_its_schema() {
    let documents = documents();
    let registry = Registry::new()
        .extend(
            documents
                .iter()
                .map(|(id, document)| (*id, document.clone())),
        )
        .expect("documents have valid ids")
        .prepare()
        .expect("the registry resolves");
    let mut checked = 0;
    for (id, document) in &documents {
        let validator = jsonschema::options()
            .with_registry(&registry)
            .build(document)
            .unwrap_or_else(|error| panic!("{id} does not compile: {error}"));
        let examples = examples(document);
        assert!(!examples.is_empty(), "{id} has no example");
        for (index, example) in examples.iter().enumerate() {
            let errors: Vec<String> = validator
                .iter_errors(example)
                .map(|error| format!("{} at {}", error, error.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{id} example {index} is invalid: {errors:#?}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 1 + json_schema::SHARED.len() + 66);
}

#[test]
fn a_schema_rejects_a_wrongly_typed_field() {
    // Guards the test above: validation really applies the event's types.
    let documents = documents();
    let registry = Registry::new()
        .extend(
            documents
                .iter()
                .map(|(id, document)| (*id, document.clone())),
        )
        .unwrap()
        .prepare()
        .unwrap();
    let document = event_document(&EventName::PointsIssued);
    let validator = jsonschema::options()
        .with_registry(&registry)
        .build(&document)
        .unwrap();
    let mut example = examples(&document).remove(0);
    assert!(validator.is_valid(&example));
    example["data"]["loyaltyProgramId"] = Value::from("not a number");
    assert!(!validator.is_valid(&example));
}

fn parse_example(name: &EventName, index: usize, example: &Value) -> Delivery {
    let body = serde_json::to_vec(example).unwrap();
    parse(body).unwrap_or_else(|error| panic!("{name} example {index} does not parse: {error}"))
}

#[test]
fn every_example_parses_into_its_own_variant() {
    for name in EventName::ALL {
        let examples = examples(&event_document(name));
        assert!(!examples.is_empty(), "{name} has no example");
        for (index, example) in examples.iter().enumerate() {
            let delivery = parse_example(name, index, example);
            assert!(
                !matches!(delivery.event, Event::Unknown { .. }),
                "{name} example {index} parsed as Unknown"
            );
            let expected = match (name, delivery.envelope.event_name.as_str()) {
                // Bulk coupon issues are documented with eventName `CouponIssue`.
                (EventName::IssueBulkCoupon, "CouponIssue") => EventName::CouponIssue,
                _ => name.clone(),
            };
            assert_eq!(delivery.event.name(), expected, "{name} example {index}");
        }
    }
}

#[test]
fn typed_json_typed_round_trip_is_lossless() {
    for name in EventName::ALL {
        for (index, example) in examples(&event_document(name)).iter().enumerate() {
            let delivery = parse_example(name, index, example);
            let json = delivery.to_json().unwrap();
            let again = parse(serde_json::to_vec(&json).unwrap()).unwrap_or_else(|error| {
                panic!("{name} example {index} re-encoded does not parse: {error}")
            });
            assert_eq!(
                again.event, delivery.event,
                "{name} example {index}: event changed"
            );
            assert_eq!(
                again.envelope, delivery.envelope,
                "{name} example {index}: envelope changed"
            );
        }
    }
}

#[test]
fn typed_parse_keeps_every_key_of_the_examples() {
    // Every key an example carries is a schema property, so the typed value holds it all:
    // re-encoding drops nothing but `null`s.
    fn strip_nulls(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(_, value)| !value.is_null())
                    .map(|(key, value)| (key.clone(), strip_nulls(value)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(strip_nulls).collect()),
            other => other.clone(),
        }
    }
    // Numbers compare as f64 (`1.0` is sent for integers, decimal strings become numbers), and
    // strings ignoring case (open enums match case-insensitively).
    fn numbers_as_f64(value: &Value) -> Value {
        match value {
            Value::Number(number) => Value::from(number.as_f64().unwrap()),
            Value::String(text) => match text.trim().parse::<f64>() {
                Ok(number) if number.is_finite() => Value::from(number),
                _ => Value::from(text.to_lowercase()),
            },
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(key, value)| (key.clone(), numbers_as_f64(value)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(numbers_as_f64).collect()),
            other => other.clone(),
        }
    }
    for name in EventName::ALL {
        for (index, example) in examples(&event_document(name)).iter().enumerate() {
            let delivery = parse_example(name, index, example);
            let data = delivery.event.to_data().unwrap();
            let sent = example
                .get("data")
                .or_else(|| example.pointer("/attributes/data"))
                .unwrap();
            assert_eq!(
                numbers_as_f64(&strip_nulls(&data)),
                numbers_as_f64(&strip_nulls(sent)),
                "{name} example {index}: the typed payload lost or changed a key"
            );
        }
    }
}
