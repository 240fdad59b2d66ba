//! A durable inbox for Capillary ENS webhooks: acknowledge a delivery once it is committed,
//! process it afterwards with retries and dead letters.
//!
//! ENS re-sends a failed event *before* later ones for days, so a receiver that runs the
//! brand's processing inside the request chains every later event to its slowest downstream.
//! The inbox breaks that chain:
//!
//! 1. **Acknowledge after commit.** An authenticated delivery is inserted with
//!    `INSERT … ON CONFLICT (key) DO NOTHING` (key: event name + event id, or event name + a
//!    body hash) and answered 2xx after the commit; a conflict is a duplicate, answered 2xx
//!    too and counted. Concurrent deliveries share one commit ([group commit](InboxConfig::group_commit)).
//!    If the database is down the answer is 503 with `Retry-After`: ENS retries, nothing is lost.
//! 2. **Process from the table.** [`Workers`] claim due rows with a lease, run the same typed
//!    handlers, and record the outcome: processed; retry with exponential backoff and jitter;
//!    after the last attempt, or at once for a payload that does not match its type, a dead
//!    letter with its error (kind and JSON path only, never a payload value).
//! 3. **At-least-once, stated plainly.** A worker that dies mid-handler leaves its lease to
//!    expire, and the row is claimed again: the handler can run twice. Handlers whose effects
//!    live in the inbox's own database can run inside the inbox's transaction instead
//!    ([`SqliteTransactional`]), which makes their effects exactly-once.
//! 4. **Retention.** Processed rows are kept 8 days (ENS retries for 7) to catch duplicates,
//!    then pruned in bounded batches.
//!
//! Backends are features: `sqlite` (default: one file, WAL, no server), `postgres` (several
//! replicas: `FOR UPDATE SKIP LOCKED` claims, `LISTEN/NOTIFY` wake-ups, embedded migrations),
//! `redis` (a deduplication store only, for replicas that keep handling inline).
//!
//! # Quick start
//!
//! The router authenticates, stores and answers; the workers run the same typed handlers
//! from the inbox:
//!
//! ```no_run
//! use axum::Router;
//! use capillary_ens_inbox::{InboxConfig, open};
//! use capillary_ens_receiver::{Auth, EnsRouter, HandlerError, ReceiverConfig, StaticHeaders, Webhook};
//! use capillary_ens_schemas::events::PointsIssued;
//!
//! async fn points_issued(webhook: Webhook<PointsIssued>) -> Result<(), HandlerError> {
//!     // Call the brand's systems; an error is retried inside the inbox, not by ENS.
//!     Ok(())
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let config = ReceiverConfig::new(Auth::new(StaticHeaders::bearer("t0ken")));
//!     let inbox = open("sqlite:inbox.db", InboxConfig::default()).await?;
//!
//!     let handlers = EnsRouter::new().on::<PointsIssued, _, _>(points_issued);
//!     let workers = inbox.start_router(handlers, config.clone());
//!
//!     let ens = EnsRouter::<ReceiverConfig>::new().acknowledge_with(inbox.clone());
//!     let app: Router = Router::new().nest("/webhooks/ens", ens.into_router()).with_state(config);
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//!     axum::serve(listener, app).await?;
//!     workers.shutdown().await;
//!     Ok(())
//! }
//! ```
//!
//! The same steps by hand, as the router and the workers take them:
//!
//! ```
//! use std::time::SystemTime;
//! use capillary_ens_inbox::{InboxConfig, NewDelivery, Outcome, Stored, open};
//! use capillary_ens_receiver::Delivery;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let url = format!("sqlite:{}", dir.path().join("inbox.db").display());
//! let inbox = open(&url, InboxConfig::default()).await?;
//!
//! // After authentication: store, then answer 2xx (a duplicate too).
//! let body = br#"{"eventName":"pointsIssued","eventId":"e-1","data":{}}"#;
//! let delivery = Delivery::parse(body.to_vec().into(), SystemTime::now())?;
//! assert_eq!(inbox.acknowledge(NewDelivery::from_delivery(&delivery)).await?, Stored::New);
//! assert_eq!(inbox.acknowledge(NewDelivery::from_delivery(&delivery)).await?, Stored::Duplicate);
//!
//! // A worker's turn, here once in this task.
//! let processed = inbox.process_due(&|_claimed| async { Outcome::Handled }).await?;
//! assert_eq!(processed, 1);
//! let stats = inbox.stats().await?;
//! assert_eq!((stats.received, stats.processed, stats.duplicates_suppressed), (1, 1, 1));
//! # Ok(()) }
//! ```

mod backoff;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]
mod config;
mod counters;
mod error;
mod group_commit;
mod inbox;
mod process;
mod record;
mod router;
mod stats;
mod store;
mod time;
mod typed;
mod url;
mod worker;

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis_dedup;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use config::InboxConfig;
pub use counters::Counters;
pub use error::{InboxError, InvalidUrl, MigrationFailed, Unavailable};
pub use inbox::{Inbox, NotStored};
pub use process::{Outcome, Processor};
pub use record::{
    Arrival, Claimed, ErrorKind, Filter, Finish, LastError, NewDelivery, State, StateCounts,
    Stored, StoredDelivery, UnknownState,
};
pub use router::RouterProcessor;
pub use stats::Stats;
pub use store::InboxStore;
pub use typed::TypedEvent;
pub use url::{InboxUrl, open};
pub use worker::Workers;

#[cfg(feature = "postgres")]
pub use postgres::{PostgresDedup, PostgresStore, PostgresTransactional};
#[cfg(feature = "redis")]
pub use redis_dedup::RedisDedup;
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteDedup, SqliteOptions, SqliteStore, SqliteTransactional, Synchronous};

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
