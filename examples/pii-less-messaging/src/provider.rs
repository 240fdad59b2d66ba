//! [`Provider`]: the SMS and email provider's HTTP API (Twilio/SendGrid-like).

use std::fmt;
use std::time::Duration;

use capillary_ens_receiver::HandlerError;
use capillary_ens_schemas::Pii;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Serialize;

use crate::Channel;

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
    /// Requests time out after 10 s, well inside the inbox's 5 minute lease.
    pub fn new(base_url: &str, token: impl Into<String>) -> Self {
        Self {
            client: reqwest::Client::new(),
            messages_url: format!("{}/v1/messages", base_url.trim_end_matches('/')),
            token: Pii::new(token.into()),
            timeout: Duration::from_secs(10),
        }
    }

    /// Gives up on a request after `timeout`; the inbox then retries the event.
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
            .map_err(|error| {
                let failure = Failure::Unreachable(error.without_url());
                ProviderError::Retriable(HandlerError::unavailable(failure))
            })?;
        let status = response.status();
        if status.is_success() {
            // The id is a nicety: an answer without one (or without JSON) still means sent.
            let answer: serde_json::Value = response.json().await.unwrap_or_default();
            let message_id = ["messageId", "id"]
                .iter()
                .find_map(|key| answer.get(key)?.as_str().map(str::to_owned));
            return Ok(Accepted { message_id });
        }
        Err(classify(status, response.headers()))
    }
}

/// A 4xx other than 401, 403, 408 and 429 refuses the message for good; anything else is
/// worth a retry (429 with the provider's `Retry-After`).
fn classify(status: StatusCode, headers: &HeaderMap) -> ProviderError {
    let retriable = [
        StatusCode::UNAUTHORIZED,
        StatusCode::FORBIDDEN,
        StatusCode::REQUEST_TIMEOUT,
        StatusCode::TOO_MANY_REQUESTS,
    ];
    if status.is_client_error() && !retriable.contains(&status) {
        return ProviderError::Rejected {
            status: status.as_u16(),
        };
    }
    ProviderError::Retriable(HandlerError::upstream(
        status,
        headers,
        Failure::Answered(status),
    ))
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
    /// A 4xx other than 401, 403, 408 and 429: the provider refuses this message (an invalid
    /// number, say). Retrying the same message would fail the same way.
    Rejected {
        /// The status it answered.
        status: u16,
    },
    /// A later attempt may succeed: the provider is down or overloaded (5xx, 408), rate
    /// limiting (429), refusing our token (401, 403: until it is fixed) or unreachable. Holds
    /// the handler's error that makes the inbox retry: 429 with the provider's `Retry-After`,
    /// else 503.
    Retriable(HandlerError),
}

impl ProviderError {
    /// Whether sending the same message again later may succeed.
    pub fn is_retriable(&self) -> bool {
        matches!(self, Self::Retriable(_))
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected { status } => write!(f, "the provider rejected the message ({status})"),
            Self::Retriable(error) => fmt::Display::fmt(error.source(), f),
        }
    }
}

impl std::error::Error for ProviderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Retriable(error) => error.source().source(),
            Self::Rejected { .. } => None,
        }
    }
}

/// What went wrong with a retriable send; the message of [`ProviderError::Retriable`].
#[derive(Debug)]
enum Failure {
    Answered(StatusCode),
    Unreachable(reqwest::Error),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Answered(status) => match status.as_u16() {
                429 => f.write_str("the provider is rate limiting (429)"),
                code @ (401 | 403) => write!(f, "the provider refused our credentials ({code})"),
                code => write!(f, "the provider is unavailable ({code})"),
            },
            Self::Unreachable(_) => f.write_str("the provider could not be reached"),
        }
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unreachable(error) => Some(error),
            Self::Answered(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(code: u16, retry_after: Option<&'static str>) -> ProviderError {
        let mut headers = HeaderMap::new();
        if let Some(value) = retry_after {
            headers.insert("retry-after", value.parse().unwrap());
        }
        classify(StatusCode::from_u16(code).unwrap(), &headers)
    }

    /// The handler's status and `Retry-After` (the inbox's wait before the next attempt).
    fn for_inbox(error: &ProviderError) -> Option<(u16, Option<Duration>)> {
        match error {
            ProviderError::Retriable(error) => Some((error.status().as_u16(), error.retry_after())),
            ProviderError::Rejected { .. } => None,
        }
    }

    #[test]
    fn statuses_are_classified_for_the_inbox() {
        for code in [500, 503, 408, 401, 403] {
            assert_eq!(
                for_inbox(&answer(code, Some("7"))),
                Some((503, None)),
                "{code}"
            );
        }
        assert!(matches!(
            answer(422, None),
            ProviderError::Rejected { status: 422 }
        ));
        assert!(!answer(400, None).is_retriable());
        assert!(answer(401, None).is_retriable());
        assert_eq!(
            for_inbox(&answer(429, Some("7"))),
            Some((429, Some(Duration::from_secs(7))))
        );
        assert_eq!(
            for_inbox(&answer(429, None)),
            Some((429, Some(Duration::from_secs(30))))
        );
    }

    #[test]
    fn messages_say_what_the_provider_did() {
        let message = |code| answer(code, None).to_string();
        assert_eq!(message(429), "the provider is rate limiting (429)");
        assert_eq!(message(403), "the provider refused our credentials (403)");
        assert_eq!(message(502), "the provider is unavailable (502)");
        assert_eq!(message(404), "the provider rejected the message (404)");
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
}
