//! Lowering: JSON Schema documents → modules of Rust types ([`crate::ir`]).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::Error;
use crate::catalog::{Catalog, Document};
use crate::ir::{Field, Module, ModulePath, OpenEnum, Struct, Ty, TypeDef, TypeRef};
use crate::names::{field_name, module_name, type_name, variant_name};

/// The lowered catalog.
pub(crate) struct Lowered {
    pub(crate) shared: Module,
    pub(crate) events: Vec<LoweredEvent>,
}

/// One event: its module, and the name of its payload type in it.
pub(crate) struct LoweredEvent {
    pub(crate) wire_name: String,
    pub(crate) group: String,
    pub(crate) description: String,
    pub(crate) relative_path: String,
    pub(crate) module: Module,
    pub(crate) payload: String,
}

/// Property names too generic to name an enum on their own (`name` → `TriggeringActivityName`).
const GENERIC_NAMES: &[&str] = &[
    "Name", "Type", "Status", "Kind", "Value", "Source", "Format", "Label",
];

/// Names every schema location that becomes a type: `(document id, JSON pointer)` → type.
type Names = BTreeMap<(String, String), TypeRef>;

pub(crate) fn lower(catalog: &Catalog) -> Result<Lowered, Error> {
    let names = name_locations(catalog)?;
    let shared_names: BTreeSet<String> = names
        .values()
        .filter(|name| name.module == ModulePath::Shared)
        .map(|name| name.name.clone())
        .collect();

    let mut shared = ModuleBuilder::new(catalog, &names, ModulePath::Shared, &shared_names);
    for document in &catalog.shared {
        shared.document = Some(document);
        shared.lower_location(document, "", &document.json)?;
        for (key, schema) in defs(document) {
            shared.lower_location(document, &format!("/$defs/{key}"), schema)?;
        }
    }
    let shared = shared.finish();

    let mut events = Vec::new();
    for event in &catalog.events {
        let document = &event.document;
        let payload = type_name(&event.name);
        let path = ModulePath::Event(module_name(&event.name));
        let mut module = ModuleBuilder::new(catalog, &names, path, &shared_names);
        module.document = Some(document);
        let payload_schema = document
            .json
            .pointer(&format!("/$defs/{payload}"))
            .ok_or_else(|| {
                Error::schema(
                    &document.relative_path,
                    format!("the payload must be `$defs/{payload}`"),
                )
            })?;
        module.lower_location(document, &format!("/$defs/{payload}"), payload_schema)?;
        for (key, schema) in defs(document) {
            if *key != payload {
                module.lower_location(document, &format!("/$defs/{key}"), schema)?;
            }
        }
        events.push(LoweredEvent {
            wire_name: event.name.clone(),
            group: event.group.clone(),
            description: text(&document.json, "description"),
            relative_path: document.relative_path.clone(),
            module: module.finish(),
            payload,
        });
    }
    Ok(Lowered { shared, events })
}

fn defs(document: &Document) -> impl Iterator<Item = (&String, &Value)> {
    document
        .json
        .get("$defs")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::iter)
}

fn text(schema: &Value, key: &str) -> String {
    schema
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn name_locations(catalog: &Catalog) -> Result<Names, Error> {
    let mut names = Names::new();
    let mut shared_taken = BTreeSet::new();
    for document in &catalog.shared {
        let title = document
            .json
            .get("title")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Error::schema(
                    &document.relative_path,
                    "a shared document needs a `title`: its type name",
                )
            })?;
        let mut add = |pointer: String, name: String| -> Result<(), Error> {
            if !shared_taken.insert(name.clone()) {
                return Err(Error::schema(
                    &document.relative_path,
                    format!("shared type name `{name}` is defined twice"),
                ));
            }
            let type_ref = TypeRef {
                module: ModulePath::Shared,
                name,
            };
            names.insert((document.id.clone(), pointer), type_ref);
            Ok(())
        };
        add(String::new(), title.to_owned())?;
        for (key, _) in defs(document) {
            add(format!("/$defs/{key}"), key.clone())?;
        }
    }
    for event in &catalog.events {
        let document = &event.document;
        let module = ModulePath::Event(module_name(&event.name));
        for (key, _) in defs(document) {
            if shared_taken.contains(key) {
                return Err(Error::schema(
                    format!("{}#/$defs/{key}", document.relative_path),
                    "the name is taken by a shared type; choose another",
                ));
            }
            let type_ref = TypeRef {
                module: module.clone(),
                name: key.clone(),
            };
            names.insert((document.id.clone(), format!("/$defs/{key}")), type_ref);
        }
    }
    Ok(names)
}

/// Resolves a relative `$ref` against the `$id` of the document it appears in.
pub(crate) fn resolve_ref(base_id: &str, reference: &str) -> (String, String) {
    let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    if path.is_empty() {
        return (base_id.to_owned(), fragment.to_owned());
    }
    if path.contains("://") {
        return (path.to_owned(), fragment.to_owned());
    }
    let (origin, base_path) = match base_id.find("://") {
        Some(scheme_end) => {
            let after = scheme_end + 3;
            let slash = base_id[after..]
                .find('/')
                .map_or(base_id.len(), |i| after + i);
            (&base_id[..slash], &base_id[slash..])
        }
        None => ("", base_id),
    };
    let mut segments: Vec<&str> = base_path.split('/').collect();
    segments.pop();
    for segment in path.split('/') {
        match segment {
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
            }
            "." | "" => {}
            other => segments.push(other),
        }
    }
    (
        format!("{origin}{}", segments.join("/")),
        fragment.to_owned(),
    )
}

struct ModuleBuilder<'a> {
    catalog: &'a Catalog,
    names: &'a Names,
    path: ModulePath,
    document: Option<&'a Document>,
    types: Vec<TypeDef>,
    taken: BTreeSet<String>,
}

impl<'a> ModuleBuilder<'a> {
    fn new(
        catalog: &'a Catalog,
        names: &'a Names,
        path: ModulePath,
        shared: &BTreeSet<String>,
    ) -> Self {
        let mut taken: BTreeSet<String> = shared.clone();
        for type_ref in names.values().filter(|name| name.module == path) {
            taken.insert(type_ref.name.clone());
        }
        Self {
            catalog,
            names,
            path,
            document: None,
            types: Vec::new(),
            taken,
        }
    }

    fn finish(self) -> Module {
        Module {
            path: self.path,
            types: self.types,
        }
    }

    fn location(&self, pointer: &str) -> String {
        let file = self
            .document
            .map_or("", |document| document.relative_path.as_str());
        format!("{file}#{pointer}")
    }

    /// Lowers a named location (a document root or a `$defs` entry) into its type.
    fn lower_location(
        &mut self,
        document: &Document,
        pointer: &str,
        schema: &Value,
    ) -> Result<(), Error> {
        let name = self.names[&(document.id.clone(), pointer.to_owned())]
            .name
            .clone();
        let description = text(schema, "description");
        if let Some(values) = open_enum_values(schema) {
            let def = open_enum(&name, &description, values, &self.location(pointer))?;
            self.types.push(TypeDef::Enum(def));
            return Ok(());
        }
        // Nested types found while lowering go after the type that uses them.
        let slot = self.types.len();
        let def = self.lower_struct(&name, description, schema, pointer)?;
        self.types.insert(slot, TypeDef::Struct(def));
        Ok(())
    }

    fn lower_struct(
        &mut self,
        name: &str,
        description: String,
        schema: &Value,
        pointer: &str,
    ) -> Result<Struct, Error> {
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                Error::schema(
                    self.location(pointer),
                    "a named type must be an object with `properties` or an open enum",
                )
            })?;
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut fields = Vec::new();
        let mut rust_names = BTreeSet::new();
        for (wire_name, property) in properties {
            let location = format!("{pointer}/properties/{wire_name}");
            let rust_name = match property.get("x-rust-name").and_then(Value::as_str) {
                Some(name) => name.to_owned(),
                None => field_name(wire_name),
            };
            if !rust_names.insert(rust_name.clone()) {
                return Err(Error::schema(
                    self.location(&location),
                    format!("field name `{rust_name}` is taken by another key; set `x-rust-name`"),
                ));
            }
            let (ty, nullable) = self.lower_ty(property, name, wire_name, &location)?;
            let aliases = property
                .get("x-aliases")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            fields.push(Field {
                wire_name: wire_name.clone(),
                rust_name,
                description: self.describe(property),
                ty,
                required: required.contains(wire_name.as_str()) && !nullable,
                aliases,
            });
        }
        for wire_name in &required {
            if !properties.contains_key(*wire_name) {
                return Err(Error::schema(
                    self.location(pointer),
                    format!("`{wire_name}` is required but not a property"),
                ));
            }
        }
        Ok(Struct {
            name: name.to_owned(),
            description,
            fields,
        })
    }

    /// A property's description, or that of the type it refers to.
    fn describe(&self, property: &Value) -> String {
        let own = text(property, "description");
        if !own.is_empty() {
            return own;
        }
        if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
            let base = self.document.map_or("", |document| document.id.as_str());
            let (id, pointer) = resolve_ref(base, reference);
            if let Some(target) = self
                .catalog
                .document(&id)
                .and_then(|doc| doc.json.pointer(&pointer))
            {
                return text(target, "description");
            }
        }
        String::new()
    }

    /// The Rust type of a property schema, and whether it may be `null`.
    fn lower_ty(
        &mut self,
        schema: &Value,
        owner: &str,
        property: &str,
        location: &str,
    ) -> Result<(Ty, bool), Error> {
        let (ty, nullable) = if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            (Ty::Named(self.resolve(reference, location)?), false)
        } else if let Some(values) = open_enum_values(schema) {
            let name = self.enum_name(schema, owner, property, &values);
            if self.types.iter().all(|def| def.name() != name) {
                let def = open_enum(
                    &name,
                    &text(schema, "description"),
                    values,
                    &self.location(location),
                )?;
                self.taken.insert(name.clone());
                self.types.push(TypeDef::Enum(def));
            }
            (
                Ty::Named(TypeRef {
                    module: self.path.clone(),
                    name,
                }),
                false,
            )
        } else {
            self.lower_by_type(schema, owner, property, location)?
        };
        let pii = schema.get("x-pii").and_then(Value::as_bool) == Some(true)
            || matches!(ty, Ty::Json | Ty::JsonObject);
        Ok((if pii { Ty::Pii(Box::new(ty)) } else { ty }, nullable))
    }

    fn lower_by_type(
        &mut self,
        schema: &Value,
        owner: &str,
        property: &str,
        location: &str,
    ) -> Result<(Ty, bool), Error> {
        let mut types: Vec<&str> = match schema.get("type") {
            Some(Value::String(single)) => vec![single.as_str()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let nullable = types.contains(&"null");
        types.retain(|ty| *ty != "null");
        types.sort_unstable();
        if types.is_empty() && schema.get("properties").is_some() {
            types.push("object");
        }
        let ty = match types.as_slice() {
            [] => Ty::Json,
            ["string"] => Ty::String,
            ["integer"] if schema.get("x-epoch-millis").and_then(Value::as_bool) == Some(true) => {
                Ty::Timestamp
            }
            ["integer"] => Ty::I64,
            ["number"] | ["integer", "number"] => Ty::Decimal,
            ["number", "string"] | ["integer", "number", "string"] => Ty::NumberOrText,
            ["integer", "string"] => Ty::IntOrString,
            ["boolean"] => Ty::Bool,
            ["array"] => match schema.get("items") {
                Some(items) if items.is_object() => {
                    let (item, _) = self.lower_ty(
                        items,
                        owner,
                        &singular(property),
                        &format!("{location}/items"),
                    )?;
                    Ty::Vec(Box::new(item))
                }
                _ => Ty::Vec(Box::new(Ty::Json)),
            },
            ["object"] => {
                if schema.get("properties").is_some() {
                    let name = self.inline_struct_name(owner, property);
                    self.taken.insert(name.clone());
                    let slot = self.types.len();
                    let def =
                        self.lower_struct(&name, text(schema, "description"), schema, location)?;
                    self.types.insert(slot, TypeDef::Struct(def));
                    Ty::Named(TypeRef {
                        module: self.path.clone(),
                        name,
                    })
                } else {
                    match schema.get("additionalProperties") {
                        Some(values) if values.is_object() => {
                            let (value, _) = self.lower_ty(
                                values,
                                owner,
                                property,
                                &format!("{location}/additionalProperties"),
                            )?;
                            Ty::Map(Box::new(value))
                        }
                        _ => Ty::JsonObject,
                    }
                }
            }
            other => {
                return Err(Error::schema(
                    self.location(location),
                    format!("unsupported type combination {other:?}"),
                ));
            }
        };
        Ok((ty, nullable))
    }

    fn resolve(&self, reference: &str, location: &str) -> Result<TypeRef, Error> {
        let base = self.document.map_or("", |document| document.id.as_str());
        let target = resolve_ref(base, reference);
        self.names.get(&target).cloned().ok_or_else(|| {
            Error::schema(
                self.location(location),
                format!("`$ref` {reference} must point at a document root or a `$defs` entry"),
            )
        })
    }

    fn inline_struct_name(&self, owner: &str, property: &str) -> String {
        let plain = type_name(property);
        if self.taken.contains(&plain) {
            format!("{owner}{plain}")
        } else {
            plain
        }
    }

    fn enum_name(&self, schema: &Value, owner: &str, property: &str, values: &[String]) -> String {
        if let Some(title) = schema.get("title").and_then(Value::as_str) {
            return title.to_owned();
        }
        let plain = type_name(property);
        let reusable = |name: &str| match self.types.iter().find(|def| def.name() == name) {
            Some(TypeDef::Enum(existing)) => existing
                .variants
                .iter()
                .map(|(_, wire)| wire)
                .eq(dedup_case(values).iter().map(|(_, wire)| wire)),
            Some(TypeDef::Struct(_)) => false,
            None => !self.taken.contains(name),
        };
        if !GENERIC_NAMES.contains(&plain.as_str()) && reusable(&plain) {
            plain
        } else {
            format!("{owner}{plain}")
        }
    }
}

fn singular(property: &str) -> String {
    if let Some(stem) = property.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = property
        .strip_suffix('s')
        .filter(|_| !property.ends_with("ss"))
    {
        stem.to_owned()
    } else {
        property.to_owned()
    }
}

/// The documented values of an open enum: `"anyOf": [{"enum": [...]}, {"type": "string"}]`.
fn open_enum_values(schema: &Value) -> Option<Vec<String>> {
    let [known, fallback] = schema.get("anyOf")?.as_array()?.as_slice() else {
        return None;
    };
    if fallback.get("type").and_then(Value::as_str) != Some("string") {
        return None;
    }
    known
        .get("enum")?
        .as_array()?
        .iter()
        .map(|value| value.as_str().map(str::to_owned))
        .collect()
}

fn dedup_case(values: &[String]) -> Vec<(String, String)> {
    let mut seen = BTreeSet::new();
    values
        .iter()
        .filter(|value| seen.insert(value.to_ascii_lowercase()))
        .map(|value| (variant_name(value), value.clone()))
        .collect()
}

fn open_enum(
    name: &str,
    description: &str,
    values: Vec<String>,
    location: &str,
) -> Result<OpenEnum, Error> {
    let variants = dedup_case(&values);
    let mut names = BTreeSet::new();
    for (variant, wire) in &variants {
        if !names.insert(variant.clone()) {
            return Err(Error::schema(
                location,
                format!("enum values collide on variant `{variant}` (`{wire}`)"),
            ));
        }
    }
    Ok(OpenEnum {
        name: name.to_owned(),
        description: description.to_owned(),
        variants,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_refs() {
        let base = "https://ens-rs.dev/schemas/events/pointsIssued.json";
        assert_eq!(
            resolve_ref(base, "../shared/EnteredBy.json"),
            (
                "https://ens-rs.dev/schemas/shared/EnteredBy.json".to_owned(),
                String::new()
            )
        );
        assert_eq!(
            resolve_ref(base, "#/$defs/Foo"),
            (base.to_owned(), "/$defs/Foo".to_owned())
        );
        assert_eq!(
            resolve_ref(
                "https://ens-rs.dev/schemas/shared/A.json",
                "B.json#/$defs/C"
            ),
            (
                "https://ens-rs.dev/schemas/shared/B.json".to_owned(),
                "/$defs/C".to_owned()
            )
        );
    }

    #[test]
    fn singulars() {
        assert_eq!(singular("coupons"), "coupon");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("address"), "address");
    }
}
