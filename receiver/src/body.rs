//! Reading a request body under the configured limit, refusing early what cannot be an event.

use axum::extract::Request;
use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::ReceiverConfig;
use crate::delivery::Delivery;
use crate::receive::{authenticate_and_parse, check_content_type};
use crate::rejection::{BodyUnreadable, PayloadTooLarge, WebhookRejection};

/// Reads the body under the limit (refusing early on a declared oversize or a non-JSON type),
/// then authenticates and parses it.
pub(crate) async fn read_and_receive(
    config: &ReceiverConfig,
    request: Request,
) -> Result<Delivery, WebhookRejection> {
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
        Err(error) => return Err(BodyUnreadable::with_source(error).into()),
    };
    authenticate_and_parse(config, &parts.headers, body)
}
