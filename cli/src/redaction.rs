//! Personal data out of printed bodies: what `ens listen` prints and `ens inbox show` shows.
//!
//! Values the schemas mark personal (`x-pii`) and the values of keys the schemas do not know
//! (where drifted personal data hides) become `[redacted]`; the data of an event the schemas do
//! not know is hidden whole, since nothing says which of its fields are personal.

use capillary_ens_schemas::EventName;
use capillary_ens_schemas::schema_walk::{SchemaSet, redact};
use serde_json::Value;

/// `body` as JSON to print: redacted unless `show_pii`; `None` when it is not JSON (or, when
/// redacting, when there is no event name to know its personal fields by).
pub(crate) fn printable_body(
    schemas: &SchemaSet,
    name: Option<&EventName>,
    body: &[u8],
    show_pii: bool,
) -> Option<Value> {
    let mut value: Value = serde_json::from_slice(body).ok()?;
    if !show_pii {
        let name = name?;
        let report = schemas.walk_delivery(name, &value);
        redact(&mut value, &report.personal_data);
        redact(&mut value, &report.unknown_keys);
        if !name.is_known() {
            redact_data_of_unknown_event(&mut value);
        }
    }
    Some(value)
}

fn redact_data_of_unknown_event(value: &mut Value) {
    let data = match value.get_mut("data") {
        Some(data) => Some(data),
        None => value.pointer_mut("/attributes/data"),
    };
    if let Some(data) = data {
        *data = Value::String("[redacted: unknown event; use --show-pii]".to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_and_unknown_values_are_redacted_unless_asked() {
        let body = br#"{"eventName":"pointsIssued","eventId":"e-1","data":{"customerIdentifiers":{"instore":{"mobile":"919800000001"}},"driftedKey":"x"}}"#;
        let name = EventName::PointsIssued;
        let schemas = SchemaSet::embedded();
        let shown = printable_body(&schemas, Some(&name), body, false).unwrap();
        assert_eq!(
            shown["data"]["customerIdentifiers"]["instore"]["mobile"],
            "[redacted]"
        );
        assert_eq!(shown["data"]["driftedKey"], "[redacted]");
        assert_eq!(shown["eventId"], "e-1");
        let raw = printable_body(&schemas, Some(&name), body, true).unwrap();
        assert_eq!(
            raw["data"]["customerIdentifiers"]["instore"]["mobile"],
            "919800000001"
        );
        assert!(printable_body(&schemas, None, body, false).is_none());
        assert!(printable_body(&schemas, Some(&name), b"not json", true).is_none());
    }
}
