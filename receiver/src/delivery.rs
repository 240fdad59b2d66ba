//! [`Delivery`]: the one shape an authenticated ENS delivery has, from the request to a store
//! and back. It needs no web framework.

use std::fmt;
use std::time::SystemTime;

use bytes::Bytes;
use capillary_ens_schemas::{Envelope, Event, FromEvent, ParseError};

use crate::Webhook;
use crate::idempotency::DedupKey;
use crate::rejection::{OtherEventType, Untypable, WebhookRejection};

/// One authenticated delivery: the raw bytes, the normalized envelope, the typed event and the
/// key it is deduplicated on.
///
/// The router builds it after authenticating a request; a durable inbox stores
/// [`raw`](Self::raw) and [`received_at`](Self::received_at) and rebuilds it later with
/// [`Delivery::parse`]. [`narrow`](Self::narrow) turns it into the [`Webhook<T>`] a handler
/// takes.
///
/// A known event whose data does not match its type is [`Event::Unknown`] here, with
/// [`type_error`](Self::type_error) naming the failing JSON path: nothing is lost for a type
/// this crate got wrong. `Debug` shows the envelope (personal data redacted) and the length of
/// the body, never the body.
///
/// ```
/// use std::time::SystemTime;
/// use capillary_ens_receiver::Delivery;
/// use capillary_ens_schemas::{Event, EventName};
///
/// let raw = br#"{"eventName":"tierUpgraded","eventId":"e-7","data":{"unknownShape":true}}"#;
/// let delivery = Delivery::parse(raw.to_vec().into(), SystemTime::now()).unwrap();
/// assert_eq!(delivery.envelope.event_name, EventName::TierUpgraded);
/// assert_eq!(delivery.key().as_str(), "tierUpgraded:e-7");
/// assert!(matches!(delivery.event, Event::Unknown { .. }));
/// assert!(delivery.type_error.is_some());
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Delivery {
    /// The normalized envelope.
    pub envelope: Envelope,
    /// The typed event; `Unknown` for unknown names and for data that does not type-check.
    pub event: Event,
    /// Why the data did not type-check, for a known event name.
    pub type_error: Option<ParseError>,
    /// The body, exactly as received (and authenticated).
    pub raw: Bytes,
    /// When the request was authenticated.
    pub received_at: SystemTime,
    key: DedupKey,
}

impl Delivery {
    /// Parses an already authenticated body: what the router does after authentication, and
    /// what an inbox does with a body it stored.
    ///
    /// Only a body that is not an ENS event at all fails ([`WebhookRejection::InvalidJson`] or
    /// [`WebhookRejection::NotAnEvent`]). A leading UTF-8 byte order mark is ignored.
    pub fn parse(raw: Bytes, received_at: SystemTime) -> Result<Self, WebhookRejection> {
        let (parsed, type_error) = capillary_ens_schemas::parse_tolerant(&raw[..])
            .map_err(WebhookRejection::from_parse)?;
        let (envelope, event, _) = parsed.into_parts();
        let key = DedupKey::for_delivery(&envelope, &raw);
        Ok(Self {
            envelope,
            event,
            type_error,
            raw,
            received_at,
            key,
        })
    }

    /// The key this delivery is deduplicated on: event name and event id.
    pub fn key(&self) -> &DedupKey {
        &self.key
    }

    /// Narrows the delivery to the handler's type `T`.
    ///
    /// Fails with [`OtherEventType`] for an event of another type and with [`Untypable`] when
    /// the event is of type `T` but its data does not match it. `narrow::<Event>()` never
    /// fails.
    pub fn narrow<T: FromEvent>(self) -> Result<Webhook<T>, WebhookRejection> {
        let Delivery {
            envelope,
            event,
            type_error,
            raw,
            received_at,
            key,
        } = self;
        if !T::accepts(&envelope.event_name) {
            return Err(OtherEventType::new().into());
        }
        match T::narrow(event) {
            Ok(event) => Ok(Webhook {
                event,
                envelope,
                raw,
                received_at,
                type_error,
                key,
            }),
            Err(_) => Err(Untypable::of(&envelope, type_error).into()),
        }
    }
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("envelope", &self.envelope)
            .field("type_error", &self.type_error)
            .field("raw_len", &self.raw.len())
            .field("received_at", &self.received_at)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}
