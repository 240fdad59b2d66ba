//! Test Capillary ENS integrations offline, exactly as ENS behaves.
//!
//! Brands cannot trigger real loyalty events at will and ENS has no "send test event" button.
//! This crate gives tests what production has:
//!
//! - [`fixtures`]: a realistic delivery of each of the 66 events, with overrides
//!   (`fixtures::points_issued().customer_id(42)`), in either envelope form, plus proptest
//!   strategies drawing random valid events from the schemas ([`fixtures::arbitrary`]).
//! - [`simulator`]: delivers events to a URL or an in-process router as ENS does: POST, JSON,
//!   the webhook's headers, optional signing, ENS's retry policy on a virtual clock (a week of
//!   retries in milliseconds), duplicates, reordering, a connection limit, a delivery log and
//!   the console's metrics.
//! - [`mocks`]: wiremock servers for the Capillary REST API ([`mocks::capillary`]), the
//!   webhook and delivery-log APIs ([`mocks::admin_api`]), and any third-party API the
//!   integration calls ([`mocks::third_party`]).
//! - [`logs`]: capture everything the code under test logs through `tracing`, from every
//!   thread, and assert that secrets and personal data never appear
//!   (`logs.assert_absent(&[mobile, token])`, [`logs::LogCapture`]).
//!
//! - [`conformance`]: a suite any idempotency store must pass (claim, duplicate, concurrent
//!   duplicate, release, crash recovery, retention), run against the in-memory store and
//!   every store of `capillary-ens-inbox`, so a store of your own can prove itself too.
//!
//! # Quick start
//!
//! A receiver built with `capillary-ens-receiver`, tested in process: ENS delivers an event twice and
//! the handler runs once.
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//!
//! use axum::Router;
//! use capillary_ens_receiver::{Auth, EnsRouter, ReceiverConfig, StaticHeaders, Webhook};
//! use capillary_ens_schemas::events::PointsIssued;
//! use capillary_ens_testkit::fixtures;
//! use capillary_ens_testkit::simulator::{DeliveryState, Duplicates, Simulator};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let handled = Arc::new(AtomicUsize::new(0));
//! let counter = Arc::clone(&handled);
//! let ens = EnsRouter::new().on::<PointsIssued, _, _>(move |webhook: Webhook<PointsIssued>| {
//!     let counter = Arc::clone(&counter);
//!     async move {
//!         assert_eq!(webhook.event.customer_identifiers.customer_id, Some(42));
//!         counter.fetch_add(1, Ordering::SeqCst);
//!     }
//! });
//! let config = ReceiverConfig::new(Auth::new(StaticHeaders::bearer("t0ken")));
//! let app: Router = ens.into_router().with_state(config);
//!
//! let simulator = Simulator::to_router(app)
//!     .bearer("t0ken")
//!     .duplicates(Duplicates::every(1))
//!     .build();
//! let report = simulator.deliver(fixtures::points_issued().customer_id(42).build()).await;
//!
//! assert_eq!(report.state, DeliveryState::Delivered);
//! assert_eq!(simulator.log().len(), 2, "ENS delivered it twice");
//! assert_eq!(handled.load(Ordering::SeqCst), 1, "the handler ran once");
//! # }
//! ```

pub mod conformance;
pub mod fixtures;
pub mod logs;
pub mod mocks;
pub mod simulator;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
