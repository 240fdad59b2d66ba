//! The schema `schemars` derives for each generated type agrees with the source schema on
//! property names and required properties.

mod common;

use std::collections::BTreeSet;

use capillary_ens_schemas::EventName;
use serde_json::Value;

use common::{documents, event_document};

fn property_names(schema: &Value) -> BTreeSet<String> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
}

/// Required properties that are not nullable: those are the non-`Option` fields.
fn required(schema: &Value) -> BTreeSet<String> {
    let nullable = |name: &str| {
        schema
            .pointer(&format!("/properties/{name}/type"))
            .and_then(Value::as_array)
            .is_some_and(|types| types.iter().any(|ty| ty == "null"))
    };
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|name| !nullable(name))
        .map(str::to_owned)
        .collect()
}

/// Every named object schema of the sources: shared roots and all `$defs`, by type name.
fn source_types() -> Vec<(String, Value)> {
    let mut types = Vec::new();
    for (id, document) in documents() {
        if id.contains("/shared/") {
            let title = document["title"].as_str().unwrap().to_owned();
            types.push((title, document.clone()));
        }
        if !id.ends_with("envelope.json")
            && let Some(defs) = document.get("$defs").and_then(Value::as_object)
        {
            types.extend(
                defs.iter()
                    .map(|(name, schema)| (name.clone(), schema.clone())),
            );
        }
    }
    types
}

fn assert_agrees(context: &str, generated: &Value, source: &Value) {
    assert_eq!(
        property_names(generated),
        property_names(source),
        "{context}: property names differ"
    );
    assert_eq!(
        required(generated),
        required(source),
        "{context}: required properties differ"
    );
}

#[test]
fn every_payload_type_agrees_with_its_source_schema() {
    let sources = source_types();
    let mut compared_nested = 0;
    for name in EventName::ALL {
        let payload_name = {
            let mut chars = name.as_str().chars();
            let first = chars.next().unwrap().to_ascii_uppercase();
            format!("{first}{}", chars.as_str())
        };
        let document = event_document(name);
        let source = &document["$defs"][&payload_name];
        assert!(source.is_object(), "{name}: no $defs/{payload_name}");
        let generated = name.payload_schema().unwrap().to_value();
        assert_agrees(&format!("{name} payload"), &generated, source);

        // The nested types schemars reached from this payload, by name.
        let defs = generated
            .get("$defs")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (type_name, generated_def) in defs {
            let local = document["$defs"].get(&type_name);
            let shared = sources
                .iter()
                .find(|(name, _)| *name == type_name)
                .map(|(_, schema)| schema);
            if let Some(source) = local.or(shared)
                && source.get("properties").is_some()
            {
                assert_agrees(&format!("{name}: {type_name}"), &generated_def, source);
                compared_nested += 1;
            }
        }
    }
    assert!(
        compared_nested > 100,
        "only {compared_nested} nested types were compared"
    );
}

#[test]
fn personal_data_is_marked_in_the_generated_schemas() {
    let generated = EventName::CustomerAdded
        .payload_schema()
        .unwrap()
        .to_value();
    let instore = &generated["$defs"]["InstoreIdentifiers"]["properties"];
    assert_eq!(instore["mobile"]["x-pii"], Value::Bool(true), "{instore:#}");
    assert_eq!(instore["email"]["x-pii"], Value::Bool(true));
    assert!(instore["id"].get("x-pii").is_none());
}
