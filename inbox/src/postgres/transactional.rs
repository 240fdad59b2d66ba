//! Handlers that run inside the inbox's own transaction (exactly-once effects), for brands
//! whose data lives in the inbox's PostgreSQL database.

use std::collections::HashMap;
use std::sync::Arc;

use capillary_ens_receiver::{BoxFuture, Clock, HandlerError, SystemClock};
use capillary_ens_schemas::{Envelope, Event, EventName, EventPayload};
use deadpool_postgres::Transaction;

use super::{PostgresStore, finish_row};
use crate::process::{Outcome, Processor};
use crate::record::{Claimed, Finish};
use crate::typed::{TypedEvent, typed_event};

type Route = Arc<
    dyn for<'t> Fn(
            &'t Transaction<'t>,
            Event,
            Envelope,
            &Claimed,
        ) -> Result<BoxFuture<'t, Result<(), HandlerError>>, Event>
        + Send
        + Sync,
>;

/// A [`Processor`] whose handlers run inside the transaction that marks the delivery
/// processed: a handler's writes to the same database commit together with that mark, or not
/// at all. The row is locked (`FOR UPDATE`) and checked to still be this worker's claim first,
/// so a worker whose lease expired cannot commit effects a second time.
///
/// ```no_run
/// use capillary_ens_inbox::{Inbox, InboxConfig, PostgresStore, PostgresTransactional};
/// use capillary_ens_schemas::events::PointsIssued;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = PostgresStore::connect("postgres://app@db/brand").await?;
/// let processor = PostgresTransactional::new(&store).on::<PointsIssued, _>(|tx, points| {
///     Box::pin(async move {
///         tx.execute(
///             "INSERT INTO points_log (event_id) VALUES ($1)",
///             &[&points.envelope.event_id],
///         )
///         .await?;
///         Ok(())
///     })
/// });
/// let workers = Inbox::new(store, InboxConfig::default()).start(processor);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresTransactional {
    store: PostgresStore,
    routes: HashMap<EventName, Route>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for PostgresTransactional {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresTransactional")
            .field("events", &self.routes.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl PostgresTransactional {
    /// No handlers yet: every event is acknowledged as unhandled.
    pub fn new(store: &PostgresStore) -> Self {
        Self {
            store: store.clone(),
            routes: HashMap::new(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Handles events of type `T` with `handler`, inside the inbox's transaction.
    pub fn on<T, H>(mut self, handler: H) -> Self
    where
        T: EventPayload,
        H: for<'t> Fn(
                &'t Transaction<'t>,
                TypedEvent<T>,
            ) -> BoxFuture<'t, Result<(), HandlerError>>
            + Send
            + Sync
            + 'static,
    {
        let route: Route = Arc::new(move |transaction, event, envelope, claimed| {
            let event = T::from_event(event)?;
            Ok(handler(
                transaction,
                TypedEvent {
                    event,
                    envelope,
                    key: claimed.key.clone(),
                    attempt: claimed.attempt,
                },
            ))
        });
        self.routes.insert(T::EVENT_NAME, route);
        self
    }

    /// Takes "processed at" times from `clock`.
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    async fn run(
        &self,
        claimed: &Claimed,
        route: &Route,
        event: Event,
        envelope: Envelope,
    ) -> Result<Outcome, tokio_postgres::Error> {
        let mut client = match self.store.pool().get().await {
            Ok(client) => client,
            Err(error) => {
                tracing::warn!(error = %error, "the inbox database is unavailable");
                return Ok(failed(None));
            }
        };
        let transaction = client.transaction().await?;
        let attempt = i32::try_from(claimed.attempt).unwrap_or(i32::MAX);
        let current = transaction
            .query_opt(
                "SELECT 1 FROM ens_inbox WHERE key = $1 AND state = 'processing' AND attempts = $2 \
                 FOR UPDATE",
                &[&claimed.key, &attempt],
            )
            .await?;
        if current.is_none() {
            return Ok(Outcome::LostClaim);
        }
        let handled = match route(&transaction, event, envelope, claimed) {
            Ok(future) => future.await,
            Err(_) => return Ok(Outcome::TypeMismatch { path: None }),
        };
        match handled {
            Ok(()) => {
                let finished =
                    finish_row(&transaction, claimed, self.clock.now(), &Finish::Processed).await;
                if !matches!(finished, Ok(true)) {
                    return Ok(Outcome::LostClaim);
                }
                transaction.commit().await?;
                Ok(Outcome::Committed)
            }
            // Dropping the transaction rolls the handler's writes back.
            Err(error) => Ok(failed(Some(&error))),
        }
    }
}

fn failed(error: Option<&HandlerError>) -> Outcome {
    let retry_after = error.and_then(HandlerError::retry_after);
    Outcome::Failed {
        rate_limited: retry_after.is_some(),
        retry_after,
    }
}

impl Processor for PostgresTransactional {
    fn process(&self, claimed: Claimed) -> BoxFuture<'static, Outcome> {
        let this = self.clone();
        Box::pin(async move {
            let (event, envelope) = match typed_event(&claimed) {
                Ok(parsed) => parsed,
                Err(outcome) => return outcome,
            };
            let Some(route) = this.routes.get(&envelope.event_name).cloned() else {
                return Outcome::Unhandled;
            };
            this.run(&claimed, &route, event, envelope)
                .await
                .unwrap_or_else(|error| {
                    tracing::warn!(error = %error, "the inbox database failed during a transactional handler");
                    failed(None)
                })
        })
    }
}
