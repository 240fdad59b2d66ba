//! Capillary-style error bodies and the error codes the mock uses.
//!
//! Capillary v2 APIs report errors as `{"errors":[{"status":false,"code":…,"message":…}],
//! "warnings":[]}`. Code 8015 ("customer not found") appears in Capillary's documentation; the
//! other codes here are the mock's own choices, documented on the [module](super).

use serde_json::{Value, json};

/// Code for "customer not found", as Capillary documents it.
pub(crate) const CUSTOMER_NOT_FOUND: u32 = 8015;
/// Code for a customer id that is not a number (the mock's choice).
pub(crate) const INVALID_CUSTOMER_ID: u32 = 8003;
/// Code for a lookup without `identifierName` or `identifierValue` (the mock's choice).
pub(crate) const MISSING_IDENTIFIER: u32 = 8008;
/// Code for a lookup by an identifier the mock does not know (the mock's choice).
pub(crate) const UNSUPPORTED_IDENTIFIER: u32 = 8009;

/// `{"errors":[{"status":false,"code":code,"message":message}],"warnings":[]}`.
pub(crate) fn error_body(code: u32, message: &str) -> Value {
    json!({
        "errors": [{ "status": false, "code": code, "message": message }],
        "warnings": [],
    })
}
