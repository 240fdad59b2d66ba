//! [`Config`]: where the APIs are, the credentials, and where sync state is kept.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use capillary_ens_admin::{ApiSettings, Client};
use capillary_ens_receiver::{Auth, EnvError, ReceiverConfig, Secret, StaticHeaders};

use crate::store::{InMemorySyncStore, SyncStore};

/// Everything [`app`](crate::app) needs.
///
/// `Debug` never shows a credential.
///
/// ```
/// use capillary_ens_admin::{Client, Credentials};
/// use capillary_ens_receiver::{Auth, ReceiverConfig, StaticHeaders};
/// use example_commerce_sync::{Config, InMemorySyncStore, ShopCustomerKey, ShopSettings};
///
/// // One attempt per call: on a failure, ENS delivers the event again.
/// let credentials = Credentials::bearer("oauth-t0ken");
/// let capillary = Client::for_ens_handler("https://eu.api.capillarytech.com", credentials)?;
/// let config = Config::new(
///     ReceiverConfig::new(Auth::new(StaticHeaders::basic("ens", "webhook-s3cret"))),
///     capillary,
///     ShopSettings::new("https://shop.example.com", "shop-t0ken")
///         .customer_key(ShopCustomerKey::ExternalId),
/// )
/// .store(InMemorySyncStore::new());
/// let debug = format!("{config:?}");
/// assert!(!debug.contains("webhook-s3cret") && !debug.contains("oauth-t0ken"));
/// assert!(!debug.contains("shop-t0ken"));
/// # Ok::<(), capillary_ens_admin::Error>(())
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) receiver: ReceiverConfig,
    pub(crate) capillary: Client,
    pub(crate) shop: ShopSettings,
    pub(crate) store: Arc<dyn SyncStore>,
    pub(crate) request_timeout: Duration,
}

impl Config {
    /// The ENS receiver (authentication, idempotency store), the Capillary API client and the
    /// shop, with an [`InMemorySyncStore`] and a 10 s timeout on calls to the shop.
    ///
    /// Build `capillary` with [`Client::for_ens_handler`] (one attempt, 10 s timeout): a failed
    /// lookup fails the delivery, and ENS delivers the event again later with its own backoff,
    /// rather than the handler holding the delivery open while it retries.
    pub fn new(receiver: ReceiverConfig, capillary: Client, shop: ShopSettings) -> Self {
        Self {
            receiver,
            capillary,
            shop,
            store: Arc::new(InMemorySyncStore::new()),
            request_timeout: Duration::from_secs(10),
        }
    }

    /// Keeps each customer's last-applied state in `store`.
    pub fn store(mut self, store: impl SyncStore) -> Self {
        self.store = Arc::new(store);
        self
    }

    /// How long one call to the shop API may take (the Capillary client has its own
    /// timeout). Keep it well under ENS's 30 s delivery timeout.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Reads the configuration from environment variables through `var` (pass
    /// `|name| std::env::var(name).ok()`):
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `ENS_BASIC`, `ENS_BEARER` or `ENS_HEADER` | the credentials configured on the ENS webhook, as [`StaticHeaders::from_env`] reads them |
    /// | `ENS_API_URL`, and `ENS_API_TOKEN` or `ENS_API_USER` + `ENS_API_PASSWORD` | the Capillary API, as the `ens` CLI and [`ApiSettings::from_env`] read it (the token wins) |
    /// | `SHOP_API_URL`, `SHOP_API_TOKEN` | the e-commerce platform and its bearer token |
    /// | `SHOP_CUSTOMER_KEY` | optional: `capillary_id` (default) or `external_id` |
    ///
    /// The state store is an [`InMemorySyncStore`]. The Capillary client is
    /// [`Client::for_ens_handler`]: one attempt per call, a 10 s timeout.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use example_commerce_sync::{Config, ConfigError};
    ///
    /// let vars = HashMap::from([
    ///     ("ENS_BEARER", "t0ken"),
    ///     ("ENS_API_URL", "https://eu.api.capillarytech.com"),
    ///     ("ENS_API_TOKEN", "oauth"),
    ///     ("SHOP_API_URL", "https://shop.example.com"),
    ///     ("SHOP_API_TOKEN", "shop"),
    ///     ("SHOP_CUSTOMER_KEY", "email"),
    /// ]);
    /// let error = Config::from_env(|name| vars.get(name).map(|value| value.to_string()))
    ///     .unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "environment variable SHOP_CUSTOMER_KEY must be capillary_id or external_id"
    /// );
    ///
    /// // The Capillary API's variables are the `ens` CLI's; the token wins, blank is unset.
    /// let vars = HashMap::from([
    ///     ("ENS_BEARER", "t0ken"),
    ///     ("ENS_API_URL", "https://eu.api.capillarytech.com"),
    ///     ("ENS_API_TOKEN", " "),
    ///     ("ENS_API_USER", "till.user"),
    ///     ("SHOP_API_URL", "https://shop.example.com"),
    ///     ("SHOP_API_TOKEN", "shop"),
    /// ]);
    /// let error = Config::from_env(|name| vars.get(name).map(|value| value.to_string()))
    ///     .unwrap_err();
    /// assert!(matches!(error, ConfigError::Capillary(_)));
    /// assert_eq!(error.to_string(), "environment variable ENS_API_PASSWORD is not set");
    /// ```
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        let required = |name: &'static str| var(name).ok_or(ConfigError::Missing { name });

        let ens = StaticHeaders::from_env(var).map_err(ConfigError::Webhook)?;
        let capillary = ApiSettings::from_env(var)
            .map_err(ConfigError::Capillary)?
            .client_for_ens_handler()
            .map_err(ConfigError::Client)?;
        let key = match var("SHOP_CUSTOMER_KEY").as_deref().map(str::trim) {
            None | Some("capillary_id") => ShopCustomerKey::CapillaryId,
            Some("external_id") => ShopCustomerKey::ExternalId,
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "SHOP_CUSTOMER_KEY",
                    expected: "capillary_id or external_id",
                });
            }
        };
        let shop = ShopSettings::new(&required("SHOP_API_URL")?, &required("SHOP_API_TOKEN")?)
            .customer_key(key);
        Ok(Self::new(
            ReceiverConfig::new(Auth::new(ens)),
            capillary,
            shop,
        ))
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("receiver", &self.receiver)
            .field("capillary", &self.capillary)
            .field("shop", &self.shop)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

/// A configuration that [`Config::from_env`] could not read.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required variable is not set (or blank).
    Missing {
        /// The variable(s).
        name: &'static str,
    },
    /// A variable has a value of the wrong kind.
    Invalid {
        /// The variable.
        name: &'static str,
        /// What it should hold.
        expected: &'static str,
    },
    /// The ENS webhook's credentials (`ENS_BASIC`, `ENS_BEARER`, `ENS_HEADER`) are missing or
    /// malformed.
    Webhook(EnvError),
    /// The Capillary API's URL or credentials (`ENS_API_URL`, `ENS_API_TOKEN` or
    /// `ENS_API_USER` and `ENS_API_PASSWORD`) are missing or malformed.
    Capillary(capillary_ens_admin::ApiSettingsError),
    /// The Capillary API client could not be built.
    Client(capillary_ens_admin::Error),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { name } => write!(f, "environment variable {name} is not set"),
            Self::Invalid { name, expected } => {
                write!(f, "environment variable {name} must be {expected}")
            }
            Self::Webhook(error) => error.fmt(f),
            Self::Capillary(error) => error.fmt(f),
            Self::Client(error) => write!(f, "cannot build the capillary api client: {error}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The e-commerce platform: its API and bearer token, and which id it knows customers by.
#[derive(Clone, Debug)]
pub struct ShopSettings {
    pub(crate) base_url: String,
    pub(crate) token: Secret,
    pub(crate) customer_key: ShopCustomerKey,
}

impl ShopSettings {
    /// Updates go to `PUT {base_url}/rest/V1/customers/{id}/loyalty` with
    /// `Authorization: Bearer {token}`; customers are keyed by their Capillary id.
    pub fn new(base_url: &str, token: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: Secret::from(token),
            customer_key: ShopCustomerKey::CapillaryId,
        }
    }

    /// Which id goes in the shop's URL.
    pub fn customer_key(mut self, key: ShopCustomerKey) -> Self {
        self.customer_key = key;
        self
    }
}

/// Which id the shop knows a customer by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShopCustomerKey {
    /// The Capillary customer id (`customerIdentifiers.customerId`).
    #[default]
    CapillaryId,
    /// The InStore external id: from the payload, else from the customer's Capillary profile.
    /// A customer without one is not in the shop; their events are acknowledged.
    ExternalId,
}
