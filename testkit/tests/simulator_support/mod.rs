//! Shared by the simulator tests: receivers that record what arrives, served in process or on
//! a real loopback port, and event bodies.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
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

/// A loopback URL where nothing listens.
pub async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("a loopback port is free");
    let address = listener.local_addr().expect("the listener has an address");
    drop(listener);
    format!("http://{address}/ens")
}

/// The first documented example of `pointsIssued`, with `eventId` set to `id`.
pub fn event(id: &str) -> Value {
    let schema: Value = serde_json::from_str(
        EventName::PointsIssued
            .json_schema()
            .expect("pointsIssued has a schema"),
    )
    .expect("the schema is JSON");
    let mut event = schema["examples"][0].clone();
    event["eventId"] = Value::from(id);
    event
}

/// One request as the receiver saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    /// The `eventId` of the body, empty when there is none.
    pub fn event_id(&self) -> String {
        serde_json::from_slice::<Value>(&self.body)
            .ok()
            .and_then(|body| body["eventId"].as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("header {name} was sent"))
            .to_str()
            .expect("a text header")
    }
}

/// What a scripted receiver answers to the `n`-th request (from 0): a status, after a delay.
pub type Script = dyn Fn(usize, &Seen) -> (u16, Duration) + Send + Sync;

/// A receiver that records every request and answers from a script.
#[derive(Clone)]
pub struct Recorder {
    seen: Arc<Mutex<Vec<Seen>>>,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
    script: Arc<Script>,
}

impl Recorder {
    /// Answers with `statuses[n]` to the `n`-th request, then `otherwise`.
    pub fn statuses(statuses: &[u16], otherwise: u16) -> Self {
        let statuses = statuses.to_vec();
        Self::scripted(move |n, _| {
            (
                statuses.get(n).copied().unwrap_or(otherwise),
                Duration::ZERO,
            )
        })
    }

    /// Always answers `status`.
    pub fn always(status: u16) -> Self {
        Self::statuses(&[], status)
    }

    pub fn scripted(
        script: impl Fn(usize, &Seen) -> (u16, Duration) + Send + Sync + 'static,
    ) -> Self {
        Self {
            seen: Arc::default(),
            in_flight: Arc::default(),
            max_in_flight: Arc::default(),
            script: Arc::new(script),
        }
    }

    /// The receiver, routed at `/ens`.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/ens", post(record))
            .with_state(self.clone())
    }

    /// The receiver on a loopback port; returns its `/ens` URL.
    pub async fn url(&self) -> String {
        format!("{}/ens", serve(self.router()).await)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }

    pub fn event_ids(&self) -> Vec<String> {
        self.seen().iter().map(Seen::event_id).collect()
    }

    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}

/// Counts a request as in flight until dropped, even when the client gives up on it.
struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn record(State(recorder): State<Recorder>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let now = recorder.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    let _guard = InFlight(Arc::clone(&recorder.in_flight));
    recorder.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let seen = Seen { headers, body };
    let (status, delay) = {
        let mut all = recorder.seen.lock().expect("not poisoned");
        let answer = (recorder.script)(all.len(), &seen);
        all.push(seen);
        answer
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    StatusCode::from_u16(status).expect("a valid status in the script")
}
