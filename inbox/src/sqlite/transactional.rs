//! Handlers that run inside the inbox's own transaction (exactly-once effects), for brands
//! whose data lives in the inbox's SQLite file.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use capillary_ens_receiver::{BoxFuture, Clock, HandlerError, SystemClock};
use capillary_ens_schemas::{Envelope, Event, EventName, EventPayload};
use rusqlite::{Transaction, TransactionBehavior};

use super::{SqliteStore, finish_row};
use crate::process::{Outcome, Processor};
use crate::record::{Claimed, Finish};
use crate::time::to_millis;
use crate::typed::{TypedEvent, typed_event};

type Route = Arc<
    dyn Fn(&Transaction<'_>, Event, Envelope, &Claimed) -> Result<Result<(), HandlerError>, Event>
        + Send
        + Sync,
>;

/// A [`Processor`] whose handlers run inside the transaction that marks the delivery
/// processed: a handler's writes to the same SQLite file commit together with that mark, or
/// not at all. A crash, a lost lease or a handler error rolls both back, so each event's
/// effects happen exactly once.
///
/// Handlers run on the writer connection's thread: keep them to a few statements (no network
/// calls), since acknowledgements wait behind them.
///
/// ```
/// use capillary_ens_inbox::{Inbox, InboxConfig, SqliteStore, SqliteTransactional};
/// use capillary_ens_schemas::events::PointsIssued;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// let store = SqliteStore::open(dir.path().join("brand.db")).await?;
/// let processor = SqliteTransactional::new(&store).on::<PointsIssued, _>(|tx, points| {
///     tx.execute(
///         "INSERT INTO points_log (event_id, points) VALUES (?1, ?2)",
///         (points.envelope.event_id.as_deref(), points.event.total_points_issued.as_ref().map(ToString::to_string)),
///     )?;
///     Ok(())
/// });
/// let inbox = Inbox::new(store, InboxConfig::default());
/// let workers = inbox.start(processor);
/// # workers.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SqliteTransactional {
    store: SqliteStore,
    routes: HashMap<EventName, Route>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SqliteTransactional {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteTransactional")
            .field("events", &self.routes.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl SqliteTransactional {
    /// No handlers yet: every event is acknowledged as unhandled.
    pub fn new(store: &SqliteStore) -> Self {
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
        H: Fn(&Transaction<'_>, TypedEvent<T>) -> Result<(), HandlerError> + Send + Sync + 'static,
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
}

impl Processor for SqliteTransactional {
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
            let now = to_millis(this.clock.now());
            let ran = this
                .store
                .writer()
                .run(move |writer| {
                    writer.durability(false)?;
                    let transaction = writer
                        .connection
                        .transaction_with_behavior(TransactionBehavior::Immediate)?;
                    let current: i64 = transaction.query_row(
                        "SELECT COUNT(*) FROM ens_inbox \
                         WHERE key = ?1 AND state = 'processing' AND attempts = ?2",
                        (&claimed.key, claimed.attempt),
                        |row| row.get(0),
                    )?;
                    if current != 1 {
                        return Ok(Outcome::LostClaim);
                    }
                    let handled = catch_unwind(AssertUnwindSafe(|| {
                        route(&transaction, event, envelope, &claimed)
                    }));
                    match handled {
                        Ok(Ok(Ok(()))) => {
                            finish_row(
                                &transaction,
                                &claimed.key,
                                claimed.attempt,
                                now,
                                &Finish::Processed,
                            )?;
                            transaction.commit()?;
                            Ok(Outcome::Committed)
                        }
                        // Dropping the transaction rolls the handler's writes back.
                        Ok(Ok(Err(error))) => Ok(Outcome::Failed {
                            rate_limited: error.retry_after().is_some(),
                            retry_after: error.retry_after(),
                        }),
                        Ok(Err(_)) => Ok(Outcome::TypeMismatch { path: None }),
                        Err(_) => {
                            tracing::error!("a transactional handler panicked");
                            Ok(Outcome::Failed {
                                rate_limited: false,
                                retry_after: None,
                            })
                        }
                    }
                })
                .await;
            ran.unwrap_or_else(|error| {
                tracing::warn!(error = %error, "the inbox database failed during a transactional handler");
                Outcome::Failed {
                    rate_limited: false,
                    retry_after: None,
                }
            })
        })
    }
}
