//! Snapshot tests of the generator on small edge-case catalogs, and its errors on bad schemas.
//!
//! `snapshots/<case>/json/` is the input; `snapshots/<case>/expected/` the output. After an
//! intended change, rerun with `ENS_UPDATE_SNAPSHOTS=1` and review the diff.

use std::fs;
use std::path::{Path, PathBuf};

use capillary_ens_codegen::{
    Error, GeneratedFile, generate_docs, generate_rust, stale_files, write_files,
};

fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(case)
}

fn assert_snapshot(case: &str, files: &[GeneratedFile]) {
    let expected = case_dir(case).join("expected");
    if std::env::var_os("ENS_UPDATE_SNAPSHOTS").is_some() {
        write_files(&expected, files).unwrap();
    }
    let stale = stale_files(&expected, files).unwrap();
    if !stale.is_empty() {
        for file in files {
            let existing = fs::read_to_string(expected.join(&file.path)).unwrap_or_default();
            if existing != file.contents {
                eprintln!("--- {} now reads:\n{}", file.path.display(), file.contents);
            }
        }
        panic!("snapshot {case} differs: {stale:?}; rerun with ENS_UPDATE_SNAPSHOTS=1 if intended");
    }
}

#[test]
fn edge_cases_generate_the_expected_code() {
    let files = generate_rust(&case_dir("edge_cases").join("json")).unwrap();
    assert_snapshot("edge_cases", &files);

    let module = files
        .iter()
        .find(|file| file.path == Path::new("events/edge_case.rs"))
        .unwrap();
    let code = &module.contents;
    // Spot checks that say what the snapshot is for.
    assert!(
        code.contains("pub count: i64,"),
        "required integer is not optional"
    );
    assert!(
        code.contains("pub maybe_null: Option<String>,"),
        "required but nullable is optional"
    );
    assert!(!code.contains("f64"), "decimals are exact, never f64");
    assert!(code.contains("pub amount: Option<crate::Decimal>,"));
    assert!(code.contains("pub decimal: Option<crate::NumberOrText>,"));
    assert!(code.contains("pub happened_at: crate::Timestamp,"));
    assert!(code.contains("pub plain_count: Option<i64>,"));
    assert!(code.contains("pub mixed_id: Option<crate::IntOrString>,"));
    assert!(code.contains("pub type_: Option<String>,"));
    assert!(code.contains("pub bill_id_snake: Option<String>,"));
    assert!(code.contains("alias = \"instore\""));
    assert!(code.contains("pub cards: Option<crate::Pii<Vec<String>>>,"));
    assert!(code.contains("pub person: crate::shared::Person,"));
    assert!(
        code.contains("pub scores: Option<std::collections::BTreeMap<String, crate::Decimal>>,")
    );
    assert!(code.contains("pub free: Option<crate::Pii<serde_json::Value>>,"));
    assert!(
        code.contains("pub enum InlineStatus"),
        "a generic enum name gets its owner's prefix"
    );
    assert!(code.contains("pub enum ItemStatus"));
    assert_eq!(
        code.matches("pub enum TierKind").count(),
        1,
        "identical enums are reused"
    );
    assert!(
        code.find("pub struct EdgeCase").unwrap() < code.find("pub struct Inline").unwrap(),
        "the payload comes first"
    );
    assert!(!code.contains("deny_unknown_fields"));
    let shared = files
        .iter()
        .find(|file| file.path == Path::new("shared.rs"))
        .unwrap();
    assert!(shared.contents.contains("pub enum PersonKind"));
    assert_eq!(
        shared.contents.matches("Self::Loyalty => \"").count(),
        1,
        "values that differ only in case make one variant"
    );
    assert!(
        shared
            .contents
            .contains(r"City \[with brackets\] and `code[0]`.")
    );
}

#[test]
fn edge_cases_document_every_field() {
    let pages = generate_docs(&case_dir("edge_cases").join("json")).unwrap();
    let page = pages
        .iter()
        .find(|page| page.path == Path::new("events/edgeCase.md"))
        .unwrap();
    assert!(page.contents.contains("| `items[].points` | number |"));
    assert!(
        page.contents
            .contains("| `cards` | array of string |  | yes |")
    );
    assert!(
        page.contents
            .contains("| `person` | [`Person`](shared/Person.md) | yes |")
    );
    assert!(
        page.contents
            .contains("| `inline.status` | string: `ACTIVE`, `INACTIVE` or other |")
    );
}

/// A catalog with one event whose payload properties are `properties`.
fn catalog_with(name: &str, payload: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "capillary-ens-codegen-{}-{name}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("events")).unwrap();
    fs::create_dir_all(dir.join("shared")).unwrap();
    fs::write(
        dir.join("index.json"),
        r#"{"groups":[{"name":"g","title":"G","description":"d","events":["bad"]}]}"#,
    )
    .unwrap();
    fs::write(
        dir.join("envelope.json"),
        r#"{"$id":"https://ens-rs.dev/schemas/envelope.json"}"#,
    )
    .unwrap();
    fs::write(
        dir.join("events/bad.json"),
        format!(
            r#"{{"$id":"https://ens-rs.dev/schemas/events/bad.json","x-event-name":"bad","x-group":"g",
                "$defs":{{"Bad":{payload}}}}}"#
        ),
    )
    .unwrap();
    dir
}

fn schema_error(name: &str, payload: &str) -> String {
    match generate_rust(&catalog_with(name, payload)) {
        Err(error @ Error::Schema { .. }) => error.to_string(),
        other => panic!("expected a schema error, got {other:?}"),
    }
}

#[test]
fn colliding_field_names_ask_for_x_rust_name() {
    let message = schema_error(
        "collide",
        r#"{"type":"object","properties":{"billId":{"type":"string"},"bill_id":{"type":"string"}}}"#,
    );
    assert!(
        message.contains("field name `bill_id` is taken"),
        "{message}"
    );
    assert!(message.contains("x-rust-name"), "{message}");
}

#[test]
fn a_dangling_ref_is_named() {
    let message = schema_error(
        "dangling",
        r##"{"type":"object","properties":{"a":{"$ref":"#/$defs/Nope"}}}"##,
    );
    assert!(
        message.contains("events/bad.json#/$defs/Bad/properties/a"),
        "{message}"
    );
    assert!(message.contains("#/$defs/Nope"), "{message}");
}

#[test]
fn unsupported_types_are_rejected() {
    let message = schema_error(
        "types",
        r#"{"type":"object","properties":{"a":{"type":["boolean","string"]}}}"#,
    );
    assert!(
        message.contains("unsupported type combination"),
        "{message}"
    );
}

#[test]
fn required_properties_must_exist() {
    let message = schema_error(
        "required",
        r#"{"type":"object","required":["nope"],"properties":{}}"#,
    );
    assert!(
        message.contains("`nope` is required but not a property"),
        "{message}"
    );
}

#[test]
fn events_missing_from_the_index_are_rejected() {
    let dir = catalog_with("orphan", r#"{"type":"object","properties":{}}"#);
    fs::write(dir.join("events/orphan.json"), "{}").unwrap();
    let message = generate_rust(&dir).unwrap_err().to_string();
    assert!(
        message.contains("events/orphan.json: the event is not listed in index.json"),
        "{message}"
    );
}
