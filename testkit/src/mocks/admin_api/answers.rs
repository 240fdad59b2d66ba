//! The answers every route builds: Capillary-style errors and the v3 `data` wrapper. Kept
//! apart from the responder so that the routes and the responder do not import each other.

use serde_json::{Value, json};
use wiremock::ResponseTemplate;

/// A Capillary-style error answer.
pub(super) fn error(status: u16, code: u32, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"errors": [{"code": code, "message": message}]}))
}

/// A Capillary-style error answer with several entries.
pub(super) fn errors(status: u16, entries: Vec<(u32, String)>) -> ResponseTemplate {
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|(code, message)| json!({"code": code, "message": message}))
        .collect();
    ResponseTemplate::new(status).set_body_json(json!({ "errors": entries }))
}

/// `data` in the v3 wrapper.
pub(super) fn wrapped(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"data": data, "errors": null, "warnings": null}))
}
