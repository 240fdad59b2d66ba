//! Shared by the receiver's integration tests: a real server on a loopback port, and bodies.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;

use axum::Router;
use capillary_ens_schemas::EventName;
use serde_json::Value;

/// Serves `app` on 127.0.0.1 with an OS-chosen port; the server stops with the test's runtime.
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("a loopback port is free");
    let address = listener.local_addr().expect("the listener has an address");
    tokio::spawn(async move {
        axum::serve(listener, app)
            .await
            .expect("the test server runs");
    });
    format!("http://{address}")
}

/// The first example delivery of an event's schema, as JSON.
pub fn example(name: &EventName) -> Value {
    let document: Value =
        serde_json::from_str(name.json_schema().expect("a known event")).expect("schema is JSON");
    document["examples"][0].clone()
}

/// The first example of an event with a given `eventId`, as bytes.
pub fn body_with_id(name: &EventName, event_id: &str) -> Vec<u8> {
    let mut body = example(name);
    body["eventId"] = Value::from(event_id);
    serde_json::to_vec(&body).expect("serializable")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}
