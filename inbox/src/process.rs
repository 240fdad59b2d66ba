//! [`Processor`]: what workers run on each claimed delivery, and how it ended ([`Outcome`]).

use std::future::Future;
use std::time::Duration;

use capillary_ens_receiver::BoxFuture;

use crate::record::Claimed;

/// How processing one claimed delivery ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Handled: the row becomes processed.
    Handled,
    /// Handled, and the processor marked the row processed itself, inside the transaction
    /// that holds its own writes (exactly-once effects).
    Committed,
    /// No handler takes this event: acknowledged and marked processed, as inline.
    Unhandled,
    /// The handler failed; retry after the backoff (or `retry_after`, if longer).
    Failed {
        /// The handler asked for 429-style waiting rather than a plain failure.
        rate_limited: bool,
        /// How long the handler asked to wait, if it did.
        retry_after: Option<Duration>,
    },
    /// The event's data does not match its type: a dead letter at once.
    TypeMismatch {
        /// The JSON path of the value that failed (never the value).
        path: Option<String>,
    },
    /// The stored body no longer parses as an ENS event: a dead letter at once.
    NotAnEvent,
    /// The claim was no longer this worker's when it tried to commit (its lease expired and
    /// another worker took the row): nothing to record.
    LostClaim,
}

/// Runs the brand's handlers on one claimed delivery.
///
/// Any `Fn(Claimed) -> impl Future<Output = Outcome>` is a processor. The typed handlers of an
/// `EnsRouter` run through the receiver's dispatch.
pub trait Processor: Send + Sync + 'static {
    /// Processes `claimed`.
    fn process(&self, claimed: Claimed) -> BoxFuture<'static, Outcome>;
}

impl<F, Fut> Processor for F
where
    F: Fn(Claimed) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    fn process(&self, claimed: Claimed) -> BoxFuture<'static, Outcome> {
        Box::pin(self(claimed))
    }
}
