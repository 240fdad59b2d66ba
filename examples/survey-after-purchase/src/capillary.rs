//! The Capillary customer API: who the customer is and how to reach them.

use std::fmt;
use std::time::Duration;

use ens_receiver::HandlerError;
use ens_schemas::Pii;
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use serde_json::Value;

use crate::config::CapillarySettings;

/// Capillary's error code for "customer not found".
const CUSTOMER_NOT_FOUND: i64 = 8015;

/// What a survey needs to know about a customer. `Debug` redacts every field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CustomerContact {
    pub(crate) first_name: Option<Pii<String>>,
    pub(crate) email: Option<Pii<String>>,
    pub(crate) mobile: Option<Pii<String>>,
}

/// Looks customers up with `GET /v2/customers/{id}`.
#[derive(Clone, Debug)]
pub(crate) struct CapillaryClient {
    http: reqwest::Client,
    settings: CapillarySettings,
}

impl CapillaryClient {
    pub(crate) fn new(http: reqwest::Client, settings: CapillarySettings) -> Self {
        Self { http, settings }
    }

    /// The contact of customer `id`, or `None` when Capillary does not know the customer.
    pub(crate) async fn contact(&self, id: i64) -> Result<Option<CustomerContact>, CapillaryError> {
        let url = format!("{}/v2/customers/{id}", self.settings.base_url);
        let request = self.settings.credentials.authorize(self.http.get(url));
        let response = request
            .send()
            .await
            .map_err(|error| CapillaryError::Unreachable(error.without_url()))?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response
            .bytes()
            .await
            .map_err(|error| CapillaryError::Unreachable(error.without_url()))?;
        interpret(status, retry_after, &body)
    }
}

/// From a response to a customer, "not found", or the error to retry on.
pub(crate) fn interpret(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Result<Option<CustomerContact>, CapillaryError> {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Err(CapillaryError::RateLimited { retry_after });
    }
    let json = serde_json::from_slice::<Value>(body).ok();
    if status == StatusCode::NOT_FOUND {
        // A 404 without Capillary's code is a wrong URL, not a missing customer: retry.
        return match json.as_ref().and_then(error_code) {
            Some(CUSTOMER_NOT_FOUND) => Ok(None),
            _ => Err(CapillaryError::Status(status.as_u16())),
        };
    }
    if !status.is_success() {
        return Err(CapillaryError::Status(status.as_u16()));
    }
    match json {
        Some(customer) if customer.is_object() => Ok(Some(contact_of(&customer))),
        _ => Err(CapillaryError::InvalidBody),
    }
}

/// `errors[0].code` of a Capillary error body.
fn error_code(body: &Value) -> Option<i64> {
    body.get("errors")?.get(0)?.get("code")?.as_i64()
}

/// The first profile's name, and its email and mobile: from `commChannels` (the primary one
/// first), else from `identifiers`.
fn contact_of(customer: &Value) -> CustomerContact {
    let profile = customer
        .get("profiles")
        .and_then(|profiles| profiles.get(0))
        .unwrap_or(&Value::Null);
    CustomerContact {
        first_name: text(profile.get("firstName")),
        email: channel(profile, "email"),
        mobile: channel(profile, "mobile"),
    }
}

fn channel(profile: &Value, kind: &str) -> Option<Pii<String>> {
    let of_kind = |list: &str| -> Vec<&Value> {
        profile
            .get(list)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter(|item| {
                        item.get("type")
                            .and_then(Value::as_str)
                            .is_some_and(|found| found.eq_ignore_ascii_case(kind))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let channels = of_kind("commChannels");
    let primary = channels
        .iter()
        .filter(|item| item.get("primary").and_then(Value::as_bool) == Some(true))
        .chain(channels.iter())
        .find_map(|item| text(item.get("value")));
    primary.or_else(|| {
        of_kind("identifiers")
            .into_iter()
            .find_map(|item| text(item.get("value")))
    })
}

/// A non-blank string.
fn text(value: Option<&Value>) -> Option<Pii<String>> {
    let text = value?.as_str()?.trim();
    (!text.is_empty()).then(|| Pii::new(text.to_owned()))
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let seconds = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// Why a customer could not be looked up. Every case is worth retrying.
#[derive(Debug)]
pub(crate) enum CapillaryError {
    /// No answer: connection refused, timeout, TLS failure.
    Unreachable(reqwest::Error),
    /// 429: come back later.
    RateLimited { retry_after: Option<Duration> },
    /// Any other unexpected status (401 for wrong credentials, 5xx for an outage).
    Status(u16),
    /// A 2xx answer that is not a customer object.
    InvalidBody,
}

impl CapillaryError {
    /// A retriable handler error: 429 (with the API's `Retry-After`) when Capillary rate
    /// limits, 503 otherwise.
    pub(crate) fn into_handler_error(self) -> HandlerError {
        match self {
            Self::RateLimited { retry_after } => HandlerError::rate_limited(
                retry_after.unwrap_or(Duration::from_secs(30)),
                Self::RateLimited { retry_after },
            ),
            other => HandlerError::unavailable(other),
        }
    }
}

impl fmt::Display for CapillaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreachable(error) => {
                write!(f, "the capillary api could not be reached: {error}")
            }
            Self::RateLimited { .. } => f.write_str("the capillary api is rate limiting"),
            Self::Status(status) => write!(f, "the capillary api answered {status}"),
            Self::InvalidBody => f.write_str("the capillary api answered with no customer object"),
        }
    }
}

impl std::error::Error for CapillaryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unreachable(error) => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn answer(status: u16, body: &Value) -> Result<Option<CustomerContact>, CapillaryError> {
        let status = StatusCode::from_u16(status).unwrap();
        interpret(status, None, body.to_string().as_bytes())
    }

    #[test]
    fn the_primary_channel_wins_and_identifiers_are_the_fallback() {
        let customer = json!({"id": 42, "profiles": [{
            "firstName": "Priya",
            "commChannels": [
                {"type": "email", "value": "old@example.com", "primary": false},
                {"type": "email", "value": "priya@example.com", "primary": true}
            ],
            "identifiers": [{"type": "mobile", "value": "919876543210"}]
        }]});
        let contact = answer(200, &customer).unwrap().unwrap();
        assert_eq!(contact.first_name.unwrap().expose(), "Priya");
        assert_eq!(contact.email.unwrap().expose(), "priya@example.com");
        assert_eq!(contact.mobile.unwrap().expose(), "919876543210");
    }

    #[test]
    fn only_capillarys_not_found_code_means_an_unknown_customer() {
        let not_found =
            json!({"errors": [{"status": false, "code": 8015, "message": "Customer not found"}]});
        assert!(answer(404, &not_found).unwrap().is_none());
        let wrong_path = json!({"errors": [{"code": 404}]});
        assert!(matches!(
            answer(404, &wrong_path),
            Err(CapillaryError::Status(404))
        ));
        assert!(matches!(
            answer(401, &json!({})),
            Err(CapillaryError::Status(401))
        ));
        assert!(matches!(
            answer(200, &json!([])),
            Err(CapillaryError::InvalidBody)
        ));
        assert_eq!(
            answer(200, &json!({"profiles": [{"firstName": " "}]})).unwrap(),
            Some(CustomerContact::default())
        );
    }

    proptest! {
        #[test]
        fn any_answer_is_interpreted_without_panicking(
            status in 100u16..600,
            body in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            let _ = interpret(StatusCode::from_u16(status).unwrap(), None, &body);
        }

        #[test]
        fn any_json_customer_is_read_without_panicking(
            first_name in proptest::option::of(".{0,10}"),
            kinds in proptest::collection::vec(("(email|mobile|EMAIL|fax)", ".{0,10}", any::<Option<bool>>()), 0..4),
        ) {
            let channels: Vec<Value> = kinds
                .iter()
                .map(|(kind, value, primary)| json!({"type": kind, "value": value, "primary": primary}))
                .collect();
            let customer = json!({"profiles": [{"firstName": first_name, "commChannels": channels, "identifiers": 7}]});
            prop_assert!(answer(200, &customer).is_ok());
        }
    }
}
