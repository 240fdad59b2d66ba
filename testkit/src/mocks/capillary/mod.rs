//! A mock of the Capillary customer API, for integrations that enrich ENS events with a
//! customer's profile or points balance.
//!
//! [`CapillaryApiMock`] is a real HTTP server on a loopback port (wiremock underneath). Add
//! customers with [`add_customer`] at any time, point the client under test at
//! [`CapillaryApiMock::uri`], and check what it asked with [`requests_for_customer`]. Outages
//! and rate limits are one call away: [`fail_next`], [`rate_limit_next`].
//!
//! ```
//! use capillary_ens_testkit::mocks::capillary::{CapillaryApiMock, MockCustomer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let capillary = CapillaryApiMock::start().await;
//! capillary.add_customer(
//!     MockCustomer::new(42)
//!         .first_name("Priya")
//!         .mobile("919876543210")
//!         .points(1270.5)
//!         .tier("Gold"),
//! );
//!
//! let customer: serde_json::Value = reqwest::Client::new()
//!     .get(format!("{}/v2/customers/lookup", capillary.uri()))
//!     .query(&[
//!         ("source", "INSTORE"),
//!         ("identifierName", "mobile"),
//!         ("identifierValue", "919876543210"),
//!         ("embed", "points"),
//!     ])
//!     .header("authorization", capillary.authorization())
//!     .send()
//!     .await
//!     .unwrap()
//!     .json()
//!     .await
//!     .unwrap();
//! assert_eq!(customer["id"], 42);
//! assert_eq!(customer["pointsSummaries"][0]["loyaltyPoints"], 1270.5);
//! assert_eq!(customer["pointsSummaries"][0]["currentSlab"], "Gold");
//! assert_eq!(capillary.requests_for_customer(42).len(), 1);
//! # }
//! ```
//!
//! # Endpoints
//!
//! Only `GET` is served; every answer is JSON and carries an `X-CAP-REQUEST-ID` header.
//!
//! | request | answer |
//! |---|---|
//! | `GET /v2/customers/{id}` | the customer |
//! | `GET /v2/customers/lookup?identifierName=…&identifierValue=…` | the customer |
//! | `GET /v2/customers/lookup/customerDetails?…` (Capillary's documented path) | the same |
//! | any of the above with `embed=points` (alone or in a comma list) | the customer with `pointsSummaries` |
//!
//! `identifierName` is `mobile`, `email`, `externalId` or `cardnumber` (case-insensitive, so
//! `cardNumber` works too); emails match case-insensitively, the others exactly. `source`,
//! `accountId` and other parameters are accepted and ignored.
//!
//! # Wire shapes (assumptions)
//!
//! Modelled on Capillary's v2 customer resource, trimmed to the fields an integration reads;
//! a real answer has more keys, so clients must ignore unknown ones. What was not confirmed
//! against a live Capillary API is marked *assumed*.
//!
//! A customer (`GET /v2/customers/42?embed=points`):
//!
//! ```json
//! {
//!   "id": 42,
//!   "profiles": [{
//!     "firstName": "Priya", "lastName": "Sharma", "fields": {},
//!     "identifiers": [{"type": "mobile", "value": "919876543210"},
//!                     {"type": "email", "value": "priya@example.com"},
//!                     {"type": "externalId", "value": "EXT-42"},
//!                     {"type": "cardnumber", "value": "CARD0042"}],
//!     "commChannels": [{"type": "mobile", "value": "919876543210", "primary": true,
//!                       "verified": false, "meta": {"lastViewedDate": "", "residence": false, "office": false}}],
//!     "source": "INSTORE", "accountId": "", "conflictingProfileList": []
//!   }],
//!   "loyaltyInfo": {"loyaltyType": "loyalty", "lifetimePurchases": 18250.0},
//!   "segments": {}, "extendedFields": {"gender": "Female"}, "associatedWith": "", "warnings": [],
//!   "pointsSummaries": [{
//!     "programId": 973, "loyaltyPoints": 1270.5, "totalAvailablePoints": 1270.5,
//!     "redeemed": 300.0, "expired": 0.0, "returned": 0.0, "adjusted": 0.0,
//!     "lifetimePoints": 1570.5, "cumulativePoints": 1570.5, "cumulativePurchases": 18250.0,
//!     "currentSlab": "Gold", "nextSlab": ""
//!   }]
//! }
//! ```
//!
//! `pointsSummaries` appears only with `embed=points`. `cumulativePoints` is *assumed* (the
//! mock reports it equal to `lifetimePoints` = balance + redeemed + expired).
//!
//! Errors use Capillary's v2 error envelope,
//! `{"errors":[{"status":false,"code":…,"message":…}],"warnings":[]}`:
//!
//! | case | status | `code` | `message` |
//! |---|---|---|---|
//! | no customer with that id | 404 *assumed* | 8015 | `Customer not found` |
//! | lookup matched no customer | 404 *assumed* | 8015 | `Customer not found for given identifiers` |
//! | id is not a number | 400 | 8003 *assumed* | `Invalid customer id` |
//! | lookup without `identifierName`/`identifierValue` | 400 | 8008 *assumed* | … |
//! | unknown `identifierName` | 400 | 8009 *assumed* | … |
//! | missing or wrong credentials | 401 | 401 *assumed* | `Unauthorized: missing `authorization` header` or `… holds no accepted value` |
//! | [`fail_next`] | as scheduled | the status | the status's reason (`Service Unavailable`) |
//! | [`rate_limit_next`] | 429, with `Retry-After` | 429 | `Too Many Requests` |
//! | other paths / methods | 404 / 405 | 404 / 405 | … |
//!
//! Capillary documents code 8015 for a customer not found by identifiers; the HTTP status that
//! comes with it is assumed here, so a robust client reads the code too.
//!
//! [`add_customer`]: CapillaryApiMock::add_customer
//! [`requests_for_customer`]: CapillaryApiMock::requests_for_customer
//! [`fail_next`]: CapillaryApiMock::fail_next
//! [`rate_limit_next`]: CapillaryApiMock::rate_limit_next

mod customer;
mod mock;
mod responder;
mod routes;
mod wire;

pub use customer::MockCustomer;
pub use mock::{CapillaryApiMock, CapillaryApiMockBuilder, DEFAULT_PASSWORD, DEFAULT_USERNAME};
