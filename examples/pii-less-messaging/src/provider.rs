//! [`Provider`]: the SMS and email provider's HTTP API (Twilio/SendGrid-like).

use std::fmt;
use std::time::Duration;

use ens_schemas::Pii;
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use serde::Serialize;

use crate::Channel;

/// The `Retry-After` assumed when the provider answers 429 without a usable one.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);
/// The longest `Retry-After` passed on to ENS.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60 * 60);

/// One message for the provider. `to`, `subject` and `body` are personal, so `Debug` redacts
/// them; the serialized form is the provider's request body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingMessage {
    /// `sms` or `email`.
    #[serde(serialize_with = "channel_name")]
    pub channel: Channel,
    /// The mobile number or email address.
    pub to: Pii<String>,
    /// The email subject; absent for SMS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Pii<String>>,
    /// The text.
    pub body: Pii<String>,
    /// The ENS `eventId` (or `eventId:couponId`): the provider drops a second request with the
    /// same key, which covers a crash between its answer and our record of it.
    pub idempotency_key: String,
}

fn channel_name<S: serde::Serializer>(channel: &Channel, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(channel.as_str())
}

/// The provider took the message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Accepted {
    /// The provider's id for the message (`messageId` or `id` in its answer), if it gave one.
    pub message_id: Option<String>,
}

/// A client of the provider's API: `POST {base}/v1/messages` with bearer authentication.
///
/// ```
/// use std::time::Duration;
/// use example_pii_less_messaging::Provider;
///
/// let provider = Provider::new("https://sms.example.com", "sk_live_abc")
///     .timeout(Duration::from_secs(5));
/// assert_eq!(provider.messages_url(), "https://sms.example.com/v1/messages");
/// assert!(!format!("{provider:?}").contains("sk_live_abc"));
/// ```
#[derive(Clone)]
pub struct Provider {
    client: reqwest::Client,
    messages_url: String,
    token: Pii<String>,
    timeout: Duration,
}

impl Provider {
    /// A client of the API at `base_url` (scheme, host and optional path prefix) using `token`.
    /// Requests time out after 10 s, well inside ENS's 30 s attempt timeout.
    pub fn new(base_url: &str, token: impl Into<String>) -> Self {
        Self {
            client: reqwest::Client::new(),
            messages_url: format!("{}/v1/messages", base_url.trim_end_matches('/')),
            token: Pii::new(token.into()),
            timeout: Duration::from_secs(10),
        }
    }

    /// Gives up on a request after `timeout`; the event is then retried by ENS.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The URL messages are POSTed to.
    pub fn messages_url(&self) -> &str {
        &self.messages_url
    }

    /// Sends `message`.
    pub async fn send(&self, message: &OutgoingMessage) -> Result<Accepted, ProviderError> {
        let response = self
            .client
            .post(&self.messages_url)
            .bearer_auth(self.token.expose())
            .timeout(self.timeout)
            .json(message)
            .send()
            .await
            .map_err(|error| ProviderError::Unreachable(Box::new(error.without_url())))?;
        let status = response.status();
        if status.is_success() {
            // The id is a nicety: an answer without one (or without JSON) still means sent.
            let answer: serde_json::Value = response.json().await.unwrap_or_default();
            let message_id = ["messageId", "id"]
                .iter()
                .find_map(|key| answer.get(key)?.as_str().map(str::to_owned));
            return Ok(Accepted { message_id });
        }
        Err(classify(status, response.headers().get(RETRY_AFTER)))
    }
}

fn classify(
    status: StatusCode,
    retry_after: Option<&reqwest::header::HeaderValue>,
) -> ProviderError {
    let code = status.as_u16();
    match status {
        StatusCode::TOO_MANY_REQUESTS => ProviderError::RateLimited {
            retry_after: retry_after
                .and_then(|value| value.to_str().ok())
                .and_then(parse_retry_after)
                .unwrap_or(DEFAULT_RETRY_AFTER),
        },
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            ProviderError::Unauthorized { status: code }
        }
        StatusCode::REQUEST_TIMEOUT => ProviderError::Unavailable { status: code },
        status if status.is_client_error() => ProviderError::Rejected { status: code },
        _ => ProviderError::Unavailable { status: code },
    }
}

/// `Retry-After` in seconds, clamped to 1 s ..= 1 h. (The HTTP-date form is not used by the
/// providers this example targets; it falls back to the default.)
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: u64 = value.trim().parse().ok()?;
    Some(Duration::from_secs(seconds).clamp(Duration::from_secs(1), MAX_RETRY_AFTER))
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("messages_url", &self.messages_url)
            .field("token", &self.token)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Why the provider did not take a message.
#[derive(Debug)]
#[non_exhaustive]
pub enum ProviderError {
    /// 5xx or 408: the provider is down or overloaded. Retriable.
    Unavailable {
        /// The status it answered.
        status: u16,
    },
    /// 429: slow down. Retriable after `retry_after`.
    RateLimited {
        /// How long the provider asked us to wait.
        retry_after: Duration,
    },
    /// 401 or 403: our token is wrong or revoked. Retriable, once the token is fixed.
    Unauthorized {
        /// The status it answered.
        status: u16,
    },
    /// Another 4xx: the provider refuses this message (an invalid number, say). Retrying the
    /// same message would fail the same way.
    Rejected {
        /// The status it answered.
        status: u16,
    },
    /// No answer: connection refused, reset or timed out. Retriable.
    Unreachable(Box<dyn std::error::Error + Send + Sync>),
}

impl ProviderError {
    /// Whether sending the same message again later may succeed.
    pub fn is_retriable(&self) -> bool {
        !matches!(self, Self::Rejected { .. })
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable { status } => write!(f, "the provider is unavailable ({status})"),
            Self::RateLimited { retry_after } => write!(
                f,
                "the provider is rate limiting; retry after {} s",
                retry_after.as_secs()
            ),
            Self::Unauthorized { status } => {
                write!(f, "the provider refused our credentials ({status})")
            }
            Self::Rejected { status } => write!(f, "the provider rejected the message ({status})"),
            Self::Unreachable(_) => f.write_str("the provider could not be reached"),
        }
    }
}

impl std::error::Error for ProviderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unreachable(source) => Some(&**source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn statuses_are_classified_for_ens() {
        let of = |code: u16| classify(StatusCode::from_u16(code).unwrap(), None);
        assert!(matches!(
            of(503),
            ProviderError::Unavailable { status: 503 }
        ));
        assert!(matches!(
            of(408),
            ProviderError::Unavailable { status: 408 }
        ));
        assert!(matches!(
            of(401),
            ProviderError::Unauthorized { status: 401 }
        ));
        assert!(matches!(of(422), ProviderError::Rejected { status: 422 }));
        assert!(!of(400).is_retriable());
        assert!(matches!(
            of(429),
            ProviderError::RateLimited { retry_after } if retry_after == DEFAULT_RETRY_AFTER
        ));
        let header = reqwest::header::HeaderValue::from_static("7");
        assert!(matches!(
            classify(StatusCode::TOO_MANY_REQUESTS, Some(&header)),
            ProviderError::RateLimited { retry_after } if retry_after == Duration::from_secs(7)
        ));
    }

    #[test]
    fn retry_after_is_clamped() {
        assert_eq!(parse_retry_after("0"), Some(Duration::from_secs(1)));
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("999999999"), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn the_request_body_is_the_providers_shape() {
        let message = OutgoingMessage {
            channel: Channel::Email,
            to: "asha@example.com".into(),
            subject: Some("Hi".into()),
            body: "Hello".into(),
            idempotency_key: "e-1".to_owned(),
        };
        assert_eq!(
            serde_json::to_value(&message).unwrap(),
            serde_json::json!({
                "channel": "email", "to": "asha@example.com", "subject": "Hi",
                "body": "Hello", "idempotencyKey": "e-1"
            })
        );
        assert!(!format!("{message:?}").contains("asha"));
    }

    proptest! {
        #[test]
        fn retry_after_parsing_never_panics(value in ".*") {
            if let Some(delay) = parse_retry_after(&value) {
                prop_assert!(delay >= Duration::from_secs(1) && delay <= MAX_RETRY_AFTER);
            }
        }
    }
}
