//! Receive Capillary ENS webhooks: authenticate, parse, deduplicate and dispatch every event.
//!
//! ENS delivers each event at least once, unordered, authenticated only by the static headers
//! the brand configured, and it drops an event for good when the receiver answers 400. This
//! crate gets those rules right so a handler only sees authentic, typed, first-time events:
//!
//! - **Authentication** over the raw bytes, before parsing: [`StaticHeaders`] (Basic, bearer,
//!   API keys, several values for rotation), [`HmacSha256`] body signatures, and
//!   [`StandardWebhooks`]; combine them in an [`Auth`]. Comparison is constant-time, "now" is
//!   injectable ([`Clock`]), and secrets never show in `Debug`. [`StaticHeaders::from_env`]
//!   reads the webhook's credentials from `ENS_BASIC`, `ENS_BEARER` and `ENS_HEADER`, the
//!   variables the `ens` CLI reads too.
//! - **Status policy that matches ENS's retries**: 401 unauthenticated, 400 only for bodies that
//!   are not events, 413 too large, 415 not JSON; unknown events and events whose data does
//!   not type-check are delivered, never rejected; handler failures answer 503 or 429, and
//!   `HandlerError::upstream` passes a downstream API's 429 and `Retry-After` on to ENS.
//! - **Idempotency** on event name and `eventId` ([`DedupKey`]; [`InMemoryStore`] or your own
//!   [`IdempotencyStore`]). A bare [`Webhook`] extractor outside [`EnsRouter`] does none.
//! - **One delivery type**, [`Delivery`], usable without axum, that narrows to [`Webhook<T>`];
//!   with a durable inbox, [`EnsRouter::acknowledge_with`] stores deliveries instead of
//!   handling them inline and [`EnsRouter::dispatch`] runs the handlers later without HTTP.
//!
//! # Quick start
//!
//! ```no_run
//! use axum::Router;
//! use capillary_ens_receiver::{Auth, EnsRouter, HandlerError, ReceiverConfig, StaticHeaders, Webhook};
//! use capillary_ens_schemas::events::PointsIssued;
//!
//! async fn points_issued(webhook: Webhook<PointsIssued>) -> Result<(), HandlerError> {
//!     let points = &webhook.event;
//!     println!(
//!         "{:?} points for customer {:?}",
//!         points.total_points_issued, points.customer_identifiers.customer_id
//!     );
//!     Ok(())
//! }
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     let config = ReceiverConfig::new(Auth::new(StaticHeaders::basic("ens", "s3cret")));
//!     let ens = EnsRouter::new().on::<PointsIssued, _, _>(points_issued);
//!     let app: Router = Router::new().merge(ens.into_router_at("/webhooks/ens")).with_state(config);
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//!     axum::serve(listener, app).await
//! }
//! ```
//!
//! Without the default `axum` feature, [`Auth`] and [`receive`] work over `http::HeaderMap` and
//! raw bytes in any framework.

mod acknowledge;
mod auth;
mod clock;
mod config;
mod delivery;
mod idempotency;
mod receive;
mod rejection;
mod secret;
mod webhook;

#[cfg(feature = "axum")]
mod body;
#[cfg(feature = "axum")]
mod dispatch;
#[cfg(feature = "axum")]
mod extract;
#[cfg(feature = "axum")]
mod handler;
#[cfg(feature = "axum")]
mod outcome;
#[cfg(feature = "axum")]
mod retry_after;
#[cfg(feature = "axum")]
mod router;

pub use auth::{
    Auth, AuthError, EnvError, HmacSha256, InvalidSecret, RotatingHeaders, SignatureEncoding,
    SignedRequest, StandardWebhooks, StaticHeaders, Verifier,
};

pub use acknowledge::{Acknowledge, AcknowledgeError, Acknowledged};
pub use clock::{Clock, SystemClock};
pub use config::ReceiverConfig;
pub use delivery::Delivery;
pub use idempotency::{
    BoxFuture, Claim, ClaimToken, DedupKey, IdempotencyStore, InMemoryStore, StoreError,
};
pub use receive::receive;
pub use rejection::{
    BodyUnreadable, InvalidJson, NotAnEvent, OtherEventType, PayloadTooLarge, Unauthorized,
    UnsupportedMediaType, Untypable, WebhookRejection,
};
pub use secret::Secret;
pub use webhook::Webhook;

#[cfg(feature = "axum")]
pub use dispatch::{Dispatch, DispatchCounters, Mismatch};
#[cfg(feature = "axum")]
pub use handler::{EventHandler, HandlerError, IntoHandlerResult};
#[cfg(feature = "axum")]
pub use router::EnsRouter;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
