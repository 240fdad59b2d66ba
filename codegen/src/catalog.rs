//! [`Catalog`]: every schema document, loaded and cross-checked against `index.json`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::Error;

/// All schema documents of a `schemas/json/` folder.
#[derive(Debug)]
pub struct Catalog {
    /// The folder the documents were read from.
    pub root: PathBuf,
    /// The event groups in display order, from `index.json`.
    pub groups: Vec<Group>,
    /// `envelope.json`.
    pub envelope: Document,
    /// `shared/*.json`, sorted by file name.
    pub shared: Vec<Document>,
    /// `events/*.json`, in the order of `index.json`.
    pub events: Vec<EventDocument>,
}

/// One group of events.
#[derive(Clone, Debug)]
pub struct Group {
    /// Machine name (`points`, `partnerProgram`).
    pub name: String,
    /// Display title.
    pub title: String,
    /// One sentence on what the group's events report.
    pub description: String,
    /// Wire names of the group's events, in display order.
    pub events: Vec<String>,
}

/// One schema document.
#[derive(Clone, Debug)]
pub struct Document {
    /// Path below the schema folder, with `/` separators (`shared/EnteredBy.json`).
    pub relative_path: String,
    /// The document's `$id`.
    pub id: String,
    /// The parsed document.
    pub json: Value,
}

/// The document of one event.
#[derive(Clone, Debug)]
pub struct EventDocument {
    /// Wire name (`pointsIssued`).
    pub name: String,
    /// Name of its group.
    pub group: String,
    /// The document.
    pub document: Document,
}

impl Catalog {
    /// Reads `index.json`, `envelope.json`, `shared/` and `events/` below `root`.
    pub fn load(root: &Path) -> Result<Self, Error> {
        let index = read_json(&root.join("index.json"))?;
        let groups = parse_groups(&index)?;
        let envelope = load_document(root, "envelope.json")?;
        let shared = list_json(&root.join("shared"))?
            .into_iter()
            .map(|file| load_document(root, &format!("shared/{file}")))
            .collect::<Result<Vec<_>, _>>()?;

        let on_disk: BTreeSet<String> = list_json(&root.join("events"))?
            .into_iter()
            .map(|file| file.trim_end_matches(".json").to_owned())
            .collect();
        let mut listed = BTreeSet::new();
        let mut events = Vec::new();
        for group in &groups {
            for name in &group.events {
                if !listed.insert(name.clone()) {
                    return Err(Error::schema(
                        "index.json",
                        format!("event `{name}` is listed twice"),
                    ));
                }
                if !on_disk.contains(name) {
                    return Err(Error::schema(
                        "index.json",
                        format!("event `{name}` has no events/{name}.json"),
                    ));
                }
                let document = load_document(root, &format!("events/{name}.json"))?;
                check_event_keywords(&document, name, &group.name)?;
                events.push(EventDocument {
                    name: name.clone(),
                    group: group.name.clone(),
                    document,
                });
            }
        }
        if let Some(orphan) = on_disk.difference(&listed).next() {
            return Err(Error::schema(
                format!("events/{orphan}.json"),
                "the event is not listed in index.json",
            ));
        }
        Ok(Self {
            root: root.to_owned(),
            groups,
            envelope,
            shared,
            events,
        })
    }

    /// Every document: envelope, shared, events.
    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        std::iter::once(&self.envelope)
            .chain(&self.shared)
            .chain(self.events.iter().map(|event| &event.document))
    }

    /// The document with this `$id`.
    pub fn document(&self, id: &str) -> Option<&Document> {
        self.documents().find(|document| document.id == id)
    }
}

fn check_event_keywords(document: &Document, name: &str, group: &str) -> Result<(), Error> {
    let location = &document.relative_path;
    let keyword = |key: &str| document.json.get(key).and_then(Value::as_str);
    if keyword("x-event-name") != Some(name) {
        return Err(Error::schema(
            location,
            format!("`x-event-name` must be \"{name}\""),
        ));
    }
    if keyword("x-group") != Some(group) {
        return Err(Error::schema(
            location,
            format!("`x-group` must be \"{group}\", the group index.json lists it under"),
        ));
    }
    Ok(())
}

fn parse_groups(index: &Value) -> Result<Vec<Group>, Error> {
    let groups = index
        .get("groups")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::schema("index.json", "`groups` must be an array"))?;
    groups
        .iter()
        .map(|group| {
            let text = |key: &str| {
                group
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| Error::schema("index.json", format!("a group lacks `{key}`")))
            };
            let events = group
                .get("events")
                .and_then(Value::as_array)
                .ok_or_else(|| Error::schema("index.json", "a group lacks `events`"))?
                .iter()
                .map(|event| {
                    event
                        .as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| Error::schema("index.json", "event names must be strings"))
                })
                .collect::<Result<_, _>>()?;
            Ok(Group {
                name: text("name")?,
                title: text("title")?,
                description: text("description")?,
                events,
            })
        })
        .collect()
}

fn load_document(root: &Path, relative_path: &str) -> Result<Document, Error> {
    let json = read_json(&root.join(relative_path))?;
    let id = json
        .get("$id")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::schema(relative_path, "the document has no `$id`"))?
        .to_owned();
    Ok(Document {
        relative_path: relative_path.to_owned(),
        id,
        json,
    })
}

fn read_json(path: &Path) -> Result<Value, Error> {
    let text = fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| Error::Json {
        path: path.to_owned(),
        source,
    })
}

fn list_json(dir: &Path) -> Result<Vec<String>, Error> {
    let entries = fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            files.push(name);
        }
    }
    files.sort();
    Ok(files)
}
