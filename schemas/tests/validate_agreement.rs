//! `ens validate`'s schema check and the receiver agree: a delivery that [`parse`] types is
//! never invalid against [`json_schema::accepting`] documents, and every schema error names a
//! non-empty JSON path. Property-tested over the examples of every event with the loose
//! values ENS sends mixed in (numbers as strings, `null` and `""` for absent values, removed
//! keys, unknown keys).

mod common;

use std::collections::HashMap;
use std::sync::OnceLock;

use capillary_ens_schemas::{EventName, json_schema, parse};
use jsonschema::{Registry, Validator};
use proptest::prelude::*;
use serde_json::Value;

use common::{event_document, examples};

fn validators() -> &'static HashMap<EventName, Validator> {
    static VALIDATORS: OnceLock<HashMap<EventName, Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let registry = Registry::new()
            .extend(json_schema::accepting_documents())
            .and_then(|registry| registry.prepare())
            .unwrap();
        EventName::ALL
            .iter()
            .map(|name| {
                let id = name.json_schema_id().unwrap();
                let document = json_schema::accepting(id).unwrap();
                let validator = jsonschema::options()
                    .with_registry(&registry)
                    .build(&document)
                    .unwrap_or_else(|error| panic!("{name} does not compile: {error}"));
                (name.clone(), validator)
            })
            .collect()
    })
}

/// All example deliveries, with their event name.
fn all_examples() -> &'static Vec<(EventName, Value)> {
    static EXAMPLES: OnceLock<Vec<(EventName, Value)>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        EventName::ALL
            .iter()
            .flat_map(|name| {
                examples(&event_document(name))
                    .into_iter()
                    .map(move |example| (name.clone(), example))
            })
            .collect()
    })
}

/// One loose value ENS could send in place of a leaf.
#[derive(Clone, Copy, Debug)]
enum Loosen {
    NumberAsString,
    IntegralAsFloat,
    Null,
    Blank,
    Remove,
    AddUnknownKey,
    ReplaceWithText,
}

fn leaves(value: &Value, pointer: String, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                leaves(child, format!("{pointer}/{escaped}"), out);
            }
            out.push(pointer);
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                leaves(child, format!("{pointer}/{index}"), out);
            }
            out.push(pointer);
        }
        _ => out.push(pointer),
    }
}

fn loosen(delivery: &mut Value, pointer: &str, how: Loosen) {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    let key = key.replace("~1", "/").replace("~0", "~");
    let Some(target) = delivery.pointer_mut(pointer) else {
        return;
    };
    match how {
        Loosen::NumberAsString => {
            if target.is_number() {
                *target = Value::String(target.to_string());
            }
        }
        Loosen::IntegralAsFloat => {
            if let Some(integer) = target.as_i64() {
                *target = serde_json::json!(integer as f64);
            }
        }
        Loosen::Null => *target = Value::Null,
        Loosen::Blank => *target = Value::String(String::new()),
        Loosen::ReplaceWithText => *target = Value::String("not what you expect".into()),
        Loosen::AddUnknownKey => {
            if let Some(object) = target.as_object_mut() {
                object.insert("keyFromTheFuture".into(), serde_json::json!({"x": 1}));
            }
        }
        Loosen::Remove => {
            if let Some(Value::Object(object)) = delivery.pointer_mut(parent) {
                object.remove(&key);
            }
        }
    }
}

fn schema_errors(name: &EventName, delivery: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for error in validators()[name].iter_errors(delivery) {
        leaf_errors(&error, &mut out);
    }
    out
}

/// The errors that say where: an `anyOf` (the two envelope forms, an optional value) is
/// reported by its closest branch, and a missing property by its own path.
fn leaf_errors(error: &jsonschema::ValidationError<'_>, out: &mut Vec<(String, String)>) {
    use jsonschema::error::ValidationErrorKind;
    match error.kind() {
        ValidationErrorKind::AnyOf { context } if !context.is_empty() => {
            let closest = context.iter().min_by_key(|branch| branch.len()).unwrap();
            if closest.is_empty() {
                out.push((
                    error.instance_path().to_string(),
                    error.masked().to_string(),
                ));
            }
            for inner in closest {
                leaf_errors(inner, out);
            }
        }
        ValidationErrorKind::Required { property } => out.push((
            format!(
                "{}/{}",
                error.instance_path(),
                property.as_str().unwrap_or_default()
            ),
            error.masked().to_string(),
        )),
        _ => out.push((
            error.instance_path().to_string(),
            error.masked().to_string(),
        )),
    }
}

#[test]
fn every_example_is_valid_against_the_accepting_view() {
    for (name, example) in all_examples() {
        let errors = schema_errors(name, example);
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
}

#[test]
fn a_mistyped_value_is_still_a_schema_error_with_its_path() {
    let (name, mut delivery) = all_examples()
        .iter()
        .find(|(name, _)| *name == EventName::PointsIssued)
        .cloned()
        .unwrap();
    delivery["data"]["loyaltyProgramId"] = Value::Bool(true);
    delivery["data"]["customerIdentifiers"] = Value::Null;
    let errors = schema_errors(&name, &delivery);
    assert!(parse(delivery.to_string()).is_err());
    assert!(!errors.is_empty());
    assert!(
        errors.iter().all(|(path, _)| !path.is_empty()),
        "{errors:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_delivery_the_parser_types_is_never_schema_invalid(
        pick in any::<prop::sample::Index>(),
        changes in prop::collection::vec((any::<prop::sample::Index>(), 0..7_u8), 1..4),
    ) {
        let examples = all_examples();
        let (name, example) = &examples[pick.index(examples.len())];
        let mut delivery = example.clone();
        for (at, how) in changes {
            let mut pointers = Vec::new();
            leaves(&delivery, String::new(), &mut pointers);
            let pointers: Vec<_> = pointers.into_iter().filter(|p| p.starts_with("/data/") || p.starts_with("/attributes/data/")).collect();
            if pointers.is_empty() {
                break;
            }
            let how = [
                Loosen::NumberAsString,
                Loosen::IntegralAsFloat,
                Loosen::Null,
                Loosen::Blank,
                Loosen::Remove,
                Loosen::AddUnknownKey,
                Loosen::ReplaceWithText,
            ][usize::from(how)];
            loosen(&mut delivery, &pointers[at.index(pointers.len())], how);
        }
        let errors = schema_errors(name, &delivery);
        for (path, message) in &errors {
            prop_assert!(!path.is_empty(), "{}: error without a path: {}", name, message);
        }
        if parse(delivery.to_string()).is_ok() {
            prop_assert!(errors.is_empty(), "{} typed but schema-invalid: {:?}\n{}", name, errors, delivery);
        }
    }
}
