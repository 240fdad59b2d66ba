//! `parse` and `parse_tolerant` read `data` straight into its type when `eventName` comes first
//! (the order ENS writes), and fall back to two passes otherwise or on any error. Whatever the
//! path, the result must be exactly that of the two passes: `Envelope::parse`, then
//! `Event::from_data`.

mod common;

use capillary_ens_schemas::{
    Delivery, Envelope, Event, EventName, ParseError, ParseErrorKind, WireForm, parse,
    parse_tolerant,
};
use proptest::prelude::*;
use serde_json::Value;

use common::{event_document, examples};

/// A JSON object written with its keys in the given order (`Value` would sort them).
fn object(fields: &[(&str, String)]) -> String {
    let fields: Vec<String> = fields
        .iter()
        .map(|(key, json)| format!("{}:{json}", Value::from(*key)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// A delivery written with `eventName` first and `data` last (or `data` first when
/// `data_first`), on both levels of the wrapped form.
fn ordered(delivery: &Value, data_first: bool) -> String {
    let Some(map) = delivery.as_object() else {
        return delivery.to_string();
    };
    let rank = |key: &str| match key {
        "data" if data_first => 0,
        "eventName" => 1,
        "data" => 3,
        _ => 2,
    };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|key| rank(key));
    let fields: Vec<(&str, String)> = keys
        .into_iter()
        .map(|key| {
            let value = &map[key];
            let json = match key.as_str() {
                "attributes" => ordered(value, data_first),
                _ => value.to_string(),
            };
            (key.as_str(), json)
        })
        .collect();
    object(&fields)
}

/// What a failed parse says, for comparing two errors.
fn described(error: &ParseError) -> (ParseErrorKind, Option<String>, Option<EventName>, String) {
    (
        error.kind(),
        error.path().map(str::to_owned),
        error.event_name().cloned(),
        error.to_string(),
    )
}

type Described = (ParseErrorKind, Option<String>, Option<EventName>, String);

/// `parse` by the two passes, spelled out with the public API.
fn two_pass(body: &[u8]) -> Result<(Envelope, Event), Described> {
    let (envelope, data) = Envelope::parse(body).map_err(|error| described(&error))?;
    match Event::from_data(&envelope.event_name, data) {
        Ok(event) => Ok((envelope, event)),
        Err(error) => {
            let (kind, path, name, message) = described(&error);
            Err(match envelope.wire_form {
                WireForm::Wrapped(_) => {
                    let path = path.expect("data errors have a path");
                    let prefixed = format!("attributes.{path}");
                    let message = message.replace(&format!("`{path}`"), &format!("`{prefixed}`"));
                    (kind, Some(prefixed), name, message)
                }
                _ => (kind, path, name, message),
            })
        }
    }
}

/// `parse`'s answer in the same shape.
fn single(body: &[u8]) -> Result<(Envelope, Event), Described> {
    parse(body)
        .map(|delivery| {
            let (envelope, event, _) = delivery.into_parts();
            (envelope, event)
        })
        .map_err(|error| described(&error))
}

/// `parse_tolerant` agrees with `parse`: the same event, or `Unknown` beside the same error.
fn assert_tolerant_agrees(body: &[u8]) {
    let strict = single(body);
    let tolerant = parse_tolerant(body);
    match (strict, tolerant) {
        (Ok((envelope, event)), Ok((delivery, None))) => {
            assert_eq!(delivery.envelope, envelope);
            assert_eq!(delivery.event, event);
        }
        (Err(error), Ok((delivery, Some(tolerated)))) => {
            assert_eq!(error.0, ParseErrorKind::Data);
            assert_eq!(described(&tolerated), error);
            let Event::Unknown { name, data } = &delivery.event else {
                panic!(
                    "a mistyped event is kept as unknown, got {:?}",
                    delivery.event
                )
            };
            assert_eq!(name, delivery.envelope.event_name.as_str());
            let (_, raw_data) = Envelope::parse(body).unwrap();
            assert_eq!(
                data,
                &serde_json::from_str::<Value>(raw_data.get()).unwrap()
            );
        }
        (Err(error), Err(refused)) => assert_eq!(described(&refused), error),
        (strict, tolerant) => panic!("parse gave {strict:?}, parse_tolerant gave {tolerant:?}"),
    }
}

fn assert_same_as_two_passes(body: &str) {
    assert_eq!(single(body.as_bytes()), two_pass(body.as_bytes()), "{body}");
    assert_tolerant_agrees(body.as_bytes());
}

fn all_examples() -> Vec<Value> {
    EventName::ALL
        .iter()
        .flat_map(|name| examples(&event_document(name)))
        .collect()
}

#[test]
fn every_example_parses_the_same_in_either_key_order() {
    for example in all_examples() {
        let name_first = ordered(&example, false);
        let data_first = ordered(&example, true);
        assert_same_as_two_passes(&name_first);
        assert_same_as_two_passes(&data_first);
        let first = parse(name_first.as_bytes()).unwrap();
        let second = parse(data_first.as_bytes()).unwrap();
        assert_eq!(first.envelope, second.envelope);
        assert_eq!(first.event, second.event);
        assert!(!matches!(first.event, Event::Unknown { .. }));
    }
}

#[test]
fn the_wrapped_form_is_typed_in_one_pass_too() {
    let data = r#"{"customerIdentifiers":{"customerId":5},"loyaltyProgramId":2649,
        "pointsScheduledForExpiry":250,"scheduledExpiryDate":"2025-01-31"}"#;
    for attributes in [
        object(&[
            ("eventName", r#""pointsExpiryReminder""#.to_owned()),
            ("orgId", "150698".to_owned()),
            ("data", data.to_owned()),
        ]),
        object(&[
            ("data", data.to_owned()),
            ("eventName", r#""pointsExpiryReminder""#.to_owned()),
        ]),
        // No inner name: the wrapper's `eventType` names the event.
        object(&[("data", data.to_owned())]),
    ] {
        let body = object(&[
            ("eventId", r#""e-1""#.to_owned()),
            ("eventType", r#""150698_pointsExpiryReminder""#.to_owned()),
            ("attributes", attributes),
        ]);
        assert_same_as_two_passes(&body);
        let delivery = parse(body.as_bytes()).unwrap();
        assert!(matches!(delivery.envelope.wire_form, WireForm::Wrapped(_)));
        let Event::PointsExpiryReminder(reminder) = &delivery.event else {
            panic!("not typed: {:?}", delivery.event)
        };
        assert_eq!(
            reminder.points_scheduled_for_expiry,
            Some(capillary_ens_schemas::Decimal::from(250))
        );
    }
}

#[test]
fn mistyped_data_names_the_same_path_in_either_order_and_form() {
    let bad =
        r#"{"loyaltyProgramId":"two","pointsScheduledForExpiry":1,"scheduledExpiryDate":"x"}"#;
    let name = r#""pointsExpiryReminder""#.to_owned();
    let cases = [
        (
            object(&[("eventName", name.clone()), ("data", bad.to_owned())]),
            "data.loyaltyProgramId",
        ),
        (
            object(&[("data", bad.to_owned()), ("eventName", name.clone())]),
            "data.loyaltyProgramId",
        ),
        (
            object(&[(
                "attributes",
                object(&[("eventName", name.clone()), ("data", bad.to_owned())]),
            )]),
            "attributes.data.loyaltyProgramId",
        ),
    ];
    for (body, path) in cases {
        assert_same_as_two_passes(&body);
        let error = parse(body.as_bytes()).unwrap_err();
        assert_eq!(error.kind(), ParseErrorKind::Data);
        assert_eq!(error.path(), Some(path), "{body}");
        let (delivery, error) = parse_tolerant(body.as_bytes()).unwrap();
        assert_eq!(error.unwrap().path(), Some(path));
        assert!(matches!(delivery.event, Event::Unknown { .. }));
    }
}

#[test]
fn unusual_bodies_give_the_two_pass_answer() {
    // A valid `pointsExpiryReminder` payload, which is not a valid `tierUpgraded` one.
    let data = r#"{"customerIdentifiers":{"customerId":5},"loyaltyProgramId":2649,
        "pointsScheduledForExpiry":250,"scheduledExpiryDate":"2025-01-31"}"#;
    for body in [
        // The last `eventName` wins, although the data was read under the first.
        format!(
            r#"{{"eventName":"pointsExpiryReminder","data":{data},"eventName":"tierUpgraded"}}"#
        ),
        format!(
            r#"{{"eventName":"tierUpgraded","data":{data},"eventName":"pointsExpiryReminder"}}"#
        ),
        // The last `data` wins.
        format!(r#"{{"eventName":"pointsExpiryReminder","data":[1],"data":{data}}}"#),
        format!(r#"{{"eventName":"pointsExpiryReminder","data":{data},"data":[1]}}"#),
        // An unknown event keeps its data untouched.
        format!(r#"{{"eventName":"somethingNew","data":{data}}}"#),
        r#"{"eventName":"somethingNew","data":[1,{"a":null}]}"#.to_owned(),
        // A numeric event name is read as its text.
        format!(r#"{{"eventName":12,"data":{data}}}"#),
        // Escaped keys are read as what they spell.
        format!(r#"{{"event\u004eame":"pointsExpiryReminder","d\u0061ta":{data}}}"#),
        // Not an event, not JSON, trailing garbage.
        r#"{"eventName":"pointsExpiryReminder"}"#.to_owned(),
        format!(r#"{{"data":{data}}}"#),
        format!(r#"{{"eventName":"pointsExpiryReminder","data":{data}}} x"#),
        format!(r#"{{"eventName":"pointsExpiryReminder","data":{data}"#),
        "[]".to_owned(),
        String::new(),
    ] {
        assert_same_as_two_passes(&body);
    }
    let typed = parse(format!(
        r#"{{"eventName":"pointsExpiryReminder","data":{data}}}"#
    ));
    assert!(matches!(
        typed.unwrap().event,
        Event::PointsExpiryReminder(_)
    ));
    let renamed = format!(
        r#"{{"eventName":"pointsExpiryReminder","data":{data},"eventName":"rewardIssued"}}"#
    );
    // `rewardIssued` requires its `rewardId`, which this data lacks.
    let error = parse(renamed).unwrap_err();
    assert_eq!(error.event_name(), Some(&EventName::RewardIssued));
    assert_eq!(error.path(), Some("data"));
}

#[test]
fn invalid_utf8_is_the_same_syntax_error() {
    let mut body =
        br#"{"eventName":"pointsExpiryReminder","data":{"scheduledExpiryDate":""#.to_vec();
    body.extend_from_slice(&[0xff, 0xfe]);
    body.extend_from_slice(br#""}}"#);
    let error = parse(body.as_slice()).unwrap_err();
    assert_eq!(error.kind(), ParseErrorKind::Syntax);
    assert_eq!(Err(described(&error)), two_pass(&body));
    assert_tolerant_agrees(&body);
}

#[test]
fn the_delivery_keeps_the_bytes_it_was_given() {
    let example = &examples(&event_document(&EventName::PointsIssued))[0];
    let body = ordered(example, false).into_bytes();
    let delivery: Delivery<Vec<u8>> = parse(body.clone()).unwrap();
    assert_eq!(delivery.raw(), body.as_slice());
}

fn leaf_pointers(value: &Value, pointer: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                leaf_pointers(child, format!("{pointer}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                leaf_pointers(child, format!("{pointer}/{index}"), out);
            }
        }
        _ => out.push(pointer),
    }
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6..1e6f64).prop_map(Value::from),
        "[a-zA-Z0-9 _.:-]{0,12}".prop_map(Value::from),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
        Just(serde_json::json!([1, "a"])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// One leaf of an example (in `data` or the envelope) replaced: whichever key order, the
    /// answer is the two passes' answer, value for value and error for error.
    #[test]
    fn a_mutated_example_gives_the_two_pass_answer(
        example_index in any::<prop::sample::Index>(),
        leaf_index in any::<prop::sample::Index>(),
        replacement in leaf(),
        data_first in any::<bool>(),
    ) {
        let examples = all_examples();
        let mut example = example_index.get(&examples).clone();
        let mut leaves = Vec::new();
        leaf_pointers(&example, String::new(), &mut leaves);
        let pointer = leaf_index.get(&leaves).clone();
        *example.pointer_mut(&pointer).unwrap() = replacement;
        let body = ordered(&example, data_first);
        prop_assert_eq!(single(body.as_bytes()), two_pass(body.as_bytes()));
        assert_tolerant_agrees(body.as_bytes());
    }
}
