//! The e-commerce platform's API: `PUT /rest/V1/customers/{id}/loyalty`.

use std::fmt;

use capillary_ens_receiver::HandlerError;
use reqwest::Url;

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
    ///
    /// Every failure is retried by ENS: 429 with the shop's `Retry-After` when it rate limits,
    /// else 503. A 4xx usually means a configuration to fix (token, customer not yet created
    /// in the shop), and ENS keeps the event for days meanwhile.
    pub(crate) async fn put_loyalty(
        &self,
        customer: &str,
        update: &LoyaltyUpdate,
    ) -> Result<(), HandlerError> {
        let invalid_base_url = || HandlerError::unavailable(ShopError::InvalidBaseUrl);
        let mut url = Url::parse(&self.settings.base_url).map_err(|_| invalid_base_url())?;
        url.path_segments_mut()
            .map_err(|()| invalid_base_url())?
            .pop_if_empty()
            .extend(["rest", "V1", "customers", customer, "loyalty"]);
        let response = self
            .http
            .put(url)
            .bearer_auth(String::from_utf8_lossy(self.settings.token.expose()))
            .json(update)
            .send()
            .await
            .map_err(|error| {
                HandlerError::unavailable(ShopError::Unreachable(error.without_url()))
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let error = ShopError::Status(status.as_u16());
        Err(HandlerError::upstream(status, response.headers(), error))
    }
}

/// Why the shop was not updated.
#[derive(Debug)]
enum ShopError {
    InvalidBaseUrl,
    Unreachable(reqwest::Error),
    Status(u16),
}

impl fmt::Display for ShopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidBaseUrl => f.write_str("the shop api url is not a valid base url"),
            Self::Unreachable(error) => write!(f, "the shop api could not be reached: {error}"),
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
