//! [`ParseError`]: why a delivery could not be read, and where.

use std::error::Error;
use std::fmt;

use crate::EventName;

/// Which stage of parsing a delivery failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The body is not JSON at all.
    Syntax,
    /// The body is JSON, but not an ENS envelope: not an object, no event name, no `data`, or
    /// an envelope field of the wrong type.
    Envelope,
    /// The envelope is fine and names a known event, but its `data` does not match that
    /// event's type. The event itself is intact: keep the raw bytes.
    Data,
}

/// A delivery that could not be read, with the JSON path of the value that failed.
///
/// Messages are stable and lowercase, and never quote a value from the payload (values can be
/// personal data): `invalid type, expected an integer`, not the string that arrived. For
/// syntax errors the underlying `serde_json` error is kept as [`source`](Error::source).
///
/// ```
/// use capillary_ens_schemas::{ParseErrorKind, parse};
///
/// let body = br#"{"eventName":"pointsIssued","data":{"loyaltyProgramId":"two"}}"#;
/// let error = parse(body.to_vec()).unwrap_err();
/// assert_eq!(error.kind(), ParseErrorKind::Data);
/// assert_eq!(error.path(), Some("data.loyaltyProgramId"));
/// ```
#[derive(Clone)]
pub struct ParseError {
    kind: ParseErrorKind,
    path: Option<String>,
    event_name: Option<EventName>,
    message: String,
    source: Option<std::sync::Arc<serde_json::Error>>,
}

impl ParseError {
    pub(crate) fn syntax(source: serde_json::Error) -> Self {
        Self {
            kind: ParseErrorKind::Syntax,
            path: None,
            event_name: None,
            message: "body is not valid json".to_owned(),
            source: Some(std::sync::Arc::new(source)),
        }
    }

    pub(crate) fn envelope(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind: ParseErrorKind::Envelope,
            path: Some(path.into()),
            event_name: None,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn envelope_from(path: String, source: serde_json::Error) -> Self {
        Self {
            kind: ParseErrorKind::Envelope,
            message: format!("invalid envelope at `{path}`: {}", without_values(&source)),
            path: Some(path),
            event_name: None,
            source: None,
        }
    }

    pub(crate) fn data(event_name: EventName, path: String, source: serde_json::Error) -> Self {
        Self {
            kind: ParseErrorKind::Data,
            message: format!(
                "`{event_name}` payload does not match its type at `{path}`: {}",
                without_values(&source)
            ),
            path: Some(path),
            event_name: Some(event_name),
            source: None,
        }
    }

    pub(crate) fn with_path_prefix(mut self, prefix: &str) -> Self {
        if let Some(path) = &self.path {
            let prefixed = format!("{prefix}{path}");
            self.message = self
                .message
                .replace(&format!("`{path}`"), &format!("`{prefixed}`"));
            self.path = Some(prefixed);
        }
        self
    }

    /// Which stage failed.
    pub fn kind(&self) -> ParseErrorKind {
        self.kind
    }

    /// The JSON path of the value that failed, from the root of the delivery
    /// (`data.coupons[0].valid_till`), when there is one.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The event the delivery names, for [`ParseErrorKind::Data`] errors.
    pub fn event_name(&self) -> Option<&EventName> {
        self.event_name.as_ref()
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseError")
            .field("kind", &self.kind)
            .field("path", &self.path)
            .field("event_name", &self.event_name)
            .field("message", &self.message)
            .finish()
    }
}

/// serde's message without the offending value: `invalid type: string "9198…", expected i64`
/// becomes `invalid type, expected i64`.
fn without_values(source: &serde_json::Error) -> String {
    let detail = source.to_string();
    let detail = detail
        .rsplit_once(" at line ")
        .map_or(detail.as_str(), |(head, _)| head);
    match (detail.split_once(':'), detail.rfind(", expected ")) {
        (Some((kind, _)), Some(expected)) => format!("{kind}{}", &detail[expected..]),
        (Some((kind, _)), None) if kind.starts_with("unknown") || kind.starts_with("invalid") => {
            kind.to_owned()
        }
        _ => detail.to_owned(),
    }
}

impl Error for ParseError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|source| source as _)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn messages_never_quote_payload_values() {
        let body = br#"{"eventName":"pointsExpiryReminder","data":{"customerIdentifiers":{"customerId":"91-98450-12345"},
            "loyaltyProgramId":1,"pointsScheduledForExpiry":1,"scheduledExpiryDate":"2025-01-31"}}"#;
        let error = crate::parse(body.to_vec()).unwrap_err();
        let printed = format!("{error} {error:?}");
        assert!(!printed.contains("98450"), "{printed}");
        assert!(
            printed.contains("data.customerIdentifiers.customerId"),
            "{printed}"
        );
        assert!(printed.contains("expected an integer"), "{printed}");
    }
}
