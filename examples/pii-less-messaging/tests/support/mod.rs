//! The app on a real loopback port, real SQLite files (the brand's store and the inbox) and a
//! fake SMS/email provider.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use capillary_ens_inbox::{Inbox, InboxConfig, SqliteStore, Stats, StoredDelivery, Workers};
use capillary_ens_receiver::{Auth, StaticHeaders};
use capillary_ens_testkit::mocks::third_party::{Reply, ThirdPartyEndpoint};
use capillary_ens_testkit::simulator::{Simulator, SimulatorBuilder};
use example_pii_less_messaging::{
    App, Channel, Config, Customer, Provider, Store, WEBHOOK_PATH, app,
};
use http::Method;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub const USER: &str = "ens";
pub const PASSWORD: &str = "s3cret";
pub const PROVIDER_TOKEN: &str = "provider-token";
pub const MESSAGES: &str = "/v1/messages";
/// The attempts the tests' inbox makes before a delivery becomes a dead letter.
pub const MAX_ATTEMPTS: u32 = 4;

/// Customers in the brand's store; their personal values must never show in logs.
pub const ASHA: i64 = 1001;
pub const RAVI: i64 = 1002;
pub const DEV_NO_CONTACT: i64 = 1005;
pub const MEERA_EXTERNAL_ID: &str = "CRM-7";
pub const KIRAN_MOBILE: &str = "919800000004";

pub fn customers() -> Vec<Customer> {
    vec![
        Customer::new("Asha")
            .capillary_id(ASHA)
            .mobile("919800000001"),
        Customer::new("Ravi")
            .capillary_id(RAVI)
            .mobile("919800000002")
            .email("ravi@example.com")
            .last_name("Kumar")
            .prefers(Channel::Email),
        Customer::new("Meera")
            .external_id(MEERA_EXTERNAL_ID)
            .mobile("919800000003"),
        Customer::new("Kiran").mobile(KIRAN_MOBILE),
        Customer::new("Dev").capillary_id(DEV_NO_CONTACT),
    ]
}

/// Every personal value in [`customers`], to look for in logs.
pub const PERSONAL_VALUES: &[&str] = &[
    "Asha",
    "Ravi",
    "Kumar",
    "Meera",
    "Kiran",
    "919800000001",
    "919800000002",
    "919800000003",
    "919800000004",
    "ravi@example.com",
    "CRM-7",
];

/// The tests' inbox: few attempts, short backoff, quick polling.
pub fn inbox_config() -> InboxConfig {
    InboxConfig::default()
        .max_attempts(MAX_ATTEMPTS)
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .poll_interval(Duration::from_millis(20))
}

/// The brand's database file in `dir`.
pub fn database_in(dir: &Path) -> PathBuf {
    dir.join("brand.sqlite3")
}

/// The inbox's file in `dir`, beside the brand's database.
pub fn inbox_in(dir: &Path) -> PathBuf {
    dir.join("brand.inbox.sqlite3")
}

/// A running app: its URL, its store, its inbox and, once started, its workers.
pub struct Running {
    pub url: String,
    pub store: Store,
    pub app: App,
    server: JoinHandle<()>,
    workers: Option<Workers>,
}

impl Running {
    /// The app's inbox.
    pub fn inbox(&self) -> &Inbox {
        self.app.inbox()
    }

    /// Processes the deliveries due now in this task, as a worker would; returns how many.
    pub async fn process_due(&self) -> usize {
        self.app.process_due().await.expect("the inbox answers")
    }

    /// Starts the inbox's workers.
    pub fn start_workers(&mut self) {
        assert!(self.workers.is_none(), "workers already running");
        self.workers = Some(self.app.start_workers());
    }

    /// ENS, configured with the webhook's Basic credentials, delivering to the app.
    pub fn ens(&self) -> SimulatorBuilder {
        Simulator::to_url(self.url.clone()).basic_auth(USER, PASSWORD)
    }

    /// Waits until nothing in the inbox is pending, being processed or waiting for a retry,
    /// and returns the statistics then. The timeout only bounds how long a broken test hangs.
    pub async fn wait_until_idle(&self) -> Stats {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let stats = self.inbox().stats().await.expect("the inbox's statistics");
            if stats.pending + stats.processing + stats.retrying == 0 {
                return stats;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the inbox did not become idle: {}",
                stats.to_json()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The inbox's row for `event_name` and `event_id`.
    pub async fn delivery(&self, event_name: &str, event_id: &str) -> StoredDelivery {
        self.inbox()
            .show(&format!("{event_name}:{event_id}"))
            .await
            .expect("the inbox answers")
            .unwrap_or_else(|| panic!("no delivery {event_name}:{event_id} in the inbox"))
    }

    /// Stops serving (as a process exit would) and lets the workers finish their current
    /// delivery.
    pub async fn stop(self) {
        self.server.abort();
        let _ = self.server.await;
        if let Some(workers) = self.workers {
            workers.shutdown().await;
        }
    }
}

/// Serves the app on 127.0.0.1:0 with the brand's database and the inbox in `dir`, sending to
/// `provider_base`. No worker runs until [`Running::start_workers`].
pub async fn serve(dir: &Path, provider_base: &str, inbox_config: InboxConfig) -> Running {
    let store = Store::open(database_in(dir)).expect("open the brand's SQLite file");
    let inbox_store = SqliteStore::open(inbox_in(dir))
        .await
        .expect("open the inbox's SQLite file");
    let config = Config::new(
        Auth::new(StaticHeaders::basic(USER, PASSWORD)),
        store.clone(),
        Inbox::new(inbox_store, inbox_config),
        Provider::new(provider_base, PROVIDER_TOKEN),
    );
    let app = app(config);
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = listener.local_addr().expect("the bound address");
    let router = app.router();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Running {
        url: format!("http://{address}{WEBHOOK_PATH}"),
        store,
        app,
        server,
        workers: None,
    }
}

/// Adds [`customers`] to the running app's store.
pub async fn seed(running: &Running) {
    for customer in customers() {
        running
            .store
            .add_customer(customer)
            .await
            .expect("seed a customer");
    }
}

/// A provider that accepts messages with `202 {"messageId":"msg_1"}`.
pub async fn accepting_provider() -> ThirdPartyEndpoint {
    let provider = ThirdPartyEndpoint::start().await;
    provider.accept_with(
        Method::POST,
        MESSAGES,
        Reply::status(202).json(serde_json::json!({ "messageId": "msg_1" })),
    );
    provider
}

/// The app, with the seeded customers, in a fresh temporary directory, sending to a provider
/// that accepts messages.
pub struct Harness {
    pub provider: ThirdPartyEndpoint,
    pub app: Running,
    pub dir: TempDir,
}

impl Harness {
    /// With the workers running.
    pub async fn start() -> Self {
        let mut harness = Self::without_workers().await;
        harness.app.start_workers();
        harness
    }

    /// With no worker: deliveries stay in the inbox until [`Running::start_workers`] or
    /// [`App::process_due`].
    pub async fn without_workers() -> Self {
        let provider = accepting_provider().await;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let app = serve(dir.path(), &provider.uri(), inbox_config()).await;
        seed(&app).await;
        Self { provider, app, dir }
    }

    pub fn database(&self) -> PathBuf {
        database_in(self.dir.path())
    }

    /// ENS, configured with the webhook's Basic credentials, delivering to the app.
    pub fn ens(&self) -> SimulatorBuilder {
        self.app.ens()
    }

    /// Waits until the inbox is idle; see [`Running::wait_until_idle`].
    pub async fn wait_until_idle(&self) -> Stats {
        self.app.wait_until_idle().await
    }

    /// The messages the provider received, as JSON, in arrival order.
    pub fn sent(&self) -> Vec<serde_json::Value> {
        self.provider.received_json(MESSAGES)
    }

    /// The requests the provider accepted (answered 2xx).
    pub fn accepted(&self) -> Vec<serde_json::Value> {
        self.provider
            .received(MESSAGES)
            .into_iter()
            .filter(|request| (200..300).contains(&request.answered_with()))
            .map(|request| request.json().expect("a JSON message"))
            .collect()
    }
}
