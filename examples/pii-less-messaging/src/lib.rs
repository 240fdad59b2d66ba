//! PII-less messaging: answer Capillary ENS events with an SMS or email, while the customer's
//! name and contact stay in the brand's own database.
//!
//! Capillary knows the customer by an id; the brand keeps who they are. For each of
//! `customerAdded`, `pointsIssued`, `pointsRedeemed`, `tierUpgraded`, `tierDowngraded`,
//! `pointsExpiryReminder` and `CouponIssue`, this app:
//!
//! 1. receives the event with [`capillary_ens_receiver`] (static-header authentication, typed handlers);
//! 2. finds the customer in the brand's SQLite [`Store`] by Capillary id, else external id,
//!    else mobile ([`CustomerKey`]), ignoring any personal data in the payload;
//! 3. renders the event's message from a [`Template`] and picks SMS or email by the
//!    customer's preference and known contact ([`Customer::channel`]);
//! 4. POSTs it to the provider's API ([`Provider`]) with the `eventId` as idempotency key.
//!
//! # Exactly one message per event
//!
//! ENS delivers at least once. Three layers make a message go out once:
//! the receiver claims each `eventId` in SQLite before a handler runs
//! ([`SqliteIdempotencyStore`]: duplicates answer 200, concurrent duplicates 429, and the
//! claims survive restarts); each message is looked up in the message log before it is sent
//! and logged once the provider accepted it ([`Store::message_outcome`]); and the provider
//! receives the `eventId` as `idempotencyKey`, for a crash between its answer and our log.
//!
//! # Failures
//!
//! A provider that is down (5xx, timeout, connection error) or refusing our token makes the
//! handler fail with 503, and a provider rate limit with 429 and its `Retry-After`: the claim
//! is released and ENS retries the event. A customer missing from the store, or with no
//! contact, is logged (by id only) and **acknowledged**: retrying cannot make them appear, and
//! ENS would retry for a week. The same goes for a message the provider rejects for good
//! (another 4xx): it is logged as rejected, not retried.
//!
//! # Personal data
//!
//! Names, numbers, addresses and message texts are held in [`Pii`](capillary_ens_schemas::Pii), whose
//! `Debug` is `[redacted]`; traces carry event ids, event names, Capillary customer ids and
//! channels only.
//!
//! # Quick start
//!
//! ```
//! use capillary_ens_receiver::{Auth, StaticHeaders};
//! use capillary_ens_testkit::{fixtures, mocks::third_party::ThirdPartyEndpoint, simulator::Simulator};
//! use example_pii_less_messaging::{app, Config, Customer, Provider, Store, WEBHOOK_PATH};
//! use http::Method;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sms_provider = ThirdPartyEndpoint::start().await;
//! sms_provider.accept(Method::POST, "/v1/messages");
//!
//! let store = Store::open_in_memory()?;
//! store.add_customer(Customer::new("Asha").capillary_id(42).mobile("919800000001")).await?;
//! let config = Config::new(
//!     Auth::new(StaticHeaders::basic("ens", "s3cret")),
//!     store,
//!     Provider::new(&sms_provider.uri(), "provider-token"),
//! );
//!
//! let ens = Simulator::to_router(app(config)).path(WEBHOOK_PATH).basic_auth("ens", "s3cret").build();
//! let event = fixtures::points_issued()
//!     .customer_id(42)
//!     .set("data.totalPointsIssued", 150)
//!     .set("data.programCurrentPoints", 1270.5);
//! assert!(ens.deliver(event.build()).await.is_delivered());
//!
//! let sent = &sms_provider.received_json("/v1/messages")[0];
//! assert_eq!(sent["to"], "919800000001");
//! assert_eq!(sent["body"], "Hi Asha, you earned 150 points. Your balance is now 1270.5 points.");
//! # Ok(())
//! # }
//! ```

mod app;
mod channel;
mod customer;
mod dedup;
mod handlers;
mod message_log;
mod messenger;
mod provider;
mod store;
mod template;
mod templates;
mod time;

pub use app::{Config, WEBHOOK_PATH, app};
pub use channel::Channel;
pub use customer::{Customer, CustomerKey};
pub use dedup::SqliteIdempotencyStore;
pub use message_log::{MessageOutcome, MessageRecord};
pub use messenger::{Messenger, Notification, Notified, NotifyError};
pub use provider::{Accepted, OutgoingMessage, Provider, ProviderError};
pub use store::{Store, StoreError};
pub use template::{Template, TemplateError, Vars};
pub use templates::{MessageKind, MessageTemplate, Rendered, Templates};

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
