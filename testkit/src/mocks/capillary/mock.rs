//! [`CapillaryApiMock`] and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use capillary_ens_receiver::{Auth, StaticHeaders};
use http::StatusCode;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

use super::customer::MockCustomer;
use super::responder::{Responder, Shared};
use crate::mocks::third_party::ReceivedRequest;
use crate::mocks::third_party::failures::{Failure, status_code};

/// The Basic-auth user name [`CapillaryApiMock::start`] accepts.
pub const DEFAULT_USERNAME: &str = "capillary-ens-testkit";
/// The Basic-auth password [`CapillaryApiMock::start`] accepts.
pub const DEFAULT_PASSWORD: &str = "capillary-ens-testkit-password";

/// The `Retry-After` a rate-limited answer carries unless the builder says otherwise.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// The Capillary customer API on a loopback port, answering from customers you add.
///
/// See the [module documentation](super) for the endpoints, the wire shapes and an example.
pub struct CapillaryApiMock {
    server: MockServer,
    shared: Arc<Shared>,
    authorization: String,
    retry_after_secs: u64,
}

impl CapillaryApiMock {
    /// Starts a mock that accepts Basic auth with [`DEFAULT_USERNAME`] and [`DEFAULT_PASSWORD`].
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// A builder, to choose the credentials and the `Retry-After` of rate-limited answers.
    pub fn builder() -> CapillaryApiMockBuilder {
        CapillaryApiMockBuilder::default()
    }

    /// The base URI, like `http://127.0.0.1:41234` (no trailing slash): what a client would use
    /// in place of `https://eu.api.capillarytech.com`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The `Authorization` header value of the first accepted credential, ready to send
    /// (`Basic ZW5zLXRlc3RraXQ6…` with the defaults).
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// Adds a customer, or replaces the one with the same id. Visible to the very next request.
    pub fn add_customer(&self, customer: MockCustomer) -> &Self {
        self.shared.add_customer(customer);
        self
    }

    /// Answers the next `count` requests with `status` (say 503, an outage) and a Capillary-style
    /// error body, whatever they ask and before checking credentials. Scheduled failures and
    /// rate limits are used up in the order they were scheduled.
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

    /// Answers the next `count` requests `429 Too Many Requests` with a `Retry-After` header
    /// (1 second unless [`CapillaryApiMockBuilder::retry_after`] said otherwise).
    pub fn rate_limit_next(&self, count: usize) -> &Self {
        let failure = Failure {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after_secs: Some(self.retry_after_secs),
        };
        self.shared.schedule_failures(count, failure);
        self
    }

    /// Every request received so far, in arrival order, with the status it was answered.
    pub fn received_requests(&self) -> Vec<ReceivedRequest> {
        self.shared
            .received()
            .into_iter()
            .map(|recorded| recorded.request)
            .collect()
    }

    /// The requests about customer `id`: every request to `/v2/customers/{id}` (whatever it was
    /// answered, unknown customers and scheduled failures included) and every lookup that found
    /// that customer.
    pub fn requests_for_customer(&self, id: u64) -> Vec<ReceivedRequest> {
        self.shared
            .received()
            .into_iter()
            .filter(|recorded| recorded.customer_id == Some(id))
            .map(|recorded| recorded.request)
            .collect()
    }
}

impl fmt::Debug for CapillaryApiMock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CapillaryApiMock")
            .field("uri", &self.server.uri())
            .finish_non_exhaustive()
    }
}

/// Configures a [`CapillaryApiMock`] before it starts.
///
/// Every credential given is accepted; with none, the defaults are. Capillary's Basic auth
/// sends the MD5 hex digest of the password as the password: the mock compares exactly what is
/// configured here, so configure what your client sends.
///
/// ```
/// use std::time::Duration;
///
/// use capillary_ens_testkit::mocks::capillary::CapillaryApiMock;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let capillary = CapillaryApiMock::builder()
///     .bearer_token("oauth-access-token")
///     .retry_after(Duration::from_secs(2))
///     .start()
///     .await;
/// assert_eq!(capillary.authorization(), "Bearer oauth-access-token");
/// # }
/// ```
#[derive(Debug)]
pub struct CapillaryApiMockBuilder {
    credentials: Option<StaticHeaders>,
    retry_after: Duration,
}

impl Default for CapillaryApiMockBuilder {
    fn default() -> Self {
        Self {
            credentials: None,
            retry_after: DEFAULT_RETRY_AFTER,
        }
    }
}

impl CapillaryApiMockBuilder {
    /// Accepts `Authorization: Basic base64(user:password)`.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.credentials = Some(match self.credentials.take() {
            Some(credentials) => credentials.accept_basic(user, password),
            None => StaticHeaders::basic(user, password),
        });
        self
    }

    /// Accepts `Authorization: Bearer <token>`.
    pub fn bearer_token(mut self, token: &str) -> Self {
        self.credentials = Some(match self.credentials.take() {
            Some(credentials) => credentials.accept_bearer(token),
            None => StaticHeaders::bearer(token),
        });
        self
    }

    /// The `Retry-After` that [`CapillaryApiMock::rate_limit_next`] answers carry, in whole
    /// seconds (rounded up).
    pub fn retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// Starts the mock on a random loopback port.
    pub async fn start(self) -> CapillaryApiMock {
        let credentials = self
            .credentials
            .unwrap_or_else(|| StaticHeaders::basic(DEFAULT_USERNAME, DEFAULT_PASSWORD));
        let authorization = credentials
            .first_values()
            .find(|(name, _)| *name == "authorization")
            .map(|(_, value)| String::from_utf8_lossy(value.expose()).into_owned())
            .unwrap_or_default();
        let shared = Arc::new(Shared::new(Auth::new(credentials)));
        let server = MockServer::start().await;
        server
            .register(Mock::given(any()).respond_with(Responder(Arc::clone(&shared))))
            .await;
        let retry_after_secs =
            self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0);
        CapillaryApiMock {
            server,
            shared,
            authorization,
            retry_after_secs,
        }
    }
}
