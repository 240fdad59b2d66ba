//! The e-commerce platform's API: `PUT /rest/V1/customers/{id}/loyalty`.

use std::fmt;
use std::time::Duration;

use ens_receiver::HandlerError;
use reqwest::header::RETRY_AFTER;
use reqwest::{StatusCode, Url};

use crate::config::ShopSettings;
use crate::state::LoyaltyUpdate;

/// Pushes loyalty state to the shop.
#[derive(Clone, Debug)]
pub(crate) struct ShopClient {
    http: reqwest::Client,
    settings: ShopSettings,
}

impl ShopClient {
    pub(crate) fn new(http: reqwest::Client, settings: ShopSettings) -> Self {
        Self { http, settings }
    }

    /// `PUT {shop}/rest/V1/customers/{customer}/loyalty` with the bearer token. `customer` is
    /// percent-encoded as one path segment.
    pub(crate) async fn put_loyalty(
        &self,
        customer: &str,
        update: &LoyaltyUpdate,
    ) -> Result<(), ShopError> {
        let mut url = Url::parse(&self.settings.base_url).map_err(|_| ShopError::InvalidBaseUrl)?;
        url.path_segments_mut()
            .map_err(|()| ShopError::InvalidBaseUrl)?
            .pop_if_empty()
            .extend(["rest", "V1", "customers", customer, "loyalty"]);
        let response = self
            .http
            .put(url)
            .bearer_auth(String::from_utf8_lossy(self.settings.token.expose()))
            .json(update)
            .send()
            .await
            .map_err(|error| ShopError::Unreachable(error.without_url()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|value| value.to_str().ok()?.trim().parse().ok())
                .map(Duration::from_secs);
            return Err(ShopError::RateLimited { retry_after });
        }
        Err(ShopError::Status(status.as_u16()))
    }
}

/// Why the shop was not updated. Every case is retried by ENS: a 4xx usually means a
/// configuration to fix (token, customer not yet created in the shop), and ENS keeps the
/// event for days meanwhile.
#[derive(Debug)]
pub(crate) enum ShopError {
    InvalidBaseUrl,
    Unreachable(reqwest::Error),
    RateLimited { retry_after: Option<Duration> },
    Status(u16),
}

impl ShopError {
    /// 429 with the shop's `Retry-After` when it rate limits, 503 otherwise.
    pub(crate) fn into_handler_error(self) -> HandlerError {
        match self {
            Self::RateLimited { retry_after } => HandlerError::rate_limited(
                retry_after.unwrap_or(Duration::from_secs(30)),
                Self::RateLimited { retry_after },
            ),
            other => HandlerError::unavailable(other),
        }
    }
}

impl fmt::Display for ShopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidBaseUrl => f.write_str("the shop api url is not a valid base url"),
            Self::Unreachable(error) => write!(f, "the shop api could not be reached: {error}"),
            Self::RateLimited { .. } => f.write_str("the shop api is rate limiting"),
            Self::Status(status) => write!(f, "the shop api answered {status}"),
        }
    }
}

impl std::error::Error for ShopError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unreachable(error) => Some(error),
            _ => None,
        }
    }
}
