//! PII-less messaging: answer Capillary ENS events with an SMS or email, while the customer's
//! name and contact stay in the brand's own database.
//!
//! Capillary knows the customer by an id; the brand keeps who they are. For each of
//! `customerAdded`, `pointsIssued`, `pointsRedeemed`, `tierUpgraded`, `tierDowngraded`,
//! `pointsExpiryReminder` and `CouponIssue`, this app:
//!
//! 1. receives the event with [`capillary_ens_receiver`] (static-header authentication) and
//!    stores it in a durable SQLite inbox ([`capillary_ens_inbox`]), answering ENS once it is
//!    committed; the inbox's workers then run the typed handlers;
//! 2. finds the customer in the brand's SQLite [`Store`] by Capillary id, else external id,
//!    else mobile ([`CustomerKey`]), ignoring any personal data in the payload;
//! 3. renders the event's message from a [`Template`] and picks SMS or email by the
//!    customer's preference and known contact ([`Customer::channel`]);
//! 4. POSTs it to the provider's API ([`Provider`]) with the `eventId` as idempotency key.
//!
//! # Exactly one message per event
//!
//! ENS delivers at least once. The inbox stores each event once under its event name and
//! `eventId`: a duplicate, concurrent or days later, across restarts, is answered 200 without
//! being stored again. Processing from the inbox is at-least-once (a worker that dies
//! mid-handler leaves its lease to expire, and the event runs again), so two more layers make
//! the message go out once: each message is looked up in the message log before it is sent and
//! logged once the provider accepted it ([`Store::message_outcome`]); and the provider receives
//! the `eventId` as `idempotencyKey`, for a crash between its answer and our log.
//!
//! # Failures
//!
//! ENS only waits for the inbox's commit, so a slow or failing provider never holds back its
//! later events. A provider that is down (5xx, timeout, connection error) or refusing our token
//! fails the attempt, and a provider rate limit too, with its `Retry-After`: the inbox retries
//! the event with exponential backoff and jitter (at least the `Retry-After`), and after its
//! last attempt keeps it as a dead letter ([`Inbox::retry_dead`](capillary_ens_inbox::Inbox::retry_dead)
//! re-queues it). A customer missing from the store, or with no contact, is logged (by id only)
//! and settled: retrying cannot make them appear. The same goes for a message the provider
//! rejects for good (another 4xx): it is logged as rejected, not retried.
//!
//! # Personal data
//!
//! Names, numbers, addresses and message texts are held in [`Pii`](capillary_ens_schemas::Pii), whose
//! `Debug` is `[redacted]`; traces carry event ids, event names, Capillary customer ids and
//! channels only. The inbox stores the event's body as received, in its own file.
//!
//! # Quick start
//!
//! ```
//! use capillary_ens_inbox::{InboxConfig, open};
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
//! let dir = tempfile::tempdir()?;
//! let store = Store::open(dir.path().join("brand.sqlite3"))?;
//! store.add_customer(Customer::new("Asha").capillary_id(42).mobile("919800000001")).await?;
//! let inbox_url = format!("sqlite:{}", dir.path().join("inbox.sqlite3").display());
//! let inbox = open(&inbox_url, InboxConfig::default()).await?;
//! let app = app(Config::new(
//!     Auth::new(StaticHeaders::basic("ens", "s3cret")),
//!     store,
//!     inbox,
//!     Provider::new(&sms_provider.uri(), "provider-token"),
//! ));
//!
//! // ENS is answered once the delivery is stored in the inbox.
//! let ens = Simulator::to_router(app.router()).path(WEBHOOK_PATH).basic_auth("ens", "s3cret").build();
//! let event = fixtures::points_issued()
//!     .customer_id(42)
//!     .set("data.totalPointsIssued", 150)
//!     .set("data.programCurrentPoints", 1270.5);
//! assert!(ens.deliver(event.build()).await.is_delivered());
//! assert!(sms_provider.received_json("/v1/messages").is_empty(), "not sent yet");
//!
//! // A worker's turn, here in this task; a server runs `app.start_workers()` instead.
//! assert_eq!(app.process_due().await?, 1);
//! let sent = &sms_provider.received_json("/v1/messages")[0];
//! assert_eq!(sent["to"], "919800000001");
//! assert_eq!(sent["body"], "Hi Asha, you earned 150 points. Your balance is now 1270.5 points.");
//! # Ok(())
//! # }
//! ```

mod app;
mod channel;
mod customer;
mod handlers;
mod message_log;
mod messenger;
mod provider;
mod store;
mod template;
mod templates;
mod time;

pub use app::{App, Config, WEBHOOK_PATH, app};
pub use channel::Channel;
pub use customer::{Customer, CustomerKey};
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
