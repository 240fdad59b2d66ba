//! The bundled schema is usable outside Rust: json-schema-to-typescript turns it into
//! TypeScript types, and the TypeScript compiler (strict) accepts a real example delivery typed
//! as its event's delivery type and rejects a broken copy.

mod support;

use std::fs;

use serde_json::Value;

#[test]
fn typescript_types_from_the_bundle_type_check_an_example() {
    let repository = support::repository();
    let document: Value = serde_json::from_str(
        &fs::read_to_string(repository.join("schemas/json/events/tierUpgraded.json")).unwrap(),
    )
    .unwrap();
    let dir = support::temp_dir("typescript");
    let example = dir.join("tierUpgraded.json");
    fs::write(&example, document["examples"][0].to_string()).unwrap();

    let out = dir.join("ts");
    let summary = support::run_script(
        "bundle_typescript.cjs",
        &["json-schema-to-typescript", "typescript"],
        &[
            &repository.join("docs/spec/ens.schema.json"),
            &example,
            std::path::Path::new("TierUpgradedDelivery"),
            &out,
        ],
        &[],
    );
    assert_eq!(summary["declaresType"], true, "{summary}");
    assert_eq!(summary["exampleErrors"], 0, "{summary}");
    assert_eq!(summary["brokenRejected"], true, "{summary}");
    assert!(
        summary["exportedTypes"].as_u64().unwrap() >= 66 * 2,
        "{summary}"
    );
    let types = fs::read_to_string(out.join("ens.ts")).unwrap();
    assert!(
        types.contains("export interface TierUpgraded "),
        "the payload has its own type"
    );
    let _ = fs::remove_dir_all(dir);
}
