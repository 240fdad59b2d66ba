//! [`Acknowledge`]: where the router hands an authenticated delivery before answering ENS.
//!
//! By default [`EnsRouter`](crate::EnsRouter) handles each delivery inline: it claims the event
//! in the idempotency store, runs the handler and answers with the handler's outcome. A durable
//! inbox plugs in here instead: it stores the delivery and answers; its workers run the
//! handlers later with [`EnsRouter::dispatch`](crate::EnsRouter::dispatch), off ENS's queue.

use std::fmt;
use std::time::Duration;

use crate::delivery::Delivery;
use crate::idempotency::BoxFuture;

/// A sink that takes each authenticated, parsed delivery before the router answers ENS.
///
/// `Ok(Stored)` and `Ok(Duplicate)` are answered 200; an error is answered 503 with its
/// `Retry-After`, so ENS re-sends the event. Store the delivery durably *before* returning
/// `Stored`: the 200 tells ENS it may forget the event.
///
/// ```
/// use std::sync::Mutex;
/// use capillary_ens_receiver::{Acknowledge, AcknowledgeError, Acknowledged, BoxFuture, Delivery};
///
/// /// Keeps deliveries in memory (a real inbox writes them to a database).
/// #[derive(Default)]
/// struct Kept(Mutex<Vec<Delivery>>);
///
/// impl Acknowledge for Kept {
///     fn acknowledge(
///         &self,
///         delivery: Delivery,
///     ) -> BoxFuture<'_, Result<Acknowledged, AcknowledgeError>> {
///         let mut kept = self.0.lock().expect("not poisoned");
///         let answer = if kept.iter().any(|seen| seen.key() == delivery.key()) {
///             Acknowledged::Duplicate
///         } else {
///             kept.push(delivery);
///             Acknowledged::Stored
///         };
///         Box::pin(async move { Ok(answer) })
///     }
/// }
/// ```
pub trait Acknowledge: Send + Sync + 'static {
    /// Takes the delivery (durably, for an inbox) or says it was taken before.
    fn acknowledge(
        &self,
        delivery: Delivery,
    ) -> BoxFuture<'_, Result<Acknowledged, AcknowledgeError>>;
}

/// What an [`Acknowledge`] sink did with a delivery; both are answered 200.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Acknowledged {
    /// The delivery is stored, to be processed later.
    Stored,
    /// The event was stored before (same [`DedupKey`](crate::DedupKey)); nothing changed.
    Duplicate,
}

/// A sink that could not take a delivery: answered 503 with `Retry-After`, so ENS retries.
pub struct AcknowledgeError {
    retry_after: Duration,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl AcknowledgeError {
    /// The sink failed; ENS is asked to retry after 5 seconds.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            retry_after: Duration::from_secs(5),
            source: source.into(),
        }
    }

    /// Asks ENS to retry after `retry_after` instead (at least one second is sent).
    pub fn retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// The `Retry-After` sent with the 503.
    pub fn retry_after_duration(&self) -> Duration {
        self.retry_after
    }
}

impl fmt::Debug for AcknowledgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcknowledgeError")
            .field("retry_after", &self.retry_after)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for AcknowledgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the delivery could not be stored")
    }
}

impl std::error::Error for AcknowledgeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}
