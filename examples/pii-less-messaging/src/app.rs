//! [`app`]: the axum application, and its [`Config`].

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::FromRef;
use capillary_ens_receiver::{Auth, EnsRouter, ReceiverConfig};
use capillary_ens_schemas::events::{
    CouponIssue, CustomerAdded, PointsExpiryReminder, PointsIssued, PointsRedeemed, TierDowngraded,
    TierUpgraded,
};

use crate::handlers;
use crate::{Messenger, Provider, SqliteIdempotencyStore, Store, Templates};

/// Where ENS POSTs events.
pub const WEBHOOK_PATH: &str = "/webhooks/ens";

/// What [`app`] needs: how ENS authenticates, the brand's store, the provider and the wording.
#[derive(Clone, Debug)]
pub struct Config {
    auth: Auth,
    store: Store,
    provider: Provider,
    templates: Templates,
    processing_timeout: Duration,
}

impl Config {
    /// Authenticates deliveries with `auth` (the static headers configured on the ENS
    /// webhook), looks customers up and records messages in `store`, sends through
    /// `provider`, with the built-in [`Templates`].
    pub fn new(auth: Auth, store: Store, provider: Provider) -> Self {
        Self {
            auth,
            store,
            provider,
            templates: Templates::default(),
            processing_timeout: Duration::from_secs(5 * 60),
        }
    }

    /// Uses `templates` instead of the built-in wording.
    pub fn templates(mut self, templates: Templates) -> Self {
        self.templates = templates;
        self
    }

    /// Lets the claim on an event lapse after `timeout` when the process died while handling
    /// it, so ENS's next retry handles it (5 minutes by default).
    pub fn processing_timeout(mut self, timeout: Duration) -> Self {
        self.processing_timeout = timeout;
        self
    }
}

/// The handlers' state.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) receiver: ReceiverConfig,
    pub(crate) messenger: Arc<Messenger>,
}

impl FromRef<AppState> for ReceiverConfig {
    fn from_ref(state: &AppState) -> Self {
        state.receiver.clone()
    }
}

/// The application: `POST` [`WEBHOOK_PATH`] receives ENS events.
///
/// Deliveries are authenticated, deduplicated on `eventId` in the SQLite store (durably, see
/// [`SqliteIdempotencyStore`]) and dispatched to one handler per event: `customerAdded`,
/// `pointsIssued`, `pointsRedeemed`, `tierUpgraded`, `tierDowngraded`,
/// `pointsExpiryReminder`, `CouponIssue`. Other events are acknowledged and ignored.
pub fn app(config: Config) -> Router {
    let claims = SqliteIdempotencyStore::new(config.store.clone())
        .processing_timeout(config.processing_timeout);
    let state = AppState {
        receiver: ReceiverConfig::new(config.auth).idempotency_store(claims),
        messenger: Arc::new(Messenger::new(
            config.store,
            config.provider,
            config.templates,
        )),
    };
    let ens = EnsRouter::<AppState>::new()
        .on::<CustomerAdded, _, _>(handlers::notify)
        .on::<PointsIssued, _, _>(handlers::notify)
        .on::<PointsRedeemed, _, _>(handlers::notify)
        .on::<TierUpgraded, _, _>(handlers::notify)
        .on::<TierDowngraded, _, _>(handlers::notify)
        .on::<PointsExpiryReminder, _, _>(handlers::notify)
        .on::<CouponIssue, _, _>(handlers::coupon_issue);
    Router::new()
        .route(WEBHOOK_PATH, ens.into_method_router())
        .with_state(state)
}
