//! Shared by the integration tests: the schema documents and their examples.

#![allow(dead_code, unreachable_pub)]

use capillary_ens_schemas::{EventName, json_schema};
use serde_json::Value;

/// Every embedded document, parsed, with its `$id`.
pub fn documents() -> Vec<(&'static str, Value)> {
    json_schema::documents()
        .map(|document| {
            let json = serde_json::from_str(document.text)
                .unwrap_or_else(|error| panic!("{} is not JSON: {error}", document.id));
            (document.id, json)
        })
        .collect()
}

/// The parsed schema document of a known event.
pub fn event_document(name: &EventName) -> Value {
    let text = name
        .json_schema()
        .unwrap_or_else(|| panic!("{name} has no schema document"));
    serde_json::from_str(text).unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// The `examples` of a document.
pub fn examples(document: &Value) -> Vec<Value> {
    document
        .get("examples")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}
