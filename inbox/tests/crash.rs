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

use capillary_ens_inbox::{InboxConfig, SqliteStore, SqliteTransactional};
use capillary_ens_receiver::HandlerError;
use capillary_ens_schemas::events::PointsIssued;
use capillary_ens_testkit::fixtures;
use capillary_ens_testkit::simulator::{Duplicates, RetryPolicy, Simulator};
use tokio::process::{Child, Command};

const CHILD: &str = "ENS_INBOX_CRASH_CHILD";
const PORT: &str = "ENS_INBOX_CRASH_PORT";
const TEST: &str = "a_receiver_killed_under_load_loses_nothing_and_processes_once";

/// Child mode: the brand's ledger lives in the inbox's file, written inside the inbox's
/// transaction. The first attempt of every tenth event fails (and is retried).
async fn run_child(path: &Path, port: u16) {
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
        let flaky = points
            .envelope
            .event_id
            .as_deref()
            .is_some_and(|id| id.ends_with('7'));
        if flaky && points.attempt == 1 {
            return Err(HandlerError::from("the downstream is briefly down"));
        }
        Ok(())
    });
    let config = InboxConfig::default()
        .workers(2)
        .claim_batch(4)
        .lease(Duration::from_millis(800))
        .backoff(Duration::from_millis(20), Duration::from_millis(100))
        .poll_interval(Duration::from_millis(50));
    let inbox = capillary_ens_inbox::Inbox::new(store, config);
    let _workers = inbox.start(processor);
    support::receiver::serve(inbox, SocketAddr::from(([127, 0, 0, 1], port))).await;
}

struct Receiver {
    path: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Receiver {
    async fn start(&mut self) {
        let child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
            .env(CHILD, &self.path)
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
async fn a_receiver_killed_under_load_loses_nothing_and_processes_once() {
    if let Ok(path) = std::env::var(CHILD) {
        let port = std::env::var(PORT).unwrap().parse().unwrap();
        run_child(Path::new(&path), port).await;
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut receiver = Receiver {
        path: dir.path().join("inbox.db"),
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
    let path = receiver.path.clone();
    let drained = wait_until_drained(&path).await;
    receiver.kill().await;
    assert!(drained, "the inbox drained within the time limit");

    assert!(
        interrupted >= 2,
        "the kills hit the receiver under load ({interrupted} rounds)"
    );
    let (states, effects) = read_outcome(&path);
    let reclaimed: u32 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM ens_inbox WHERE attempts > 1 AND event_id NOT LIKE '%7'",
            [],
            |row| row.get(0),
        )
        .unwrap();
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

async fn wait_until_drained(path: &Path) -> bool {
    for _ in 0..200 {
        let (states, _) = read_outcome(path);
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

/// Each row's state, and how many effect rows each event id has.
fn read_outcome(path: &Path) -> (BTreeMap<String, String>, BTreeMap<String, u32>) {
    let connection = rusqlite::Connection::open(path).unwrap();
    connection.busy_timeout(Duration::from_secs(5)).unwrap();
    let states = connection
        .prepare("SELECT key, state FROM ens_inbox")
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
            .prepare("SELECT event_id, COUNT(*) FROM effects GROUP BY event_id")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    } else {
        BTreeMap::new()
    };
    (states, effects)
}
