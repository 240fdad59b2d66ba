//! A survey invitation after every purchase: a complete ENS integration.
//!
//! Capillary ENS POSTs a `transactionAdded` event for each bill. This app answers it by
//! inviting the customer to a survey on a survey platform (a Medallia-like API):
//!
//! 1. **Decide** with [`InvitationRules`]: returns, bills of zero or less and bills under a
//!    minimum amount get no survey; the event is acknowledged.
//! 2. **Find the contact**: the payload's InStore email (else mobile) and first name. ENS
//!    includes only the identifier the triggering API call used unless identifier enrichment
//!    is on, so the payload often holds just the customer id: then the customer is read from
//!    the Capillary API (`GET /v2/customers/{id}`, with [`capillary_ens_admin::Client`]). A customer
//!    Capillary does not know (error code 8015, [`capillary_ens_admin::Error::NotFound`]) is
//!    acknowledged without an invitation.
//! 3. **Invite**: `POST {survey}/v1/invitations` with the API key in `X-API-Key`:
//!
//! ```json
//! {"surveyId": "post-purchase-nps",
//!  "contact": {"email": "priya@example.com"},
//!  "firstName": "Priya",
//!  "transaction": {"billNumber": "BLR1042-20241118-0087", "amount": 2249.0, "currency": "INR",
//!                  "store": "blr_indiranagar", "purchasedAt": "2024-11-18T11:55:13.000Z"},
//!  "externalReference": "<eventId>"}
//! ```
//!
//! `contact` holds `email` or `mobile` (email preferred); `firstName`, `currency`, `store`
//! (the store code, else the till code) and `purchasedAt` (the bill date, else when it was
//! entered) are left out when unknown.
//!
//! Delivery rules come from [`capillary_ens_receiver`]: the webhook's static credentials are checked,
//! each `eventId` is processed once (duplicates are answered 200 without a second
//! invitation), and a failure of the Capillary or survey API answers 503 (429 when they rate
//! limit) so ENS delivers the event again later. `externalReference` carries the `eventId`,
//! so the survey platform can refuse a second invitation too; it answering 409 counts as
//! sent. Names, emails and mobile numbers are never logged.
//!
//! # Example
//!
//! The app on a loopback port, with the Capillary API and the survey platform mocked, and
//! ENS simulated:
//!
//! ```
//! use axum::http::Method;
//! use capillary_ens_admin::{Client, Credentials};
//! use capillary_ens_receiver::{Auth, ReceiverConfig, StaticHeaders};
//! use capillary_ens_testkit::fixtures;
//! use capillary_ens_testkit::mocks::capillary::{self, CapillaryApiMock, MockCustomer};
//! use capillary_ens_testkit::mocks::third_party::ThirdPartyEndpoint;
//! use capillary_ens_testkit::simulator::Simulator;
//! use example_survey_after_purchase::{Config, SurveySettings, WEBHOOK_PATH, app};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let capillary = CapillaryApiMock::start().await;
//! capillary.add_customer(MockCustomer::new(42).first_name("Priya").email("priya@example.com"));
//! let surveys = ThirdPartyEndpoint::start().await;
//! surveys.accept(Method::POST, "/v1/invitations");
//!
//! let credentials = Credentials::basic(capillary::DEFAULT_USERNAME, capillary::DEFAULT_PASSWORD);
//! let capillary_client = Client::for_ens_handler(&capillary.uri(), credentials)?;
//! let config = Config::new(
//!     ReceiverConfig::new(Auth::new(StaticHeaders::basic("ens", "webhook-s3cret"))),
//!     capillary_client,
//!     SurveySettings::new(&surveys.uri(), "survey-api-key", "post-purchase-nps"),
//! );
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let url = format!("http://{}{WEBHOOK_PATH}", listener.local_addr()?);
//! tokio::spawn(async move { axum::serve(listener, app(config)).await });
//!
//! // A purchase whose payload carries only the customer id.
//! let purchase = fixtures::transaction_added()
//!     .customer_id(42)
//!     .remove("data.customerIdentifiers.instore");
//! let ens = Simulator::to_url(url).basic_auth("ens", "webhook-s3cret").build();
//! assert!(ens.deliver(purchase.build()).await.is_delivered());
//!
//! let invitation = &surveys.received_json("/v1/invitations")[0];
//! assert_eq!(invitation["contact"]["email"], "priya@example.com");
//! assert_eq!(invitation["firstName"], "Priya");
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
mod eligibility;
mod handlers;
mod survey;
mod timestamp;

pub use app::{WEBHOOK_PATH, app};
pub use config::{Config, ConfigError, SurveySettings};
pub use eligibility::{Decision, InvitationRules, SkipReason};
