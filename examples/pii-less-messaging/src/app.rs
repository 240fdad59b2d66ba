//! [`app`]: the application, its [`Config`], and the [`App`] it returns: the HTTP side that
//! stores ENS deliveries in the inbox, and the workers that send the messages.

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use capillary_ens_inbox::{Inbox, InboxError, RouterProcessor, Workers};
use capillary_ens_receiver::{Auth, EnsRouter, ReceiverConfig};
use capillary_ens_schemas::events::{
    CouponIssue, CustomerAdded, PointsExpiryReminder, PointsIssued, PointsRedeemed, TierDowngraded,
    TierUpgraded,
};

use crate::handlers;
use crate::{Messenger, Provider, Store, Templates};

/// Where ENS POSTs events.
pub const WEBHOOK_PATH: &str = "/webhooks/ens";

/// What [`app`] needs: how ENS authenticates, the brand's store, the inbox, the provider and
/// the wording.
#[derive(Clone, Debug)]
pub struct Config {
    auth: Auth,
    store: Store,
    inbox: Inbox,
    provider: Provider,
    templates: Templates,
}

impl Config {
    /// Authenticates deliveries with `auth` (the static headers configured on the ENS
    /// webhook), stores them in `inbox` (open it with [`capillary_ens_inbox::open`] on a SQLite
    /// file of its own; its [`InboxConfig`](capillary_ens_inbox::InboxConfig) sets the
    /// attempts and the backoff), looks customers up and records messages in `store`, sends
    /// through `provider`, with the built-in [`Templates`].
    pub fn new(auth: Auth, store: Store, inbox: Inbox, provider: Provider) -> Self {
        Self {
            auth,
            store,
            inbox,
            provider,
            templates: Templates::default(),
        }
    }

    /// Uses `templates` instead of the built-in wording.
    pub fn templates(mut self, templates: Templates) -> Self {
        self.templates = templates;
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

/// The application: `POST` [`WEBHOOK_PATH`] receives ENS events into the inbox, and the
/// workers send the messages.
///
/// The HTTP side authenticates each delivery, stores it in the inbox and answers 200 once it
/// is committed: a duplicate (same event name and `eventId`) is answered 200 and not stored
/// again; a forged delivery 401; 503 only if the inbox's database cannot take it. The workers
/// run one handler per event, `customerAdded`, `pointsIssued`, `pointsRedeemed`,
/// `tierUpgraded`, `tierDowngraded`, `pointsExpiryReminder` and `CouponIssue`, retrying a
/// failed attempt (provider down or rate limiting) with backoff until the inbox's last
/// attempt, then keeping it as a dead letter. Other events are marked processed and ignored.
pub struct App {
    inbox: Inbox,
    handlers: EnsRouter<AppState>,
    state: AppState,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("inbox", &self.inbox)
            .finish_non_exhaustive()
    }
}

/// Builds the [`App`] for `config`.
pub fn app(config: Config) -> App {
    let state = AppState {
        receiver: ReceiverConfig::new(config.auth),
        messenger: Arc::new(Messenger::new(
            config.store,
            config.provider,
            config.templates,
        )),
    };
    let handlers = EnsRouter::<AppState>::new()
        .on::<CustomerAdded, _, _>(handlers::notify)
        .on::<PointsIssued, _, _>(handlers::notify)
        .on::<PointsRedeemed, _, _>(handlers::notify)
        .on::<TierUpgraded, _, _>(handlers::notify)
        .on::<TierDowngraded, _, _>(handlers::notify)
        .on::<PointsExpiryReminder, _, _>(handlers::notify)
        .on::<CouponIssue, _, _>(handlers::coupon_issue);
    App {
        inbox: config.inbox,
        handlers,
        state,
    }
}

impl App {
    /// The HTTP side, to serve: `POST` [`WEBHOOK_PATH`] authenticates, stores in the inbox and
    /// answers. It runs no handler.
    pub fn router(&self) -> Router {
        let ens = EnsRouter::<ReceiverConfig>::new().acknowledge_with(self.inbox.clone());
        Router::new()
            .route(WEBHOOK_PATH, ens.into_method_router())
            .with_state(self.state.receiver.clone())
    }

    /// Starts the inbox's workers running the handlers (and pruning old deliveries). Keep the
    /// [`Workers`] while serving, and call [`Workers::shutdown`] after the server stopped.
    pub fn start_workers(&self) -> Workers {
        self.inbox
            .start_router(self.handlers.clone(), self.state.clone())
    }

    /// Processes the deliveries due now (one claim batch) in this task, without workers;
    /// returns how many. For tests and one-shot runs.
    pub async fn process_due(&self) -> Result<usize, InboxError> {
        let processor = RouterProcessor::new(self.handlers.clone(), self.state.clone());
        self.inbox.process_due(&processor).await
    }

    /// The inbox: [`stats`](Inbox::stats), [`list`](Inbox::list),
    /// [`retry_dead`](Inbox::retry_dead) and the rest.
    pub fn inbox(&self) -> &Inbox {
        &self.inbox
    }
}
