//! Every `$id` names a file that exists: each schema document's `$id` is the raw URL of that
//! very file in the repository (`Cargo.toml`'s `repository`, branch `main`), whose path maps
//! into the published `capillary-ens-schemas` crate (`json/**`), and the bundle's `$id` is the
//! raw URL of the bundle. Every `$ref` of the bundle points at one of its `$defs`.

mod support;

use std::fs;
use std::path::Path;

use serde_json::Value;

fn raw_base() -> String {
    let repository = env!("CARGO_PKG_REPOSITORY");
    let owner_and_name = repository
        .strip_prefix("https://github.com/")
        .expect("the repository is on GitHub");
    format!("https://raw.githubusercontent.com/{owner_and_name}/main/")
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn json_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "json") && !path.ends_with("index.json")
        {
            found.push(path);
        }
    }
}

#[test]
fn every_schema_id_is_the_raw_url_of_its_own_file() {
    let repository = support::repository();
    let mut files = Vec::new();
    json_files(&repository.join("schemas/json"), &mut files);
    assert!(files.len() > 100);
    for file in files {
        let relative = file
            .strip_prefix(&repository)
            .unwrap()
            .to_str()
            .unwrap()
            .replace('\\', "/");
        let id = read(&file)["$id"].as_str().unwrap().to_owned();
        assert_eq!(id, format!("{}{relative}", raw_base()), "{relative}");
        let in_repository = id.strip_prefix(&raw_base()).unwrap();
        assert!(
            repository.join(in_repository).is_file(),
            "{id} names no file"
        );
    }
    let manifest = fs::read_to_string(repository.join("schemas/Cargo.toml")).unwrap();
    assert!(
        manifest.contains("\"json/**\""),
        "the published crate ships schemas/json as json/, so the ids' paths exist in it too"
    );
}

#[test]
fn the_bundle_id_and_refs_resolve() {
    let repository = support::repository();
    let bundle = read(&repository.join("docs/spec/ens.schema.json"));
    let id = bundle["$id"].as_str().unwrap();
    assert_eq!(id, format!("{}docs/spec/ens.schema.json", raw_base()));
    let defs = bundle["$defs"].as_object().unwrap();
    let mut refs = Vec::new();
    collect_refs(&bundle, &mut refs);
    assert!(refs.len() > 300);
    for reference in refs {
        let name = reference
            .strip_prefix("#/$defs/")
            .unwrap_or_else(|| panic!("{reference} leaves the bundle"));
        assert!(defs.contains_key(name), "{reference} names no definition");
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, item) in object {
                match (key.as_str(), item) {
                    ("$ref", Value::String(reference)) => refs.push(reference.clone()),
                    ("examples", _) => {}
                    _ => collect_refs(item, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}
