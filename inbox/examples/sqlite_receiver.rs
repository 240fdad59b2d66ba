//! A receiver with a durable SQLite inbox: ENS is answered as soon as a delivery is committed,
//! and the handlers run from the inbox, retried there when they fail.
//!
//! ```sh
//! cargo run -p capillary-ens-inbox --example sqlite_receiver
//! # in another shell: the simulator, or
//! curl -H 'authorization: Bearer t0ken' -H 'content-type: application/json' \
//!   -d '{"eventName":"tierUpgraded","eventId":"e-1","data":{}}' http://127.0.0.1:8080/ens
//! ```

use axum::Router;
use capillary_ens_inbox::{InboxConfig, open};
use capillary_ens_receiver::{
    Auth, EnsRouter, HandlerError, ReceiverConfig, StaticHeaders, Webhook,
};
use capillary_ens_schemas::events::PointsIssued;

async fn points_issued(webhook: Webhook<PointsIssued>) -> Result<(), HandlerError> {
    // Ids only: the payload can hold personal data.
    tracing::info!(
        event_id = webhook.envelope.event_id.as_deref().unwrap_or(""),
        "points issued"
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    let config = ReceiverConfig::new(Auth::new(StaticHeaders::bearer("t0ken")));
    let inbox = open("sqlite:target/example-inbox.db", InboxConfig::default()).await?;

    let handlers = EnsRouter::new().on::<PointsIssued, _, _>(points_issued);
    let workers = inbox.start_router(handlers, config.clone());

    let ens = EnsRouter::<ReceiverConfig>::new().acknowledge_with(inbox.clone());
    let app: Router = Router::new()
        .nest("/ens", ens.into_router())
        .with_state(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    workers.shutdown().await;
    tracing::info!(stats = %inbox.stats().await?.to_json(), "inbox at shutdown");
    Ok(())
}
