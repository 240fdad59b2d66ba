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
