//! [`ThirdPartyEndpoint`]: a wiremock server standing in for the API an integration calls.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::Method;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

use super::failures::{Failure, status_code};
use super::path_pattern;
use super::received::{ReceivedRequest, describe};
use super::reply::Reply;
use super::responder::{Responder, Shared};

/// The `Retry-After` a [`ThirdPartyEndpoint::rate_limit_next`] answer carries, in seconds.
const RETRY_AFTER_SECS: u64 = 1;

/// A third-party API on a loopback port: it answers the routes you accept, records every request,
/// and can fail on demand.
///
/// Paths given to [`accept`](Self::accept) and to the assertions may use `{placeholder}`
/// segments (`/rest/V1/orders/{id}/comments`), each matching one non-empty path segment. The
/// query string is never part of the match. A request no accepted route matches is answered
/// `404` and still recorded, so a failing assertion lists it.
///
/// See the [module documentation](super) for an example.
pub struct ThirdPartyEndpoint {
    server: MockServer,
    shared: Arc<Shared>,
}

impl ThirdPartyEndpoint {
    /// Starts an endpoint on a random loopback port. It accepts no route until told to.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let shared = Arc::new(Shared::default());
        server
            .register(Mock::given(any()).respond_with(Responder(Arc::clone(&shared))))
            .await;
        Self { server, shared }
    }

    /// The base URI, like `http://127.0.0.1:41234` (no trailing slash).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The full URL of `path` on this endpoint.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.uri())
    }

    /// Accepts `method` requests on `path`, answering `200 OK` with the JSON body `{}`.
    pub fn accept(&self, method: Method, path: &str) -> &Self {
        self.accept_with(method, path, Reply::ok())
    }

    /// Accepts `method` requests on `path`, answering `reply`. Accepting a route again replaces
    /// its reply.
    pub fn accept_with(&self, method: Method, path: &str, reply: Reply) -> &Self {
        self.shared.accept(method, path, reply);
        self
    }

    /// Answers the next `count` requests, whatever their route, with `status` and the JSON body
    /// `{"error":"simulated failure","status":<status>}`: an outage. Scheduled failures are used
    /// up in the order they were scheduled.
    ///
    /// # Panics
    ///
    /// When `status` is not an HTTP status code.
    pub fn fail_next(&self, count: usize, status: u16) -> &Self {
        let failure = Failure {
            status: status_code(status),
            retry_after_secs: None,
        };
        self.shared.schedule_failures(count, failure);
        self
    }

    /// Answers the next `count` requests `429 Too Many Requests` with `Retry-After: 1`.
    pub fn rate_limit_next(&self, count: usize) -> &Self {
        let failure = Failure {
            status: http::StatusCode::TOO_MANY_REQUESTS,
            retry_after_secs: Some(RETRY_AFTER_SECS),
        };
        self.shared.schedule_failures(count, failure);
        self
    }

    /// Every request received so far, in arrival order, whatever its route or answer.
    pub fn received_requests(&self) -> Vec<ReceivedRequest> {
        self.shared.received()
    }

    /// The requests received on `path` (any method), in arrival order, including those that
    /// were answered with a scheduled failure.
    pub fn received(&self, path: &str) -> Vec<ReceivedRequest> {
        self.shared
            .received()
            .into_iter()
            .filter(|request| path_pattern::matches(path, request.path()))
            .collect()
    }

    /// How many requests were received on `path`.
    pub fn received_count(&self, path: &str) -> usize {
        self.received(path).len()
    }

    /// The JSON bodies of the requests received on `path`, in arrival order.
    ///
    /// # Panics
    ///
    /// When one of those bodies is not JSON; the message lists what was received.
    #[track_caller]
    pub fn received_json(&self, path: &str) -> Vec<serde_json::Value> {
        let received = self.received(path);
        received
            .iter()
            .enumerate()
            .map(|(index, request)| match request.json() {
                Ok(json) => json,
                Err(error) => panic!(
                    "request {} to {path} does not have a JSON body ({error}); requests received \
                     on {path}:\n{}",
                    index + 1,
                    describe(&received)
                ),
            })
            .collect()
    }

    /// Asserts that exactly `count` requests were received on `path`.
    ///
    /// # Panics
    ///
    /// When another number was received. The message lists every request the endpoint received,
    /// so a typo in a path or a wrong method is easy to spot.
    #[track_caller]
    pub fn assert_received_exactly(&self, path: &str, count: usize) {
        let actual = self.received_count(path);
        if actual != count {
            let headline = format!(
                "expected exactly {count} {} to {path}, but the endpoint received {actual}",
                plural(count, "request", "requests"),
            );
            panic!("{}", self.explain(&headline));
        }
    }

    /// Waits until at least `count` requests were received on `path`, for work the code under
    /// test does in the background, and returns the requests received on `path`.
    ///
    /// It wakes up on each request rather than sleeping in a loop; `timeout` only bounds how
    /// long a broken test hangs.
    ///
    /// # Panics
    ///
    /// When `timeout` passes first; the message lists every request the endpoint received.
    pub async fn wait_for(
        &self,
        path: &str,
        count: usize,
        timeout: Duration,
    ) -> Vec<ReceivedRequest> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let mut arrival = std::pin::pin!(self.shared.arrival());
            // Register for the next arrival before counting, so none slips in between.
            arrival.as_mut().enable();
            let received = self.received(path);
            if received.len() >= count {
                return received;
            }
            if tokio::time::timeout_at(deadline, arrival).await.is_err() {
                let headline = format!(
                    "timed out after {timeout:?} waiting for {count} {} to {path}; the endpoint \
                     received {}",
                    plural(count, "request", "requests"),
                    self.received_count(path),
                );
                panic!("{}", self.explain(&headline));
            }
        }
    }

    /// `headline`, then every request received and the accepted routes.
    fn explain(&self, headline: &str) -> String {
        let routes = self.shared.route_names();
        let routes = if routes.is_empty() {
            "none".to_owned()
        } else {
            routes.join(", ")
        };
        format!(
            "{headline}.\nAll requests it received, in order:\n{}\nAccepted routes: {routes}",
            describe(&self.shared.received()),
        )
    }
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}

impl fmt::Debug for ThirdPartyEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThirdPartyEndpoint")
            .field("uri", &self.server.uri())
            .field("routes", &self.shared.route_names())
            .finish_non_exhaustive()
    }
}
