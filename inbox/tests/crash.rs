//! Crash test: a receiver child process is killed with SIGKILL several times while the
//! simulator delivers events to it (with duplicates), and restarted each time. At the end,
//! every delivery answered 2xx was processed exactly once (one row of the handler's own
//! effects) or is a dead letter; nothing answered 2xx is lost.
//!
//! The child is this test binary run again with `ENS_INBOX_CRASH_CHILD` set: the same test
//! function then serves the inbox instead of driving the run.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use capillary_ens_inbox::{
    InboxConfig, PostgresStore, PostgresTransactional, SqliteStore, SqliteTransactional,
};
use capillary_ens_receiver::HandlerError;
use capillary_ens_schemas::events::PointsIssued;
use capillary_ens_testkit::fixtures;
use capillary_ens_testkit::simulator::{Duplicates, RetryPolicy, Simulator};
use support::postgres::TestDatabase;
use tokio::process::{Child, Command};

const CHILD: &str = "ENS_INBOX_CRASH_CHILD";
const PORT: &str = "ENS_INBOX_CRASH_PORT";

fn child_config() -> InboxConfig {
    InboxConfig::default()
        .workers(2)
        .claim_batch(4)
        .lease(Duration::from_millis(800))
        .backoff(Duration::from_millis(20), Duration::from_millis(100))
        .poll_interval(Duration::from_millis(50))
}

/// Whether the handler fails this attempt: the first attempt of every tenth event.
fn flaky(event_id: Option<&str>, attempt: u32) -> bool {
    event_id.is_some_and(|id| id.ends_with('7')) && attempt == 1
}

/// Child mode, SQLite: the brand's ledger lives in the inbox's file, written inside the
/// inbox's transaction.
async fn run_sqlite_child(path: &Path, port: u16) {
    let store = SqliteStore::open(path)
        .await
        .expect("the child opens the inbox");
    let processor = SqliteTransactional::new(&store).on::<PointsIssued, _>(|tx, points| {
        tx.execute(
            "CREATE TABLE IF NOT EXISTS effects (event_id TEXT NOT NULL, attempt INTEGER)",
            (),
        )?;
        tx.execute(
            "INSERT INTO effects (event_id, attempt) VALUES (?1, ?2)",
            (points.envelope.event_id.as_deref(), points.attempt),
        )?;
        if flaky(points.envelope.event_id.as_deref(), points.attempt) {
            return Err(HandlerError::from("the downstream is briefly down"));
        }
        Ok(())
    });
    let inbox = capillary_ens_inbox::Inbox::new(store, child_config());
    let _workers = inbox.start(processor);
    support::receiver::serve(inbox, SocketAddr::from(([127, 0, 0, 1], port))).await;
}

/// Child mode, PostgreSQL: the ledger is a table in the inbox's database.
async fn run_postgres_child(url: &str, port: u16) {
    let store = PostgresStore::connect(url)
        .await
        .expect("the child opens the inbox");
    let processor = PostgresTransactional::new(&store).on::<PointsIssued, _>(|tx, points| {
        Box::pin(async move {
            let attempt = points.attempt as i32;
            tx.execute(
                "INSERT INTO effects (event_id, attempt) VALUES ($1, $2)",
                &[&points.envelope.event_id, &attempt],
            )
            .await?;
            if flaky(points.envelope.event_id.as_deref(), points.attempt) {
                return Err(HandlerError::from("the downstream is briefly down"));
            }
            Ok(())
        })
    });
    let inbox = capillary_ens_inbox::Inbox::new(store, child_config());
    let _workers = inbox.start(processor);
    support::receiver::serve(inbox, SocketAddr::from(([127, 0, 0, 1], port))).await;
}

/// Runs the child when this process is one; returns whether it was.
async fn child_mode() -> bool {
    let Ok(url) = std::env::var(CHILD) else {
        return false;
    };
    let port = std::env::var(PORT).unwrap().parse().unwrap();
    match url.strip_prefix("sqlite:") {
        Some(path) => run_sqlite_child(Path::new(path), port).await,
        None => run_postgres_child(&url, port).await,
    }
    true
}

struct Receiver {
    url: String,
    test: &'static str,
    port: u16,
    child: Option<Child>,
}

impl Receiver {
    async fn start(&mut self) {
        let child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", self.test, "--nocapture", "--test-threads=1"])
            .env(CHILD, &self.url)
            .env(PORT, self.port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the receiver child starts");
        self.child = Some(child);
        // Ready when it accepts connections.
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the receiver child did not start listening");
    }

    async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.start_kill().expect("SIGKILL the child");
            child.wait().await.expect("the child is reaped");
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Event ids: 120 per round, one in twenty with data that does not match its type.
fn events(round: usize) -> Vec<(String, serde_json::Value)> {
    (0..120)
        .map(|index| {
            let id = format!("crash-{round}-{index:02}");
            let body = if index % 20 == 3 {
                serde_json::json!({
                    "eventName": "pointsIssued", "eventId": id,
                    "data": {"loyaltyProgramId": "two"}
                })
            } else {
                fixtures::points_issued().event_id(&id).build()
            };
            (id, body)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_receiver_killed_under_load_loses_nothing_and_processes_once() {
    if child_mode().await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inbox.db");
    let ledger = Ledger::Sqlite(path.clone());
    crash_under_load(
        format!("sqlite:{}", path.display()),
        "a_sqlite_receiver_killed_under_load_loses_nothing_and_processes_once",
        &ledger,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_receiver_killed_under_load_loses_nothing_and_processes_once() {
    if child_mode().await {
        return;
    }
    let database = TestDatabase::create("crash").await;
    PostgresStore::connect(database.url()).await.unwrap();
    let ledger = Ledger::Postgres(database.url().to_owned());
    ledger
        .execute("CREATE TABLE effects (event_id text NOT NULL, attempt integer)")
        .await;
    crash_under_load(
        database.url().to_owned(),
        "a_postgres_receiver_killed_under_load_loses_nothing_and_processes_once",
        &ledger,
    )
    .await;
}

/// Delivers five rounds of events with duplicates, killing the receiver mid-load in the first
/// four, then checks every acknowledged event's fate in the inbox and the ledger.
async fn crash_under_load(url: String, test: &'static str, ledger: &Ledger) {
    let mut receiver = Receiver {
        url,
        test,
        port: free_port(),
        child: None,
    };
    let url = format!("http://127.0.0.1:{}/", receiver.port);
    let mut acknowledged = BTreeSet::new();
    let mut mistyped = BTreeSet::new();
    let mut outstanding: Vec<(String, serde_json::Value)> = Vec::new();
    let kills = 4;
    let mut interrupted = 0;
    for round in 0..=kills {
        receiver.start().await;
        for (id, body) in events(round) {
            if body["data"]["loyaltyProgramId"] == "two" {
                mistyped.insert(id.clone());
            }
            outstanding.push((id, body));
        }
        // ENS does not retry within a round here: what failed is sent again next round.
        let simulator = Simulator::to_url(url.clone())
            .bearer(support::receiver::TOKEN)
            .retry_policy(RetryPolicy::none())
            .max_connections(16)
            .duplicates(Duplicates::seeded(0.3, round as u64))
            .build();
        let sending: Vec<serde_json::Value> =
            outstanding.iter().map(|(_, body)| body.clone()).collect();
        let sender = simulator.clone();
        let delivering = tokio::spawn(async move { sender.deliver_all(sending).await });
        if round < kills {
            // Kill mid-load, once a share of this round's requests were made: some are
            // answered, some committed but not answered, some never read.
            let threshold = 30 + 15 * round;
            for _ in 0..1000 {
                let answered = simulator
                    .log()
                    .iter()
                    .filter(|report| report.is_delivered())
                    .count();
                if answered >= threshold || delivering.is_finished() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            receiver.kill().await;
        }
        let reports = delivering.await.unwrap();
        for report in &reports {
            if report.is_delivered() {
                acknowledged.insert(report.event_id.clone().unwrap());
            }
        }
        outstanding.retain(|(id, _)| !acknowledged.contains(id));
        eprintln!(
            "round {round}: acknowledged {} outstanding {}",
            acknowledged.len(),
            outstanding.len()
        );
        if round < kills && !outstanding.is_empty() {
            interrupted += 1;
        }
        if round == kills {
            assert!(
                outstanding.is_empty(),
                "the last round, unkilled, delivers everything"
            );
        }
    }
    // Let the last receiver drain the inbox (bounded), then stop it.
    let drained = wait_until_drained(ledger).await;
    receiver.kill().await;
    assert!(drained, "the inbox drained within the time limit");

    assert!(
        interrupted >= 2,
        "the kills hit the receiver under load ({interrupted} rounds)"
    );
    let (states, effects, reclaimed) = ledger.outcome().await;
    eprintln!("rows claimed again after a kill: {reclaimed}");
    assert_eq!(
        acknowledged.len(),
        600,
        "every event was acknowledged in the end"
    );
    for id in &acknowledged {
        let key = format!("pointsIssued:{id}");
        let state = states
            .get(&key)
            .unwrap_or_else(|| panic!("{id} was answered 2xx but is not in the inbox"));
        let applied = effects.get(id).copied().unwrap_or(0);
        if mistyped.contains(id) {
            assert_eq!(state, "dead", "{id}: a mistyped event is a dead letter");
            assert_eq!(applied, 0, "{id}: a dead letter has no effects");
        } else {
            assert_eq!(state, "processed", "{id}");
            assert_eq!(applied, 1, "{id}: processed exactly once");
        }
    }
    assert_eq!(
        states.len(),
        acknowledged.len(),
        "nothing stored that was not acknowledged"
    );
}

async fn wait_until_drained(ledger: &Ledger) -> bool {
    for _ in 0..200 {
        let (states, _, _) = ledger.outcome().await;
        if states
            .values()
            .all(|state| state == "processed" || state == "dead")
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// Where the test reads the inbox and the handler's effects.
enum Ledger {
    Sqlite(PathBuf),
    Postgres(String),
}

type States = BTreeMap<String, String>;
type Effects = BTreeMap<String, u32>;

impl Ledger {
    async fn execute(&self, sql: &str) {
        if let Ledger::Postgres(url) = self {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            client.batch_execute(sql).await.unwrap();
        }
    }

    /// Each row's state, how many effect rows each event id has, and how many rows (not
    /// failed on purpose) took more than one attempt: re-claimed after a kill.
    async fn outcome(&self) -> (States, Effects, i64) {
        const STATES: &str = "SELECT key, state FROM ens_inbox";
        const EFFECTS: &str = "SELECT event_id, COUNT(*) FROM effects GROUP BY event_id";
        const RECLAIMED: &str =
            "SELECT COUNT(*) FROM ens_inbox WHERE attempts > 1 AND event_id NOT LIKE '%7'";
        match self {
            Ledger::Sqlite(path) => {
                let connection = rusqlite::Connection::open(path).unwrap();
                connection.busy_timeout(Duration::from_secs(5)).unwrap();
                let states = connection
                    .prepare(STATES)
                    .unwrap()
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                let has_effects: bool = connection
                    .query_row(
                        "SELECT COUNT(*) > 0 FROM sqlite_master WHERE name = 'effects'",
                        [],
                        |row| row.get(0),
                    )
                    .unwrap();
                let effects = if has_effects {
                    connection
                        .prepare(EFFECTS)
                        .unwrap()
                        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                        .unwrap()
                        .collect::<Result<_, _>>()
                        .unwrap()
                } else {
                    BTreeMap::new()
                };
                let reclaimed = connection
                    .query_row(RECLAIMED, [], |row| row.get(0))
                    .unwrap();
                (states, effects, reclaimed)
            }
            Ledger::Postgres(url) => {
                let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(connection);
                let states = client
                    .query(STATES, &[])
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| (row.get(0), row.get(1)))
                    .collect();
                let effects = client
                    .query(EFFECTS, &[])
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| (row.get(0), row.get::<_, i64>(1) as u32))
                    .collect();
                let reclaimed = client.query_one(RECLAIMED, &[]).await.unwrap().get(0);
                (states, effects, reclaimed)
            }
        }
    }
}
