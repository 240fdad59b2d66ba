//! [`app`]: the axum router, and the state its handlers run with.

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use capillary_ens_receiver::{EnsRouter, ReceiverConfig};
use capillary_ens_schemas::events::{CustomerUpdated, PointsIssued, PointsRedeemed, TierUpgraded};

use crate::config::{Config, ShopCustomerKey};
use crate::handlers;
use crate::locks::CustomerLocks;
use crate::shop::ShopClient;
use crate::store::SyncStore;

/// The path ENS delivers to.
pub const WEBHOOK_PATH: &str = "/webhooks/ens";

/// The router: ENS deliveries on `POST /webhooks/ens` ([`WEBHOOK_PATH`]) and a liveness probe
/// on `GET /healthz`.
///
/// `customerUpdated`, `pointsIssued`, `pointsRedeemed` and `tierUpgraded` are handled; other
/// events the webhook may be subscribed to are acknowledged and ignored.
pub fn app(config: Config) -> Router {
    let http = reqwest::Client::builder()
        .timeout(config.request_timeout)
        .build()
        .unwrap_or_else(|_| reqwest::Client::new());
    let state = AppState {
        receiver: config.receiver,
        capillary: config.capillary,
        shop_key: config.shop.customer_key,
        shop: ShopClient::new(http, config.shop),
        store: config.store,
        locks: Arc::new(CustomerLocks::default()),
    };
    let ens = EnsRouter::new()
        .on::<PointsIssued, _, _>(handlers::points_issued)
        .on::<PointsRedeemed, _, _>(handlers::points_redeemed)
        .on::<TierUpgraded, _, _>(handlers::tier_upgraded)
        .on::<CustomerUpdated, _, _>(handlers::customer_updated);
    Router::new()
        .merge(ens.into_router_at(WEBHOOK_PATH))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state)
}

/// What the handlers run with; the receiver finds its configuration through `FromRef`.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) receiver: ReceiverConfig,
    pub(crate) capillary: capillary_ens_admin::Client,
    pub(crate) shop: ShopClient,
    pub(crate) shop_key: ShopCustomerKey,
    pub(crate) store: Arc<dyn SyncStore>,
    pub(crate) locks: Arc<CustomerLocks>,
}

impl FromRef<AppState> for ReceiverConfig {
    fn from_ref(state: &AppState) -> Self {
        state.receiver.clone()
    }
}
