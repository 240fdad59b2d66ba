//! Keep an e-commerce platform's copy of each customer's points balance and tier current:
//! a complete ENS integration.
//!
//! ENS delivers `pointsIssued`, `pointsRedeemed`, `tierUpgraded` and `customerUpdated` at
//! least once and in no guaranteed order. For each one the app pushes the customer's balance
//! and tier to the shop (a Magento-like API):
//!
//! ```text
//! PUT {shop}/rest/V1/customers/{id}/loyalty
//! Authorization: Bearer {token}
//! {"points_balance": 1270.5, "tier": "Gold", "source_updated_at": 1742380215431}
//! ```
//!
//! `{id}` is the Capillary customer id, or the InStore external id
//! ([`ShopCustomerKey::ExternalId`]). `source_updated_at` is the `createdAt` of the newest
//! event the body reflects; a field not known yet is left out.
//!
//! # Order
//!
//! **An older event never overwrites newer state.** A [`SyncStore`] keeps, per customer and
//! per field, the value last pushed and the `createdAt` of the event it came from
//! ([`CustomerSyncState`]). An event moves a field only if it is strictly newer than that
//! field's stamp; an event with nothing newer to say is acknowledged without a call to the
//! shop. The fields are ordered separately, so a late `tierUpgraded` still sets the tier even
//! after a newer points event set the balance. Events of one customer are applied one at a
//! time (ENS delivers over several connections at once).
//!
//! # Where the values come from
//!
//! | event | balance | tier |
//! |---|---|---|
//! | `pointsIssued` | `programCurrentPoints` | — |
//! | `pointsRedeemed` | `redemptionFromEarningPrograms[]` of the event's program, `programCurrentPoints`; else Capillary | — |
//! | `tierUpgraded` | — | the name of `upgradedTierNumber` in `loyaltyProgramDetails.tiers`; else Capillary |
//! | `customerUpdated` | Capillary | Capillary |
//!
//! "Capillary" is `GET /v2/customers/{id}?embed=points`, made with [`capillary_ens_admin::Client`]:
//! `pointsSummaries[]` of the event's program (else the first), `loyaltyPoints` and
//! `currentSlab`. A customer Capillary does not know (error code 8015,
//! [`capillary_ens_admin::Error::NotFound`]) is acknowledged without a push.
//!
//! # Failures
//!
//! Any failure of the Capillary API, the shop or the store answers the delivery 503 (429
//! with `Retry-After` when an API rate limits) and leaves the stored state untouched, so ENS
//! delivers the event again later and it is applied then. Duplicates are answered 200
//! without running a handler ([`capillary_ens_receiver`] deduplicates on `eventId`); a replayed event
//! would be stale anyway. External ids, names and mobile numbers never reach the logs.
//!
//! # Example
//!
//! The app on a loopback port, with the Capillary API and the shop mocked, and ENS
//! simulated delivering two events newest first:
//!
//! ```
//! use axum::http::Method;
//! use capillary_ens_admin::{Client, Credentials};
//! use capillary_ens_receiver::{Auth, ReceiverConfig, StaticHeaders};
//! use capillary_ens_testkit::fixtures;
//! use capillary_ens_testkit::mocks::capillary::{self, CapillaryApiMock};
//! use capillary_ens_testkit::mocks::third_party::ThirdPartyEndpoint;
//! use capillary_ens_testkit::simulator::Simulator;
//! use example_commerce_sync::{Config, ShopSettings, WEBHOOK_PATH, app};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let capillary = CapillaryApiMock::start().await;
//! let shop = ThirdPartyEndpoint::start().await;
//! shop.accept(Method::PUT, "/rest/V1/customers/{id}/loyalty");
//!
//! let credentials = Credentials::basic(capillary::DEFAULT_USERNAME, capillary::DEFAULT_PASSWORD);
//! let capillary_client = Client::for_ens_handler(&capillary.uri(), credentials)?;
//! let config = Config::new(
//!     ReceiverConfig::new(Auth::new(StaticHeaders::bearer("webhook-t0ken"))),
//!     capillary_client,
//!     ShopSettings::new(&shop.uri(), "shop-t0ken"),
//! );
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let url = format!("http://{}{WEBHOOK_PATH}", listener.local_addr()?);
//! tokio::spawn(async move { axum::serve(listener, app(config)).await });
//!
//! let points = |at: i64, balance: f64| {
//!     fixtures::points_issued()
//!         .customer_id(42)
//!         .created_at_ms(at)
//!         .set("data.programCurrentPoints", balance)
//!         .build()
//! };
//! let ens = Simulator::to_url(url).bearer("webhook-t0ken").build();
//! assert!(ens.deliver(points(2_000, 250.0)).await.is_delivered());
//! assert!(ens.deliver(points(1_000, 100.0)).await.is_delivered()); // late and stale
//!
//! assert_eq!(
//!     shop.received_json("/rest/V1/customers/42/loyalty"),
//!     [json!({"points_balance": 250.0, "source_updated_at": 2_000})]
//! );
//! # Ok(())
//! # }
//! ```
//!
//! `src/main.rs` runs the same app from environment variables ([`Config::from_env`]); the
//! Capillary API is found with the `ens` CLI's `ENS_API_URL` and `ENS_API_TOKEN` or
//! `ENS_API_USER` + `ENS_API_PASSWORD` ([`capillary_ens_admin::ApiSettings::from_env`]).

mod app;
mod capillary;
mod config;
mod facts;
mod handlers;
mod locks;
mod shop;
mod state;
mod store;

pub use app::{WEBHOOK_PATH, app};
pub use config::{Config, ConfigError, ShopCustomerKey, ShopSettings};
pub use state::{CustomerSyncState, Stamped};
pub use store::{InMemorySyncStore, SyncStore, SyncStoreError};
