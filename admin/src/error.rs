//! [`Error`]: why an API call failed, with the API's own error body when it sent one.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use crate::lenient;

/// Why a call to the Capillary API failed.
///
/// Messages are lowercase and never contain credentials or header values.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status (after any retries).
    Api(ApiError),
    /// The call did not complete within the client's timeout (after any retries).
    Timeout {
        /// The underlying failure.
        source: TransportError,
    },
    /// The thing asked for does not exist, as the client found out: a webhook id that is not
    /// in the list, or a customer Capillary answered error code 8015 for ("customer not
    /// found"). Any other 404 from the API is [`Error::Api`].
    NotFound {
        /// What was looked for, e.g. `webhook 69254f46…` or `customer 42` (never an
        /// identifier's value).
        what: String,
    },
    /// The request could not be sent, or the response could not be read.
    Transport {
        /// The underlying failure.
        source: TransportError,
    },
    /// The API answered with a success status but a body that is not the expected JSON.
    Decode {
        /// The HTTP status of the response.
        status: u16,
        /// What did not match.
        source: DecodeError,
    },
    /// The client or a request argument is not usable (bad base URL, header value …).
    InvalidInput {
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// The HTTP status the API answered with, if it answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(api) => Some(api.status),
            _ => None,
        }
    }

    /// The API's error answer, if there was one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Whether the thing asked for does not exist (a 404 or [`Error::NotFound`]).
    ///
    /// To tell a customer that does not exist from a wrong URL, match [`Error::NotFound`]:
    /// the customer calls give it only for Capillary's "customer not found" code.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. }) || self.status() == Some(404)
    }

    /// Whether the API refused the credentials (401) or their permissions (403).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Self::InvalidInput {
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api(api) => fmt::Display::fmt(api, f),
            Self::Timeout { .. } => f.write_str("the api did not answer in time"),
            Self::Transport { .. } => f.write_str("could not reach the api"),
            Self::Decode { status, .. } => {
                write!(f, "the api answered {status} with an unexpected body")
            }
            Self::InvalidInput { message } => write!(f, "invalid input: {message}"),
            Self::NotFound { what } => write!(f, "{what} not found"),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Api(api) => Some(api),
            Self::Timeout { source } | Self::Transport { source } => Some(source),
            Self::Decode { source, .. } => Some(source),
            Self::InvalidInput { .. } | Self::NotFound { .. } => None,
        }
    }
}

/// An error status from the API, with the error body it sent.
///
/// Capillary's v3 APIs answer errors as `{"errors":[{"code":…,"message":"…"}]}`. The parsed
/// entries are in [`errors`](Self::errors) (empty when the body has another shape), the raw
/// text (at most 16 KiB) in [`body`](Self::body).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The entries of the body's `errors` array.
    pub errors: Vec<ApiErrorDetail>,
    /// The response body as text (truncated to 16 KiB).
    pub body: String,
    /// The `Retry-After` the API asked for, if any.
    pub retry_after: Option<Duration>,
}

const MAX_BODY: usize = 16 * 1024;

impl ApiError {
    pub(crate) fn from_response(status: u16, body: &[u8], retry_after: Option<Duration>) -> Self {
        let errors = parse_error_entries(body);
        let text = String::from_utf8_lossy(&body[..body.len().min(MAX_BODY)]).into_owned();
        Self {
            status,
            errors,
            body: text,
            retry_after,
        }
    }

    /// The first error message the API gave, if any.
    pub fn message(&self) -> Option<&str> {
        self.errors
            .iter()
            .find_map(|detail| detail.message.as_deref())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the api answered {}", self.status)?;
        let messages: Vec<String> = self
            .errors
            .iter()
            .filter_map(|detail| match (&detail.code, &detail.message) {
                (Some(code), Some(message)) => Some(format!("{message} (code {code})")),
                (None, Some(message)) => Some(message.clone()),
                (Some(code), None) => Some(format!("code {code}")),
                (None, None) => None,
            })
            .collect();
        if !messages.is_empty() {
            write!(f, ": {}", messages.join("; "))?;
        }
        Ok(())
    }
}

impl StdError for ApiError {}

/// One entry of the API's `errors` array.
#[derive(Clone, Debug, PartialEq, Eq, Default, Deserialize)]
#[non_exhaustive]
pub struct ApiErrorDetail {
    /// Capillary's error code (a number on the wire, kept as text).
    #[serde(default, deserialize_with = "lenient::string")]
    pub code: Option<String>,
    /// The human-readable message.
    #[serde(default, deserialize_with = "lenient::string")]
    pub message: Option<String>,
}

fn parse_error_entries(body: &[u8]) -> Vec<ApiErrorDetail> {
    #[derive(Deserialize)]
    struct Body {
        #[serde(default)]
        errors: Option<Vec<serde_json::Value>>,
    }
    serde_json::from_slice::<Body>(body)
        .ok()
        .and_then(|body| body.errors)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|entry| serde_json::from_value(entry).ok())
        .collect()
}

/// A failure to send a request or read its response. Its message never holds the URL.
#[derive(Debug)]
pub struct TransportError(Box<dyn StdError + Send + Sync>);

impl TransportError {
    pub(crate) fn new(error: reqwest::Error) -> Self {
        Self(Box::new(error.without_url()))
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source()
    }
}

/// A response body that does not have the expected shape.
#[derive(Debug)]
pub struct DecodeError {
    message: String,
}

impl DecodeError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// Describes a JSON error by its kind and position only: serde's own messages may quote
    /// values, and a webhook body holds secret header values.
    pub(crate) fn from_json(error: &serde_json::Error) -> Self {
        let kind = match error.classify() {
            serde_json::error::Category::Io => "i/o error",
            serde_json::error::Category::Syntax => "not valid json",
            serde_json::error::Category::Data => "json of an unexpected shape",
            serde_json::error::Category::Eof => "truncated json",
        };
        Self::new(format!(
            "{kind} at line {} column {}",
            error.line(),
            error.column()
        ))
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for DecodeError {}
