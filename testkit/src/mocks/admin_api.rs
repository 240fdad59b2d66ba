//! [`AdminApiMock`]: a stateful mock of Capillary's webhook configuration and ENS
//! delivery-log APIs, on a real local port (wiremock).
//!
//! It is the independent check of the wire shape: it knows nothing of `capillary-ens-admin` and speaks
//! JSON as the Capillary docs describe it.
//!
//! | call | answer |
//! |---|---|
//! | `POST /v3/webHooks` | 200, the webhook with `webHookId` and `consumerGroupId` assigned; 400 when a mandatory field is missing or an event name is unknown; 409 when the name is taken |
//! | `GET /v3/webHooks` | 200, `{"data": [webhooks], "errors": null, "warnings": null}` |
//! | `PUT /v3/webHooks/{webHookId}` | 200, the webhook with the given fields replaced; 400 on a renamed webhook or an empty event list; 404 for an unknown id |
//! | `DELETE /v3/webHooks/{webHookId}` | 200; 404 for an unknown id |
//! | `GET /v3/webHooks/eventLog/{eventId}` | 200, the (first) delivery log of the event; 404 if none |
//! | `GET /v3/webHooks/eventLog/requestId/{id}`, `…/refId/{id}` | 200, `{"data": [logs]}` (possibly empty) |
//! | `GET /v3/events/consumer-groups/{id}/logs` | 200, a page (below); 400 on a bad `page`/`size`/`sortBy`; 404 for an unknown consumer group |
//! | `GET /v3/events/consumer-groups/{id}/metrics` | 200, `{"data": {"totalEvents", "deliveredEvents", "failedEvents", "retryingEvents", "pendingEvents", "averageDeliveryTime", "startDate", "endDate"}}` computed from the seeded logs |
//!
//! Every call needs `Authorization` with the configured Basic credentials or bearer token
//! (401 otherwise). Errors are `{"errors":[{"code": <int>, "message": "…"}]}`.
//!
//! Where the docs are silent, these shapes are assumptions: single webhooks are answered bare
//! (the docs name a `webHookId` in the create response), lists inside the v3
//! `{"data", "errors", "warnings"}` wrapper; log pages are
//! `{"data": {"content": […], "page", "size", "totalElements", "totalPages"}}` with pages
//! counted from 0 (`page`, `size` ≤ 100, default 20).
//!
//! ```
//! use capillary_ens_testkit::mocks::admin_api::AdminApiMock;
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let capillary = AdminApiMock::start().await;
//! let id = capillary.add_webhook(json!({
//!     "name": "crm-sync",
//!     "webHookUrl": "https://hooks.example.com/ens",
//!     "webHookHeaders": {"Authorization": "Bearer t0ken"},
//!     "eventNames": ["pointsIssued"],
//! }));
//! assert_eq!(capillary.webhook_header(&id, "authorization").as_deref(), Some("Bearer t0ken"));
//!
//! let answer = reqwest::Client::new()
//!     .get(format!("{}/v3/webHooks", capillary.uri()))
//!     .bearer_auth(AdminApiMock::TOKEN)
//!     .send()
//!     .await
//!     .unwrap();
//! assert_eq!(answer.status(), 200);
//! # }
//! ```

mod answers;
mod logs;
mod responder;
mod state;
mod webhooks;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request};

use responder::AdminResponder;
use state::State;

/// A running mock of the Capillary webhook and delivery-log APIs. Stops when dropped.
#[derive(Debug)]
pub struct AdminApiMock {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

impl AdminApiMock {
    /// The Basic user name [`start`](Self::start) accepts.
    pub const USER: &'static str = "ens-admin";
    /// The Basic password [`start`](Self::start) accepts.
    pub const PASSWORD: &'static str = "admin-s3cret";
    /// The bearer token [`start`](Self::start) accepts.
    pub const TOKEN: &'static str = "oauth-t0ken";

    /// Starts a mock that accepts Basic [`USER`](Self::USER):[`PASSWORD`](Self::PASSWORD)
    /// and bearer [`TOKEN`](Self::TOKEN).
    pub async fn start() -> Self {
        Self::start_with_credentials(Self::USER, Self::PASSWORD, Some(Self::TOKEN)).await
    }

    /// Starts a mock that accepts these Basic credentials and, if given, this bearer token.
    pub async fn start_with_credentials(user: &str, password: &str, token: Option<&str>) -> Self {
        let state = Arc::new(Mutex::new(State::new(user, password, token)));
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(AdminResponder::new(Arc::clone(&state)))
            .mount(&server)
            .await;
        Self { server, state }
    }

    /// The base URL to give the client, e.g. `http://127.0.0.1:41234`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Stores a webhook as if created through the API (no validation) and returns its
    /// `webHookId`. `webHookId` and `consumerGroupId` are assigned unless given; the other
    /// mandatory fields get the API's usual defaults.
    pub fn add_webhook(&self, webhook: Value) -> String {
        self.state().insert_webhook(webhook)
    }

    /// Every stored webhook, as the API would list it.
    pub fn webhooks(&self) -> Vec<Value> {
        self.state().webhooks.clone()
    }

    /// The stored webhook with this id.
    pub fn webhook(&self, webhook_id: &str) -> Option<Value> {
        self.state().webhook(webhook_id).cloned()
    }

    /// The value of header `name` (ignoring case) that the webhook currently sends: what ENS
    /// would put on its next delivery.
    pub fn webhook_header(&self, webhook_id: &str, name: &str) -> Option<String> {
        let state = self.state();
        let headers = state
            .webhook(webhook_id)?
            .get("webHookHeaders")?
            .as_object()?;
        headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .and_then(|(_, value)| value.as_str().map(str::to_owned))
    }

    /// The consumer group of a stored webhook.
    pub fn consumer_group_of(&self, webhook_id: &str) -> Option<String> {
        let state = self.state();
        state
            .webhook(webhook_id)?
            .get("consumerGroupId")?
            .as_str()
            .map(str::to_owned)
    }

    /// Seeds one delivery log and returns its `eventId`.
    ///
    /// Give at least `consumerGroupId`; usual fields are `eventName`, `refId`, `requestId`,
    /// `eventSearchKey`, `status` (`DELIVERED`, `FAILED`, `RETRYING`, `PENDING`),
    /// `webhookDuration` (ms), `createdAt` (epoch ms), the ISO-8601 `event…Timestamp`s and
    /// `consumerResponse`. `eventId` and `createdAt` are assigned when missing.
    pub fn add_event_log(&self, log: Value) -> String {
        self.state().insert_log(log)
    }

    /// Answers the next `count` calls with 429 and `Retry-After: 1`.
    pub fn rate_limit_next(&self, count: u32) {
        self.rate_limit_next_with_retry_after(count, 1);
    }

    /// Answers the next `count` calls with 429 and `Retry-After: <seconds>`.
    pub fn rate_limit_next_with_retry_after(&self, count: u32, seconds: u64) {
        let mut state = self.state();
        state.rate_limited = count;
        state.retry_after_seconds = seconds;
    }

    /// Answers the next `count` calls with `status` (e.g. 503) and an error body.
    pub fn fail_next(&self, count: u32, status: u16) {
        let mut state = self.state();
        state.failing = count;
        state.failure_status = status;
    }

    /// Every request received so far, oldest first.
    pub async fn received_requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }

    /// The received requests with this method (e.g. `"PUT"`) and exact path.
    pub async fn requests_to(&self, method: &str, path: &str) -> Vec<Request> {
        self.received_requests()
            .await
            .into_iter()
            .filter(|request| {
                request.method.as_str().eq_ignore_ascii_case(method) && request.url.path() == path
            })
            .collect()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
