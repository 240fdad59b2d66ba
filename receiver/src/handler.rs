//! What a routed handler is and returns: [`EventHandler`] and [`HandlerError`].

use std::fmt;
use std::future::Future;
use std::time::Duration;

use axum::extract::State;
use ens_schemas::FromEvent;
use http::StatusCode;

use crate::Webhook;
use crate::idempotency::BoxFuture;

/// Why a handler could not process an event. The delivery is answered with a retriable status
/// (503, or 429 with `Retry-After`), the claim on the event is released, and ENS retries.
///
/// Any error converts into it with `?`.
///
/// ```
/// use std::time::Duration;
/// use ens_receiver::HandlerError;
///
/// let error = HandlerError::from("sms provider is down");
/// assert_eq!(error.status().as_u16(), 503);
/// let error = HandlerError::rate_limited(Duration::from_secs(30), "slow down");
/// assert_eq!(error.status().as_u16(), 429);
/// ```
pub struct HandlerError {
    retry_after: Option<Duration>,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl HandlerError {
    /// The app cannot process the event now (503).
    pub fn unavailable(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            retry_after: None,
            source: source.into(),
        }
    }

    /// The app is overloaded; ENS should retry after `retry_after` (429).
    pub fn rate_limited(
        retry_after: Duration,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            retry_after: Some(retry_after),
            source: source.into(),
        }
    }

    /// The status the delivery is answered with.
    pub fn status(&self) -> StatusCode {
        match self.retry_after {
            Some(_) => StatusCode::TOO_MANY_REQUESTS,
            None => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The `Retry-After` to send, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The underlying error.
    pub fn source(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.source
    }
}

impl<E: Into<Box<dyn std::error::Error + Send + Sync>>> From<E> for HandlerError {
    fn from(source: E) -> Self {
        Self::unavailable(source)
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerError")
            .field("status", &self.status())
            .field("retry_after", &self.retry_after)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the handler failed: {}", self.source)
    }
}

/// What a handler returns: `()` or `Result<(), E>` where `E: Into<HandlerError>`.
pub trait IntoHandlerResult {
    /// Converts into the router's result.
    fn into_handler_result(self) -> Result<(), HandlerError>;
}

impl IntoHandlerResult for () {
    fn into_handler_result(self) -> Result<(), HandlerError> {
        Ok(())
    }
}

impl<E: Into<HandlerError>> IntoHandlerResult for Result<(), E> {
    fn into_handler_result(self) -> Result<(), HandlerError> {
        self.map_err(Into::into)
    }
}

/// An async function that handles events of type `T`: `async fn(Webhook<T>) -> R` or
/// `async fn(State<S>, Webhook<T>) -> R`, where `R` is `()` or `Result<(), impl Into<HandlerError>>`.
///
/// `M` only tells the two shapes apart; it is inferred.
pub trait EventHandler<T, S, M>: Clone + Send + Sync + 'static {
    /// Runs the handler.
    fn call(&self, webhook: Webhook<T>, state: S) -> BoxFuture<'static, Result<(), HandlerError>>;
}

impl<F, Fut, R, T, S> EventHandler<T, S, (Webhook<T>,)> for F
where
    F: Fn(Webhook<T>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoHandlerResult,
    T: FromEvent,
{
    fn call(&self, webhook: Webhook<T>, _: S) -> BoxFuture<'static, Result<(), HandlerError>> {
        let future = self(webhook);
        Box::pin(async move { future.await.into_handler_result() })
    }
}

impl<F, Fut, R, T, S> EventHandler<T, S, (State<S>, Webhook<T>)> for F
where
    F: Fn(State<S>, Webhook<T>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoHandlerResult,
    T: FromEvent,
{
    fn call(&self, webhook: Webhook<T>, state: S) -> BoxFuture<'static, Result<(), HandlerError>> {
        let future = self(State(state), webhook);
        Box::pin(async move { future.await.into_handler_result() })
    }
}
