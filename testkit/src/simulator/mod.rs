//! Deliver events to a receiver exactly as Capillary ENS does, with a week of retries
//! simulated in milliseconds.
//!
//! A [`Simulator`] POSTs one JSON event per request with ENS's headers (`content-type:
//! application/json`, `user-agent: Java/1.8.0_272`, Spring's `accept`) plus the webhook's
//! configured headers, optionally signed ([`HmacSha256`](capillary_ens_receiver::HmacSha256),
//! [`StandardWebhooks`](capillary_ens_receiver::StandardWebhooks)). Answers are classified like ENS
//! documents them: 2xx delivers; 429, 5xx, timeouts and connection errors are retried with
//! exponential backoff until the retry window (seven days) closes ([`RetryPolicy`]); every
//! other answer fails for good, **408 and 3xx included** (ENS documents no retry for them: a
//! receiver relying on one would pass here and lose events in production).
//!
//! In [queue mode](SimulatorBuilder::queue_mode) events go one at a time in order, and a
//! retrying event holds back every later one, as in ENS's per-webhook queue: the cost of a
//! wrong retriable answer shows in [`DeliveryReport::held_back`].
//!
//! # Time
//!
//! The simulation is discrete-event: deliveries wait in a queue by due time; the earliest due
//! attempts are made (for real, over HTTP with [`Simulator::to_url`] or in process with
//! [`Simulator::to_router`]), the [`VirtualClock`] jumps forward to their time, and each
//! retriable failure is queued again at `attempt time + backoff`. Nothing sleeps for backoff.
//! Attempt times in reports are virtual and exact, so schedules can be asserted precisely.
//! Signatures are made at the attempt's virtual time: give the receiver the same clock
//! (`Auth::with_clock(simulator.clock())`) and it checks timestamps in the same time.
//!
//! Only the per-attempt timeout is real time (30 s by default): the receiver really runs. An
//! attempt that exceeds it counts as timed out and the event is delivered again later, even
//! if the receiver acted on it: at-least-once, as with ENS.
//!
//! # Concurrency, duplicates, order
//!
//! At most [`max_connections`](SimulatorBuilder::max_connections) attempts are in flight at
//! once (ENS's `maxAllowedConnections`). [`Duplicates`] makes chosen events arrive twice;
//! [`reorder`](SimulatorBuilder::reorder) shuffles [`Simulator::deliver_all`] by a seed.
//!
//! # Stopping part-way
//!
//! [`Simulator::deliver_until`] stops at a virtual deadline and leaves unfinished deliveries
//! [`Retrying`](DeliveryState::Retrying), so a test can fix its receiver and call
//! [`Simulator::resume`]. [`Simulator::log`] and [`Simulator::metrics`] are snapshots at any
//! moment, also while deliveries run.
//!
//! # Example
//!
//! A receiver that fails once with 503 gets the event again 30 virtual seconds later:
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::time::Duration;
//!
//! use axum::{Router, http::StatusCode, routing::post};
//! use capillary_ens_testkit::simulator::{AttemptOutcome, DeliveryState, Simulator};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let calls = Arc::new(AtomicUsize::new(0));
//! let counter = Arc::clone(&calls);
//! let receiver = Router::new().route(
//!     "/ens",
//!     post(move || async move {
//!         match counter.fetch_add(1, Ordering::SeqCst) {
//!             0 => StatusCode::SERVICE_UNAVAILABLE,
//!             _ => StatusCode::OK,
//!         }
//!     }),
//! );
//!
//! let ens = Simulator::to_router(receiver).path("/ens").bearer("t0ken").build();
//! let report = ens
//!     .deliver(json!({"eventName": "pointsIssued", "eventId": "e-1", "data": {}}))
//!     .await;
//!
//! assert_eq!(report.state, DeliveryState::Delivered);
//! assert_eq!(report.outcomes(), [&AttemptOutcome::Status(503), &AttemptOutcome::Status(200)]);
//! assert_eq!(report.attempt_offsets(), [Duration::ZERO, Duration::from_secs(30)]);
//! assert!(ens.log().to_string().contains("503@0s 200@30s"));
//! assert_eq!(ens.metrics().delivered, 1);
//! # }
//! ```

mod builder;
mod clock;
mod duplicates;
mod engine;
mod log;
mod metrics;
mod outgoing;
mod policy;
mod report;
mod request;
mod rng;
mod transport;

pub use builder::SimulatorBuilder;
pub use clock::VirtualClock;
pub use duplicates::Duplicates;
pub use engine::Simulator;
pub use log::DeliveryLog;
pub use metrics::Metrics;
pub use outgoing::Outgoing;
pub use policy::RetryPolicy;
pub use report::{Attempt, AttemptOutcome, DeliveryReport, DeliveryState};
