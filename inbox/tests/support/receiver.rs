//! A receiver process for the crash and replica tests: authenticate, acknowledge into the
//! inbox after commit, and run the workers.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header::RETRY_AFTER};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use capillary_ens_inbox::{Inbox, NewDelivery};
use capillary_ens_receiver::{Auth, ReceiverConfig, StaticHeaders, receive};

pub const TOKEN: &str = "crash-t0ken";

#[derive(Clone)]
struct App {
    config: ReceiverConfig,
    inbox: Inbox,
}

async fn deliver(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let received = match receive(&app.config, &headers, body) {
        Ok(received) => received,
        Err(rejection) => return rejection.status().into_response(),
    };
    let delivery = NewDelivery::new(&received.envelope, received.raw, received.received_at);
    match app.inbox.acknowledge(delivery).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(refused) => {
            let mut response = StatusCode::SERVICE_UNAVAILABLE.into_response();
            let seconds = refused.retry_after().as_secs().max(1);
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
    }
}

/// Serves `inbox` at `address` until the process ends.
pub async fn serve(inbox: Inbox, address: SocketAddr) {
    let config = ReceiverConfig::new(Auth::new(StaticHeaders::bearer(TOKEN)));
    let app = Router::new()
        .route("/", post(deliver))
        .with_state(App { config, inbox });
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .expect("the receiver binds its port");
    axum::serve(listener, app)
        .await
        .expect("the receiver serves");
}
