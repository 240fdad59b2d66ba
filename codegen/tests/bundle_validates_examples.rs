//! `docs/spec/ens.schema.json` compiles with an independent validator (ajv, draft 2020-12, with
//! ajv-formats asserting `date` and `iso-date-time`) and accepts every example of
//! `schemas/json`: each event's examples as that event's delivery and as the bundle's root, the
//! envelope's and every shared object's as their definitions. The AsyncAPI document's message
//! examples pass its payload schemas too. A broken payload is rejected, or the check proves
//! nothing.

mod support;

use std::fs;
use std::path::Path;

use serde_json::{Value, json};

fn examples_in(path: &Path) -> u64 {
    let document: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    document["examples"]
        .as_array()
        .map_or(0, |examples| examples.len() as u64)
}

#[test]
fn every_example_validates_against_the_bundle() {
    let repository = support::repository();
    let schemas = repository.join("schemas/json");
    let mut events = 0;
    for entry in fs::read_dir(schemas.join("events")).unwrap() {
        events += examples_in(&entry.unwrap().path());
    }
    let mut shared = 0;
    for entry in fs::read_dir(schemas.join("shared")).unwrap() {
        shared += examples_in(&entry.unwrap().path());
    }
    let envelope = examples_in(&schemas.join("envelope.json"));
    assert!(events >= 66, "every event has an example");

    let summary = support::run_script(
        "bundle_validate.cjs",
        &["ajv", "ajv-formats"],
        &[
            &repository.join("docs/spec/ens.schema.json"),
            &schemas,
            &repository.join("docs/spec/ens.asyncapi.json"),
        ],
        &[],
    );
    assert_eq!(summary["failures"], 0, "{summary}");
    assert_eq!(
        summary["validated"],
        json!(2 * events + envelope + shared),
        "each event example twice (its delivery, the root), the envelope's and the shared ones once"
    );
    assert_eq!(summary["asyncapiValidated"], json!(events));
    assert_eq!(summary["controlRejected"], true);
    assert_eq!(
        summary["controlErrors"],
        json!(["", "/data/tierExpiryDate", "/data/upgradedTierNumber"]),
        "a wrong type and a malformed date are both caught"
    );
}
