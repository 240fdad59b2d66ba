//! [`EnsRouter`]: authenticate, parse, deduplicate and dispatch every ENS event.

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

use crate::ReceiverConfig;
use crate::acknowledge::{Acknowledge, Acknowledged};
use crate::body::read_and_receive;
use crate::delivery::Delivery;
use crate::dispatch::{Dispatch, DispatchCounters, Mismatch};
use crate::handler::{EventHandler, HandlerError};
use crate::idempotency::{BoxFuture, Claim};
use crate::outcome::Outcome;

type Route<S> =
    Arc<dyn Fn(Delivery, S) -> BoxFuture<'static, Result<(), HandlerError>> + Send + Sync>;

/// Dispatches each ENS event to the handler registered for its type.
///
/// Per delivery: the body is read under the limit and authenticated, then parsed into a
/// [`Delivery`]. By default it is handled inline: the event is claimed in the idempotency store
/// on its event name and id (a duplicate is answered 200 without running a handler, one being
/// processed concurrently 429 with `Retry-After`); the handler runs; success completes the
/// claim (200) and failure releases it with 503 or 429 so ENS retries. With
/// [`acknowledge_with`](Self::acknowledge_with) the delivery goes to a sink (a durable inbox)
/// instead, whose workers call [`dispatch`](Self::dispatch) later.
///
/// Only what can succeed later is answered retriable. Events without a handler go to the
/// fallback; with no fallback they are acknowledged (200). A known event whose data does not
/// match its type goes to the mismatch handler or the fallback; with neither it is
/// acknowledged (200), logged at `error` with event name, event id and JSON path, and counted
/// ([`counters`](Self::counters)): a retry would fail the same way and hold back the webhook's
/// later events for days. Each delivery is traced in an `ens.delivery` span with the event
/// name, event id, org id and outcome; never a payload, header or secret.
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
/// let app: Router = Router::new().merge(ens.into_router_at("/webhooks/ens")).with_state(config);
/// ```
pub struct EnsRouter<S = ReceiverConfig> {
    routes: HashMap<EventName, Route<S>>,
    mismatch: Option<Route<S>>,
    fallback: Option<Route<S>>,
    sink: Option<Arc<dyn Acknowledge>>,
    counters: DispatchCounters,
}

impl<S> Clone for EnsRouter<S> {
    fn clone(&self) -> Self {
        Self {
            routes: self.routes.clone(),
            mismatch: self.mismatch.clone(),
            fallback: self.fallback.clone(),
            sink: self.sink.clone(),
            counters: self.counters.clone(),
        }
    }
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
            mismatch: None,
            fallback: None,
            sink: None,
            counters: DispatchCounters::default(),
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

    /// Handles known events whose data does not match their type (see
    /// [`Webhook::type_error`](crate::Webhook::type_error) and the raw bytes), before the
    /// fallback would.
    pub fn on_mismatch<H, M>(mut self, handler: H) -> Self
    where
        H: EventHandler<Event, S, M>,
    {
        self.mismatch = Some(route::<Event, S, H, M>(handler));
        self
    }

    /// Handles every event that has no handler of its own, including unknown events and, when
    /// no [`on_mismatch`](Self::on_mismatch) handler is registered, events whose data does not
    /// match their type.
    pub fn fallback<H, M>(mut self, handler: H) -> Self
    where
        H: EventHandler<Event, S, M>,
    {
        self.fallback = Some(route::<Event, S, H, M>(handler));
        self
    }

    /// Hands each authenticated delivery to `sink` (a durable inbox) instead of running the
    /// handlers inline; see [`Acknowledge`]. Clone the router first to keep one for
    /// [`dispatch`](Self::dispatch).
    pub fn acknowledge_with(mut self, sink: impl Acknowledge) -> Self {
        self.sink = Some(Arc::new(sink));
        self
    }

    /// The router's counts of mismatched and unhandled deliveries (shared with its clones).
    pub fn counters(&self) -> DispatchCounters {
        self.counters.clone()
    }

    /// Runs the handler for `delivery`, without HTTP and without deduplication (the caller,
    /// e.g. an inbox worker, owns both).
    ///
    /// The handler is chosen as on the HTTP path: the event's typed handler, else the fallback;
    /// for a known event whose data does not match its type, the mismatch handler, else the
    /// fallback, else [`Dispatch::Mismatch`] (or [`Dispatch::NoHandler`] when no handler takes
    /// that event at all).
    pub async fn dispatch(&self, state: &S, delivery: Delivery) -> Dispatch {
        let name = &delivery.envelope.event_name;
        let route = match &delivery.type_error {
            None => self.routes.get(name).or(self.fallback.as_ref()),
            Some(_) => self.mismatch.as_ref().or(self.fallback.as_ref()),
        };
        if let Some(route) = route {
            return match route(delivery, state.clone()).await {
                Ok(()) => Dispatch::Handled,
                Err(error) => Dispatch::Failed(error),
            };
        }
        match delivery.type_error {
            Some(error) if self.routes.contains_key(name) => {
                let mismatch = Mismatch {
                    event_name: delivery.envelope.event_name,
                    event_id: delivery.envelope.event_id,
                    error,
                };
                tracing::error!(
                    event_name = mismatch.event_name.as_str(),
                    event_id = mismatch.event_id.as_deref().unwrap_or(""),
                    path = mismatch.path(),
                    "event data does not match its type; acknowledged without handling",
                );
                self.counters.count_mismatch();
                Dispatch::Mismatch(mismatch)
            }
            _ => {
                self.counters.count_unhandled();
                Dispatch::NoHandler
            }
        }
    }

    /// A `POST` method router, to mount with `Router::route("/your/path", …)`.
    pub fn into_method_router(self) -> MethodRouter<S> {
        let router = Arc::new(self);
        post(move |State(state): State<S>, request: Request| {
            let router = Arc::clone(&router);
            async move { router.deliver(state, request).await }
        })
    }

    /// A router answering `POST /`, to `nest` at any path. Axum's `nest("/hooks", …)`
    /// answers `/hooks` but not `/hooks/`; prefer [`into_router_at`](Self::into_router_at),
    /// which answers both.
    pub fn into_router(self) -> Router<S> {
        Router::new().route("/", self.into_method_router())
    }

    /// A router answering `POST path` with and without a trailing slash, to `merge` into your
    /// app: whichever form the brand typed into the webhook's URL, ENS is not answered 404
    /// (which would drop its events).
    ///
    /// `path` starts with `/`, as for `Router::route` (which panics otherwise).
    ///
    /// ```
    /// use axum::Router;
    /// use capillary_ens_receiver::{Auth, EnsRouter, ReceiverConfig, StaticHeaders};
    ///
    /// let config = ReceiverConfig::new(Auth::new(StaticHeaders::bearer("t0ken")));
    /// let app: Router = Router::new()
    ///     .merge(EnsRouter::new().into_router_at("/webhooks/ens"))
    ///     .with_state(config);
    /// ```
    pub fn into_router_at(self, path: &str) -> Router<S> {
        let method_router = self.into_method_router();
        match path.trim_end_matches('/') {
            "" => Router::new().route("/", method_router),
            bare => Router::new()
                .route(&format!("{bare}/"), method_router.clone())
                .route(bare, method_router),
        }
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
            let delivery = match read_and_receive(&config, request).await {
                Ok(delivery) => delivery,
                Err(rejection) => {
                    tracing::Span::current().record("outcome", "rejected");
                    return rejection.into_response();
                }
            };
            let (status, outcome, retry_after) = self.process(&config, state, delivery).await;
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
        delivery: Delivery,
    ) -> (StatusCode, Outcome, Option<u64>) {
        let span = tracing::Span::current();
        span.record("event_name", delivery.envelope.event_name.as_str());
        if let Some(event_id) = &delivery.envelope.event_id {
            span.record("event_id", event_id.as_str());
        }
        if let Some(org_id) = delivery.envelope.org_id {
            span.record("org_id", org_id);
        }
        match &self.sink {
            Some(sink) => acknowledge(&**sink, delivery).await,
            None => self.handle_inline(config, state, delivery).await,
        }
    }

    /// The default: claim, dispatch, settle the claim.
    async fn handle_inline(
        &self,
        config: &ReceiverConfig,
        state: S,
        delivery: Delivery,
    ) -> (StatusCode, Outcome, Option<u64>) {
        let key = delivery.key().clone();
        // The claim's token: a release gives up this claim only, never one a retry acquired
        // after this claim lapsed (the handler ran past the processing timeout).
        let token = match config.store().claim(&key).await {
            Ok(Claim::Acquired(token)) => token,
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
                let retry_after = config.retry_after_in_flight().as_secs().max(1);
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Outcome::StoreFailed,
                    Some(retry_after),
                );
            }
        };
        let (status, outcome, retry_after) = match self.dispatch(&state, delivery).await {
            Dispatch::Handled => (StatusCode::OK, Outcome::Processed, None),
            Dispatch::NoHandler => (StatusCode::OK, Outcome::Unhandled, None),
            Dispatch::Mismatch(_) => (StatusCode::OK, Outcome::Mismatched, None),
            Dispatch::Failed(error) => {
                tracing::warn!(status = error.status().as_u16(), "handler failed");
                let retry_after = error.retry_after().map(|after| after.as_secs().max(1));
                (error.status(), Outcome::HandlerFailed, retry_after)
            }
        };
        let settled = if status.is_success() {
            config.store().complete(&key).await
        } else {
            config.store().release(&key, token).await
        };
        if let Err(error) = settled {
            tracing::error!(error = %error, "idempotency store failed to settle a claim");
        }
        (status, outcome, retry_after)
    }
}

/// Hands the delivery to the sink and answers with what it did.
async fn acknowledge(
    sink: &dyn Acknowledge,
    delivery: Delivery,
) -> (StatusCode, Outcome, Option<u64>) {
    match sink.acknowledge(delivery).await {
        Ok(Acknowledged::Stored) => (StatusCode::OK, Outcome::Stored, None),
        Ok(Acknowledged::Duplicate) => (StatusCode::OK, Outcome::Duplicate, None),
        Err(error) => {
            tracing::error!(error = %error, source = ?std::error::Error::source(&error), "acknowledgement sink failed");
            let retry_after = error.retry_after_duration().as_secs().max(1);
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Outcome::StoreFailed,
                Some(retry_after),
            )
        }
    }
}

fn route<T, S, H, M>(handler: H) -> Route<S>
where
    T: FromEvent,
    S: Send + 'static,
    H: EventHandler<T, S, M>,
{
    Arc::new(
        move |delivery: Delivery, state: S| -> BoxFuture<'static, Result<(), HandlerError>> {
            match delivery.narrow::<T>() {
                Ok(webhook) => handler.call(webhook, state),
                // Unreachable by construction (routes are chosen by event name, mismatches
                // never reach a typed route); answered retriable rather than lost if it happens.
                Err(rejection) => {
                    Box::pin(async move { Err(HandlerError::unavailable(rejection)) })
                }
            }
        },
    )
}
