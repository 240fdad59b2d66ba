//! What a routed handler is and returns: [`EventHandler`] and [`HandlerError`].

use std::fmt;
use std::future::Future;
use std::time::{Duration, SystemTime};

use axum::extract::State;
use capillary_ens_schemas::FromEvent;
use http::{HeaderMap, StatusCode};

use crate::Webhook;
use crate::idempotency::BoxFuture;

/// Why a handler could not process an event. The delivery is answered with a retriable status
/// (503, or 429 with `Retry-After`), the claim on the event is released, and ENS retries.
///
/// Any error converts into it with `?`.
///
/// ```
/// use std::time::Duration;
/// use capillary_ens_receiver::HandlerError;
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

    /// A downstream API (an SMS provider, a shop, a survey platform) answered `status` with
    /// `headers`, and the event should be retried: a 429 becomes [`rate_limited`](Self::rate_limited)
    /// with the API's own `Retry-After` (delta-seconds or an HTTP-date; 30 s when it sends none
    /// or an unreadable one; always within 1 s ..= 1 h), any other status
    /// [`unavailable`](Self::unavailable).
    ///
    /// Call it only for answers worth retrying. A *permanent* 4xx (the API refuses this very
    /// request, say an invalid phone number) will fail the same way on every retry, for the
    /// days ENS keeps retrying: whether to acknowledge such an event (and log it) or to let it
    /// be retried while someone fixes a configuration (a revoked token, 401) is the caller's
    /// decision.
    ///
    /// `reqwest::Response::status()` and `headers()` are the `http` types taken here.
    ///
    /// ```
    /// use std::time::Duration;
    /// use capillary_ens_receiver::HandlerError;
    /// use http::{HeaderMap, StatusCode};
    ///
    /// /// What the handler does with the API's answer.
    /// fn answer(status: StatusCode, headers: &HeaderMap) -> Result<(), HandlerError> {
    ///     let permanent = status.is_client_error()
    ///         && ![401, 403, 408, 429].contains(&status.as_u16());
    ///     if status.is_success() || permanent {
    ///         // A refused message stays refused: acknowledge the event, and log the refusal
    ///         // (ids only, no personal data).
    ///         return Ok(());
    ///     }
    ///     Err(HandlerError::upstream(status, headers, format!("the sms api answered {status}")))
    /// }
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("retry-after", "12".parse().unwrap());
    /// let error = answer(StatusCode::TOO_MANY_REQUESTS, &headers).unwrap_err();
    /// assert_eq!(error.status(), StatusCode::TOO_MANY_REQUESTS);
    /// assert_eq!(error.retry_after(), Some(Duration::from_secs(12)));
    ///
    /// let error = answer(StatusCode::BAD_GATEWAY, &HeaderMap::new()).unwrap_err();
    /// assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE);
    /// assert!(answer(StatusCode::UNPROCESSABLE_ENTITY, &HeaderMap::new()).is_ok());
    /// ```
    pub fn upstream(
        status: StatusCode,
        headers: &HeaderMap,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::upstream_at(status, headers, source, SystemTime::now())
    }

    /// [`upstream`](Self::upstream), measuring an HTTP-date `Retry-After` from `now`.
    fn upstream_at(
        status: StatusCode,
        headers: &HeaderMap,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
        now: SystemTime,
    ) -> Self {
        if status == StatusCode::TOO_MANY_REQUESTS {
            Self::rate_limited(crate::retry_after::retry_after(headers, now), source)
        } else {
            Self::unavailable(source)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn retry_after(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static(value),
        );
        headers
    }

    #[test]
    fn a_429_passes_the_upstream_retry_after_on() {
        let error = HandlerError::upstream(
            StatusCode::TOO_MANY_REQUESTS,
            &retry_after("45"),
            "the api is rate limiting",
        );
        assert_eq!(error.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(error.retry_after(), Some(Duration::from_secs(45)));
        assert_eq!(error.source().to_string(), "the api is rate limiting");
    }

    #[test]
    fn a_429_without_a_usable_retry_after_waits_30_seconds() {
        for headers in [HeaderMap::new(), retry_after("later")] {
            let error = HandlerError::upstream(StatusCode::TOO_MANY_REQUESTS, &headers, "slow");
            assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
        }
    }

    #[test]
    fn an_http_date_retry_after_is_measured_from_now() {
        // Wed, 21 Oct 2015 07:28:00 GMT, two minutes from "now".
        let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        let error = HandlerError::upstream_at(
            StatusCode::TOO_MANY_REQUESTS,
            &retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            "slow",
            date - Duration::from_secs(120),
        );
        assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    }

    #[test]
    fn other_statuses_are_unavailable_even_with_a_retry_after() {
        for code in [500, 502, 503, 504, 401, 403, 408, 400, 404, 422] {
            let status = StatusCode::from_u16(code).unwrap();
            let error = HandlerError::upstream(status, &retry_after("5"), "down");
            assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE, "{code}");
            assert_eq!(error.retry_after(), None, "{code}");
        }
    }
}
