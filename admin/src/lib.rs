//! A typed async client for the Capillary APIs an ENS integration calls.
//!
//! A brand that consumes Capillary's Event Notification Service (ENS) configures webhooks
//! (`/v3/webHooks`: URL, headers, subscribed events, enrichment), reads how deliveries
//! went (`/v3/webHooks/eventLog/…`, `/v3/events/consumer-groups/{id}/logs` and
//! `…/metrics`), and, while handling an event, reads the customer it is about
//! (`/v2/customers/…`). This crate makes those calls with typed requests and lenient typed
//! answers:
//!
//! - [`Client`]: Basic or bearer [`Credentials`] (never in `Debug` or logs), a timeout, and
//!   retries on 429 and 5xx that honour `Retry-After` ([`ApiRetryPolicy`], injectable
//!   [`Sleeper`]); [`Client::for_ens_handler`] makes one attempt, for calls made while ENS
//!   waits for an answer. [`ApiSettings::from_env`] reads the cluster and credentials from
//!   `ENS_API_URL` and `ENS_API_TOKEN` or `ENS_API_USER` + `ENS_API_PASSWORD`, as the `ens`
//!   CLI does.
//! - [`WebhookConfig`]: create, list, get, update, delete, [`Client::subscribe`] to more events.
//! - Delivery logs by event id, API request id or ref id; a webhook's paginated log with
//!   filters ([`LogQuery`], [`LogPages`]); [`DeliveryMetrics`].
//! - [`HeaderRotation`]: change a webhook's authentication header while a receiver keeps
//!   accepting every delivery (with the feature `receiver`, `capillary-ens-receiver`'s
//!   `RotatingHeaders` is the receiver side; any [`AcceptedHeaderValues`] works).
//! - [`Customer`]s by id ([`Client::customer`], [`Client::customer_with_points`]) or by an
//!   [`Identifier`] ([`Client::lookup_customer`]): profiles, identifiers, contacts and
//!   [`PointsSummary`] per program, personal data in [`capillary_ens_schemas::Pii`]. Capillary's
//!   "customer not found" (code 8015) is [`Error::NotFound`]; with the feature `receiver`,
//!   `Error::into_handler_error` turns any other failure into the 503/429 that makes ENS
//!   deliver the event again.
//! - [`Error`]: the API's own error body (status, `errors` entries, raw text) is kept.
//!
//! # Quick start
//!
//! Provision a webhook and subscribe it to one more event. This runs against
//! [`capillary_ens_testkit`'s mock](https://docs.rs/capillary-ens-testkit) of the API; against Capillary, give
//! your cluster's URL, e.g. `https://eu.api.capillarytech.com`.
//!
//! ```
//! use capillary_ens_admin::{Client, Credentials, LogQuery, WebhookConfig};
//! use capillary_ens_schemas::EventName;
//! use capillary_ens_testkit::mocks::admin_api::AdminApiMock;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), capillary_ens_admin::Error> {
//! let capillary = AdminApiMock::start().await;
//! let client = Client::new(
//!     &capillary.uri(),
//!     Credentials::basic(AdminApiMock::USER, AdminApiMock::PASSWORD),
//! )?;
//!
//! let webhook = WebhookConfig::new("crm-sync", "https://hooks.example.com/ens", [EventName::PointsIssued])
//!     .with_header("Authorization", "Bearer wh-s3cret")
//!     .with_identifier_enrichment(["Instore"]);
//! let created = client.create_webhook(&webhook).await?;
//! let id = created.id.clone().expect("the api assigns an id");
//!
//! let updated = client.subscribe(&id, [EventName::TierUpgraded]).await?;
//! assert_eq!(updated.event_names, [EventName::PointsIssued, EventName::TierUpgraded]);
//!
//! let group = updated.consumer_group_id.expect("the api assigns a consumer group");
//! let page = client.consumer_group_logs(&group, &LogQuery::new()).await?;
//! assert!(page.entries.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! Reading the customer an event is about, as a webhook handler would
//! ([`Client::for_ens_handler`]: one attempt, as on a failure ENS delivers the event again):
//!
//! ```
//! use capillary_ens_admin::{Client, Credentials, Error};
//! use capillary_ens_testkit::mocks::capillary::{self, CapillaryApiMock, MockCustomer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), capillary_ens_admin::Error> {
//! let capillary = CapillaryApiMock::start().await;
//! capillary.add_customer(MockCustomer::new(42).first_name("Priya").points(1270.5).tier("Gold"));
//! let credentials = Credentials::basic(capillary::DEFAULT_USERNAME, capillary::DEFAULT_PASSWORD);
//! let client = Client::for_ens_handler(&capillary.uri(), credentials)?;
//!
//! let customer = client.customer_with_points(42).await?;
//! let gold = &customer.points_summaries[0];
//! assert_eq!((gold.loyalty_points, gold.current_slab.as_deref()), (Some(1270.5), Some("Gold")));
//! assert!(!format!("{customer:?}").contains("Priya"));
//!
//! let missing = client.customer(7).await.unwrap_err();
//! assert!(matches!(missing, Error::NotFound { .. }));
//! # Ok(())
//! # }
//! ```
//!
//! # Assumptions
//!
//! The Capillary docs list fields but not every response shape. Where they are silent this
//! crate reads both plausible forms: a bare answer or the v3 `{"data", "errors", "warnings"}`
//! wrapper; `webHookId` or `id`; log pages as `content` + `page`/`size`/`totalElements`/
//! `totalPages` (pages from 0). Errors are read as `{"errors":[{"code", "message"}]}`.
//! Unknown fields are ignored and a field of an unexpected type reads as absent. The customer
//! calls follow the wire shapes of `capillary_ens_testkit`'s `CapillaryApiMock` (Capillary's v2
//! customer resource); text in a customer is trimmed and blank text reads as absent.

mod accepted_header_values;
mod api_settings;
mod client;
mod credentials;
mod customers;
mod delivery_record;
mod error;
#[cfg(feature = "receiver")]
mod handler_error;
mod header_rotation;
mod headers;
mod lenient;
mod log_query;
mod logs_api;
mod metrics;
mod retry;
mod secret;
mod send;
mod webhook_config;
mod webhook_kind;
mod webhooks_api;

pub use accepted_header_values::AcceptedHeaderValues;
pub use api_settings::{ApiSettings, ApiSettingsError};
pub use client::{Client, ClientBuilder};
pub use credentials::Credentials;
pub use customers::{
    CommChannel, Customer, CustomerProfile, Identifier, IdentifierKind, LoyaltyInfo, PointsSummary,
};
pub use delivery_record::{ConsumerResponse, DeliveryRecord, DeliveryStatus};
pub use error::{ApiError, ApiErrorDetail, DecodeError, Error, TransportError};
pub use header_rotation::{HeaderRotation, RotationError};
pub use headers::WebhookHeaders;
pub use log_query::{LogPage, LogQuery, LogSort};
pub use logs_api::LogPages;
pub use metrics::{DeliveryMetrics, TimeRange};
pub use retry::{ApiRetryPolicy, SleepFuture, Sleeper, TokioSleeper};
pub use secret::SecretString;
pub use webhook_config::{NeoEnrichment, WebhookConfig};
pub use webhook_kind::{MethodType, WebhookType};

/// The README's examples, compiled as doctests (one of them needs the feature `receiver`).
#[cfg(all(doctest, feature = "receiver"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
