//! The JSON Schema documents the types are generated from, embedded for runtime validation.
//!
//! Each document is draft 2020-12 with an absolute `$id`; their `$ref`s are relative, so a
//! validator needs all of [`documents`] registered under their ids.
//!
//! ```
//! use ens_schemas::{EventName, json_schema};
//!
//! let schema: serde_json::Value =
//!     serde_json::from_str(EventName::CouponRedeem.json_schema().unwrap()).unwrap();
//! assert_eq!(schema["x-event-name"], "CouponRedeem");
//! assert_eq!(json_schema::documents().count(), 1 + json_schema::SHARED.len() + 66);
//! ```

use crate::EventName;

pub use crate::generated::json_files::SHARED;

/// The envelope document: both wire forms of a delivery.
pub const ENVELOPE: &str = crate::generated::json_files::ENVELOPE;

/// The `$id` of the envelope document.
pub const ENVELOPE_ID: &str = "https://ens-rs.dev/schemas/envelope.json";

/// One embedded schema document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Document {
    /// The document's `$id`, under which other documents `$ref` it.
    pub id: &'static str,
    /// The document's JSON text.
    pub text: &'static str,
}

/// Every document: the envelope, the shared sub-objects, and one per known event.
pub fn documents() -> impl Iterator<Item = Document> {
    let envelope = Document {
        id: ENVELOPE_ID,
        text: ENVELOPE,
    };
    let shared = SHARED.iter().map(|&(id, text)| Document { id, text });
    let events = EventName::ALL.iter().filter_map(|name| {
        Some(Document {
            id: name.json_schema_id()?,
            text: name.json_schema()?,
        })
    });
    std::iter::once(envelope).chain(shared).chain(events)
}
