//! `docs/spec/ens.asyncapi.json` passes the official AsyncAPI parser (`@asyncapi/parser`) with
//! no error: one channel, a message per event with its examples, an HTTP POST binding and the
//! three kinds of authentication.

mod support;

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

const PACKAGES: &[&str] = &["@asyncapi/parser"];

fn parse(document: &Path) -> Value {
    support::run_script("asyncapi_parse.cjs", PACKAGES, &[document], &[])
}

#[test]
fn the_asyncapi_document_parses_without_errors() {
    let document = support::repository().join("docs/spec/ens.asyncapi.json");
    let summary = parse(&document);
    assert_eq!(summary["errors"], 0, "{summary}");
    assert_eq!(summary["version"], "3.0.0");
    assert_eq!(summary["channels"], 1);
    assert_eq!(summary["messages"], 66);
    assert_eq!(summary["messagesWithExamples"], 66);
    assert_eq!(
        summary["payloadTitles"], 66,
        "every payload references its schema"
    );
    assert_eq!(
        summary["operations"],
        json!([{ "action": "send", "method": "POST" }])
    );
    assert_eq!(
        summary["securitySchemes"],
        json!([
            "basic",
            "bearer",
            "staticHeader",
            "hmacSha256",
            "standardWebhooks"
        ])
    );
}

#[test]
fn the_parser_check_fails_on_an_invalid_document() {
    let original = support::repository().join("docs/spec/ens.asyncapi.json");
    let mut document: Value = serde_json::from_str(&fs::read_to_string(original).unwrap()).unwrap();
    document["operations"]["deliverEvent"]["action"] = json!("post");
    document["components"]["messages"]["pointsIssued"]["payload"] =
        json!({ "$ref": "#/components/schemas/NoSuchSchema" });
    let dir = support::temp_dir("asyncapi-invalid");
    let broken = dir.join("broken.asyncapi.json");
    fs::write(&broken, serde_json::to_string(&document).unwrap()).unwrap();

    let output = Command::new("node")
        .arg(support::repository().join("codegen/tests/js/asyncapi_parse.cjs"))
        .arg(&broken)
        .env("NODE_PATH", support::node_modules(PACKAGES))
        .output()
        .expect("running node");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "a broken document passed:\n{stderr}"
    );
    assert!(stderr.contains("error:"), "{stderr}");
}
