//! Walks a delivery alongside its JSON Schema to find keys the schemas do not know (drift) and
//! values the schemas mark as personal data (`x-pii`).
//!
//! Validation proper is the `jsonschema` crate's job; this walk answers the two questions a
//! validator does not: "what is new in this payload?" and "what must be redacted before printing?".

use std::fmt;

use capillary_ens_schemas::EventName;
use capillary_ens_schemas::json_schema::{self, SchemaNode as Node};
use serde_json::Value;

/// One step of a path into a JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// A path into a JSON value, printed as `data.coupons[0].code`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct JsonPath(Vec<Segment>);

impl JsonPath {
    fn child(&self, segment: Segment) -> Self {
        let mut segments = self.0.clone();
        segments.push(segment);
        Self(segments)
    }

    fn starts_with_key(&self, key: &str) -> bool {
        matches!(self.0.first(), Some(Segment::Key(first)) if first == key)
    }

    fn is_under_data(&self) -> bool {
        self.starts_with_key("data")
            || (self.starts_with_key("attributes")
                && matches!(self.0.get(1), Some(Segment::Key(second)) if second == "data"))
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if position == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// What the walk found in one delivery.
#[derive(Debug, Default)]
pub(crate) struct WalkReport {
    /// Keys that no applicable schema lists.
    pub(crate) unknown_keys: Vec<JsonPath>,
    /// Values marked `x-pii`.
    pub(crate) personal_data: Vec<JsonPath>,
}

/// The schemas embedded in `capillary-ens-schemas`, walked beside a delivery.
pub(crate) struct SchemaSet;

const REFERENCE_DEPTH_LIMIT: usize = 32;

impl SchemaSet {
    /// The documents embedded in `capillary-ens-schemas` (parsed there, once per process).
    pub(crate) fn embedded() -> Self {
        Self
    }

    /// Walks a delivery of `name` (or of an event the schemas do not know, against the
    /// envelope alone, in which case nothing under `data` counts as unknown).
    pub(crate) fn walk_delivery(&self, name: &EventName, delivery: &Value) -> WalkReport {
        let event_document = name.json_schema_id().and_then(json_schema::document);
        let mut report = WalkReport::default();
        match event_document {
            Some(node) => {
                self.walk(&[node], delivery, &JsonPath::default(), &mut report);
            }
            None => {
                if let Some(envelope) = json_schema::document(json_schema::ENVELOPE_ID) {
                    let branches = [
                        envelope.schema.pointer("/$defs/FlatEnvelope"),
                        envelope.schema.pointer("/$defs/WrappedEnvelope"),
                    ];
                    let nodes: Vec<Node> = branches
                        .into_iter()
                        .flatten()
                        .map(|schema| envelope.with_schema(schema))
                        .collect();
                    let best = nodes
                        .iter()
                        .map(|node| {
                            let mut trial = WalkReport::default();
                            self.walk(&[*node], delivery, &JsonPath::default(), &mut trial);
                            trial
                        })
                        .min_by_key(|trial| trial.unknown_keys.len());
                    if let Some(best) = best {
                        report = best;
                    }
                }
                report.unknown_keys.retain(|path| !path.is_under_data());
            }
        }
        // Stable output whatever order the JSON map keeps its keys in.
        report.unknown_keys.sort_by_key(ToString::to_string);
        report
    }

    /// The node itself, what its `$ref` points at, and its `allOf` members: all of them apply.
    fn expand(&self, node: Node, depth: usize, out: &mut Vec<Node>) {
        if depth > REFERENCE_DEPTH_LIMIT || !node.schema.is_object() {
            return;
        }
        out.push(node);
        if let Some(reference) = node.schema.get("$ref").and_then(Value::as_str)
            && let Some(target) = json_schema::resolve(node.document, reference)
        {
            self.expand(target, depth + 1, out);
        }
        if let Some(members) = node.schema.get("allOf").and_then(Value::as_array) {
            for member in members {
                self.expand(node.with_schema(member), depth + 1, out);
            }
        }
    }

    fn walk(&self, nodes: &[Node], value: &Value, path: &JsonPath, report: &mut WalkReport) {
        let mut conjuncts = Vec::new();
        for node in nodes {
            self.expand(*node, 0, &mut conjuncts);
        }
        if conjuncts
            .iter()
            .any(|node| node.schema.get("x-pii").and_then(Value::as_bool) == Some(true))
        {
            report.personal_data.push(path.clone());
            return;
        }
        // Each `anyOf`/`oneOf` contributes the branch that explains the value best.
        let mut chosen: Vec<Node> = Vec::new();
        for node in &conjuncts {
            for keyword in ["anyOf", "oneOf"] {
                if let Some(branches) = node.schema.get(keyword).and_then(Value::as_array)
                    && let Some(branch) = self.best_branch(*node, branches, value, path)
                {
                    chosen.push(branch);
                }
            }
        }
        if !chosen.is_empty() {
            let mut with_branches = conjuncts.clone();
            for branch in chosen {
                self.expand(branch, 0, &mut with_branches);
            }
            // The chosen branches may carry their own `x-pii` or nested combinators.
            if with_branches
                .iter()
                .any(|node| node.schema.get("x-pii").and_then(Value::as_bool) == Some(true))
            {
                report.personal_data.push(path.clone());
                return;
            }
            conjuncts = with_branches;
        }
        match value {
            Value::Object(object) => self.walk_object(&conjuncts, object, path, report),
            Value::Array(items) => {
                let item_schemas: Vec<Node> = conjuncts
                    .iter()
                    .filter_map(|node| Some(node.with_schema(node.schema.get("items")?)))
                    .collect();
                if item_schemas.is_empty() {
                    return;
                }
                for (index, item) in items.iter().enumerate() {
                    self.walk(
                        &item_schemas,
                        item,
                        &path.child(Segment::Index(index)),
                        report,
                    );
                }
            }
            _ => {}
        }
    }

    fn walk_object(
        &self,
        conjuncts: &[Node],
        object: &serde_json::Map<String, Value>,
        path: &JsonPath,
        report: &mut WalkReport,
    ) {
        let describes_objects = conjuncts.iter().any(|node| {
            node.schema.get("properties").is_some()
                || node.schema.get("additionalProperties").is_some()
        });
        if !describes_objects {
            // An object the schemas leave open (`{"type": "object"}`): nothing to compare.
            return;
        }
        for (key, child) in object {
            let child_path = path.child(Segment::Key(key.clone()));
            let mut child_schemas: Vec<Node> = conjuncts
                .iter()
                .filter_map(|node| Some(node.with_schema(node.schema.get("properties")?.get(key)?)))
                .collect();
            if child_schemas.is_empty() {
                child_schemas = conjuncts
                    .iter()
                    .filter_map(|node| {
                        let additional = node.schema.get("additionalProperties")?;
                        additional
                            .is_object()
                            .then_some(node.with_schema(additional))
                    })
                    .collect();
            }
            let open = conjuncts
                .iter()
                .any(|node| node.schema.get("additionalProperties") == Some(&Value::Bool(true)));
            if child_schemas.is_empty() {
                if !open {
                    report.unknown_keys.push(child_path);
                }
                continue;
            }
            self.walk(&child_schemas, child, &child_path, report);
        }
    }

    fn best_branch(
        &self,
        within: Node,
        branches: &'static [Value],
        value: &Value,
        path: &JsonPath,
    ) -> Option<Node> {
        let candidates = branches.iter().map(|schema| within.with_schema(schema));
        let fitting: Vec<Node> = candidates
            .filter(|node| self.type_fits(*node, value))
            .collect();
        if fitting.len() <= 1 || !(value.is_object() || value.is_array()) {
            return fitting.into_iter().next();
        }
        fitting.into_iter().min_by_key(|node| {
            let mut trial = WalkReport::default();
            self.walk(&[*node], value, path, &mut trial);
            trial.unknown_keys.len()
        })
    }

    fn type_fits(&self, node: Node, value: &Value) -> bool {
        let mut expanded = Vec::new();
        self.expand(node, 0, &mut expanded);
        expanded.iter().all(|node| match node.schema.get("type") {
            Some(Value::String(name)) => json_type_matches(name, value),
            Some(Value::Array(names)) => names
                .iter()
                .filter_map(Value::as_str)
                .any(|name| json_type_matches(name, value)),
            _ => true,
        })
    }
}

fn json_type_matches(name: &str, value: &Value) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.as_f64().is_some_and(|number| number.fract() == 0.0),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => true,
    }
}

/// Replaces every value at `paths` with `"[redacted]"`.
pub(crate) fn redact(value: &mut Value, paths: &[JsonPath]) {
    for path in paths {
        let mut cursor = Some(&mut *value);
        for segment in &path.0 {
            cursor = match (cursor, segment) {
                (Some(Value::Object(object)), Segment::Key(key)) => object.get_mut(key),
                (Some(Value::Array(items)), Segment::Index(index)) => items.get_mut(*index),
                _ => None,
            };
        }
        if let Some(target) = cursor
            && !target.is_null()
        {
            *target = Value::String("[redacted]".to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn example(name: &EventName) -> Value {
        let document: Value = serde_json::from_str(name.json_schema().unwrap()).unwrap();
        document["examples"][0].clone()
    }

    #[test]
    fn no_example_has_unknown_keys() {
        let schemas = SchemaSet::embedded();
        for name in EventName::ALL {
            let report = schemas.walk_delivery(name, &example(name));
            let unknown: Vec<String> = report
                .unknown_keys
                .iter()
                .map(ToString::to_string)
                .collect();
            assert!(unknown.is_empty(), "{name}: {unknown:?}");
        }
    }

    #[test]
    fn new_keys_are_found_at_every_level() {
        let schemas = SchemaSet::embedded();
        let mut delivery = example(&EventName::PointsIssued);
        delivery["brandNewTopLevel"] = json!(1);
        delivery["data"]["brandNewDataKey"] = json!("x");
        delivery["data"]["customerIdentifiers"]["instore"]["newIdentifier"] = json!("y");
        let report = schemas.walk_delivery(&EventName::PointsIssued, &delivery);
        let unknown: Vec<String> = report
            .unknown_keys
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            unknown,
            [
                "brandNewTopLevel",
                "data.brandNewDataKey",
                "data.customerIdentifiers.instore.newIdentifier"
            ]
        );
    }

    #[test]
    fn personal_data_is_found_and_redacted() {
        let schemas = SchemaSet::embedded();
        let mut delivery = example(&EventName::PointsIssued);
        let report = schemas.walk_delivery(&EventName::PointsIssued, &delivery);
        let paths: Vec<String> = report
            .personal_data
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            paths.contains(&"data.customerIdentifiers.instore.mobile".to_owned()),
            "{paths:?}"
        );
        redact(&mut delivery, &report.personal_data);
        let text = delivery.to_string();
        assert!(!text.contains("919876543210"), "{text}");
        assert!(!text.contains("priya.nair@example.com"), "{text}");
        assert_eq!(
            delivery["data"]["customerIdentifiers"]["customerId"],
            564937812
        );
    }

    #[test]
    fn an_unknown_event_is_walked_against_the_envelope_only() {
        let schemas = SchemaSet::embedded();
        let delivery =
            json!({"eventName": "somethingNew", "eventId": "e", "data": {"a": 1}, "zzz": 2});
        let report = schemas.walk_delivery(&EventName::from_wire("somethingNew"), &delivery);
        let unknown: Vec<String> = report
            .unknown_keys
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(unknown, ["zzz"]);
    }
}
