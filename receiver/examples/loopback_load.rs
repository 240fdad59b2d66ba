//! A bounded loopback load test of the receiver (issue 3).
//!
//! Starts three servers on ephemeral ports of 127.0.0.1 in this process and drives each with
//! the same load of signed `pointsIssued` deliveries over a keep-alive HTTP/1.1 client:
//!
//! 1. `receiver`: an [`EnsRouter`] with HMAC-SHA256 authentication, deduplication through the
//!    default [`InMemoryStore`](capillary_ens_receiver::InMemoryStore) and one `pointsIssued` handler that
//!    does nothing (it counts, so the run can check that every event reached it);
//! 2. `hand-written`: an axum handler that takes the body as `Bytes`, verifies the HMAC and
//!    parses the flat envelope with the typed `data`;
//! 3. `bare`: a handler that takes the body and answers 200.
//!
//! Every request carries a distinct `eventId`, so deduplication does real work, and the body
//! keeps the schema example's key order (`eventName` first, `data` last, as ENS writes it). The servers run
//! on their own tokio runtime and the client on another, so the CPU time of the server threads
//! can be read from `/proc` and reported per request beside the requests per second. The load
//! is sent in slices, each server in turn with the order rotated, so that drift in the
//! machine's speed during the run falls on all three alike.
//!
//! ```sh
//! cargo run --release -p capillary-ens-receiver --example loopback_load
//! ```
//!
//! Environment knobs (defaults in brackets): `LOAD_REQUESTS` [20000] per server,
//! `LOAD_CONCURRENCY` [32], `LOAD_SLICES` [10], `LOAD_CAP_SECS` [30] per server,
//! `LOAD_SERVER_THREADS` [1], `LOAD_CLIENT_THREADS` [1], and `LOAD_ONLY` (`receiver`,
//! `hand-written` or `bare`: drive that server alone, e.g. under a profiler). Traffic goes to
//! 127.0.0.1 only.

#![allow(clippy::print_stdout, reason = "the example is a command-line report")]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use axum::serve::ListenerExt;
use bytes::Bytes;
use capillary_ens_receiver::{Auth, EnsRouter, HmacSha256, ReceiverConfig, Webhook};
use capillary_ens_schemas::EventName;
use capillary_ens_schemas::events::PointsIssued;
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

const HMAC_KEY: &str = "gateway-signing-key-0123456789abcdef";
const HMAC_HEADER: &str = "x-signature";
const HMAC_PREFIX: &str = "sha256=";
const SERVER_THREAD: &str = "load-server";
const CLIENT_THREAD: &str = "load-client";
const WARM_UP_REQUESTS: usize = 2_000;

/// Events that reached the receiver's handler.
static HANDLED: AtomicU64 = AtomicU64::new(0);

/// What the hand-written handler parses: the flat envelope around the typed `data`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(
    dead_code,
    reason = "fields are parsed, as a receiver would, but not read here"
)]
struct Flat<T> {
    event_name: String,
    event_id: Option<String>,
    org_id: Option<i64>,
    ref_id: Option<String>,
    api_request_id: Option<String>,
    created_at: Option<i64>,
    loyalty_event_id: Option<String>,
    event_log_id: Option<i64>,
    trace_attributes: Option<BTreeMap<String, String>>,
    data: T,
}

struct Settings {
    requests: usize,
    concurrency: usize,
    slices: usize,
    cap: Duration,
    server_threads: usize,
    client_threads: usize,
}

impl Settings {
    fn from_env() -> Self {
        fn var(name: &str, default: usize) -> usize {
            std::env::var(name)
                .ok()
                .and_then(|value| value.parse().ok())
                .filter(|value| *value > 0)
                .unwrap_or(default)
        }
        Self {
            requests: var("LOAD_REQUESTS", 20_000),
            concurrency: var("LOAD_CONCURRENCY", 32),
            slices: var("LOAD_SLICES", 10),
            cap: Duration::from_secs(var("LOAD_CAP_SECS", 30) as u64),
            server_threads: var("LOAD_SERVER_THREADS", 1),
            client_threads: var("LOAD_CLIENT_THREADS", 1),
        }
    }
}

/// One signed request: body and `x-signature` value.
#[derive(Clone)]
struct Signed {
    body: Bytes,
    signature: HeaderValue,
}

fn mac() -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(HMAC_KEY.as_bytes()).expect("HMAC takes any key length")
}

#[path = "../benches/support/ordered_delivery.rs"]
mod ordered_delivery;
use ordered_delivery::Delivery;

/// `count` signed `pointsIssued` deliveries (the schema example), each with its own `eventId`.
fn deliveries(tag: &str, count: usize) -> Vec<Signed> {
    let mut delivery = Delivery::schema_example(EventName::PointsIssued);
    assert_eq!(delivery.0[0].0, "eventName", "the event is named first");
    (0..count)
        .map(|index| {
            for (key, value) in &mut delivery.0 {
                if key == "eventId" {
                    *value = Value::from(format!("{tag}-{index:08}"));
                }
            }
            let body = serde_json::to_vec(&delivery).expect("serializable");
            let mut mac = mac();
            mac.update(&body);
            let mut signature = String::from(HMAC_PREFIX);
            for byte in mac.finalize().into_bytes() {
                signature.push_str(&format!("{byte:02x}"));
            }
            Signed {
                body: Bytes::from(body),
                signature: HeaderValue::from_str(&signature).expect("ASCII"),
            }
        })
        .collect()
}

async fn points_issued(_webhook: Webhook<PointsIssued>) {
    HANDLED.fetch_add(1, Ordering::Relaxed);
}

fn receiver_app() -> Router {
    let config = ReceiverConfig::new(Auth::new(
        HmacSha256::new(HMAC_HEADER, HMAC_KEY).prefix(HMAC_PREFIX),
    ));
    EnsRouter::new()
        .on::<PointsIssued, _, _>(points_issued)
        .into_router()
        .with_state(config)
}

fn hex_tag(text: &str) -> Option<[u8; 32]> {
    fn nibble(digit: u8) -> Option<u8> {
        match digit {
            b'0'..=b'9' => Some(digit - b'0'),
            b'a'..=b'f' => Some(digit - b'a' + 10),
            b'A'..=b'F' => Some(digit - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut tag = [0; 32];
    for (out, pair) in tag.iter_mut().zip(bytes.chunks_exact(2)) {
        *out = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(tag)
}

/// The least an authenticated, typed receiver does: verify the HMAC, parse, answer.
async fn hand_written(State(key): State<Arc<[u8]>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let tag = headers
        .get(HMAC_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix(HMAC_PREFIX))
        .and_then(hex_tag);
    let Some(tag) = tag else {
        return StatusCode::UNAUTHORIZED;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(&body);
    if mac.verify_slice(&tag).is_err() {
        return StatusCode::UNAUTHORIZED;
    }
    match serde_json::from_slice::<Flat<PointsIssued>>(&body) {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

fn hand_written_app() -> Router {
    let key: Arc<[u8]> = Arc::from(HMAC_KEY.as_bytes());
    Router::new().route("/", post(hand_written)).with_state(key)
}

fn bare_app() -> Router {
    Router::new().route("/", post(|_body: Bytes| async { StatusCode::OK }))
}

/// Serves `app` on an ephemeral loopback port of the server runtime.
fn serve(runtime: &tokio::runtime::Runtime, app: Router) -> SocketAddr {
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let address = listener.local_addr().expect("local address");
        let listener = listener.tap_io(|stream| {
            let _ = stream.set_nodelay(true);
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        address
    })
}

/// Nanoseconds of CPU the threads named `name` have used, from `/proc/self/task/*/schedstat`.
fn thread_cpu_ns(name: &str) -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if comm.trim_end() != name {
            continue;
        }
        let schedstat = std::fs::read_to_string(path.join("schedstat")).ok()?;
        total += schedstat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// What one server did over all its slices.
#[derive(Clone, Copy, Default)]
struct Totals {
    sent: usize,
    ok: usize,
    elapsed: Duration,
    server_cpu: Duration,
    /// `/proc` could not be read: no CPU figures.
    cpu_unknown: bool,
}

impl Totals {
    fn add(&mut self, run: Totals) {
        self.sent += run.sent;
        self.ok += run.ok;
        self.elapsed += run.elapsed;
        self.server_cpu += run.server_cpu;
        self.cpu_unknown |= run.cpu_unknown;
    }

    fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// Microseconds of server-thread CPU per answered request.
    fn server_cpu_per_request(&self) -> Option<f64> {
        (!self.cpu_unknown && self.ok > 0)
            .then(|| self.server_cpu.as_secs_f64() * 1e6 / self.ok as f64)
    }
}

/// Sends `requests` to `address` from `concurrency` tasks, stopping at `deadline`.
async fn drive(
    client: &reqwest::Client,
    address: SocketAddr,
    requests: Arc<[Signed]>,
    concurrency: usize,
    deadline: Instant,
) -> Totals {
    let url = format!("http://{address}/");
    let next = Arc::new(AtomicUsize::new(0));
    let ok = Arc::new(AtomicUsize::new(0));
    let sent = Arc::new(AtomicUsize::new(0));
    let cpu_before = thread_cpu_ns(SERVER_THREAD);
    let start = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, requests) = (client.clone(), url.clone(), Arc::clone(&requests));
            let (next, ok, sent) = (Arc::clone(&next), Arc::clone(&ok), Arc::clone(&sent));
            tokio::spawn(async move {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= requests.len() || Instant::now() >= deadline {
                        break;
                    }
                    let request = &requests[index];
                    sent.fetch_add(1, Ordering::Relaxed);
                    let response = client
                        .post(&url)
                        .header(http::header::CONTENT_TYPE, "application/json")
                        .header(HMAC_HEADER, request.signature.clone())
                        .body(request.body.clone())
                        .send()
                        .await;
                    if let Ok(response) = response {
                        let status = response.status();
                        // Read the body so the connection goes back to the pool.
                        if response.bytes().await.is_ok() && status == StatusCode::OK {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("client task");
    }
    let elapsed = start.elapsed();
    let server_cpu = cpu_before
        .zip(thread_cpu_ns(SERVER_THREAD))
        .map(|(before, after)| Duration::from_nanos(after.saturating_sub(before)));
    Totals {
        sent: sent.load(Ordering::Relaxed),
        ok: ok.load(Ordering::Relaxed),
        elapsed,
        server_cpu: server_cpu.unwrap_or_default(),
        cpu_unknown: server_cpu.is_none(),
    }
}

fn runtime(name: &str, threads: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name(name)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn format_cpu(cpu: Option<f64>) -> String {
    cpu.map_or_else(|| "n/a".to_owned(), |cpu| format!("{cpu:.1}"))
}

fn main() -> ExitCode {
    let settings = Settings::from_env();
    let servers = runtime(SERVER_THREAD, settings.server_threads);
    let client_runtime = runtime(CLIENT_THREAD, settings.client_threads);
    let only = std::env::var("LOAD_ONLY").ok();
    let targets: Vec<(&str, SocketAddr)> = [
        ("receiver", receiver_app as fn() -> Router),
        ("hand-written", hand_written_app),
        ("bare", bare_app),
    ]
    .into_iter()
    .filter(|(name, _)| only.as_deref().is_none_or(|only| only == *name))
    .map(|(name, app)| (name, serve(&servers, app())))
    .collect();
    let client = reqwest::Client::builder()
        .no_proxy()
        .http1_only()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(settings.concurrency)
        .build()
        .expect("HTTP client");
    let requests = deliveries("load", settings.requests);
    let slice_len = settings.requests.div_ceil(settings.slices);

    println!(
        "loopback load: {} requests per server in {} interleaved slices, {} concurrent, \
         cap {:?} per server, {} server thread(s), {} client thread(s), \
         {}-byte pointsIssued bodies",
        settings.requests,
        settings.slices,
        settings.concurrency,
        settings.cap,
        settings.server_threads,
        settings.client_threads,
        requests[0].body.len(),
    );

    // Warm up every server (connections, allocator, caches) with ids the runs never use.
    let warm_up: Arc<[Signed]> = deliveries("warm-up", WARM_UP_REQUESTS).into();
    for (_, address) in &targets {
        let deadline = Instant::now() + settings.cap;
        let run = client_runtime.block_on(drive(
            &client,
            *address,
            Arc::clone(&warm_up),
            settings.concurrency,
            deadline,
        ));
        assert_eq!(run.ok, run.sent, "warm-up requests failed");
    }
    HANDLED.store(0, Ordering::Relaxed);

    // The machine's speed drifts (a 2-core VM: scheduling, wake-ups); short slices, each
    // server in turn and the order rotated, expose every server to the same drift.
    let mut totals = vec![Totals::default(); targets.len()];
    let mut slice_ratios = Vec::new();
    for (slice, chunk) in requests.chunks(slice_len).enumerate() {
        let chunk: Arc<[Signed]> = chunk.into();
        let mut rates = vec![f64::NAN; targets.len()];
        for offset in 0..targets.len() {
            let index = (slice + offset) % targets.len();
            let spent = totals[index].elapsed;
            let Some(left) = settings
                .cap
                .checked_sub(spent)
                .filter(|left| !left.is_zero())
            else {
                continue;
            };
            let run = client_runtime.block_on(drive(
                &client,
                targets[index].1,
                Arc::clone(&chunk),
                settings.concurrency,
                Instant::now() + left,
            ));
            rates[index] = run.per_second();
            totals[index].add(run);
        }
        if targets.len() == 3 && rates[0].is_finite() && rates[1].is_finite() {
            slice_ratios.push(rates[0] / rates[1]);
        }
    }

    let mut failed = false;
    println!();
    println!("| server | answered 200 | seconds | req/s | server CPU µs/request |");
    println!("|---|---:|---:|---:|---:|");
    for ((name, _), total) in targets.iter().zip(&totals) {
        println!(
            "| {name} | {} of {} | {:.2} | {:.0} | {} |",
            total.ok,
            total.sent,
            total.elapsed.as_secs_f64(),
            total.per_second(),
            format_cpu(total.server_cpu_per_request()),
        );
        if total.ok != total.sent {
            println!("{name}: {} requests failed", total.sent - total.ok);
            failed = true;
        }
        if total.sent < settings.requests {
            println!("{name}: stopped at the {:?} cap", settings.cap);
        }
    }
    if let Some(index) = targets.iter().position(|(name, _)| *name == "receiver") {
        let handled = HANDLED.load(Ordering::Relaxed);
        if handled != totals[index].ok as u64 {
            println!(
                "receiver: the handler ran {handled} times for {} answers",
                totals[index].ok
            );
            failed = true;
        }
    }
    if targets.len() == 3 {
        let (receiver, hand, bare) = (&totals[0], &totals[1], &totals[2]);
        let versus_hand = receiver.per_second() / hand.per_second();
        let versus_bare = receiver.per_second() / bare.per_second();
        let capacity = |other: &Totals| {
            other
                .server_cpu_per_request()
                .zip(receiver.server_cpu_per_request())
                .map_or(f64::NAN, |(other, receiver)| other / receiver)
        };
        println!();
        println!(
            "receiver / hand-written: {versus_hand:.3} of the throughput ({}: target >= 0.90); \
             median over slices {:.3}; {:.3} of the server capacity (1 / CPU per request)",
            if versus_hand >= 0.9 { "met" } else { "MISSED" },
            median(slice_ratios),
            capacity(hand),
        );
        println!(
            "receiver / bare:         {versus_bare:.3} of the throughput; \
             {:.3} of the server capacity",
            capacity(bare),
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
