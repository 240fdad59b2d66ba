//! Runs the survey-after-purchase app; configuration from environment variables (see
//! `Config::from_env`; the Capillary API from `ENS_API_URL` and `ENS_API_TOKEN` or
//! `ENS_API_USER` + `ENS_API_PASSWORD`, as for the `ens` CLI), listening on `LISTEN_ADDR`
//! (default `0.0.0.0:8080`).

use anyhow::Context;
use example_survey_after_purchase::{Config, app};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = Config::from_env(|name| std::env::var(name).ok())?;
    let address = std::env::var("LISTEN_ADDR").unwrap_or_else(|_| "0.0.0.0:8080".to_owned());
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    tracing::info!(address = %listener.local_addr()?, "survey-after-purchase listening");
    axum::serve(listener, app(config)).await?;
    Ok(())
}
