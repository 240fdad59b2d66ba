//! The `required` lists hold only what ENS never leaves out, checked against every sample of
//! the fact base, and no generated payload field is an `f64`.
//!
//! `tests/data/sample_keys.json` lists, per event, which fact-base sample carries which key of
//! `data`; it is extracted from `shared/reference/ens-facts.md` by
//! `tests/data/extract_sample_keys.py` (rerun it when the fact base changes).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Keys that may be required: the ids an event is about.
fn is_identity(key: &str) -> bool {
    key == "id"
        || key.ends_with("Id")
        || key.ends_with("_id")
        || key == "customerIdentifiers"
        || key.ends_with("CustomerIdentifiers")
}

struct Walk<'a> {
    keys: &'a BTreeMap<String, BTreeSet<String>>,
    problems: Vec<String>,
    checked: usize,
}

impl Walk<'_> {
    fn node(&mut self, file: &Path, schema: &Value, path: &str, depth: usize) {
        if depth > 12 {
            return;
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let (target, pointer) = reference.split_once('#').unwrap_or((reference, ""));
            let target_file = if target.is_empty() {
                file.to_path_buf()
            } else {
                normalize(&file.parent().unwrap().join(target))
            };
            let document = read_json(&target_file);
            let resolved = document.pointer(pointer).unwrap().clone();
            self.node(&target_file, &resolved, path, depth + 1);
        }
        let parent: Option<&BTreeSet<String>> = self.keys.get(path);
        for key in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let where_ = format!("{} {path}.{key}", file.display());
            if !is_identity(key) {
                self.problems
                    .push(format!("{where_}: required but not an id ENS never omits"));
            }
            let (Some(parent), Some(present)) = (parent, self.keys.get(&format!("{path}.{key}")))
            else {
                self.problems.push(format!(
                    "{where_}: required but no fact-base sample shows it"
                ));
                continue;
            };
            self.checked += 1;
            let missing: Vec<_> = parent.difference(present).collect();
            if !missing.is_empty() {
                self.problems.push(format!(
                    "{where_}: required but missing in samples {missing:?}"
                ));
            }
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (key, property) in properties {
                self.node(file, property, &format!("{path}.{key}"), depth + 1);
            }
        }
        if let Some(items) = schema.get("items") {
            self.node(file, items, &format!("{path}[]"), depth + 1);
        }
    }
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[test]
fn every_required_field_is_an_id_present_in_every_fact_base_sample() {
    let facts = read_json(&crate_dir().join("tests/data/sample_keys.json"));
    let events = facts["events"].as_object().unwrap();
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut documents = 0;
    for entry in std::fs::read_dir(crate_dir().join("json/events")).unwrap() {
        let file = entry.unwrap().path();
        let document = read_json(&file);
        let name = document["x-event-name"].as_str().unwrap();
        let facts = events
            .get(name)
            .unwrap_or_else(|| panic!("{name} has no entry in sample_keys.json"));
        let keys: BTreeMap<String, BTreeSet<String>> = facts["keys"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(path, samples)| {
                let samples = samples.as_array().unwrap().iter();
                (
                    path.clone(),
                    samples.map(|s| s.as_str().unwrap().to_owned()).collect(),
                )
            })
            .collect();
        let payload = document["$defs"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, schema)| schema.clone())
            .unwrap();
        let mut walk = Walk {
            keys: &keys,
            problems: Vec::new(),
            checked: 0,
        };
        walk.node(&file, &payload, "data", 0);
        problems.extend(walk.problems);
        checked += walk.checked;
        documents += 1;
    }
    assert_eq!(documents, 66);
    assert!(checked > 60, "only {checked} required fields were checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_catches_a_field_some_sample_lacks() {
    // rewardIssued's `transactionId` is missing from its sample s3.
    let keys: BTreeMap<String, BTreeSet<String>> = [
        ("data", &["s1", "s2", "s3"][..]),
        ("data.transactionId", &["s1", "s2"][..]),
    ]
    .into_iter()
    .map(|(path, samples)| {
        (
            path.to_owned(),
            samples.iter().map(|s| (*s).to_owned()).collect(),
        )
    })
    .collect();
    let schema = serde_json::json!({"required": ["transactionId", "type"], "properties": {}});
    let mut walk = Walk {
        keys: &keys,
        problems: Vec::new(),
        checked: 0,
    };
    walk.node(Path::new("x.json"), &schema, "data", 0);
    assert_eq!(walk.problems.len(), 3, "{:?}", walk.problems);
}

#[test]
fn no_generated_payload_field_is_f64() {
    let mut offenders = Vec::new();
    let mut stack = vec![crate_dir().join("src/generated")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let code = std::fs::read_to_string(&path).unwrap();
                for (number, line) in code.lines().enumerate() {
                    let code_part = line.split("//").next().unwrap_or_default();
                    if code_part.contains("f64") || code_part.contains("f32") {
                        offenders.push(format!("{}:{}", path.display(), number + 1));
                    }
                }
            }
        }
    }
    assert!(offenders.is_empty(), "float fields: {offenders:?}");
}
