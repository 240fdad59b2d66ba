//! The receiver side: the inbox as the router's acknowledgement sink, and the router's typed
//! handlers as the workers' processor.

use std::sync::Arc;

use axum::extract::FromRef;
use capillary_ens_receiver::{
    Acknowledge, AcknowledgeError, Acknowledged, BoxFuture, Delivery, Dispatch, EnsRouter,
    ReceiverConfig,
};

use crate::inbox::Inbox;
use crate::process::{Outcome, Processor};
use crate::record::{Claimed, NewDelivery, Stored};

/// `EnsRouter::acknowledge_with(inbox)`: each authenticated delivery is stored and answered
/// 200 after the commit (a duplicate too); 503 with `Retry-After` when the database cannot
/// take it.
impl Acknowledge for Inbox {
    fn acknowledge(
        &self,
        delivery: Delivery,
    ) -> BoxFuture<'_, Result<Acknowledged, AcknowledgeError>> {
        Box::pin(async move {
            match Inbox::acknowledge(self, NewDelivery::from_delivery(&delivery)).await {
                Ok(Stored::New) => Ok(Acknowledged::Stored),
                Ok(_) => Ok(Acknowledged::Duplicate),
                Err(refused) => {
                    let retry_after = refused.retry_after();
                    Err(AcknowledgeError::new(refused).retry_after(retry_after))
                }
            }
        })
    }
}

/// Runs an [`EnsRouter`]'s typed handlers on claimed deliveries through
/// [`EnsRouter::dispatch`]: the same handlers as inline, off ENS's queue.
///
/// A handler error is retried with backoff; a payload that does not match its type (and has
/// no mismatch handler or fallback) becomes a dead letter at once; an event with no handler is
/// marked processed.
pub struct RouterProcessor<S = ReceiverConfig> {
    router: Arc<EnsRouter<S>>,
    state: S,
}

impl<S> std::fmt::Debug for RouterProcessor<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterProcessor").finish_non_exhaustive()
    }
}

impl<S> RouterProcessor<S>
where
    S: Clone + Send + Sync + 'static,
    ReceiverConfig: FromRef<S>,
{
    /// Runs `router`'s handlers with `state`.
    pub fn new(router: EnsRouter<S>, state: S) -> Self {
        Self {
            router: Arc::new(router),
            state,
        }
    }
}

impl<S> Processor for RouterProcessor<S>
where
    S: Clone + Send + Sync + 'static,
    ReceiverConfig: FromRef<S>,
{
    fn process(&self, claimed: Claimed) -> BoxFuture<'static, Outcome> {
        let router = Arc::clone(&self.router);
        let state = self.state.clone();
        Box::pin(async move {
            let delivery = match Delivery::parse(claimed.body, claimed.received_at) {
                Ok(delivery) => delivery,
                Err(_) => return Outcome::NotAnEvent,
            };
            outcome(router.dispatch(&state, delivery).await)
        })
    }
}

fn outcome(dispatch: Dispatch) -> Outcome {
    match dispatch {
        Dispatch::Handled => Outcome::Handled,
        Dispatch::NoHandler => Outcome::Unhandled,
        Dispatch::Failed(error) => {
            tracing::warn!(status = error.status().as_u16(), "inbox handler failed");
            Outcome::Failed {
                rate_limited: error.retry_after().is_some(),
                retry_after: error.retry_after(),
            }
        }
        Dispatch::Mismatch(mismatch) => Outcome::TypeMismatch {
            path: Some(mismatch.path().to_owned()),
        },
        // A dispatch outcome added later: retry rather than lose the event.
        _ => Outcome::Failed {
            rate_limited: false,
            retry_after: None,
        },
    }
}

impl Inbox {
    /// Starts the workers running `router`'s typed handlers with `state` (see
    /// [`RouterProcessor`]).
    pub fn start_router<S>(&self, router: EnsRouter<S>, state: S) -> crate::Workers
    where
        S: Clone + Send + Sync + 'static,
        ReceiverConfig: FromRef<S>,
    {
        self.start(RouterProcessor::new(router, state))
    }
}
