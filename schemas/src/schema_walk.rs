//! Walks a delivery alongside its JSON Schema to find keys the schemas do not know (drift) and
//! values the schemas mark as personal data (`x-pii`).
//!
//! Validation proper is a JSON Schema validator's job; this walk answers the questions a
//! validator does not: "what is new in this payload?", "what must be redacted before
//! printing?" and "does this path exist in the event, with which types?".
//!
//! ```
//! use capillary_ens_schemas::EventName;
//! use capillary_ens_schemas::schema_walk::{SchemaSet, redact};
//! use serde_json::json;
//!
//! let mut delivery = json!({
//!     "eventName": "pointsIssued", "eventId": "e1",
//!     "data": {"customerIdentifiers": {"instore": {"mobile": "919876543210"}}, "newKey": 1}
//! });
//! let report = SchemaSet::embedded().walk_delivery(&EventName::PointsIssued, &delivery);
//! assert_eq!(report.unknown_keys[0].to_string(), "data.newKey");
//! redact(&mut delivery, &report.personal_data);
//! assert_eq!(delivery["data"]["customerIdentifiers"]["instore"]["mobile"], "[redacted]");
//! ```

use serde_json::Value;

use crate::EventName;
use crate::json_path::{JsonPath, PathSegment as Segment};
use crate::json_schema::{self, SchemaNode as Node};

/// What the walk found in one delivery.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WalkReport {
    /// Keys that no applicable schema lists.
    pub unknown_keys: Vec<JsonPath>,
    /// Values marked `x-pii`.
    pub personal_data: Vec<JsonPath>,
}

/// The schemas embedded in this crate, walked beside a delivery.
#[derive(Clone, Copy, Debug, Default)]
pub struct SchemaSet;

const REFERENCE_DEPTH_LIMIT: usize = 32;

impl SchemaSet {
    /// The documents embedded in this crate (parsed once per process).
    pub fn embedded() -> Self {
        Self
    }

    /// Walks a delivery of `name` (or of an event the schemas do not know, against the
    /// envelope alone, in which case nothing under `data` counts as unknown).
    pub fn walk_delivery(&self, name: &EventName, delivery: &Value) -> WalkReport {
        let event_document = name.json_schema_id().and_then(json_schema::document);
        let mut report = WalkReport::default();
        match event_document {
            Some(node) => {
                self.walk(&[node], delivery, &JsonPath::root(), &mut report);
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
                            self.walk(&[*node], delivery, &JsonPath::root(), &mut trial);
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
                    self.walk(&item_schemas, item, &path.index(index), report);
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
            let child_path = path.key(key);
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

/// What the schemas say about one path of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathLookup {
    /// The schemas describe the path.
    Known {
        /// The JSON types allowed there (`string`, `integer`, …); empty when any type is.
        types: Vec<&'static str>,
        /// Whether the value is marked as personal data (`x-pii`).
        personal: bool,
    },
    /// The path lies inside an object or array the schemas leave open: anything goes there.
    Open,
    /// No schema of the event has this path.
    Unknown,
}

impl SchemaSet {
    /// What the schemas of `name` say about `path` (flat or wrapped form). An event the
    /// schemas do not know is [`PathLookup::Open`] everywhere.
    pub fn lookup(&self, name: &EventName, path: &JsonPath) -> PathLookup {
        let Some(document) = name.json_schema_id().and_then(json_schema::document) else {
            return PathLookup::Open;
        };
        let mut nodes = vec![document];
        for segment in path.segments() {
            let expanded = self.expand_all(&nodes);
            let mut next = Vec::new();
            let mut open = false;
            for node in &expanded {
                match segment {
                    Segment::Key(key) => {
                        if let Some(child) = node.schema.get("properties").and_then(|p| p.get(key))
                        {
                            next.push(node.with_schema(child));
                            continue;
                        }
                        match node.schema.get("additionalProperties") {
                            Some(Value::Bool(true)) => open = true,
                            Some(additional) if additional.is_object() => {
                                next.push(node.with_schema(additional));
                            }
                            _ => {}
                        }
                    }
                    Segment::Index(_) => {
                        if let Some(items) = node.schema.get("items") {
                            next.push(node.with_schema(items));
                        }
                    }
                }
            }
            if next.is_empty() {
                let described = expanded.iter().any(|node| match segment {
                    Segment::Key(_) => {
                        node.schema.get("properties").is_some()
                            || node.schema.get("additionalProperties").is_some()
                    }
                    Segment::Index(_) => node.schema.get("items").is_some(),
                });
                return if open || !described {
                    PathLookup::Open
                } else {
                    PathLookup::Unknown
                };
            }
            nodes = next;
        }
        let expanded = self.expand_all(&nodes);
        let mut types: Vec<&'static str> = Vec::new();
        for node in &expanded {
            match node.schema.get("type") {
                Some(Value::String(name)) => types.push(name),
                Some(Value::Array(names)) => types.extend(names.iter().filter_map(Value::as_str)),
                _ => {}
            }
        }
        types.sort_unstable();
        types.dedup();
        let personal = expanded
            .iter()
            .any(|node| node.schema.get("x-pii").and_then(Value::as_bool) == Some(true));
        PathLookup::Known { types, personal }
    }

    /// Every path the schemas of `name` describe (array elements as `[0]`), sorted; for
    /// suggesting the closest valid path to a misspelt one.
    pub fn known_paths(&self, name: &EventName) -> Vec<JsonPath> {
        let mut paths = Vec::new();
        if let Some(document) = name.json_schema_id().and_then(json_schema::document) {
            self.collect_paths(&[document], &JsonPath::root(), 0, &mut paths);
        }
        paths.sort();
        paths.dedup();
        paths
    }

    fn collect_paths(
        &self,
        nodes: &[Node],
        path: &JsonPath,
        depth: usize,
        out: &mut Vec<JsonPath>,
    ) {
        if depth > REFERENCE_DEPTH_LIMIT / 2 {
            return;
        }
        let expanded = self.expand_all(nodes);
        let mut children: std::collections::BTreeMap<&'static str, Vec<Node>> =
            std::collections::BTreeMap::new();
        let mut items = Vec::new();
        for node in &expanded {
            if let Some(Value::Object(properties)) = node.schema.get("properties") {
                for (key, schema) in properties {
                    children
                        .entry(key.as_str())
                        .or_default()
                        .push(node.with_schema(schema));
                }
            }
            if let Some(schema) = node.schema.get("items") {
                items.push(node.with_schema(schema));
            }
        }
        for (key, nodes) in children {
            let child = path.key(key);
            out.push(child.clone());
            self.collect_paths(&nodes, &child, depth + 1, out);
        }
        if !items.is_empty() {
            let child = path.index(0);
            out.push(child.clone());
            self.collect_paths(&items, &child, depth + 1, out);
        }
    }

    /// The nodes, what they refer to, their `allOf` members and every `anyOf`/`oneOf` branch.
    fn expand_all(&self, nodes: &[Node]) -> Vec<Node> {
        const NODE_LIMIT: usize = 1024;
        let mut out = Vec::new();
        for node in nodes {
            self.expand(*node, 0, &mut out);
        }
        let mut index = 0;
        while index < out.len() && out.len() < NODE_LIMIT {
            let node = out[index];
            for keyword in ["anyOf", "oneOf"] {
                if let Some(branches) = node.schema.get(keyword).and_then(Value::as_array) {
                    for branch in branches {
                        self.expand(node.with_schema(branch), 0, &mut out);
                    }
                }
            }
            index += 1;
        }
        out
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
pub fn redact(value: &mut Value, paths: &[JsonPath]) {
    for path in paths {
        if let Some(target) = path.get_mut(value)
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
    fn paths_are_looked_up_with_their_types() {
        let schemas = SchemaSet::embedded();
        let path = |text: &str| text.parse::<JsonPath>().unwrap();
        let name = EventName::PointsIssued;
        match schemas.lookup(&name, &path("data.customerIdentifiers.instore.mobile")) {
            PathLookup::Known { types, personal } => {
                assert!(types.contains(&"string"), "{types:?}");
                assert!(personal);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            schemas.lookup(&name, &path("data.totalPointIssued")),
            PathLookup::Unknown
        );
        let known = schemas.known_paths(&name);
        assert!(known.contains(&path("data.totalPointsIssued")), "{known:?}");
        assert!(known.contains(&path("data.regularPointsBreakup[0].expiryAt")));
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
