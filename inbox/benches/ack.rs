//! Acknowledgement throughput and latency of real HTTP deliveries on a loopback server.
//!
//! A real axum server on `127.0.0.1` (`EnsRouter`, bearer authentication, the ENS parse) and,
//! in the same process, a client of [`SENDERS`] senders, each with its own keep-alive HTTP/1.1
//! connection (as ENS opens up to `maxAllowedConnections` of them), sending `POST`s of a
//! `pointsIssued` event from the testkit fixtures (~1.5 KB) with a fresh `eventId` each, so
//! every delivery is new (no duplicate shortcut). A sender sends its next delivery as soon as
//! the previous one is answered (a closed loop), and every answer must be 200.
//!
//! Three receivers:
//!
//! - `memory`: the receiver without an inbox: its in-memory deduplication store claims the
//!   event, a no-op `PointsIssued` handler runs inline, the claim completes, 200;
//! - `sqlite`: `acknowledge_with(inbox)` on a SQLite inbox in a temporary file (WAL,
//!   `synchronous=FULL`, the defaults), 200 after the group commit;
//! - `postgres`: the same on a PostgreSQL inbox in a database created for the run and dropped
//!   afterwards (`ENS_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`).
//!
//! Both inboxes run with [`InboxConfig::default`] and no workers: this measures the
//! acknowledgement path alone.
//!
//! The criterion group `ack` reports deliveries per second (`Throughput::Elements`, one
//! element per acknowledged delivery). After it, the `ack_latency` section sends a fixed number
//! of deliveries per receiver (after a warm-up) and prints the throughput and the percentiles
//! of the acknowledgement latency (request sent to answer read), which criterion cannot report.
//!
//! ```sh
//! cargo bench -p capillary-ens-inbox --features postgres --bench ack -- \
//!     --warm-up-time 1 --measurement-time 5
//! ```
//!
//! A filter selects receivers as usual (`-- ack/sqlite`, `-- postgres`); it applies to the
//! latency section too (`-- ack_latency` runs that section alone). `ENS_BENCH_SENDERS` changes
//! the concurrency, `ENS_BENCH_LATENCY_DELIVERIES` the size of the latency runs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use bytes::Bytes;
use capillary_ens_inbox::{Inbox, InboxConfig, open};
use capillary_ens_receiver::{Auth, EnsRouter, ReceiverConfig, StaticHeaders, Webhook};
use capillary_ens_schemas::events::PointsIssued;
use capillary_ens_testkit::fixtures;
use criterion::{Criterion, Throughput};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

#[allow(dead_code, unreachable_pub)]
#[path = "../tests/support/postgres.rs"]
mod postgres_support;

/// Concurrent senders (connections), unless `ENS_BENCH_SENDERS` says otherwise.
const SENDERS: usize = 32;
/// Deliveries per criterion iteration: one round of every sender's request, so that
/// criterion's per-iteration time is the time for [`SENDERS`] acknowledgements.
const PER_ITERATION: u64 = SENDERS as u64;
const TOKEN: &str = "b3nch-t0ken";
const PLACEHOLDER: &str = "@@EVENT_ID@@";

fn senders() -> usize {
    std::env::var("ENS_BENCH_SENDERS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(SENDERS)
        .max(1)
}

/// [`InboxConfig::default`], or the group commit `ENS_BENCH_WINDOW_US`, `ENS_BENCH_BATCH` and
/// `ENS_BENCH_WRITERS` ask for (to compare settings without editing the bench).
fn inbox_config() -> InboxConfig {
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|value| value.parse::<u64>().ok())
    };
    let mut config = InboxConfig::default();
    if var("ENS_BENCH_WINDOW_US").is_some() || var("ENS_BENCH_BATCH").is_some() {
        let window = var("ENS_BENCH_WINDOW_US").map_or(Duration::ZERO, Duration::from_micros);
        let batch = var("ENS_BENCH_BATCH").map_or(128, |batch| batch as usize);
        config = config.group_commit(window, batch);
    }
    if let Some(writers) = var("ENS_BENCH_WRITERS") {
        config = config.writers(writers as usize);
    }
    config
}

fn config() -> ReceiverConfig {
    ReceiverConfig::new(Auth::new(StaticHeaders::bearer(TOKEN)))
}

/// The request body, split around its event id.
struct Body {
    before: Vec<u8>,
    after: Vec<u8>,
    /// Distinguishes this run's event ids from any earlier run's.
    run: u128,
    next: AtomicU64,
}

impl Body {
    fn new() -> Self {
        let template = fixtures::points_issued().event_id(PLACEHOLDER).to_bytes();
        let at = template
            .windows(PLACEHOLDER.len())
            .position(|window| window == PLACEHOLDER.as_bytes())
            .expect("the fixture carries its event id");
        Self {
            before: template[..at].to_vec(),
            after: template[at + PLACEHOLDER.len()..].to_vec(),
            run: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos(),
            next: AtomicU64::new(0),
        }
    }

    /// A delivery of a new event.
    fn fresh(&self) -> Bytes {
        let id = format!(
            "{:x}-{:08}",
            self.run,
            self.next.fetch_add(1, Ordering::Relaxed)
        );
        let mut body = Vec::with_capacity(self.before.len() + id.len() + self.after.len());
        body.extend_from_slice(&self.before);
        body.extend_from_slice(id.as_bytes());
        body.extend_from_slice(&self.after);
        Bytes::from(body)
    }

    fn len(&self) -> usize {
        self.before.len() + self.after.len() + 32
    }
}

/// A receiver serving on a loopback port, with its keep-alive client connections.
struct Target {
    name: &'static str,
    address: SocketAddr,
    server: JoinHandle<()>,
    connections: Vec<SendRequest<Full<Bytes>>>,
    /// Kept until the end of the run: the SQLite file, the PostgreSQL database.
    _inbox: Option<Inbox>,
    _dir: Option<tempfile::TempDir>,
    database: Option<postgres_support::TestDatabase>,
}

impl Target {
    async fn memory() -> Self {
        async fn points_issued(_: Webhook<PointsIssued>) {}
        let app = EnsRouter::<ReceiverConfig>::new()
            .on::<PointsIssued, _, _>(points_issued)
            .into_router()
            .with_state(config());
        Self::serve("memory", app, None, None, None).await
    }

    async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite:{}", dir.path().join("inbox.db").display());
        let inbox = open(&url, inbox_config())
            .await
            .expect("the SQLite inbox opens");
        Self::serve("sqlite", inbox_app(&inbox), Some(inbox), Some(dir), None).await
    }

    async fn postgres() -> Self {
        let database = postgres_support::TestDatabase::create("bench_ack").await;
        let inbox = open(database.url(), inbox_config())
            .await
            .expect("the PostgreSQL inbox opens");
        if std::env::var("ENS_BENCH_NOTIFY_TRIGGER").is_ok_and(|value| value == "1") {
            // A diagnosis, not a configuration: migration 1's statement trigger, which
            // migration 2 dropped, so that every insert transaction `NOTIFY`s again (the
            // state before migration 2, plus the wake-up the writer now sends after it).
            let (client, connection) =
                tokio_postgres::connect(database.url(), tokio_postgres::NoTls)
                    .await
                    .expect("connect to the bench database");
            tokio::spawn(connection);
            client
                .batch_execute(
                    "CREATE FUNCTION ens_inbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN
                         IF EXISTS (SELECT 1 FROM inserted) THEN
                             PERFORM pg_notify('ens_inbox', '');
                         END IF;
                         RETURN NULL;
                     END
                     $$;
                     CREATE TRIGGER ens_inbox_inserted AFTER INSERT ON ens_inbox
                         REFERENCING NEW TABLE AS inserted
                         FOR EACH STATEMENT EXECUTE FUNCTION ens_inbox_notify();",
                )
                .await
                .expect("re-create the NOTIFY trigger");
        }
        Self::serve(
            "postgres",
            inbox_app(&inbox),
            Some(inbox),
            None,
            Some(database),
        )
        .await
    }

    async fn serve(
        name: &'static str,
        app: Router,
        inbox: Option<Inbox>,
        dir: Option<tempfile::TempDir>,
        database: Option<postgres_support::TestDatabase>,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("the server runs");
        });
        let mut connections = Vec::new();
        for _ in 0..senders() {
            connections.push(connect(address).await);
        }
        Self {
            name,
            address,
            server,
            connections,
            _inbox: inbox,
            _dir: dir,
            database,
        }
    }

    /// Sends `deliveries` new deliveries over every connection at once; returns the elapsed
    /// time and, when `latencies`, each delivery's acknowledgement latency.
    async fn send(
        &mut self,
        body: &Arc<Body>,
        deliveries: u64,
        latencies: bool,
    ) -> (Duration, Vec<Duration>) {
        let remaining = Arc::new(AtomicUsize::new(
            usize::try_from(deliveries).unwrap_or(usize::MAX),
        ));
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(self.connections.len());
        for mut connection in self.connections.drain(..) {
            let remaining = Arc::clone(&remaining);
            let body = Arc::clone(body);
            let address = self.address;
            tasks.push(tokio::spawn(async move {
                let mut measured = Vec::new();
                while remaining
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                        left.checked_sub(1)
                    })
                    .is_ok()
                {
                    let request = hyper::Request::post("/")
                        .header("host", address.to_string())
                        .header("authorization", format!("Bearer {TOKEN}"))
                        .header("content-type", "application/json")
                        .body(Full::new(body.fresh()))
                        .unwrap();
                    let sent = Instant::now();
                    connection.ready().await.expect("the connection stays open");
                    let response = connection
                        .send_request(request)
                        .await
                        .expect("the receiver answers");
                    let status = response.status();
                    let _ = response.into_body().collect().await;
                    if latencies {
                        measured.push(sent.elapsed());
                    }
                    assert_eq!(status, 200, "every delivery is acknowledged");
                }
                (connection, measured)
            }));
        }
        let mut all = Vec::new();
        for task in tasks {
            let (connection, measured) = task.await.expect("a sender finishes");
            self.connections.push(connection);
            all.extend(measured);
        }
        (started.elapsed(), all)
    }
}

fn inbox_app(inbox: &Inbox) -> Router {
    EnsRouter::<ReceiverConfig>::new()
        .acknowledge_with(inbox.clone())
        .into_router()
        .with_state(config())
}

async fn connect(address: SocketAddr) -> SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect to the receiver");
    stream.set_nodelay(true).unwrap();
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("an HTTP/1.1 connection");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    sender
}

/// The bench's filter (the first free argument), to skip receivers nobody asked for.
fn filter() -> Option<String> {
    const WITH_VALUE: &[&str] = &[
        "--warm-up-time",
        "--measurement-time",
        "--sample-size",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--save-baseline",
        "-s",
        "--baseline",
        "-b",
        "--baseline-lenient",
        "--load-baseline",
        "--color",
        "-c",
        "--output-format",
        "--profile-time",
        "--plotting-backend",
        "--format",
        "--sampling-mode",
    ];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if WITH_VALUE.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            return Some(arg);
        }
    }
    None
}

fn selected(filter: Option<&str>, id: &str) -> bool {
    filter.is_none_or(|filter| id.contains(filter))
}

type Setup = fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Target>>>;

const TARGETS: [(&str, Setup); 3] = [
    ("memory", || Box::pin(Target::memory())),
    ("sqlite", || Box::pin(Target::sqlite())),
    ("postgres", || Box::pin(Target::postgres())),
];

fn throughput(criterion: &mut Criterion, runtime: &Runtime, body: &Arc<Body>) -> Vec<Target> {
    let filter = filter();
    let mut kept = Vec::new();
    let mut group = criterion.benchmark_group("ack");
    group.throughput(Throughput::Elements(PER_ITERATION));
    for (name, setup) in TARGETS {
        if !selected(filter.as_deref(), &format!("ack/{name}")) {
            continue;
        }
        let mut target = runtime.block_on(setup());
        group.bench_function(name, |bencher| {
            bencher.iter_custom(|iterations| {
                runtime
                    .block_on(target.send(body, iterations * PER_ITERATION, false))
                    .0
            });
        });
        kept.push(target);
    }
    group.finish();
    kept
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let rank = ((sorted.len() as f64) * fraction).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[allow(clippy::print_stdout, reason = "the latency section's report")]
fn latency(runtime: &Runtime, body: &Arc<Body>, mut targets: Vec<Target>) -> Vec<Target> {
    let filter = filter();
    let deliveries: u64 = std::env::var("ENS_BENCH_LATENCY_DELIVERIES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(20_000);
    for (name, setup) in TARGETS {
        let id = format!("ack_latency/{name}");
        if !selected(filter.as_deref(), &id) {
            continue;
        }
        let at = match targets.iter().position(|target| target.name == name) {
            Some(at) => at,
            None => {
                targets.push(runtime.block_on(setup()));
                targets.len() - 1
            }
        };
        let target = &mut targets[at];
        runtime.block_on(target.send(body, deliveries / 10, false));
        let (elapsed, mut latencies) = runtime.block_on(target.send(body, deliveries, true));
        latencies.sort_unstable();
        let ms = |duration: Duration| duration.as_secs_f64() * 1e3;
        println!(
            "{id:<24} senders {:>3}  deliveries {deliveries}  {:>8.0} deliveries/s  \
             p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  p99.9 {:.2} ms  max {:.2} ms",
            target.connections.len(),
            deliveries as f64 / elapsed.as_secs_f64(),
            ms(percentile(&latencies, 0.50)),
            ms(percentile(&latencies, 0.90)),
            ms(percentile(&latencies, 0.99)),
            ms(percentile(&latencies, 0.999)),
            ms(*latencies.last().unwrap()),
        );
    }
    targets
}

#[allow(clippy::print_stdout, reason = "the run's setup, for the record")]
fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let body = Arc::new(Body::new());
    let mut criterion = Criterion::default().configure_from_args();
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    println!(
        "ack bench: {} senders, one keep-alive connection each; body ~{} bytes",
        senders(),
        body.len()
    );
    let targets = throughput(&mut criterion, &runtime, &body);
    let targets = latency(&runtime, &body, targets);
    criterion.final_summary();
    // Stop the servers and the inboxes' tasks with the runtime, then drop the databases.
    let mut databases = Vec::new();
    for mut target in targets {
        target.server.abort();
        databases.extend(target.database.take());
    }
    drop(runtime);
    drop(databases);
}
