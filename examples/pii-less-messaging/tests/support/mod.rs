//! The app on a real loopback port, a real SQLite file and a fake SMS/email provider.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use capillary_ens_receiver::{Auth, StaticHeaders};
use capillary_ens_testkit::mocks::third_party::{Reply, ThirdPartyEndpoint};
use capillary_ens_testkit::simulator::{Simulator, SimulatorBuilder};
use example_pii_less_messaging::{Channel, Config, Customer, Provider, Store, WEBHOOK_PATH, app};
use http::Method;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub const USER: &str = "ens";
pub const PASSWORD: &str = "s3cret";
pub const PROVIDER_TOKEN: &str = "provider-token";
pub const MESSAGES: &str = "/v1/messages";

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

/// A running app: its URL, its database file and the provider it sends to.
pub struct Running {
    pub url: String,
    pub store: Store,
    server: JoinHandle<()>,
}

impl Running {
    /// Stops serving (as a process exit would).
    pub async fn stop(self) {
        self.server.abort();
        let _ = self.server.await;
    }
}

/// Serves the app on 127.0.0.1:0 with the database at `database`.
pub async fn serve(database: &Path, provider_base: &str) -> Running {
    let store = Store::open(database).expect("open the SQLite file");
    let config = Config::new(
        Auth::new(StaticHeaders::basic(USER, PASSWORD)),
        store.clone(),
        Provider::new(provider_base, PROVIDER_TOKEN),
    );
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = listener.local_addr().expect("the bound address");
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app(config)).await;
    });
    Running {
        url: format!("http://{address}{WEBHOOK_PATH}"),
        store,
        server,
    }
}

/// The app, with the seeded customers, in a fresh temporary directory, sending to a provider
/// that accepts messages.
pub struct Harness {
    pub provider: ThirdPartyEndpoint,
    pub app: Running,
    pub dir: TempDir,
}

impl Harness {
    pub async fn start() -> Self {
        let provider = ThirdPartyEndpoint::start().await;
        provider.accept_with(
            Method::POST,
            MESSAGES,
            Reply::status(202).json(serde_json::json!({ "messageId": "msg_1" })),
        );
        let dir = tempfile::tempdir().expect("a temporary directory");
        let app = serve(&Self::database_in(&dir), &provider.uri()).await;
        for customer in customers() {
            app.store
                .add_customer(customer)
                .await
                .expect("seed a customer");
        }
        Self { provider, app, dir }
    }

    fn database_in(dir: &TempDir) -> PathBuf {
        dir.path().join("brand.sqlite3")
    }

    pub fn database(&self) -> PathBuf {
        Self::database_in(&self.dir)
    }

    /// ENS, configured with the webhook's Basic credentials, delivering to the app.
    pub fn ens(&self) -> SimulatorBuilder {
        Simulator::to_url(self.app.url.clone()).basic_auth(USER, PASSWORD)
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
