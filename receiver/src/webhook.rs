//! [`Webhook`]: a [`Delivery`](crate::Delivery) narrowed to the type a handler takes.

use std::fmt;
use std::time::SystemTime;

use bytes::Bytes;
use capillary_ens_schemas::{Envelope, Event, ParseError};

use crate::idempotency::DedupKey;

/// One authenticated ENS delivery narrowed to `T`: the typed event, its envelope, the raw bytes
/// and when it arrived. [`Delivery::narrow`](crate::Delivery::narrow) makes one.
///
/// With the `axum` feature it is also an extractor. `Webhook` (that is, `Webhook<Event>`)
/// takes every event. `Webhook<PointsIssued>` takes one type: other events are acknowledged
/// with 202 without reaching the handler, and a `pointsIssued` whose data does not match the
/// type is acknowledged with 202 too and logged at `error` with its event id and the failing
/// JSON path (a retry would fail the same way, and would hold back every later event of the
/// webhook). With `Webhook<Event>`, such an event arrives as [`Event::Unknown`] with
/// [`type_error`](Self::type_error) set.
///
/// **A bare `Webhook<T>` extractor does no deduplication**: ENS delivers at least once, and a
/// handler mounted with `post(handler)` runs for every copy. Mount handlers through
/// [`EnsRouter`](crate::EnsRouter), which claims each event in the idempotency store first.
///
/// The body is read as bytes under the configured limit and authenticated before it is parsed.
/// The configuration comes from state: `ReceiverConfig: FromRef<S>`. `Debug` shows the envelope
/// (personal data redacted) and the length of the body, never the event or the body.
///
/// ```
/// use axum::{Router, routing::post};
/// use capillary_ens_receiver::{Auth, ReceiverConfig, StaticHeaders, Webhook};
/// use capillary_ens_schemas::events::PointsIssued;
///
/// async fn points(webhook: Webhook<PointsIssued>) {
///     let customer = webhook.event.customer_identifiers.customer_id;
///     let event_id = webhook.envelope.event_id;
///     // send the customer their message …
/// }
///
/// let config = ReceiverConfig::new(Auth::new(StaticHeaders::bearer("t0ken")));
/// // No deduplication on a bare route: prefer `EnsRouter`.
/// let app: Router = Router::new().route("/ens", post(points)).with_state(config);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Webhook<T = Event> {
    /// The typed event.
    pub event: T,
    /// The normalized envelope: event name, id, org, timestamps.
    pub envelope: Envelope,
    /// The body, exactly as received.
    pub raw: Bytes,
    /// When the request was authenticated.
    pub received_at: SystemTime,
    /// For `Webhook<Event>`: why a known event's data did not match its type.
    pub type_error: Option<ParseError>,
    pub(crate) key: DedupKey,
}

impl<T> Webhook<T> {
    /// The key this delivery is deduplicated on: event name and event id.
    pub fn key(&self) -> &DedupKey {
        &self.key
    }
}

impl<T> fmt::Debug for Webhook<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("event", &format_args!("{}", std::any::type_name::<T>()))
            .field("envelope", &self.envelope)
            .field("type_error", &self.type_error)
            .field("raw_len", &self.raw.len())
            .field("received_at", &self.received_at)
            .field("key", &self.key)
            .finish()
    }
}
