//! Runs the PII-less messaging example; configuration comes from environment variables (see
//! the README).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use capillary_ens_inbox::{Inbox, InboxConfig, SqliteStore};
use capillary_ens_receiver::{Auth, StaticHeaders};
use example_pii_less_messaging::{
    Channel, Config, Customer, CustomerKey, Provider, Store, WEBHOOK_PATH, app,
};
use tracing_subscriber::EnvFilter;

/// The Capillary id of the customer in the testkit's fixtures, seeded by `SEED_DEMO_CUSTOMER`.
const DEMO_CUSTOMER_ID: i64 = 564_937_812;

/// Attempts before an event becomes a dead letter, unless `INBOX_MAX_ATTEMPTS` says otherwise.
/// With the inbox's backoff (1 s doubling to 1 h, jittered to 50–100%) the last attempt comes
/// 18 to 36 hours after the first: a provider outage of a day is ridden out.
const DEFAULT_MAX_ATTEMPTS: u32 = 48;

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

fn required(name: &str) -> anyhow::Result<String> {
    var(name).with_context(|| format!("set {name} (see the README)"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let listen: SocketAddr = var("LISTEN_ADDR")
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned())
        .parse()
        .context("LISTEN_ADDR must be an address like 127.0.0.1:8080")?;
    let database = var("DATABASE_PATH").unwrap_or_else(|| "pii-less-messaging.sqlite3".to_owned());
    let inbox_path =
        var("INBOX_PATH").map_or_else(|| inbox_beside(Path::new(&database)), PathBuf::from);
    let provider_url = required("PROVIDER_URL")?;
    let provider_token = required("PROVIDER_TOKEN")?;
    let provider_timeout = match var("PROVIDER_TIMEOUT_SECS") {
        Some(seconds) => Duration::from_secs(
            seconds
                .parse()
                .context("PROVIDER_TIMEOUT_SECS must be a whole number of seconds")?,
        ),
        None => Duration::from_secs(10),
    };

    let store = Store::open(&database).with_context(|| format!("opening {database}"))?;
    if var("SEED_DEMO_CUSTOMER").is_some_and(|value| matches!(value.as_str(), "1" | "true" | "yes"))
    {
        seed_demo_customer(&store).await?;
    }
    let provider = Provider::new(&provider_url, provider_token).timeout(provider_timeout);
    // ENS_BASIC=user:password, ENS_BEARER=token and/or ENS_HEADER=name:value.
    let webhook = StaticHeaders::from_env(var)
        .context("set the ENS webhook's credentials (see the README)")?;
    let inbox_store = SqliteStore::open(&inbox_path)
        .await
        .with_context(|| format!("opening the inbox {}", inbox_path.display()))?;
    let max_attempts = match var("INBOX_MAX_ATTEMPTS") {
        Some(attempts) => attempts
            .parse()
            .context("INBOX_MAX_ATTEMPTS must be a whole number")?,
        None => DEFAULT_MAX_ATTEMPTS,
    };
    let inbox = Inbox::new(
        inbox_store,
        InboxConfig::default().max_attempts(max_attempts),
    );
    let app = app(Config::new(Auth::new(webhook), store, inbox, provider));

    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    // Deliveries left in the inbox by the previous run are processed now.
    let workers = app.start_workers();
    tracing::info!(
        address = %listen,
        path = WEBHOOK_PATH,
        database,
        inbox = %inbox_path.display(),
        "listening for ENS events"
    );
    let served = axum::serve(listener, app.router())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down: no new deliveries, finishing the current messages");
        })
        .await;
    // Whatever happened to the server, let each worker finish its current delivery; what is
    // left in the inbox is processed on the next start.
    workers.shutdown().await;
    if let Ok(stats) = app.inbox().stats().await {
        tracing::info!(stats = %stats.to_json(), "inbox at shutdown");
    }
    served?;
    Ok(())
}

/// The inbox's default file: beside the brand's database, `brand.sqlite3` → `brand.inbox.sqlite3`.
fn inbox_beside(database: &Path) -> PathBuf {
    let stem = database.file_stem().map_or_else(
        || "pii-less-messaging".into(),
        |stem| stem.to_string_lossy(),
    );
    database.with_file_name(format!("{stem}.inbox.sqlite3"))
}

/// Adds a made-up customer with the id the `ens trigger` fixtures use, once.
async fn seed_demo_customer(store: &Store) -> anyhow::Result<()> {
    if store
        .find_customer(CustomerKey::capillary_id(DEMO_CUSTOMER_ID))
        .await?
        .is_none()
    {
        let customer = Customer::new("Priya")
            .capillary_id(DEMO_CUSTOMER_ID)
            .mobile("919800000000")
            .email("priya@example.invalid")
            .prefers(Channel::Sms);
        store.add_customer(customer).await?;
        tracing::info!(customer_id = DEMO_CUSTOMER_ID, "seeded the demo customer");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inbox_sits_beside_the_brands_database() {
        assert_eq!(
            inbox_beside(Path::new("data/brand.sqlite3")),
            PathBuf::from("data/brand.inbox.sqlite3")
        );
        assert_eq!(
            inbox_beside(Path::new("brand")),
            PathBuf::from("brand.inbox.sqlite3")
        );
    }
}
