//! [`Client`] and [`ClientBuilder`]: the connection to one Capillary cluster.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

use crate::{ApiRetryPolicy, Credentials, Error, Sleeper, TokioSleeper};

/// A client of the webhook configuration and delivery-log APIs of one Capillary cluster.
///
/// Cheap to clone (the connection pool is shared). Build it with [`Client::builder`]:
///
/// ```
/// use std::time::Duration;
/// use capillary_ens_admin::{Client, Credentials, ApiRetryPolicy};
///
/// let client = Client::builder("https://eu.api.capillarytech.com")
///     .credentials(Credentials::bearer("oauth-token"))
///     .timeout(Duration::from_secs(20))
///     .retry_policy(ApiRetryPolicy::default().max_attempts(5))
///     .build()?;
/// assert_eq!(client.base_url(), "https://eu.api.capillarytech.com/");
/// assert!(!format!("{client:?}").contains("oauth-token"));
/// # Ok::<(), capillary_ens_admin::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) credentials: Credentials,
    pub(crate) retry: ApiRetryPolicy,
    pub(crate) sleeper: Arc<dyn Sleeper>,
}

impl Client {
    /// Starts building a client for the cluster at `base_url`, e.g.
    /// `https://eu.api.capillarytech.com`.
    pub fn builder(base_url: &str) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.to_owned(),
            credentials: None,
            timeout: Duration::from_secs(30),
            retry: ApiRetryPolicy::default(),
            sleeper: Arc::new(TokioSleeper),
        }
    }

    /// A client with the default timeout (30 s) and retry policy.
    pub fn new(base_url: &str, credentials: Credentials) -> Result<Self, Error> {
        Self::builder(base_url).credentials(credentials).build()
    }

    /// A client to call from inside an ENS webhook handler: one attempt per call
    /// ([`ApiRetryPolicy::none`]) and a 10 s timeout.
    ///
    /// ENS waits 30 s for an answer and delivers a failed event again with its own backoff,
    /// for days. So a handler whose call fails should answer at once
    /// (`Error::into_handler_error`, feature `receiver`) rather than hold the delivery open
    /// while it retries.
    ///
    /// ```
    /// use capillary_ens_admin::{Client, Credentials};
    ///
    /// let client = Client::for_ens_handler(
    ///     "https://eu.api.capillarytech.com",
    ///     Credentials::bearer("oauth-token"),
    /// )?;
    /// assert!(format!("{client:?}").contains("max_attempts: 1"));
    /// # Ok::<(), capillary_ens_admin::Error>(())
    /// ```
    pub fn for_ens_handler(base_url: &str, credentials: Credentials) -> Result<Self, Error> {
        Self::builder(base_url)
            .credentials(credentials)
            .timeout(Duration::from_secs(10))
            .retry_policy(ApiRetryPolicy::none())
            .build()
    }

    /// The cluster's base URL.
    pub fn base_url(&self) -> &str {
        self.inner.base_url.as_str()
    }

    /// The URL of `segments` below the base URL, each segment percent-encoded.
    pub(crate) fn url(&self, segments: &[&str]) -> Result<Url, Error> {
        let mut url = self.inner.base_url.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| Error::invalid_input("the base url cannot have a path"))?;
            path.pop_if_empty();
            for segment in segments {
                if segment.is_empty() {
                    return Err(Error::invalid_input("an id in the path is empty"));
                }
                path.push(segment);
            }
        }
        Ok(url)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("credentials", &self.inner.credentials)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    credentials: Option<Credentials>,
    timeout: Duration,
    retry: ApiRetryPolicy,
    sleeper: Arc<dyn Sleeper>,
}

impl ClientBuilder {
    /// Authenticates with `credentials` (required).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Gives up on one attempt after `timeout` (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retries as `policy` says (default [`ApiRetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: ApiRetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Waits between attempts with `sleeper` (default [`TokioSleeper`]).
    pub fn sleeper(mut self, sleeper: impl Sleeper) -> Self {
        self.sleeper = Arc::new(sleeper);
        self
    }

    /// Builds the client; fails on a base URL that is not `http(s)://host…` or missing
    /// credentials.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = parse_base_url(&self.base_url)?;
        let credentials = self
            .credentials
            .ok_or_else(|| Error::invalid_input("credentials are required"))?;
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .user_agent(concat!("capillary-ens-admin/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| Error::invalid_input("the http client cannot be built"))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                credentials,
                retry: self.retry,
                sleeper: self.sleeper,
            }),
        })
    }
}

/// `base_url` as a cluster URL: `http(s)://host…`, without a query or fragment.
pub(crate) fn parse_base_url(base_url: &str) -> Result<Url, Error> {
    let base_url = Url::parse(base_url.trim())
        .map_err(|_| Error::invalid_input("the base url is not a url"))?;
    if !matches!(base_url.scheme(), "http" | "https") || base_url.host().is_none() {
        return Err(Error::invalid_input(
            "the base url must be http(s)://host, e.g. https://eu.api.capillarytech.com",
        ));
    }
    if base_url.query().is_some() || base_url.fragment().is_some() {
        return Err(Error::invalid_input(
            "the base url must not have a query or fragment",
        ));
    }
    Ok(base_url)
}
