//! [`Webhook`]: the Axum extractor for one ENS delivery.

use std::time::SystemTime;

use axum::extract::{FromRef, FromRequest, Request};
use bytes::Bytes;
use capillary_ens_schemas::{Envelope, Event, FromEvent, ParseError};
use http::header::CONTENT_LENGTH;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::ReceiverConfig;
use crate::receive::{Received, authenticate_and_parse, check_content_type};
use crate::rejection::{
    BodyUnreadable, OtherEventType, PayloadTooLarge, Untypable, WebhookRejection,
};

/// One authenticated ENS delivery: the typed event, its envelope, the raw bytes and when it
/// arrived.
///
/// `Webhook` (that is, `Webhook<Event>`) takes every event. `Webhook<PointsIssued>` takes one
/// type: other events are acknowledged with 202 without reaching the handler, and a
/// `pointsIssued` whose data does not match the type is answered 503 so ENS retries it.
/// With `Webhook<Event>`, such an event arrives as [`Event::Unknown`] with
/// [`type_error`](Self::type_error) set: nothing is rejected for a type this crate got wrong.
///
/// The body is read as bytes under the configured limit and authenticated before it is parsed.
/// The configuration comes from state: `ReceiverConfig: FromRef<S>`.
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
/// let app: Router = Router::new().route("/ens", post(points)).with_state(config);
/// ```
#[derive(Clone, Debug)]
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
}

impl<T: FromEvent> Webhook<T> {
    /// Narrows a received delivery to `T`.
    pub fn from_received(received: Received) -> Result<Self, WebhookRejection> {
        let Received {
            envelope,
            event,
            type_error,
            raw,
            received_at,
        } = received;
        if !T::accepts(&envelope.event_name) {
            return Err(WebhookRejection::OtherEventType(OtherEventType::new()));
        }
        match T::narrow(event) {
            Ok(event) => Ok(Self {
                event,
                envelope,
                raw,
                received_at,
                type_error,
            }),
            Err(_) => Err(WebhookRejection::Untypable(match type_error {
                Some(error) => Untypable::with_source(error),
                None => Untypable::new(),
            })),
        }
    }
}

impl<T, S> FromRequest<S> for Webhook<T>
where
    T: FromEvent,
    S: Send + Sync,
    ReceiverConfig: FromRef<S>,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let config = ReceiverConfig::from_ref(state);
        let received = read_and_receive(&config, request).await?;
        Self::from_received(received)
    }
}

/// Reads the body under the limit (refusing early on a declared oversize or a non-JSON type),
/// then authenticates and parses it.
pub(crate) async fn read_and_receive(
    config: &ReceiverConfig,
    request: Request,
) -> Result<Received, WebhookRejection> {
    let (parts, body) = request.into_parts();
    check_content_type(&parts.headers)?;
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > config.limit() as u64) {
        return Err(PayloadTooLarge::new().into());
    }
    let body: Bytes = match Limited::new(body, config.limit()).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<LengthLimitError>() => return Err(PayloadTooLarge::new().into()),
        Err(error) => {
            return Err(WebhookRejection::BodyUnreadable(
                BodyUnreadable::with_source(error),
            ));
        }
    };
    authenticate_and_parse(config, &parts.headers, body)
}
