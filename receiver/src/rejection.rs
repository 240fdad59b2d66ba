//! Why a request was refused before any handler ran, each with a fixed status.
//!
//! The statuses follow ENS's retry policy: ENS drops an event for good on 400, so only bodies
//! that are not ENS events at all get 400; an event the crate cannot type is never rejected.

use std::fmt;

use http::StatusCode;

use crate::AuthError;
use capillary_ens_schemas::ParseError;

macro_rules! rejection {
    ($(#[$meta:meta])* $name:ident, $status:expr, $message:literal) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub struct $name {
            source: Option<Box<dyn std::error::Error + Send + Sync>>,
        }

        impl $name {
            #[allow(dead_code)]
            pub(crate) fn new() -> Self {
                Self { source: None }
            }

            #[allow(dead_code)]
            pub(crate) fn with_source(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
                Self { source: Some(source.into()) }
            }

            /// The HTTP status this rejection answers with.
            pub fn status(&self) -> StatusCode {
                $status
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str($message)
            }
        }

        impl std::error::Error for $name {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.source.as_deref().map(|source| source as _)
            }
        }
    };
}

rejection!(
    /// The request is not authentic (401). The source is the [`AuthError`].
    Unauthorized,
    StatusCode::UNAUTHORIZED,
    "the request is not authenticated as coming from ens"
);
rejection!(
    /// The body is larger than the configured limit (413).
    PayloadTooLarge,
    StatusCode::PAYLOAD_TOO_LARGE,
    "the body is larger than the receiver accepts"
);
rejection!(
    /// The request declares a content type other than JSON (415).
    UnsupportedMediaType,
    StatusCode::UNSUPPORTED_MEDIA_TYPE,
    "the body must be application/json"
);
rejection!(
    /// The body could not be read from the connection (400).
    BodyUnreadable,
    StatusCode::BAD_REQUEST,
    "the body could not be read"
);
rejection!(
    /// The body is not JSON (400). The source is the [`ParseError`].
    InvalidJson,
    StatusCode::BAD_REQUEST,
    "the body is not valid json"
);
rejection!(
    /// The body is JSON but not an ENS event: not an object, or no event name or `data` (400).
    /// The source is the [`ParseError`].
    NotAnEvent,
    StatusCode::BAD_REQUEST,
    "the body is not an ens event"
);
rejection!(
    /// The event is not the type this extractor takes (202): it is acknowledged, not handled.
    OtherEventType,
    StatusCode::ACCEPTED,
    "the event is not handled by this endpoint"
);
rejection!(
    /// The event is the type this extractor takes but its data does not match the type (503):
    /// ENS retries, so a corrected receiver still gets it. The source is the [`ParseError`].
    Untypable,
    StatusCode::SERVICE_UNAVAILABLE,
    "the event does not match its type; it will be retried"
);

/// Every reason the [`Webhook`](crate::Webhook) extractor refuses a request.
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// 401.
    Unauthorized(Unauthorized),
    /// 413.
    PayloadTooLarge(PayloadTooLarge),
    /// 415.
    UnsupportedMediaType(UnsupportedMediaType),
    /// 400.
    BodyUnreadable(BodyUnreadable),
    /// 400.
    InvalidJson(InvalidJson),
    /// 400.
    NotAnEvent(NotAnEvent),
    /// 202.
    OtherEventType(OtherEventType),
    /// 503.
    Untypable(Untypable),
}

impl WebhookRejection {
    /// The HTTP status this rejection answers with.
    pub fn status(&self) -> StatusCode {
        self.inner().1
    }

    fn inner(&self) -> (&(dyn std::error::Error + Send + Sync + 'static), StatusCode) {
        match self {
            Self::Unauthorized(inner) => (inner, inner.status()),
            Self::PayloadTooLarge(inner) => (inner, inner.status()),
            Self::UnsupportedMediaType(inner) => (inner, inner.status()),
            Self::BodyUnreadable(inner) => (inner, inner.status()),
            Self::InvalidJson(inner) => (inner, inner.status()),
            Self::NotAnEvent(inner) => (inner, inner.status()),
            Self::OtherEventType(inner) => (inner, inner.status()),
            Self::Untypable(inner) => (inner, inner.status()),
        }
    }

    pub(crate) fn unauthorized(error: AuthError) -> Self {
        Self::Unauthorized(Unauthorized::with_source(error))
    }

    pub(crate) fn from_parse(error: ParseError) -> Self {
        match error.kind() {
            capillary_ens_schemas::ParseErrorKind::Syntax => {
                Self::InvalidJson(InvalidJson::with_source(error))
            }
            _ => Self::NotAnEvent(NotAnEvent::with_source(error)),
        }
    }
}

impl fmt::Display for WebhookRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner().0, f)
    }
}

impl std::error::Error for WebhookRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner().0.source()
    }
}

#[cfg(feature = "axum")]
impl axum::response::IntoResponse for WebhookRejection {
    fn into_response(self) -> axum::response::Response {
        // The stable message only: details (which header, which path) go to the log, not to
        // whoever sent the request.
        (self.status(), self.to_string()).into_response()
    }
}

impl From<PayloadTooLarge> for WebhookRejection {
    fn from(inner: PayloadTooLarge) -> Self {
        Self::PayloadTooLarge(inner)
    }
}

impl From<UnsupportedMediaType> for WebhookRejection {
    fn from(inner: UnsupportedMediaType) -> Self {
        Self::UnsupportedMediaType(inner)
    }
}
