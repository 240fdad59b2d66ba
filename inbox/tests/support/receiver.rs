//! A receiver for the crash and replica tests: `EnsRouter` with the inbox as its
//! acknowledgement sink, on a real loopback port.

use std::net::SocketAddr;

use axum::Router;
use capillary_ens_inbox::Inbox;
use capillary_ens_receiver::{Auth, EnsRouter, ReceiverConfig, StaticHeaders};

pub const TOKEN: &str = "crash-t0ken";

/// The receiver's configuration: bearer authentication.
pub fn config() -> ReceiverConfig {
    ReceiverConfig::new(Auth::new(StaticHeaders::bearer(TOKEN)))
}

/// The HTTP side: authenticate, parse, store in `inbox`, answer after the commit.
pub fn app(inbox: Inbox) -> Router {
    EnsRouter::<ReceiverConfig>::new()
        .acknowledge_with(inbox)
        .into_router()
        .with_state(config())
}

/// Serves `inbox` at `address` until the process ends.
pub async fn serve(inbox: Inbox, address: SocketAddr) {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .expect("the receiver binds its port");
    axum::serve(listener, app(inbox))
        .await
        .expect("the receiver serves");
}
