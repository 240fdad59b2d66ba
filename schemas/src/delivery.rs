//! [`parse`] and [`Delivery`]: from the raw bytes of a request body to a typed event.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::single_pass::parse_in_one_pass;
use crate::{Envelope, Event, EventName, ParseError, WireForm};

/// One parsed delivery: the normalized envelope, the typed event, and the bytes it came from.
///
/// The raw bytes are kept (in whatever container the caller passed, e.g. `Vec<u8>` or
/// `bytes::Bytes`) so that nothing is lost: keys the schemas do not know yet are still there.
/// `Debug` shows the typed parts with personal data redacted, and only the length of the bytes.
#[derive(Clone)]
pub struct Delivery<R = Vec<u8>> {
    /// The envelope: event name, id, org, timestamps.
    pub envelope: Envelope,
    /// The typed event.
    pub event: Event,
    raw: R,
}

impl<R: AsRef<[u8]>> Delivery<R> {
    /// Assembles a delivery from parts, e.g. after [`Envelope::parse`] and [`Event::from_data`].
    pub fn from_parts(envelope: Envelope, event: Event, raw: R) -> Self {
        Self {
            envelope,
            event,
            raw,
        }
    }

    /// The bytes of the request body, exactly as received.
    pub fn raw(&self) -> &[u8] {
        self.raw.as_ref()
    }

    /// Splits the delivery into its envelope, event and raw bytes.
    pub fn into_parts(self) -> (Envelope, Event, R) {
        (self.envelope, self.event, self.raw)
    }

    /// The delivery re-encoded as JSON from its typed parts, in the envelope's wire form.
    pub fn to_json(&self) -> serde_json::Result<Value> {
        Ok(self.envelope.to_json(self.event.to_data()?))
    }
}

impl<R: AsRef<[u8]>> fmt::Debug for Delivery<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("envelope", &self.envelope)
            .field("event", &self.event)
            .field("raw_len", &self.raw.as_ref().len())
            .finish()
    }
}

/// Parses the raw body of an ENS request into its envelope and typed event.
///
/// Accepts both wire forms. An event name this crate does not know becomes
/// [`Event::Unknown`]; a known event whose `data` does not match its type is an error of kind
/// [`ParseErrorKind::Data`](crate::ParseErrorKind::Data) naming the JSON path that failed. Use
/// [`Envelope::parse`] and [`Event::from_data`] directly to keep the envelope in that case.
///
/// When `eventName` comes before `data` (the order ENS writes), `data` is read straight into
/// its type in one pass over the body; otherwise, or on any error, the envelope and the data
/// are read one after the other, which gives the same result and the error's path.
///
/// ```
/// use capillary_ens_schemas::{Event, parse};
///
/// let body = br#"{
///   "eventName": "pointsExpiryReminder",
///   "eventId": "5f0d8b36-3a57-4c1e-9d43-2b8f1c7e6a90",
///   "orgId": 50952,
///   "createdAt": 1732527005123,
///   "data": {
///     "customerIdentifiers": {"customerId": 564937812},
///     "loyaltyProgramId": 2649,
///     "pointsScheduledForExpiry": 250,
///     "scheduledExpiryDate": "2025-01-31"
///   }
/// }"#;
/// let delivery = parse(body.to_vec()).unwrap();
/// assert_eq!(delivery.envelope.org_id, Some(50952));
/// let Event::PointsExpiryReminder(reminder) = &delivery.event else { panic!("not a reminder") };
/// assert_eq!(reminder.points_scheduled_for_expiry.as_ref().map(|points| points.to_f64()), Some(250.0));
/// assert_eq!(reminder.customer_identifiers.customer_id, Some(564937812));
/// ```
pub fn parse<R: AsRef<[u8]>>(raw: R) -> Result<Delivery<R>, ParseError> {
    if let Some((envelope, event)) = parse_in_one_pass(raw.as_ref()) {
        return Ok(Delivery {
            envelope,
            event,
            raw,
        });
    }
    let (envelope, data) = Envelope::parse(raw.as_ref())?;
    let event = match Event::from_data(&envelope.event_name, data) {
        Ok(event) => event,
        Err(error) => return Err(within_form(error, &envelope.wire_form)),
    };
    Ok(Delivery {
        envelope,
        event,
        raw,
    })
}

/// Like [`parse`], but a known event whose `data` does not match its type is still returned:
/// as [`Event::Unknown`] holding the data untouched, beside the error that names the failing
/// path. Only bodies that are not an ENS event at all fail.
///
/// Receivers use this so that an event is never rejected for a type the crate got wrong.
///
/// ```
/// use capillary_ens_schemas::{Event, parse_tolerant};
///
/// let body = br#"{"eventName":"pointsExpiryReminder","data":{"loyaltyProgramId":"two"}}"#;
/// let (delivery, error) = parse_tolerant(body.to_vec()).unwrap();
/// assert!(matches!(delivery.event, Event::Unknown { .. }));
/// assert_eq!(error.unwrap().path(), Some("data.loyaltyProgramId"));
/// ```
pub fn parse_tolerant<R: AsRef<[u8]>>(
    raw: R,
) -> Result<(Delivery<R>, Option<ParseError>), ParseError> {
    if let Some((envelope, event)) = parse_in_one_pass(raw.as_ref()) {
        let delivery = Delivery {
            envelope,
            event,
            raw,
        };
        return Ok((delivery, None));
    }
    let (envelope, data) = Envelope::parse(raw.as_ref())?;
    let (event, error) = match Event::from_data(&envelope.event_name, data) {
        Ok(event) => (event, None),
        Err(error) => {
            let untyped = Event::Unknown {
                name: envelope.event_name.as_str().to_owned(),
                data: serde_json::from_str(data.get()).map_err(ParseError::syntax)?,
            };
            (untyped, Some(within_form(error, &envelope.wire_form)))
        }
    };
    Ok((
        Delivery {
            envelope,
            event,
            raw,
        },
        error,
    ))
}

fn within_form(error: ParseError, form: &WireForm) -> ParseError {
    match form {
        WireForm::Wrapped(_) => error.with_path_prefix("attributes."),
        _ => error,
    }
}

/// Parses one event's `data` into its type, naming the failing path on error.
pub(crate) fn parse_payload<T: DeserializeOwned>(
    event_name: EventName,
    data: &RawValue,
) -> Result<T, ParseError> {
    // The fast path has no path tracking; only a failure pays for a second, tracked pass.
    serde_json::from_str(data.get()).map_err(|error| {
        let mut deserializer = serde_json::Deserializer::from_str(data.get());
        match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Err(located) => {
                let path = match located.path().to_string() {
                    root if root == "." => "data".to_owned(),
                    inner => format!("data.{inner}"),
                };
                ParseError::data(event_name, path, located.into_inner())
            }
            Ok(_) => ParseError::data(event_name, "data".to_owned(), error),
        }
    })
}
