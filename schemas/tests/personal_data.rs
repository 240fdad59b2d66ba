//! Personal data never shows in `Debug` output, yet serializes unchanged.

mod common;

use std::collections::BTreeSet;

use capillary_ens_schemas::{EventName, parse};
use serde_json::Value;

use common::{documents, event_document, examples};

/// Property names marked `x-pii` everywhere they occur (names that are personal in one
/// object and not in another, like `value`, are left out).
fn personal_keys() -> BTreeSet<String> {
    fn walk(value: &Value, pii: &mut BTreeSet<String>, plain: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(properties)) = map.get("properties") {
                    for (name, schema) in properties {
                        if schema.get("x-pii") == Some(&Value::Bool(true)) {
                            pii.insert(name.clone());
                        } else {
                            plain.insert(name.clone());
                        }
                    }
                }
                map.values().for_each(|child| walk(child, pii, plain));
            }
            Value::Array(items) => items.iter().for_each(|child| walk(child, pii, plain)),
            _ => {}
        }
    }
    let (mut pii, mut plain) = (BTreeSet::new(), BTreeSet::new());
    for (_, document) in documents() {
        walk(&document, &mut pii, &mut plain);
    }
    pii.difference(&plain).cloned().collect()
}

fn personal_values(value: &Value, keys: &BTreeSet<String>, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if keys.contains(key) {
                    match child {
                        Value::String(text) => out.push(text.clone()),
                        Value::Array(items) => {
                            out.extend(items.iter().filter_map(Value::as_str).map(str::to_owned));
                        }
                        _ => {}
                    }
                }
                personal_values(child, keys, out);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|child| personal_values(child, keys, out)),
        _ => {}
    }
}

#[test]
fn debug_output_of_every_example_hides_personal_data() {
    let keys = personal_keys();
    for expected in [
        "firstName",
        "lastName",
        "mobile",
        "email",
        "cardNumbers",
        "identifierValue",
    ] {
        assert!(
            keys.contains(expected),
            "`{expected}` is not marked x-pii everywhere"
        );
    }
    let mut checked = 0;
    for name in EventName::ALL {
        for example in examples(&event_document(name)) {
            let mut values = Vec::new();
            personal_values(&example, &keys, &mut values);
            let delivery = parse(serde_json::to_vec(&example).unwrap()).unwrap();
            let printed = format!("{delivery:?} {delivery:#?}");
            let serialized = delivery.to_json().unwrap().to_string();
            for value in values.iter().filter(|value| value.len() >= 4) {
                assert!(
                    !printed.contains(value.as_str()),
                    "{name}: `Debug` shows personal value {value:?}"
                );
                assert!(
                    serialized.contains(value.as_str()),
                    "{name}: serializing lost {value:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} personal values were found in the examples"
    );
}

#[test]
fn unknown_events_and_unknown_keys_are_redacted_too() {
    let body =
        br#"{"eventName":"customerSubscription","orgId":1,"secretRootKey":"asha@example.com",
        "data":{"mobile":"919845012345"}}"#;
    let delivery = parse(body.to_vec()).unwrap();
    let printed = format!("{delivery:?}");
    assert!(!printed.contains("919845012345"), "{printed}");
    assert!(!printed.contains("asha@example.com"), "{printed}");
    assert!(printed.contains("customerSubscription"));
}
