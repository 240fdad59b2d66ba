//! Property tests: nothing a network peer sends makes the parser panic, and failures say where.

mod common;

use capillary_ens_schemas::{EventName, ParseErrorKind, parse};
use proptest::prelude::*;
use serde_json::Value;

use common::{event_document, examples};

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-zA-Z0-9 _.:-]{0,12}".prop_map(Value::from),
        prop::sample::select(
            EventName::ALL
                .iter()
                .map(|n| n.as_str().to_owned())
                .collect::<Vec<_>>()
        )
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    "[a-zA-Z]{1,10}",
                    Just("eventName".to_owned()),
                    Just("data".to_owned()),
                    Just("attributes".to_owned()),
                    Just("customerIdentifiers".to_owned()),
                ],
                inner,
                0..6
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Every example, flattened to (pointer, value) leaves, to mutate one at a time.
fn example_bodies() -> Vec<Value> {
    EventName::ALL
        .iter()
        .flat_map(|name| examples(&event_document(name)))
        .collect()
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse(bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(value in arbitrary_json()) {
        let _ = parse(serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn any_event_name_with_arbitrary_data_never_panics(
        name in prop::sample::select(EventName::ALL.to_vec()),
        data in arbitrary_json(),
        wrapped in any::<bool>(),
    ) {
        let body = if wrapped {
            serde_json::json!({"eventType": format!("1_{name}"), "attributes": {"eventName": name.as_str(), "data": data}})
        } else {
            serde_json::json!({"eventName": name.as_str(), "data": data})
        };
        match parse(serde_json::to_vec(&body).unwrap()) {
            Ok(delivery) => prop_assert_eq!(delivery.event.name(), name),
            Err(error) => {
                prop_assert_eq!(error.kind(), ParseErrorKind::Data);
                let path = error.path().unwrap();
                prop_assert!(path.starts_with(if wrapped { "attributes.data" } else { "data" }), "{}", path);
            }
        }
    }

    #[test]
    fn a_mutated_example_parses_or_names_a_path_inside_it(
        example_index in any::<prop::sample::Index>(),
        leaf_index in any::<prop::sample::Index>(),
        replacement in arbitrary_json(),
    ) {
        let bodies = example_bodies();
        let mut body = example_index.get(&bodies).clone();
        let mut leaves = Vec::new();
        leaf_pointers(&body, String::new(), &mut leaves);
        let pointer = leaf_index.get(&leaves).clone();
        *body.pointer_mut(&pointer).unwrap() = replacement;
        if let Err(error) = parse(serde_json::to_vec(&body).unwrap()) {
            prop_assert!(error.kind() != ParseErrorKind::Syntax);
            prop_assert!(!error.to_string().is_empty());
            let replaced_in_data = pointer.starts_with("/data/") || pointer.starts_with("/attributes/data/");
            if error.kind() == ParseErrorKind::Data && replaced_in_data {
                // The failing path lies on the way to the replaced value.
                let path = error.path().unwrap().replace('[', ".").replace(']', "");
                let replaced = pointer.trim_start_matches('/').replace('/', ".");
                prop_assert!(replaced.starts_with(&path), "{} is not on the way to {}", path, replaced);
            }
        }
    }
}
