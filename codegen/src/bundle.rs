//! `docs/spec/ens.schema.json`: every schema document folded into one JSON Schema (draft
//! 2020-12) whose `$defs` hold every definition, for validators and type generators in other
//! languages.
//!
//! Names: the envelope is `Envelope` (its parts keep theirs), shared objects keep their type
//! names, an event's payload is its Rust type name (`PointsIssued`) and the whole delivery of
//! that event `PointsIssuedDelivery`. An event's own nested objects keep their names unless two
//! documents define the same name, in which case they are prefixed with the payload name
//! (`CustomerUpdatedUpdatedField`). Every `$ref` points into `$defs`. A `$ref` with validation
//! keywords beside it becomes an `allOf`, which means the same in 2020-12 and keeps tools built
//! on older drafts (which ignore `$ref` siblings) correct.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::Error;
use crate::catalog::{Catalog, Document};
use crate::lower::resolve_ref;
use crate::names::type_name;

/// The folder below `docs/` the machine-readable documents go to.
pub(crate) const FOLDER: &str = "spec";

/// The bundle's file name in [`FOLDER`].
pub(crate) const FILE: &str = "ens.schema.json";

/// Keywords that only annotate (besides `x-…`): beside a `$ref` they need no `allOf`.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "examples",
    "$comment",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// The URL of a file of the repository as served raw, from `Cargo.toml`'s `repository`.
pub(crate) fn raw_url(path: &str) -> String {
    let repository = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    let repository = repository.strip_prefix("https://github.com/").map_or_else(
        || format!("{repository}/raw"),
        |owner_and_name| format!("https://raw.githubusercontent.com/{owner_and_name}"),
    );
    format!("{repository}/main/{path}")
}

/// The URL of a file of the repository as GitHub shows it.
pub(crate) fn browse_url(path: &str) -> String {
    let repository = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    format!("{repository}/blob/main/{path}")
}

/// Where every location that becomes a definition goes: `(document $id, JSON pointer)` → name.
pub(crate) struct DefNames {
    names: BTreeMap<(String, String), String>,
    /// `(name, document, pointer)` in output order.
    order: Vec<(String, String, String)>,
}

impl DefNames {
    pub(crate) fn new(catalog: &Catalog) -> Result<Self, Error> {
        let mut locals: BTreeMap<&str, usize> = BTreeMap::new();
        let mut global: Vec<(String, String, String)> = Vec::new();
        global.push((
            "Envelope".to_owned(),
            catalog.envelope.id.clone(),
            String::new(),
        ));
        for (key, _) in defs(&catalog.envelope) {
            global.push((key.clone(), catalog.envelope.id.clone(), pointer(key)));
        }
        for document in &catalog.shared {
            let name = document
                .json
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            global.push((name, document.id.clone(), String::new()));
            for (key, _) in defs(document) {
                global.push((key.clone(), document.id.clone(), pointer(key)));
            }
        }
        for event in &catalog.events {
            let payload = type_name(&event.name);
            for (key, _) in defs(&event.document) {
                if *key != payload {
                    *locals.entry(key).or_default() += 1;
                }
            }
        }
        let taken: BTreeMap<&str, ()> = global
            .iter()
            .map(|(name, ..)| (name.as_str(), ()))
            .collect();
        let mut order = global.clone();
        for event in &catalog.events {
            let payload = type_name(&event.name);
            let id = &event.document.id;
            order.push((format!("{payload}Delivery"), id.clone(), String::new()));
            order.push((payload.clone(), id.clone(), pointer(&payload)));
            for (key, _) in defs(&event.document) {
                if *key == payload {
                    continue;
                }
                let shared_name = locals.get(key.as_str()).copied().unwrap_or_default() > 1
                    || taken.contains_key(key.as_str());
                let name = if shared_name {
                    format!("{payload}{key}")
                } else {
                    key.clone()
                };
                order.push((name, id.clone(), pointer(key)));
            }
        }
        let mut names = BTreeMap::new();
        let mut seen = BTreeMap::new();
        for (name, document, location) in &order {
            if let Some(other) = seen.insert(name.clone(), document.clone()) {
                return Err(Error::schema(
                    document,
                    format!("bundle definition `{name}` is also defined by {other}"),
                ));
            }
            names.insert((document.clone(), location.clone()), name.clone());
        }
        Ok(Self { names, order })
    }

    /// The definition name of an event's whole delivery.
    pub(crate) fn delivery(event: &str) -> String {
        format!("{}Delivery", type_name(event))
    }

    /// The definitions in output order: `(name, document $id, JSON pointer)`.
    pub(crate) fn order(&self) -> &[(String, String, String)] {
        &self.order
    }

    /// The definition a `$ref` in `document` leads to.
    pub(crate) fn target(&self, document: &str, reference: &str) -> Option<&str> {
        let (id, fragment) = resolve_ref(document, reference);
        self.names.get(&(id, fragment)).map(String::as_str)
    }
}

fn pointer(key: &str) -> String {
    format!("/$defs/{key}")
}

fn defs(document: &Document) -> impl Iterator<Item = (&String, &Value)> {
    document
        .json
        .get("$defs")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

/// Every definition of the catalog with its `$ref`s pointing at `ref_prefix` + name, in output
/// order. Shared by the bundle (`#/$defs/`) and the AsyncAPI document (`#/components/schemas/`).
pub(crate) fn definitions(
    catalog: &Catalog,
    ref_prefix: &str,
) -> Result<Map<String, Value>, Error> {
    let names = DefNames::new(catalog)?;
    let mut out = Map::new();
    for (name, id, location) in names.order() {
        let document = catalog
            .document(id)
            .ok_or_else(|| Error::schema(id, "no document has this `$id`"))?;
        let schema = document.json.pointer(location).ok_or_else(|| {
            Error::schema(&document.relative_path, format!("nothing at `{location}`"))
        })?;
        let mut schema = schema.clone();
        if let Value::Object(object) = &mut schema {
            for key in ["$schema", "$id", "$defs"] {
                object.shift_remove(key);
            }
            object.insert("title".to_owned(), Value::String(name.clone()));
        }
        rewrite_refs(&mut schema, &names, id, ref_prefix, &document.relative_path)?;
        out.insert(name.clone(), schema);
    }
    Ok(out)
}

/// Keywords whose value is a schema, a map of schemas, or a list of schemas.
const SCHEMA_KEYWORDS: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
];
const SCHEMA_MAP_KEYWORDS: &[&str] = &["properties", "patternProperties", "dependentSchemas"];
const SCHEMA_LIST_KEYWORDS: &[&str] = &["anyOf", "allOf", "oneOf", "prefixItems"];

/// Every JSON type: what a schema without validation keywords accepts, spelled out.
const ANY_JSON: &[&str] = &["string", "number", "boolean", "object", "array", "null"];

/// Rewrites a schema for the bundle: `$ref`s point into the bundle, a `$ref` with validation
/// keywords beside it becomes an `allOf`, and a schema that only annotates ("any JSON value")
/// lists every JSON type, which means the same but keeps generators that read an untyped schema
/// as an object (json-schema-to-typescript) right.
fn rewrite_refs(
    schema: &mut Value,
    names: &DefNames,
    document: &str,
    ref_prefix: &str,
    location: &str,
) -> Result<(), Error> {
    let Value::Object(object) = schema else {
        return Ok(());
    };
    for (key, value) in object.iter_mut() {
        if SCHEMA_KEYWORDS.contains(&key.as_str()) {
            rewrite_refs(value, names, document, ref_prefix, location)?;
        } else if SCHEMA_MAP_KEYWORDS.contains(&key.as_str()) {
            for item in value
                .as_object_mut()
                .into_iter()
                .flat_map(|map| map.values_mut())
            {
                rewrite_refs(item, names, document, ref_prefix, location)?;
            }
        } else if SCHEMA_LIST_KEYWORDS.contains(&key.as_str()) {
            for item in value.as_array_mut().into_iter().flatten() {
                rewrite_refs(item, names, document, ref_prefix, location)?;
            }
        }
    }
    let only_annotates = object.keys().all(|key| is_annotation(key));
    if only_annotates {
        object.insert("type".to_owned(), json!(ANY_JSON));
        return Ok(());
    }
    if let Some(Value::String(reference)) = object.get("$ref") {
        let target = names.target(document, reference).ok_or_else(|| {
            Error::schema(location, format!("`$ref` {reference} names no definition"))
        })?;
        let reference = Value::String(format!("{ref_prefix}{target}"));
        let validates = object
            .keys()
            .any(|key| key != "$ref" && !is_annotation(key));
        if validates {
            object.shift_remove("$ref");
            let (annotations, rest): (Map<String, Value>, Map<String, Value>) =
                std::mem::take(object)
                    .into_iter()
                    .partition(|(key, _)| is_annotation(key));
            *object = annotations;
            object.insert(
                "allOf".to_owned(),
                json!([{ "$ref": reference }, Value::Object(rest)]),
            );
        } else {
            object.insert("$ref".to_owned(), reference);
        }
    }
    Ok(())
}

fn is_annotation(keyword: &str) -> bool {
    ANNOTATIONS.contains(&keyword) || keyword.starts_with("x-")
}

/// The bundle document, pretty-printed.
pub(crate) fn bundle(catalog: &Catalog) -> Result<String, Error> {
    let defs = definitions(catalog, "#/$defs/")?;
    let deliveries: Vec<Value> = catalog
        .events
        .iter()
        .map(|event| json!({ "$ref": format!("#/$defs/{}", DefNames::delivery(&event.name)) }))
        .collect();
    let document = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": raw_url(&format!("docs/{FOLDER}/{FILE}")),
        "title": "EnsDelivery",
        "description": format!(
            "One delivery of Capillary's Event Notification Service (ENS): any of the {} known events, in either wire form. \
             Generated by capillary-ens-codegen from schemas/json (one document per event there); every definition is in `$defs`: \
             `<Event>Delivery` is a whole delivery of one event, `<Event>` its `data`, `Envelope` a delivery of any event, known or not.",
            catalog.events.len()
        ),
        "anyOf": deliveries,
        "$defs": defs,
    });
    Ok(format!(
        "{}\n",
        serde_json::to_string_pretty(&document).unwrap_or_default()
    ))
}
