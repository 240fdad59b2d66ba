//! Stand-ins for the third-party APIs an ENS integration calls: an SMS or email provider, a
//! survey platform, an e-commerce platform.
//!
//! A [`ThirdPartyEndpoint`] is a real HTTP server on a loopback port (wiremock underneath).
//! Point the code under test at [`ThirdPartyEndpoint::uri`], [`accept`] the routes it should
//! call, then assert on what arrived: bodies with [`received_json`], counts with
//! [`assert_received_exactly`], headers through [`ReceivedRequest::header`]. Work done in the
//! background is awaited with [`wait_for`]; outages and rate limits are simulated with
//! [`fail_next`] and [`rate_limit_next`].
//!
//! ```
//! use std::time::Duration;
//!
//! use capillary_ens_testkit::mocks::third_party::{Method, Reply, ThirdPartyEndpoint};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let sms = ThirdPartyEndpoint::start().await;
//! sms.accept_with(
//!     Method::POST,
//!     "/v1/messages",
//!     Reply::status(202).json(json!({ "messageId": "msg_1" })),
//! );
//!
//! // The integration under test sends a message…
//! let response = reqwest::Client::new()
//!     .post(sms.url("/v1/messages"))
//!     .bearer_auth("sms-api-key")
//!     .json(&json!({ "to": "919876543210", "text": "You earned 120 points" }))
//!     .send()
//!     .await
//!     .unwrap();
//! assert_eq!(response.status(), 202);
//!
//! // …and the test checks what the provider received.
//! let received = sms.wait_for("/v1/messages", 1, Duration::from_secs(5)).await;
//! assert_eq!(received[0].header("authorization"), Some("Bearer sms-api-key"));
//! assert_eq!(sms.received_json("/v1/messages")[0]["text"], "You earned 120 points");
//! sms.assert_received_exactly("/v1/messages", 1);
//! # }
//! ```
//!
//! [`accept`]: ThirdPartyEndpoint::accept
//! [`received_json`]: ThirdPartyEndpoint::received_json
//! [`assert_received_exactly`]: ThirdPartyEndpoint::assert_received_exactly
//! [`wait_for`]: ThirdPartyEndpoint::wait_for
//! [`fail_next`]: ThirdPartyEndpoint::fail_next
//! [`rate_limit_next`]: ThirdPartyEndpoint::rate_limit_next

mod endpoint;
pub(crate) mod failures;
mod path_pattern;
pub(crate) mod received;
mod reply;
mod responder;

pub use endpoint::ThirdPartyEndpoint;
/// The HTTP method type [`ThirdPartyEndpoint::accept`] takes (the same type as `reqwest::Method`).
pub use http::Method;
pub use received::ReceivedRequest;
pub use reply::Reply;
