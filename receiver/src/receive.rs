//! The framework-agnostic core: authenticate the raw bytes, then parse them.

use std::time::SystemTime;

use bytes::Bytes;
use ens_schemas::{Envelope, Event, ParseError};
use http::HeaderMap;
use http::header::CONTENT_TYPE;

use crate::ReceiverConfig;
use crate::rejection::{PayloadTooLarge, UnsupportedMediaType, WebhookRejection};

/// An authenticated delivery, parsed.
///
/// A known event whose data does not match its type arrives as [`Event::Unknown`] with
/// [`type_error`](Self::type_error) saying where it failed, so nothing is lost.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Received {
    /// The normalized envelope.
    pub envelope: Envelope,
    /// The typed event; `Unknown` for unknown names and for data that does not type-check.
    pub event: Event,
    /// Why the data did not type-check, for a known event name.
    pub type_error: Option<ParseError>,
    /// The body, exactly as received.
    pub raw: Bytes,
    /// When the request was authenticated.
    pub received_at: SystemTime,
}

/// Checks the content type and size, authenticates `body` against `headers`, and parses it.
///
/// This is what the extractor and router do after reading the body; it is public for other
/// frameworks and for tests.
pub fn receive(
    config: &ReceiverConfig,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Received, WebhookRejection> {
    check_content_type(headers)?;
    if body.len() > config.limit() {
        return Err(PayloadTooLarge::new().into());
    }
    let received_at = config.auth().now();
    config
        .auth()
        .verify_at(headers, &body, received_at)
        .map_err(WebhookRejection::unauthorized)?;
    let (delivery, type_error) =
        ens_schemas::parse_tolerant(body).map_err(WebhookRejection::from_parse)?;
    let (envelope, event, raw) = delivery.into_parts();
    Ok(Received {
        envelope,
        event,
        type_error,
        raw,
        received_at,
    })
}

/// ENS sends `application/json`; a request without a content type is given the benefit of the
/// doubt, one that declares another type is refused.
pub(crate) fn check_content_type(headers: &HeaderMap) -> Result<(), UnsupportedMediaType> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = value
        .to_str()
        .ok()
        .and_then(|value| value.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json") => Ok(()),
        Some(other) if other.starts_with("application/") && other.ends_with("+json") => Ok(()),
        _ => Err(UnsupportedMediaType::new()),
    }
}
