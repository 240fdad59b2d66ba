//! [`app`]: the axum router, and the state its handler runs with.

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use capillary_ens_receiver::{EnsRouter, ReceiverConfig};
use capillary_ens_schemas::events::TransactionAdded;

use crate::config::Config;
use crate::eligibility::InvitationRules;
use crate::handlers;
use crate::survey::SurveyClient;

/// The path ENS delivers to.
pub const WEBHOOK_PATH: &str = "/webhooks/ens";

/// The router: ENS deliveries on `POST /webhooks/ens` ([`WEBHOOK_PATH`]) and a liveness probe
/// on `GET /healthz`.
///
/// Only `transactionAdded` is handled; other events the webhook may be subscribed to are
/// acknowledged and ignored.
pub fn app(config: Config) -> Router {
    let http = reqwest::Client::builder()
        .timeout(config.request_timeout)
        .build()
        .unwrap_or_else(|_| reqwest::Client::new());
    let state = AppState {
        receiver: config.receiver,
        capillary: config.capillary,
        survey: SurveyClient::new(http, config.survey),
        rules: config.rules,
    };
    let ens = EnsRouter::new().on::<TransactionAdded, _, _>(handlers::transaction_added);
    Router::new()
        .merge(ens.into_router_at(WEBHOOK_PATH))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state)
}

/// What the handler runs with; the receiver finds its configuration through `FromRef`.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) receiver: ReceiverConfig,
    pub(crate) capillary: capillary_ens_admin::Client,
    pub(crate) survey: SurveyClient,
    pub(crate) rules: InvitationRules,
}

impl FromRef<AppState> for ReceiverConfig {
    fn from_ref(state: &AppState) -> Self {
        state.receiver.clone()
    }
}
