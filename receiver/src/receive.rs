//! The framework-agnostic core: authenticate the raw bytes, then parse them.

use bytes::Bytes;
use http::HeaderMap;
use http::header::CONTENT_TYPE;

use crate::ReceiverConfig;
use crate::delivery::Delivery;
use crate::rejection::{PayloadTooLarge, UnsupportedMediaType, WebhookRejection};

/// Checks the content type and size, authenticates `body` against `headers`, and parses it
/// into a [`Delivery`].
///
/// This is what the extractor and router do after reading the body; it is public for other
/// frameworks and for tests.
pub fn receive(
    config: &ReceiverConfig,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Delivery, WebhookRejection> {
    check_content_type(headers)?;
    authenticate_and_parse(config, headers, body)
}

/// [`receive`] after the content type was checked: the extractor checks it before reading the
/// body, so it is not checked twice.
pub(crate) fn authenticate_and_parse(
    config: &ReceiverConfig,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Delivery, WebhookRejection> {
    if body.len() > config.limit() {
        return Err(PayloadTooLarge::new().into());
    }
    let received_at = config.auth().now();
    config
        .auth()
        .verify_at(headers, &body, received_at)
        .map_err(WebhookRejection::unauthorized)?;
    Delivery::parse(body, received_at)
}

/// ENS sends `application/json`; a request without a content type is given the benefit of the
/// doubt, one that declares another type is refused.
pub(crate) fn check_content_type(headers: &HeaderMap) -> Result<(), UnsupportedMediaType> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    // Compared ignoring ASCII case, without allocating: this runs on every delivery.
    let essence = value
        .to_str()
        .ok()
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    match essence {
        Some(essence) if is_json(essence) => Ok(()),
        _ => Err(UnsupportedMediaType::new()),
    }
}

/// `application/json` or `application/<anything>+json`, in any ASCII case.
fn is_json(essence: &str) -> bool {
    const PREFIX: &str = "application/";
    const SUFFIX: &str = "+json";
    let has = |range: Option<&str>, expected: &str| {
        range.is_some_and(|part| part.eq_ignore_ascii_case(expected))
    };
    essence.eq_ignore_ascii_case("application/json")
        || (has(essence.get(..PREFIX.len()), PREFIX)
            && essence
                .len()
                .checked_sub(SUFFIX.len())
                .is_some_and(|start| has(essence.get(start..), SUFFIX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content_type(value: &str) -> Result<(), UnsupportedMediaType> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, value.parse().unwrap());
        check_content_type(&headers)
    }

    #[test]
    fn json_content_types_are_accepted_in_any_case() {
        for accepted in [
            "application/json",
            "Application/JSON; charset=utf-8",
            " application/json ;charset=UTF-8",
            "application/vnd.capillary.ens+json",
            "APPLICATION/PROBLEM+JSON",
            "application/+json",
        ] {
            assert!(content_type(accepted).is_ok(), "{accepted}");
        }
        assert!(check_content_type(&HeaderMap::new()).is_ok());
    }

    #[test]
    fn other_content_types_are_refused() {
        for refused in [
            "text/plain",
            "application/xml",
            "application/jsonp",
            "text/json",
            "json",
            "application/",
            "+json",
            "",
        ] {
            assert!(content_type(refused).is_err(), "{refused}");
        }
    }
}
