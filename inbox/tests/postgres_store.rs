//! The PostgreSQL inbox on a real server (`ENS_TEST_POSTGRES_URL`, default
//! postgres://postgres@127.0.0.1:5432/test), in a fresh database per test: the store rules,
//! the dedup store's conformance, migrations, wake-ups and an unavailable database.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use capillary_ens_inbox::{
    Claimed, Inbox, InboxConfig, InboxStore, Outcome, PostgresDedup, PostgresStore, Stored,
};
use capillary_ens_testkit::conformance::{self, Replicas, Timings};
use support::postgres::TestDatabase;
use support::{points_issued, rules};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_store_keeps_the_inbox_rules() {
    let database = TestDatabase::create("rules").await;
    let next = AtomicUsize::new(0);
    rules::all(|| async {
        let schema = format!("rules_{}", next.fetch_add(1, Ordering::SeqCst));
        let url = database.schema_url(&schema).await;
        Arc::new(PostgresStore::connect(&url).await.unwrap()) as Arc<dyn InboxStore>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_dedup_store_passes_the_conformance_suite() {
    let database = TestDatabase::create("dedup").await;
    let url = database.url().to_owned();
    let first = PostgresStore::connect(&url).await.unwrap();
    let second = PostgresStore::connect(&url).await.unwrap();
    conformance::check_store(move |timings: Timings| {
        let dedup = |store: &PostgresStore| {
            PostgresDedup::new(store)
                .processing_timeout(timings.processing_timeout)
                .ttl(timings.ttl)
        };
        let replicas = Replicas::new(Arc::new(dedup(&first)), Arc::new(dedup(&second)));
        async move { replicas }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_run_once_even_when_replicas_start_together() {
    let database = TestDatabase::create("migrate").await;
    let url = database.url().to_owned();
    let starts = (0..4).map(|_| {
        let url = url.clone();
        tokio::spawn(async move { PostgresStore::connect(&url).await.map(|_| ()) })
    });
    for start in starts {
        start.await.unwrap().expect("every replica starts");
    }
    let store = PostgresStore::connect_with(&url, 2, false).await.unwrap();
    assert_eq!(
        store.migrate().await.unwrap(),
        PostgresStore::schema_version()
    );
    let client = store.pool().get().await.unwrap();
    let applied: i64 = client
        .query_one("SELECT COUNT(*) FROM ens_inbox_migrations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(applied, i64::from(PostgresStore::schema_version()));
}

/// A worker on one replica, polling only once a minute, wakes within a moment of a delivery
/// stored by the other replica: the `NOTIFY` the writer sends after its commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_wake_on_notify_from_another_replica() {
    let database = TestDatabase::create("notify").await;
    assert_another_replica_wakes(database.url(), "wake-1").await;
}

/// A database at schema version 1 (migration 1's statement trigger `NOTIFY`ing inside every
/// insert transaction, as deployed before version 2) is upgraded on connect: the trigger and
/// its function are gone, and a replica's deliveries still wake another replica's workers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrading_from_version_1_drops_the_notify_trigger_and_wake_ups_still_work() {
    let database = TestDatabase::create("upgrade").await;
    let (client, connection) = tokio_postgres::connect(database.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    // The schema exactly as a version-1 build left it: its migrations table, migration 1.
    client
        .batch_execute(
            "CREATE TABLE ens_inbox_migrations (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )",
        )
        .await
        .unwrap();
    client
        .batch_execute(include_str!("../src/postgres/migrations/0001_inbox.sql"))
        .await
        .unwrap();
    client
        .batch_execute("INSERT INTO ens_inbox_migrations (version) VALUES (1)")
        .await
        .unwrap();
    let notify_trigger = || async {
        let row = client
            .query_one(
                "SELECT (SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'ens_inbox_inserted'), \
                        (SELECT COUNT(*) FROM pg_proc WHERE proname = 'ens_inbox_notify')",
                &[],
            )
            .await
            .unwrap();
        (row.get::<_, i64>(0), row.get::<_, i64>(1))
    };
    assert_eq!(notify_trigger().await, (1, 1), "version 1 has the trigger");

    let store = PostgresStore::connect_with(database.url(), 2, false)
        .await
        .unwrap();
    assert_eq!(store.migrate().await.unwrap(), 2);
    assert_eq!(notify_trigger().await, (0, 0), "version 2 dropped it");
    let versions: Vec<i32> = client
        .query(
            "SELECT version FROM ens_inbox_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(versions, [1, 2]);
    assert_another_replica_wakes(database.url(), "upgraded-1").await;
}

/// Two replicas on `url` whose workers poll only once a minute: a delivery acknowledged by
/// one is handled by the other's worker within seconds, so the wake-up came by `NOTIFY`.
async fn assert_another_replica_wakes(url: &str, event_id: &str) {
    let (receiving, mut idle) = IdleReplica::start(url).await;
    let started = Instant::now();
    assert_eq!(
        receiving
            .acknowledge(points_issued(event_id, std::time::SystemTime::now()))
            .await
            .unwrap(),
        Stored::New
    );
    assert_eq!(idle.woken().await, format!("pointsIssued:{event_id}"));
    assert!(started.elapsed() < Duration::from_secs(10));
    idle.workers.shutdown().await;
}

/// `retry_dead` on one replica wakes another replica's idle worker (the `NOTIFY` is sent
/// after the re-queue's own transaction, before `retry_dead` returns: `ens inbox retry-dead`
/// may exit right after).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_dead_wakes_another_replicas_workers() {
    let database = TestDatabase::create("requeue_wake").await;
    let (receiving, mut idle) = IdleReplica::start(database.url()).await;
    // A dead letter, written directly (no wake-up, and no due row for the idle worker).
    let (client, connection) = tokio_postgres::connect(database.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(
            "INSERT INTO ens_inbox (key, event_name, event_id, received_at, body, state, \
                attempts, next_attempt_at) \
             VALUES ('pointsIssued:dead-1', 'pointsIssued', 'dead-1', now(), '\\x7b7d', 'dead', \
                36, NULL)",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let requeued = receiving
        .retry_dead(&capillary_ens_inbox::Filter::all())
        .await
        .unwrap();
    assert_eq!(requeued, 1);
    assert_eq!(idle.woken().await, "pointsIssued:dead-1");
    assert!(started.elapsed() < Duration::from_secs(10));
    idle.workers.shutdown().await;
}

/// A replica whose one worker has found the table empty and sleeps on a minute-long poll,
/// with both its listener and the other replica's listening.
struct IdleReplica {
    workers: capillary_ens_inbox::Workers,
    handled: tokio::sync::mpsc::UnboundedReceiver<String>,
}

impl IdleReplica {
    /// The other replica (to store or re-queue with) and the idle one.
    async fn start(url: &str) -> (Inbox, Self) {
        let config = InboxConfig::default()
            .poll_interval(Duration::from_secs(60))
            .workers(1);
        let other = Inbox::new(PostgresStore::connect(url).await.unwrap(), config.clone());
        let working = Inbox::new(PostgresStore::connect(url).await.unwrap(), config);
        let (done, handled) = tokio::sync::mpsc::unbounded_channel();
        let workers = working.start(move |claimed: Claimed| {
            let done = done.clone();
            async move {
                let _ = done.send(claimed.key);
                Outcome::Handled
            }
        });
        // Both replicas' listeners are up (a listener wakes its workers once when it starts,
        // for rows stored before: that wake-up must be over before the test acts), and the
        // worker has found the empty table and sleeps on its minute-long poll.
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        let listening = Instant::now();
        loop {
            let listeners: i64 = client
                .query_one(
                    "SELECT COUNT(*) FROM pg_stat_activity \
                     WHERE datname = current_database() AND query = 'LISTEN ens_inbox'",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            if listeners >= 2 {
                break;
            }
            assert!(
                listening.elapsed() < Duration::from_secs(10),
                "both replicas listen"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        (other, Self { workers, handled })
    }

    /// The key the worker handled next; panics unless it comes long before the poll.
    async fn woken(&mut self) -> String {
        tokio::time::timeout(Duration::from_secs(10), self.handled.recv())
            .await
            .expect("the worker woke long before its minute-long poll")
            .unwrap()
    }
}

/// With the database unreachable, an acknowledgement fails promptly with a `Retry-After`,
/// so the receiver can answer 503 and ENS retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_refuses_acknowledgements_with_retry_after() {
    let database = TestDatabase::create("down").await;
    let store = PostgresStore::connect_with(database.url(), 2, true)
        .await
        .unwrap();
    let inbox = Inbox::new(
        store,
        InboxConfig::default().retry_after(Duration::from_secs(7)),
    );
    drop(database); // The database is dropped (connections terminated) under the inbox.
    let started = Instant::now();
    let refused = inbox
        .acknowledge(points_issued("down-1", std::time::SystemTime::now()))
        .await
        .expect_err("no database, no acknowledgement");
    assert_eq!(refused.retry_after(), Duration::from_secs(7));
    assert_eq!(
        (inbox.counters().unavailable, inbox.counters().stored),
        (1, 0),
        "the refusal is counted, for the 503 graph"
    );
    assert!(started.elapsed() < Duration::from_secs(15));
}

/// Through the router: with the database gone, ENS is answered 503 with the inbox's
/// `Retry-After`, never 2xx (the event would be lost) nor 4xx (ENS would drop it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_router_answers_503_with_retry_after_while_the_database_is_down() {
    use tower::ServiceExt;

    let database = TestDatabase::create("down_http").await;
    let store = PostgresStore::connect_with(database.url(), 2, true)
        .await
        .unwrap();
    let inbox = Inbox::new(
        store,
        InboxConfig::default().retry_after(Duration::from_secs(9)),
    );
    let app = support::receiver::app(inbox);
    let request = || {
        axum::http::Request::post("/")
            .header(
                "authorization",
                format!("Bearer {}", support::receiver::TOKEN),
            )
            .header("content-type", "application/json")
            .body(axum::body::Body::from(
                capillary_ens_testkit::fixtures::points_issued()
                    .event_id("http-down")
                    .to_bytes(),
            ))
            .unwrap()
    };
    let answered = app.clone().oneshot(request()).await.unwrap();
    assert_eq!(answered.status(), 200, "stored while the database is up");
    drop(database);
    let answered = app.oneshot(request()).await.unwrap();
    assert_eq!(answered.status(), 503);
    assert_eq!(answered.headers()["retry-after"], "9");
}
