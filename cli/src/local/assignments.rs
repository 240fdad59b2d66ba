//! `--set PATH=VALUE` and `--remove PATH` for `trigger`, `replay` and `fixture`, checked
//! against the event's schema: a misspelt path is an error naming the closest valid paths
//! (unless `--allow-unknown` asks for drift on purpose), and a value is typed by the schema,
//! so `--set data.customerIdentifiers.instore.mobile=919876543210` stays a string.

use capillary_ens_schemas::EventName;
use capillary_ens_schemas::json_path::JsonPath;
use capillary_ens_schemas::schema_walk::{PathLookup, SchemaSet};
use clap::Args;
use serde_json::Value;

/// The field changes a command applies to an event.
#[derive(Debug, Args, Default)]
pub(crate) struct EditArgs {
    /// Set a field: `data.customerIdentifiers.customerId=42`, `data.coupons[0].code=WELCOME`.
    /// The path must exist in the event's schema; the value is typed by it (JSON is accepted
    /// where the schema wants a number, boolean, object or array).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) sets: Vec<String>,
    /// Remove a field.
    #[arg(long = "remove", value_name = "PATH")]
    pub(crate) removals: Vec<String>,
    /// Allow paths the schema does not know (adds drift on purpose); values are then JSON
    /// when they parse as JSON, text otherwise.
    #[arg(long)]
    pub(crate) allow_unknown: bool,
}

/// One checked `--set`.
#[derive(Debug, PartialEq)]
pub(crate) struct Assignment {
    pub(crate) path: JsonPath,
    pub(crate) value: Value,
}

impl EditArgs {
    /// Whether anything is to change.
    pub(crate) fn is_empty(&self) -> bool {
        self.sets.is_empty() && self.removals.is_empty()
    }

    /// The `--set`s, checked against `name`'s schema.
    pub(crate) fn assignments(&self, name: &EventName) -> Result<Vec<Assignment>, String> {
        self.sets
            .iter()
            .map(|text| {
                let (path, value) = text
                    .split_once('=')
                    .ok_or_else(|| format!("--set {text:?}: expected PATH=VALUE"))?;
                let path = parse_path("--set", path.trim())?;
                let lookup = check_path("--set", name, &path, self.allow_unknown)?;
                let value = typed_value(&path, value, &lookup)?;
                Ok(Assignment { path, value })
            })
            .collect()
    }

    /// The `--remove`s, checked against `name`'s schema.
    pub(crate) fn removals(&self, name: &EventName) -> Result<Vec<JsonPath>, String> {
        self.removals
            .iter()
            .map(|text| {
                let path = parse_path("--remove", text.trim())?;
                check_path("--remove", name, &path, self.allow_unknown)?;
                Ok(path)
            })
            .collect()
    }

    /// Applies the edits to a delivery of `name` (flat or wrapped: a flat path such as
    /// `data.x` reaches `attributes.data.x` in a wrapped one).
    pub(crate) fn apply(&self, name: &EventName, delivery: &mut Value) -> Result<(), String> {
        let wrapped = delivery.get("attributes").is_some() && delivery.get("data").is_none();
        let place = |path: &JsonPath| -> Result<JsonPath, String> {
            if wrapped && path.is_under_data() && !path.to_string().starts_with("attributes") {
                format!("attributes.{path}").parse().map_err(
                    |error: capillary_ens_schemas::json_path::JsonPathError| error.to_string(),
                )
            } else {
                Ok(path.clone())
            }
        };
        for assignment in self.assignments(name)? {
            let path = place(&assignment.path)?;
            set(delivery, &path, assignment.value)
                .map_err(|reason| format!("--set {path}: {reason}"))?;
        }
        for path in self.removals(name)? {
            let path = place(&path)?;
            let parent = path.parent();
            let removed = match (parent.get_mut(delivery), path.segments().last()) {
                (
                    Some(Value::Object(object)),
                    Some(capillary_ens_schemas::json_path::PathSegment::Key(key)),
                ) => object.remove(key).is_some(),
                (
                    Some(Value::Array(items)),
                    Some(capillary_ens_schemas::json_path::PathSegment::Index(index)),
                ) if *index < items.len() => {
                    items.remove(*index);
                    true
                }
                _ => false,
            };
            if !removed {
                return Err(format!("--remove {path}: the event has no value there"));
            }
        }
        Ok(())
    }
}

fn parse_path(flag: &str, text: &str) -> Result<JsonPath, String> {
    text.parse::<JsonPath>()
        .map_err(|error| format!("{flag} {error}"))
}

/// What the schema says about `path`; an unknown path is an error with suggestions.
fn check_path(
    flag: &str,
    name: &EventName,
    path: &JsonPath,
    allow_unknown: bool,
) -> Result<PathLookup, String> {
    let schemas = SchemaSet::embedded();
    let lookup = schemas.lookup(name, &without_indices(path));
    if lookup != PathLookup::Unknown || allow_unknown {
        return Ok(lookup);
    }
    let suggestions = closest_paths(&schemas.known_paths(name), path);
    let mut message = format!("{flag} {path}: `{name}` has no such field");
    if !suggestions.is_empty() {
        message.push_str(&format!("; did you mean {}?", suggestions.join(" or ")));
    }
    message.push_str(" (--allow-unknown sends it anyway, as drift)");
    Err(message)
}

/// The path with every index set to 0, as the schema's item paths are written.
fn without_indices(path: &JsonPath) -> JsonPath {
    use capillary_ens_schemas::json_path::PathSegment;
    JsonPath::from(
        path.segments()
            .iter()
            .map(|segment| match segment {
                PathSegment::Index(_) => PathSegment::Index(0),
                key => key.clone(),
            })
            .collect::<Vec<_>>(),
    )
}

/// Up to three known paths nearest to `wanted` by edit distance, nearest first.
fn closest_paths(known: &[JsonPath], wanted: &JsonPath) -> Vec<String> {
    let wanted_text = without_indices(wanted).to_string();
    let wrapped = wanted_text.starts_with("attributes");
    let mut scored: Vec<(usize, String)> = known
        .iter()
        .map(ToString::to_string)
        .filter(|candidate| candidate.starts_with("attributes") == wrapped)
        .map(|candidate| (edit_distance(&candidate, &wanted_text), candidate))
        .collect();
    scored.sort();
    let limit = (wanted_text.len() / 3).max(3);
    scored
        .into_iter()
        .filter(|(distance, _)| *distance <= limit)
        .take(3)
        .map(|(_, candidate)| candidate)
        .collect()
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != *b_char);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// `text` typed as the schema wants it at `path`.
fn typed_value(path: &JsonPath, text: &str, lookup: &PathLookup) -> Result<Value, String> {
    let parsed = serde_json::from_str::<Value>(text).ok();
    let types = match lookup {
        PathLookup::Known { types, .. } if !types.is_empty() => types,
        // Nothing to go by: JSON when it parses as JSON, text otherwise.
        _ => return Ok(parsed.unwrap_or_else(|| Value::String(text.to_owned()))),
    };
    let fits = |value: &Value| {
        types.iter().any(|kind| match *kind {
            "string" => value.is_string(),
            "integer" => value.as_f64().is_some_and(|number| number.fract() == 0.0),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            "object" => value.is_object(),
            "array" => value.is_array(),
            _ => true,
        })
    };
    // A number where only a string is allowed does not fit: it stays the text typed.
    if let Some(value) = parsed.filter(|value| fits(value)) {
        return Ok(value);
    }
    if types.contains(&"string") {
        return Ok(Value::String(text.to_owned()));
    }
    Err(format!(
        "--set {path}: `{text}` is not {} as the schema requires",
        types
            .iter()
            .map(|kind| match *kind {
                "integer" => "an integer",
                "object" => "an object",
                "array" => "an array",
                "null" => "null",
                "boolean" => "a boolean",
                _ => "a number",
            })
            .collect::<Vec<_>>()
            .join(" or ")
    ))
}

/// Sets the value at `path`, creating missing objects and arrays on the way; an index may
/// name an existing element or the one just past the end.
fn set(root: &mut Value, path: &JsonPath, value: Value) -> Result<(), String> {
    use capillary_ens_schemas::json_path::PathSegment;
    let segments = path.segments();
    let mut current = root;
    for (position, segment) in segments.iter().enumerate() {
        let last = position + 1 == segments.len();
        let empty = match segments.get(position + 1) {
            Some(PathSegment::Index(_)) => Value::Array(Vec::new()),
            _ => Value::Object(serde_json::Map::new()),
        };
        if current.is_null() {
            *current = match segment {
                PathSegment::Key(_) => Value::Object(serde_json::Map::new()),
                PathSegment::Index(_) => Value::Array(Vec::new()),
            };
        }
        current = match (current, segment) {
            (Value::Object(object), PathSegment::Key(key)) => {
                if last {
                    object.insert(key.clone(), value);
                    return Ok(());
                }
                object.entry(key.clone()).or_insert(empty)
            }
            (Value::Array(items), PathSegment::Index(index)) => {
                if *index > items.len() {
                    return Err(format!(
                        "index {index} is past the end of an array of {}",
                        items.len()
                    ));
                }
                if *index == items.len() {
                    items.push(empty);
                }
                if last {
                    items[*index] = value;
                    return Ok(());
                }
                &mut items[*index]
            }
            (_, PathSegment::Key(_)) => return Err("a parent is not an object".to_owned()),
            (_, PathSegment::Index(_)) => return Err("a parent is not an array".to_owned()),
        };
    }
    Err("the path is empty".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn edits(sets: &[&str]) -> EditArgs {
        EditArgs {
            sets: sets.iter().map(|text| (*text).to_owned()).collect(),
            ..EditArgs::default()
        }
    }

    #[test]
    fn values_are_typed_by_the_schema() {
        let name = EventName::PointsIssued;
        let assignments = edits(&[
            "data.customerIdentifiers.instore.mobile=919876543210",
            "data.totalPointsIssued=500",
        ])
        .assignments(&name)
        .unwrap();
        assert_eq!(assignments[0].value, json!("919876543210"));
        assert_eq!(assignments[1].value, json!(500));
        let error = edits(&["data.totalPointsIssued=lots"])
            .assignments(&name)
            .unwrap_err();
        assert!(error.contains("not a number"), "{error}");
    }

    #[test]
    fn a_misspelt_path_names_the_closest_ones() {
        let error = edits(&["data.totalPointIssued=5"])
            .assignments(&EventName::PointsIssued)
            .unwrap_err();
        assert!(
            error.contains("did you mean data.totalPointsIssued"),
            "{error}"
        );
        let mut allowed = edits(&["data.totalPointIssued=5"]);
        allowed.allow_unknown = true;
        assert_eq!(
            allowed.assignments(&EventName::PointsIssued).unwrap()[0].value,
            json!(5)
        );
    }

    #[test]
    fn edits_reach_the_wrapped_form() {
        let mut delivery =
            json!({"eventType": "x", "attributes": {"data": {"totalPointsIssued": 1}}});
        edits(&["data.totalPointsIssued=7"])
            .apply(&EventName::PointsIssued, &mut delivery)
            .unwrap();
        assert_eq!(delivery["attributes"]["data"]["totalPointsIssued"], 7);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn any_edit_is_an_answer_never_a_panic(
            path in "[a-zA-Z.\\[\\]0-9]{0,24}",
            value in "\\PC{0,12}",
            allow_unknown in proptest::bool::ANY,
        ) {
            let edits = EditArgs {
                sets: vec![format!("{path}={value}")],
                removals: vec![path.clone()],
                allow_unknown,
            };
            let mut delivery = json!({"eventName": "pointsIssued", "data": {"a": [1]}});
            let _ = edits.apply(&EventName::PointsIssued, &mut delivery);
        }
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
