//! [`Outgoing`]: one event as the simulator sends it, raw bytes and what they say.

use std::fmt;

use bytes::Bytes;
use capillary_ens_schemas::Envelope;
use serde_json::Value;

/// The body of one delivery, sent byte for byte, with the event id and name read from it.
///
/// Both envelope forms are understood (flat and `eventType`/`attributes`). A body that is not
/// an event at all is still sent, named `unknown`, so receivers can be tested on junk too.
/// `Debug` shows the name, id and length, never the body, which may hold personal data.
///
/// ```
/// use capillary_ens_testkit::simulator::Outgoing;
/// use serde_json::json;
///
/// let event = Outgoing::from(json!({"eventName": "pointsIssued", "eventId": "e-1", "data": {}}));
/// assert_eq!(event.event_name(), "pointsIssued");
/// assert_eq!(event.event_id(), Some("e-1"));
/// assert_eq!(Outgoing::from(&b"not json"[..]).event_name(), "unknown");
/// ```
#[derive(Clone)]
pub struct Outgoing {
    body: Bytes,
    event_id: Option<String>,
    event_name: String,
}

/// The name given to bodies that carry no readable event name.
const UNKNOWN: &str = "unknown";

impl Outgoing {
    /// Reads the event id and name from `body`; never fails.
    pub fn new(body: impl Into<Bytes>) -> Self {
        let body = body.into();
        let (event_name, event_id) = match Envelope::parse(&body) {
            Ok((envelope, _)) => (envelope.event_name.as_str().to_owned(), envelope.event_id),
            Err(_) => read_loosely(&body),
        };
        Self {
            body,
            event_id,
            event_name,
        }
    }

    /// The exact bytes that are POSTed.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The event's `eventId`, when it has one.
    pub fn event_id(&self) -> Option<&str> {
        self.event_id.as_deref()
    }

    /// The event's name (`eventName`), or `unknown`.
    pub fn event_name(&self) -> &str {
        &self.event_name
    }
}

/// Best effort for bodies the envelope parser refuses: top-level `eventName` and `eventId`.
fn read_loosely(body: &[u8]) -> (String, Option<String>) {
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
        return (UNKNOWN.to_owned(), None);
    };
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    (
        text("eventName").unwrap_or_else(|| UNKNOWN.to_owned()),
        text("eventId"),
    )
}

impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outgoing")
            .field("event_name", &self.event_name)
            .field("event_id", &self.event_id)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl From<Vec<u8>> for Outgoing {
    fn from(body: Vec<u8>) -> Self {
        Self::new(body)
    }
}

impl From<&[u8]> for Outgoing {
    fn from(body: &[u8]) -> Self {
        Self::new(Bytes::copy_from_slice(body))
    }
}

impl From<Bytes> for Outgoing {
    fn from(body: Bytes) -> Self {
        Self::new(body)
    }
}

impl From<String> for Outgoing {
    fn from(body: String) -> Self {
        Self::new(body)
    }
}

impl From<&str> for Outgoing {
    fn from(body: &str) -> Self {
        Self::new(Bytes::copy_from_slice(body.as_bytes()))
    }
}

impl From<Value> for Outgoing {
    fn from(event: Value) -> Self {
        Self::from(&event)
    }
}

impl From<&Value> for Outgoing {
    fn from(event: &Value) -> Self {
        Self::new(event.to_string())
    }
}
