//! Why a request was refused before any handler ran, each with a fixed status.
//!
//! The statuses follow ENS's retry policy: ENS drops an event for good on 400, so only bodies
//! that are not ENS events at all get 400; an event the crate cannot type is acknowledged, never
//! rejected or answered retriable.
//!
//! The pattern is axum-core's: one type per failure with a fixed status, [`status`] and
//! [`body_text`] on each, a log line when one becomes a response, and `From` every leaf into
//! the composite [`WebhookRejection`].
//!
//! [`status`]: WebhookRejection::status
//! [`body_text`]: WebhookRejection::body_text

use std::fmt;

use http::StatusCode;

use capillary_ens_schemas::{Envelope, EventName, ParseError};

use crate::AuthError;

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

            /// The response body: a fixed message that quotes nothing from the request.
            pub fn body_text(&self) -> String {
                $message.to_owned()
            }
        }

        #[cfg(feature = "axum")]
        impl axum::response::IntoResponse for $name {
            fn into_response(self) -> axum::response::Response {
                log_rejection(stringify!($name), self.status(), &self, self.source.as_deref());
                (self.status(), self.body_text()).into_response()
            }
        }

        impl From<$name> for WebhookRejection {
            fn from(inner: $name) -> Self {
                Self::$name(inner)
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
    /// The event is not the type the [`Webhook<T>`](crate::Webhook) extractor takes (202): it is
    /// acknowledged, not handled.
    OtherEventType,
    StatusCode::ACCEPTED,
    "the event is not handled by this endpoint"
);
/// The event is the type the [`Webhook<T>`](crate::Webhook) extractor takes, but its data
/// does not match the type. It is acknowledged (202) and logged at `error` with the event name,
/// event id and failing JSON path, never a value: a retry would fail the same way for the seven
/// days ENS retries, and hold back every later event of the webhook meanwhile. Register a
/// `Webhook<Event>` handler (or an [`EnsRouter`](crate::EnsRouter) fallback) to get such events
/// with their raw bytes. The source is the [`ParseError`].
#[derive(Debug)]
pub struct Untypable(Box<UntypableEvent>);

/// What [`Untypable`] knows of the event: boxed, so every rejection stays small.
#[derive(Debug)]
struct UntypableEvent {
    event_name: EventName,
    event_id: Option<String>,
    source: Option<ParseError>,
}

impl Untypable {
    pub(crate) fn of(envelope: &Envelope, source: Option<ParseError>) -> Self {
        Self(Box::new(UntypableEvent {
            event_name: envelope.event_name.clone(),
            event_id: envelope.event_id.clone(),
            source,
        }))
    }

    /// The HTTP status this rejection answers with.
    pub fn status(&self) -> StatusCode {
        StatusCode::ACCEPTED
    }

    /// The response body: a fixed message that quotes nothing from the request.
    pub fn body_text(&self) -> String {
        "acknowledged: the event does not match its type and was not handled".to_owned()
    }

    /// The JSON path of the value that did not match, when known.
    pub fn path(&self) -> Option<&str> {
        self.0.source.as_ref().and_then(ParseError::path)
    }

    /// The name of the event.
    pub fn event_name(&self) -> &EventName {
        &self.0.event_name
    }

    /// The id of the event, when it has one.
    pub fn event_id(&self) -> Option<&str> {
        self.0.event_id.as_deref()
    }
}

impl fmt::Display for Untypable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the event does not match its type")
    }
}

impl std::error::Error for Untypable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source.as_ref().map(|source| source as _)
    }
}

#[cfg(feature = "axum")]
impl axum::response::IntoResponse for Untypable {
    fn into_response(self) -> axum::response::Response {
        tracing::error!(
            target: "capillary_ens_receiver::rejection",
            rejection_type = "Untypable",
            status = self.status().as_u16(),
            event_name = self.event_name().as_str(),
            event_id = self.event_id().unwrap_or(""),
            path = self.path().unwrap_or("data"),
            "event data does not match its type; acknowledged without handling",
        );
        (self.status(), self.body_text()).into_response()
    }
}

impl From<Untypable> for WebhookRejection {
    fn from(inner: Untypable) -> Self {
        Self::Untypable(inner)
    }
}

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

    /// The response body: a fixed message that quotes nothing from the request.
    pub fn body_text(&self) -> String {
        match self {
            Self::Unauthorized(inner) => inner.body_text(),
            Self::PayloadTooLarge(inner) => inner.body_text(),
            Self::UnsupportedMediaType(inner) => inner.body_text(),
            Self::BodyUnreadable(inner) => inner.body_text(),
            Self::InvalidJson(inner) => inner.body_text(),
            Self::NotAnEvent(inner) => inner.body_text(),
            Self::OtherEventType(inner) => inner.body_text(),
            Self::Untypable(inner) => inner.body_text(),
        }
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
        // Each leaf logs itself as it becomes a response; details (which header, which path)
        // go to the log, not to whoever sent the request.
        match self {
            Self::Unauthorized(inner) => inner.into_response(),
            Self::PayloadTooLarge(inner) => inner.into_response(),
            Self::UnsupportedMediaType(inner) => inner.into_response(),
            Self::BodyUnreadable(inner) => inner.into_response(),
            Self::InvalidJson(inner) => inner.into_response(),
            Self::NotAnEvent(inner) => inner.into_response(),
            Self::OtherEventType(inner) => inner.into_response(),
            Self::Untypable(inner) => inner.into_response(),
        }
    }
}

/// The log line of a rejection that becomes a response (axum-core logs its own rejections the
/// same way): the type, status and reason; a 2xx at `debug`, anything else at `warn`.
#[cfg(feature = "axum")]
fn log_rejection(
    rejection_type: &'static str,
    status: StatusCode,
    reason: &dyn fmt::Display,
    source: Option<&(dyn std::error::Error + Send + Sync)>,
) {
    let detail = source.map(|source| source as &dyn fmt::Display);
    let detail = tracing::field::display(detail.unwrap_or(&""));
    if status.is_success() {
        tracing::debug!(
            target: "capillary_ens_receiver::rejection",
            rejection_type,
            status = status.as_u16(),
            reason = %reason,
            detail,
            "request answered without a handler",
        );
    } else {
        tracing::warn!(
            target: "capillary_ens_receiver::rejection",
            rejection_type,
            status = status.as_u16(),
            reason = %reason,
            detail,
            "request rejected",
        );
    }
}
