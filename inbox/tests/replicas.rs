//! Replica test: two receivers, each with its own pool, listener and workers, on one
//! PostgreSQL database. ENS's copies of every event are spread across both (and some are sent
//! twice more): each event is stored once and processed once.

mod support;

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use axum::extract::{FromRef, State};
use capillary_ens_inbox::{Inbox, InboxConfig, PostgresStore};
use capillary_ens_receiver::{EnsRouter, HandlerError, ReceiverConfig, Webhook};
use capillary_ens_schemas::events::PointsIssued;
use capillary_ens_testkit::fixtures;
use capillary_ens_testkit::simulator::{Duplicates, Simulator};
use support::postgres::TestDatabase;

/// The handlers' state: the receiver's configuration and the brand's pool.
#[derive(Clone)]
struct AppState {
    config: ReceiverConfig,
    pool: deadpool_postgres::Pool,
}

impl FromRef<AppState> for ReceiverConfig {
    fn from_ref(state: &AppState) -> Self {
        state.config.clone()
    }
}

/// Records the event in the brand's table (outside the inbox's transaction: at-least-once,
/// and with no crash here, once).
async fn record_points(
    State(state): State<AppState>,
    webhook: Webhook<PointsIssued>,
) -> Result<(), HandlerError> {
    let client = state.pool.get().await?;
    // Slow enough that both replicas' workers are busy at once.
    tokio::time::sleep(Duration::from_millis(2)).await;
    client
        .execute(
            "INSERT INTO effects (key) VALUES ($1)",
            &[&webhook.envelope.event_id],
        )
        .await?;
    Ok(())
}

/// One replica: its own store (pool and LISTEN connection), workers running the router's
/// typed handler, and an HTTP receiver.
async fn replica(url: &str) -> (String, Inbox, capillary_ens_inbox::Workers) {
    let store = PostgresStore::connect(url).await.unwrap();
    let state = AppState {
        config: support::receiver::config(),
        pool: store.pool().clone(),
    };
    let config = InboxConfig::default()
        .workers(3)
        .claim_batch(4)
        .poll_interval(Duration::from_millis(200));
    let inbox = Inbox::new(store, config);
    let handlers = EnsRouter::new().on::<PointsIssued, _, _>(record_points);
    let workers = inbox.start_router(handlers, state);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    tokio::spawn(support::receiver::serve(
        inbox.clone(),
        SocketAddr::from(([127, 0, 0, 1], port)),
    ));
    let address = format!("http://127.0.0.1:{port}/");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    (address, inbox, workers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_database_process_each_event_once() {
    let database = TestDatabase::create("replicas").await;
    PostgresStore::connect(database.url()).await.unwrap(); // migrate once up front
    {
        let (client, connection) = tokio_postgres::connect(database.url(), tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute("CREATE TABLE effects (key text NOT NULL)")
            .await
            .unwrap();
    }
    let (first_url, first, first_workers) = replica(database.url()).await;
    let (second_url, _second, second_workers) = replica(database.url()).await;

    let events: Vec<serde_json::Value> = (0..150)
        .map(|index| {
            fixtures::points_issued()
                .event_id(format!("replica-{index}"))
                .build()
        })
        .collect();
    let send = |url: String, seed: u64, events: Vec<serde_json::Value>| {
        let simulator = Simulator::to_url(url)
            .bearer(support::receiver::TOKEN)
            .max_connections(16)
            .duplicates(Duplicates::seeded(0.5, seed))
            .reorder(seed)
            .build();
        tokio::spawn(async move { simulator.deliver_all(events).await })
    };
    // Every event goes to both replicas at once, some twice more.
    let to_first = send(first_url, 1, events.clone());
    let to_second = send(second_url, 2, events.clone());
    let mut copies = 0;
    for reports in [to_first.await.unwrap(), to_second.await.unwrap()] {
        for report in reports {
            assert!(
                report.is_delivered(),
                "every copy is acknowledged: {report:?}"
            );
            copies += 1;
        }
    }
    assert!(copies >= 300 + 100, "duplicates were sent: {copies} copies");

    // Wait (bounded) for both replicas' workers to process everything.
    let mut stats = first.stats().await.unwrap();
    for _ in 0..200 {
        if stats.processed == 150 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        stats = first.stats().await.unwrap();
    }
    first_workers.shutdown().await;
    second_workers.shutdown().await;
    assert_eq!(stats.received, 150, "each event stored once");
    assert_eq!(stats.processed, 150, "each event processed");
    assert_eq!(stats.duplicates_suppressed, copies - 150);

    let (client, connection) = tokio_postgres::connect(database.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let rows = client
        .query("SELECT key, COUNT(*) FROM effects GROUP BY key", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 150, "every event had its effect");
    for row in rows {
        let (key, count): (String, i64) = (row.get(0), row.get(1));
        assert_eq!(count, 1, "{key} was processed {count} times");
    }
}
