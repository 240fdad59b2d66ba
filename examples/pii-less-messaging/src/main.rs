//! Runs the PII-less messaging example; configuration comes from environment variables (see
//! the README).

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use ens_receiver::{Auth, StaticHeaders};
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

/// `WEBHOOK_BASIC=user:password`, or `WEBHOOK_HEADER=name:value` for any other header.
fn auth() -> anyhow::Result<Auth> {
    let headers = match (var("WEBHOOK_BASIC"), var("WEBHOOK_HEADER")) {
        (Some(basic), None) => {
            let (user, password) = basic
                .split_once(':')
                .context("WEBHOOK_BASIC must be USER:PASSWORD")?;
            StaticHeaders::basic(user, password)
        }
        (None, Some(header)) => {
            let (name, value) = header
                .split_once(':')
                .context("WEBHOOK_HEADER must be NAME:VALUE")?;
            StaticHeaders::require(name.trim(), value.trim())
        }
        (Some(_), Some(_)) => bail!("set only one of WEBHOOK_BASIC and WEBHOOK_HEADER"),
        (None, None) => bail!("set WEBHOOK_BASIC=user:password or WEBHOOK_HEADER=name:value"),
    };
    Ok(Auth::new(headers))
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
    let router = app(Config::new(auth()?, store, provider));

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
