//! The JSON Schema documents the types are generated from, embedded for runtime validation.
//!
//! Each document is draft 2020-12 with an absolute `$id`; their `$ref`s are relative, so a
//! validator needs all of [`documents`] registered under their ids.
//!
//! ```
//! use capillary_ens_schemas::{EventName, json_schema};
//!
//! let schema: serde_json::Value =
//!     serde_json::from_str(EventName::CouponRedeem.json_schema().unwrap()).unwrap();
//! assert_eq!(schema["x-event-name"], "CouponRedeem");
//! assert_eq!(json_schema::documents().count(), 1 + json_schema::SHARED.len() + 66);
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::EventName;

pub use crate::generated::json_files::SHARED;

/// The envelope document: both wire forms of a delivery.
pub const ENVELOPE: &str = crate::generated::json_files::ENVELOPE;

/// The `$id` of the envelope document.
pub const ENVELOPE_ID: &str =
    "https://raw.githubusercontent.com/ens-rs/ens-rs/main/schemas/json/envelope.json";

/// One embedded schema document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Document {
    /// The document's `$id`, under which other documents `$ref` it.
    pub id: &'static str,
    /// The document's JSON text.
    pub text: &'static str,
}

/// Every document: the envelope, the shared sub-objects, and one per known event.
pub fn documents() -> impl Iterator<Item = Document> {
    let envelope = Document {
        id: ENVELOPE_ID,
        text: ENVELOPE,
    };
    let shared = SHARED.iter().map(|&(id, text)| Document { id, text });
    let events = EventName::ALL.iter().filter_map(|name| {
        Some(Document {
            id: name.json_schema_id()?,
            text: name.json_schema()?,
        })
    });
    std::iter::once(envelope).chain(shared).chain(events)
}

/// A schema inside an embedded document, with the `$id` of that document: the base its
/// `$ref`s resolve against.
///
/// ```
/// use capillary_ens_schemas::{EventName, json_schema};
///
/// let event = json_schema::document(EventName::PointsIssued.json_schema_id().unwrap()).unwrap();
/// let identifiers = json_schema::resolve(event.document, "../shared/CustomerIdentifiers.json").unwrap();
/// assert!(identifiers.document.ends_with("/schemas/json/shared/CustomerIdentifiers.json"));
/// assert_eq!(identifiers.schema["type"], "object");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SchemaNode {
    /// The `$id` of the document the schema sits in.
    pub document: &'static str,
    /// The schema itself.
    pub schema: &'static serde_json::Value,
}

impl SchemaNode {
    /// Another schema of the same document, such as one of this node's properties.
    pub fn with_schema(self, schema: &'static serde_json::Value) -> Self {
        Self {
            document: self.document,
            schema,
        }
    }
}

fn parsed_documents() -> &'static HashMap<&'static str, serde_json::Value> {
    static PARSED: OnceLock<HashMap<&'static str, serde_json::Value>> = OnceLock::new();
    PARSED.get_or_init(|| {
        documents()
            .filter_map(|document| {
                // Every document is checked to be JSON by this crate's tests; one that were
                // not would simply be missing here.
                let parsed = serde_json::from_str(document.text).ok()?;
                Some((document.id, parsed))
            })
            .collect()
    })
}

/// The whole embedded document with this `$id`, parsed once per process.
pub fn document(id: &str) -> Option<SchemaNode> {
    let (document, schema) = parsed_documents().get_key_value(id)?;
    Some(SchemaNode { document, schema })
}

/// Resolves a `$ref` such as `../shared/KeyValue.json` or `#/$defs/Coupon` against the `$id`
/// of the document it appears in.
pub fn resolve(base: &str, reference: &str) -> Option<SchemaNode> {
    let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    let target = if file.is_empty() {
        document(base)?
    } else {
        document(&join(base, file)?)?
    };
    if fragment.is_empty() {
        return Some(target);
    }
    Some(SchemaNode {
        document: target.document,
        schema: target.schema.pointer(fragment)?,
    })
}

/// A document as the parser reads it, for validators that must agree with the typed parse: a
/// delivery that [`crate::parse`] types is valid against these documents.
///
/// The published documents describe what ENS sends; the parser is more lenient, and this view
/// widens each schema by exactly that leniency:
/// - a property not in `required` may also be `null` (an absent value);
/// - an `integer` or `number` may also be a string (`"12"`, `"600.000"`; `""` in an optional
///   field);
/// - a required property that has `x-aliases` may arrive under an alias, so it is not required;
/// - the envelope's metadata (`orgId`, `createdAt`, …) may have any type (a mistyped value is
///   kept aside, not fatal), and the wrapped form's `attributes` need not name the event
///   (the wrapper's `eventType` does).
///
/// ```
/// use capillary_ens_schemas::{EventName, json_schema};
///
/// let id = EventName::PointsIssued.json_schema_id().unwrap();
/// let accepting = json_schema::accepting(id).unwrap();
/// let points = &accepting["$defs"]["PointsIssued"]["properties"]["programCurrentPoints"];
/// assert_eq!(points["type"], serde_json::json!(["number", "string", "null"]));
/// ```
pub fn accepting(id: &str) -> Option<serde_json::Value> {
    let mut document = document(id)?.schema.clone();
    widen(&mut document, id == ENVELOPE_ID);
    Some(document)
}

/// Every document in its [`accepting`] view, with its `$id`.
pub fn accepting_documents() -> impl Iterator<Item = (&'static str, serde_json::Value)> {
    documents().filter_map(|document| Some((document.id, accepting(document.id)?)))
}

/// Keys of the envelope the parser reads with a type of its own; every other key is metadata.
const ENVELOPE_CORE: &[&str] = &["eventName", "data", "attributes"];

fn widen(schema: &mut serde_json::Value, envelope: bool) {
    use serde_json::Value;
    let Value::Object(object) = schema else {
        if let Value::Array(items) = schema {
            items.iter_mut().for_each(|item| widen(item, envelope));
        }
        return;
    };
    if let Some(Value::Array(types)) = object.get_mut("type") {
        if types.iter().any(|ty| ty == "integer" || ty == "number")
            && !types.contains(&"string".into())
        {
            types.push("string".into());
        }
    } else if let Some(Value::String(single)) = object.get("type")
        && (single == "integer" || single == "number")
    {
        let single = single.clone();
        object.insert(
            "type".into(),
            Value::from(vec![single, "string".to_owned()]),
        );
    }
    for (key, child) in object.iter_mut() {
        if key != "examples" && key != "properties" {
            widen(child, envelope);
        }
    }
    let is_object = object.get("type").and_then(Value::as_str) == Some("object");
    let mut required: Vec<String> = object
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    let Some(Value::Object(properties)) = object.get_mut("properties") else {
        return;
    };
    for (key, property) in properties.iter_mut() {
        widen(property, envelope);
        if envelope && !ENVELOPE_CORE.contains(&key.as_str()) {
            *property = Value::Bool(true);
            continue;
        }
        if property.get("x-aliases").is_some() {
            required.retain(|name| name != key);
        }
        if is_object && !required.contains(key) {
            allow_null(property);
        }
    }
    if envelope && object.get("title").and_then(Value::as_str) == Some("WrappedAttributes") {
        required.retain(|name| name != "eventName");
    }
    if object.contains_key("required") {
        object.insert("required".into(), Value::from(required));
    }
}

fn allow_null(property: &mut serde_json::Value) {
    use serde_json::Value;
    match property.get_mut("type") {
        Some(Value::Array(types)) => {
            if !types.contains(&"null".into()) {
                types.push("null".into());
            }
        }
        Some(Value::String(single)) => {
            let single = single.clone();
            property["type"] = Value::from(vec![single, "null".to_owned()]);
        }
        _ => {
            if let Value::Object(_) = property {
                let original = property.take();
                *property = serde_json::json!({ "anyOf": [{ "type": "null" }, original] });
            }
        }
    }
}

/// `https://h/a/b/c.json` + `../d/e.json` = `https://h/a/d/e.json`.
fn join(base: &str, relative: &str) -> Option<String> {
    if relative.contains("://") {
        return Some(relative.to_owned());
    }
    let (mut directory, _) = base.rsplit_once('/')?;
    let mut rest = relative;
    loop {
        if let Some(after) = rest.strip_prefix("../") {
            directory = directory.rsplit_once('/')?.0;
            rest = after;
        } else if let Some(after) = rest.strip_prefix("./") {
            rest = after;
        } else {
            break;
        }
    }
    Some(format!("{directory}/{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_references() {
        let base = "https://ens-rs.dev/schemas/events/CouponIssue.json";
        assert_eq!(
            join(base, "../shared/KeyValue.json").unwrap(),
            "https://ens-rs.dev/schemas/shared/KeyValue.json"
        );
        assert_eq!(
            join(base, "./Other.json").unwrap(),
            "https://ens-rs.dev/schemas/events/Other.json"
        );
        assert_eq!(
            join(base, "https://x.dev/a.json").unwrap(),
            "https://x.dev/a.json"
        );
    }

    #[test]
    fn every_reference_in_every_document_resolves() {
        fn walk(base: &'static str, value: &'static serde_json::Value, count: &mut usize) {
            match value {
                serde_json::Value::Object(object) => {
                    if let Some(reference) = object.get("$ref").and_then(|r| r.as_str()) {
                        assert!(resolve(base, reference).is_some(), "{base}: {reference}");
                        *count += 1;
                    }
                    object.values().for_each(|child| walk(base, child, count));
                }
                serde_json::Value::Array(items) => {
                    items.iter().for_each(|child| walk(base, child, count))
                }
                _ => {}
            }
        }
        let mut count = 0;
        for listed in documents() {
            let node = document(listed.id).expect("every document parses");
            walk(node.document, node.schema, &mut count);
        }
        assert!(count > 100, "only {count} references");
    }
}
