//! Runs the PII-less messaging example; configuration comes from environment variables (see
//! the README).

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use capillary_ens_receiver::{Auth, StaticHeaders};
use example_pii_less_messaging::{
    Channel, Config, Customer, CustomerKey, Provider, Store, WEBHOOK_PATH, app,
};
use tracing_subscriber::EnvFilter;

/// The Capillary id of the customer in the testkit's fixtures, seeded by `SEED_DEMO_CUSTOMER`.
const DEMO_CUSTOMER_ID: i64 = 564_937_812;

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
    let router = app(Config::new(Auth::new(webhook), store, provider));

    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    tracing::info!(address = %listen, path = WEBHOOK_PATH, database, "listening for ENS events");
    axum::serve(listener, router).await?;
    Ok(())
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
