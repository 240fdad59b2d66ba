//! [`EnsRouter`]: authenticate, parse, deduplicate and dispatch every ENS event.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use capillary_ens_schemas::{Event, EventName, EventPayload, FromEvent};
use http::StatusCode;
use http::header::RETRY_AFTER;
use tracing::{Instrument, field};

use crate::handler::{EventHandler, HandlerError};
use crate::idempotency::{BoxFuture, Claim, DedupKey};
use crate::receive::Received;
use crate::webhook::read_and_receive;
use crate::{ReceiverConfig, Webhook};

type Route<S> =
    Arc<dyn Fn(Received, S) -> BoxFuture<'static, Result<(), HandlerError>> + Send + Sync>;

/// Dispatches each ENS event to the handler registered for its type.
///
/// Per delivery: the body is read under the limit and authenticated, then parsed; the event is
/// claimed in the idempotency store (a duplicate is answered 200 without running a handler,
/// one being processed concurrently 429 with `Retry-After`); the handler runs; success
/// completes the claim (200) and failure releases it with 503 or 429 so ENS retries.
///
/// Events without a handler go to the fallback; with no fallback, unknown and unhandled events
/// are acknowledged (200) and a known event whose data does not type-check is answered 503, so
/// it is not lost. Each delivery is traced in an `ens.delivery` span with the event name,
/// event id, org id and outcome; never a payload, header or secret.
///
/// ```
/// use axum::Router;
/// use capillary_ens_receiver::{Auth, EnsRouter, HandlerError, ReceiverConfig, StaticHeaders, Webhook};
/// use capillary_ens_schemas::events::{PointsIssued, TierUpgraded};
///
/// async fn points(webhook: Webhook<PointsIssued>) -> Result<(), HandlerError> {
///     let _customer = webhook.event.customer_identifiers.customer_id;
///     Ok(())
/// }
///
/// async fn tier(webhook: Webhook<TierUpgraded>) {}
///
/// async fn everything_else(webhook: Webhook) {}
///
/// let config = ReceiverConfig::new(Auth::new(StaticHeaders::basic("ens", "s3cret")));
/// let ens = EnsRouter::new()
///     .on::<PointsIssued, _, _>(points)
///     .on::<TierUpgraded, _, _>(tier)
///     .fallback(everything_else);
/// let app: Router = Router::new().nest("/webhooks/ens", ens.into_router()).with_state(config);
/// ```
pub struct EnsRouter<S = ReceiverConfig> {
    routes: HashMap<EventName, Route<S>>,
    fallback: Option<Route<S>>,
}

impl<S> Default for EnsRouter<S>
where
    S: Clone + Send + Sync + 'static,
    ReceiverConfig: FromRef<S>,
{
    fn default() -> Self {
        Self::new()
    }
}

impl<S> EnsRouter<S>
where
    S: Clone + Send + Sync + 'static,
    ReceiverConfig: FromRef<S>,
{
    /// A router with no handlers.
    pub fn new() -> Self {
        Self {
            routes: HashMap::new(),
            fallback: None,
        }
    }

    /// Handles events of type `T` with `handler`; a later call for the same type replaces it.
    pub fn on<T, H, M>(mut self, handler: H) -> Self
    where
        T: EventPayload,
        H: EventHandler<T, S, M>,
    {
        self.routes
            .insert(T::EVENT_NAME, route::<T, S, H, M>(handler));
        self
    }

    /// Handles every event that has no handler of its own, including unknown events and events
    /// whose data does not match their type (see [`Webhook::type_error`]).
    pub fn fallback<H, M>(mut self, handler: H) -> Self
    where
        H: EventHandler<Event, S, M>,
    {
        self.fallback = Some(route::<Event, S, H, M>(handler));
        self
    }

    /// A `POST` method router, to mount with `Router::route("/your/path", …)`.
    pub fn into_method_router(self) -> MethodRouter<S> {
        let router = Arc::new(self);
        post(move |State(state): State<S>, request: Request| {
            let router = Arc::clone(&router);
            async move { router.deliver(state, request).await }
        })
    }

    /// A router answering `POST /`, to `nest` at any path.
    pub fn into_router(self) -> Router<S> {
        Router::new().route("/", self.into_method_router())
    }

    async fn deliver(&self, state: S, request: Request) -> Response {
        let span = tracing::info_span!(
            "ens.delivery",
            event_name = field::Empty,
            event_id = field::Empty,
            org_id = field::Empty,
            outcome = field::Empty,
        );
        let answer = async move {
            let config = ReceiverConfig::from_ref(&state);
            let (status, outcome, retry_after) = self.process(&config, state, request).await;
            tracing::Span::current().record("outcome", outcome.as_str());
            if status.is_success() {
                tracing::info!(status = status.as_u16(), "delivery answered");
            } else {
                tracing::warn!(status = status.as_u16(), "delivery answered");
            }
            let mut response = (status, outcome.message()).into_response();
            if let Some(seconds) = retry_after {
                response.headers_mut().insert(RETRY_AFTER, seconds.into());
            }
            response
        };
        // With no subscriber interested, the span is disabled: skip instrumenting the future.
        if span.is_disabled() {
            answer.await
        } else {
            answer.instrument(span).await
        }
    }

    async fn process(
        &self,
        config: &ReceiverConfig,
        state: S,
        request: Request,
    ) -> (StatusCode, Outcome, Option<u64>) {
        let received = match read_and_receive(config, request).await {
            Ok(received) => received,
            Err(rejection) => {
                tracing::warn!(reason = %rejection, "delivery rejected");
                return (
                    rejection.status(),
                    Outcome::Rejected(rejection.to_string()),
                    None,
                );
            }
        };
        let span = tracing::Span::current();
        span.record("event_name", received.envelope.event_name.as_str());
        if let Some(event_id) = &received.envelope.event_id {
            span.record("event_id", event_id.as_str());
        }
        if let Some(org_id) = received.envelope.org_id {
            span.record("org_id", org_id);
        }
        if let Some(error) = &received.type_error {
            // The path only: serde's messages are sanitized, but the path is all that is needed.
            tracing::warn!(
                path = error.path().unwrap_or("data"),
                "event data does not match its type"
            );
        }

        let key = DedupKey::for_delivery(&received.envelope, &received.raw);
        match config.store().claim(&key).await {
            Ok(Claim::Acquired) => {}
            Ok(Claim::Completed) => return (StatusCode::OK, Outcome::Duplicate, None),
            Ok(Claim::InFlight) => {
                let retry_after = config.retry_after_in_flight().as_secs().max(1);
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    Outcome::InFlight,
                    Some(retry_after),
                );
            }
            Err(error) => {
                tracing::error!(error = %error, "idempotency store failed");
                return (StatusCode::SERVICE_UNAVAILABLE, Outcome::StoreFailed, None);
            }
        }

        let typed = received.type_error.is_none();
        let route = typed
            .then(|| self.routes.get(&received.envelope.event_name))
            .flatten()
            .or(self.fallback.as_ref());
        let (status, outcome, retry_after) = match route {
            Some(route) => match route(received, state).await {
                Ok(()) => (StatusCode::OK, Outcome::Processed, None),
                Err(error) => {
                    tracing::warn!(status = error.status().as_u16(), "handler failed");
                    let retry_after = error.retry_after().map(|after| after.as_secs().max(1));
                    (error.status(), Outcome::HandlerFailed, retry_after)
                }
            },
            None if typed => (StatusCode::OK, Outcome::Unhandled, None),
            None => (StatusCode::SERVICE_UNAVAILABLE, Outcome::Untypable, None),
        };
        let settled = if status.is_success() {
            config.store().complete(&key).await
        } else {
            config.store().release(&key).await
        };
        if let Err(error) = settled {
            tracing::error!(error = %error, "idempotency store failed to settle a claim");
        }
        (status, outcome, retry_after)
    }
}

fn route<T, S, H, M>(handler: H) -> Route<S>
where
    T: FromEvent,
    S: Send + 'static,
    H: EventHandler<T, S, M>,
{
    Arc::new(
        move |received: Received, state: S| -> BoxFuture<'static, Result<(), HandlerError>> {
            match Webhook::<T>::from_received(received) {
                Ok(webhook) => handler.call(webhook, state),
                Err(rejection) => {
                    Box::pin(async move { Err(HandlerError::unavailable(rejection)) })
                }
            }
        },
    )
}

/// How a delivery ended, for the trace and the response body.
enum Outcome {
    Rejected(String),
    Duplicate,
    InFlight,
    StoreFailed,
    Processed,
    HandlerFailed,
    Unhandled,
    Untypable,
}

impl Outcome {
    fn as_str(&self) -> &'static str {
        match self {
            Outcome::Rejected(_) => "rejected",
            Outcome::Duplicate => "duplicate",
            Outcome::InFlight => "in_flight",
            Outcome::StoreFailed => "store_failed",
            Outcome::Processed => "processed",
            Outcome::HandlerFailed => "handler_failed",
            Outcome::Unhandled => "unhandled",
            Outcome::Untypable => "untypable",
        }
    }

    /// The response body: static text, so answering allocates nothing but for a rejection.
    fn message(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Outcome::Rejected(message) => return Cow::Owned(message),
            Outcome::Duplicate => "duplicate: the event was processed already",
            Outcome::InFlight => "the event is being processed; retry later",
            Outcome::StoreFailed => "the idempotency store is unavailable; retry later",
            Outcome::Processed => "processed",
            Outcome::HandlerFailed => "the event could not be processed; retry later",
            Outcome::Unhandled => "acknowledged: no handler for this event",
            Outcome::Untypable => "the event does not match its type; it will be retried",
        })
    }
}
