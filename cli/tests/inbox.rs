//! `ens listen --inbox` and `ens inbox …`, run as users run them: the real binary, a SQLite
//! file in a temporary directory or a fresh PostgreSQL database (required: a missing server
//! fails these tests, see `support/postgres.rs`), loopback servers.

use std::path::Path;

use axum::Router;
use axum::routing::post;
use http::StatusCode;
use predicates::prelude::*;
use serde_json::Value;

mod support;
use support::postgres::TestDatabase;
use support::{RunningListener, ens};

const MOBILE: &str = "919800000002";

/// `ens ARGS… --format json`, expected to succeed: its stdout as JSON values, one a line.
fn json_lines(args: &[&str]) -> Vec<Value> {
    let output = ens()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {:?} {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

fn stats(inbox: &str) -> Value {
    let mut lines = json_lines(&["inbox", "stats", "--inbox", inbox]);
    assert_eq!(lines.len(), 1, "stats prints one JSON object");
    lines.remove(0)
}

/// `ens trigger pointsIssued` with a fixed event id (and a mobile number, personal data) to
/// `url`.
fn trigger(url: &str, event_id: &str) {
    ens()
        .args(["trigger", "pointsIssued", "--to", url])
        .args(["--set", &format!("eventId={event_id}")])
        .args([
            "--set",
            &format!("data.customerIdentifiers.instore.mobile={MOBILE}"),
        ])
        .assert()
        .success();
}

/// Runs `ens listen --inbox INBOX --max-deliveries 1 --format json EXTRA…` while `send`
/// delivers; returns its JSON lines.
fn listen_once(inbox: &str, extra: &[&str], send: impl FnOnce(&str)) -> Vec<Value> {
    let mut args = vec![
        "--inbox",
        inbox,
        "--max-deliveries",
        "1",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let listener = RunningListener::start(&args);
    send(&listener.url);
    let (success, printed) = listener.finish();
    assert!(success, "the listener exits 0: {printed}");
    printed
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

/// An app that answers 500 to everything, on a loopback port.
struct FailingApp {
    url: String,
    _runtime: tokio::runtime::Runtime,
}

impl FailingApp {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let app = Router::new().route("/", post(|| async { StatusCode::INTERNAL_SERVER_ERROR }));
        runtime.spawn(async move { axum::serve(listener, app).await });
        Self {
            url,
            _runtime: runtime,
        }
    }
}

/// Stored, processed once, and suppressed as a duplicate after a restart; listed, shown
/// redacted and with `--show-pii`.
fn stores_processes_and_suppresses_duplicates(inbox: &str) {
    let first = listen_once(inbox, &[], |url| trigger(url, "inbox-e-1"));
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0]["inbox"]["state"], "processed");
    assert_eq!(first[0]["eventId"], "inbox-e-1");
    assert_eq!(
        first[0]["body"]["data"]["customerIdentifiers"]["instore"]["mobile"],
        "[redacted]"
    );

    // Restarted: ENS re-sends the same event.
    let second = listen_once(inbox, &[], |url| trigger(url, "inbox-e-1"));
    assert_eq!(second.len(), 1, "{second:?}");
    assert!(
        second[0]["outcome"]
            .as_str()
            .unwrap()
            .starts_with("duplicate"),
        "{second:?}"
    );
    assert!(second[0]["inbox"].is_null(), "not processed again");

    let counts = stats(inbox);
    for key in [
        "received",
        "processed",
        "retrying",
        "dead",
        "duplicatesSuppressed",
    ] {
        assert!(counts[key].is_u64(), "stats has {key}: {counts}");
    }
    assert_eq!(counts["received"], 1);
    assert_eq!(counts["processed"], 1);
    assert!(counts["duplicatesSuppressed"].as_u64().unwrap() >= 1);
    ens()
        .args(["inbox", "stats", "--inbox", inbox])
        .assert()
        .success()
        .stdout(predicate::str::contains("duplicates suppressed  1"));

    let rows = json_lines(&["inbox", "list", "--inbox", inbox]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["key"], "pointsIssued:inbox-e-1");
    assert_eq!(rows[0]["state"], "processed");
    assert!(json_lines(&["inbox", "list", "--inbox", inbox, "--state", "dead"]).is_empty());
    assert!(json_lines(&["inbox", "list", "--inbox", inbox, "--event", "tierUpgraded"]).is_empty());
    ens()
        .args(["inbox", "list", "--inbox", inbox])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("pointsIssued:inbox-e-1")
                .and(predicate::str::contains("processed")),
        );

    let show = ["inbox", "show", "pointsIssued:inbox-e-1", "--inbox", inbox];
    let shown = ens().args(show).output().unwrap();
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(shown.status.success());
    assert!(
        text.contains("[redacted]") && !text.contains(MOBILE),
        "{text}"
    );
    assert!(text.contains("attempts         1"), "{text}");
    let shown = json_lines(&show);
    assert_eq!(
        shown[0]["body"]["data"]["customerIdentifiers"]["instore"]["mobile"],
        "[redacted]"
    );
    assert_eq!(shown[0]["attempts"], 1);
    ens()
        .args(show)
        .arg("--show-pii")
        .assert()
        .success()
        .stdout(predicate::str::contains(MOBILE));
    ens()
        .args(["inbox", "show", "pointsIssued:nope", "--inbox", inbox])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no delivery"));
}

/// A forward that keeps failing becomes a dead letter; `retry` re-queues it, a listener
/// processes it, `purge` removes it and the counts survive.
fn dead_letters_are_retried_and_purged(inbox: &str) {
    let app = FailingApp::start();
    let lines = listen_once(inbox, &["-f", &app.url, "--max-attempts", "2"], |url| {
        trigger(url, "inbox-dead-1");
    });
    // Attempt 1 retried, attempt 2 dead (the backoff before it is about a second).
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["inbox"]["state"], "retrying");
    assert_eq!(lines[0]["forwarded"]["status"], 500);
    assert_eq!(lines[1]["inbox"]["state"], "dead");
    assert_eq!(lines[1]["inbox"]["attempt"], 2);

    let key = "pointsIssued:inbox-dead-1";
    let counts = stats(inbox);
    assert_eq!(
        (counts["dead"].as_u64(), counts["processed"].as_u64()),
        (Some(1), Some(0))
    );
    let dead = json_lines(&["inbox", "list", "--inbox", inbox, "--state", "dead"]);
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["lastError"]["kind"], "handler");
    ens()
        .args(["inbox", "show", key, "--inbox", inbox])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("state            dead")
                .and(predicate::str::contains("last error       handler")),
        );

    let requeued = json_lines(&["inbox", "retry", key, "--inbox", inbox]);
    assert_eq!(requeued[0]["requeued"], 1);
    let counts = stats(inbox);
    assert_eq!(
        (counts["dead"].as_u64(), counts["pending"].as_u64()),
        (Some(0), Some(1))
    );
    ens()
        .args(["inbox", "retry", key, "--inbox", inbox])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a dead letter"));
    ens()
        .args([
            "inbox",
            "retry",
            "--all-dead",
            "--event",
            "pointsIssued",
            "--inbox",
            inbox,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("re-queued 0 dead letters"));

    // The app is fixed (here: no forwarding): the next listener processes what waits.
    let lines = listen_once(inbox, &[], |_| {});
    assert_eq!(lines[0]["inbox"]["state"], "processed", "{lines:?}");
    assert_eq!(stats(inbox)["processed"], 1);

    // Kept for the retention: the default purge leaves it, an explicit age removes it.
    ens()
        .args(["inbox", "purge", "--inbox", inbox])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "removed 0 processed deliveries older than 8d",
        ));
    let purged = json_lines(&[
        "inbox",
        "purge",
        "--inbox",
        inbox,
        "--older-than",
        "0s",
        "--dead",
    ]);
    assert_eq!(purged[0]["processed"], 1);
    assert_eq!(purged[0]["dead"], 0);
    assert!(json_lines(&["inbox", "list", "--inbox", inbox]).is_empty());
    assert_eq!(stats(inbox)["processed"], 1, "removed rows still count");
}

/// A delivery whose data does not match its type is a dead letter at once.
fn mismatched_events_are_dead_letters_at_once(inbox: &str, directory: &Path) {
    let body = r#"{"eventName":"pointsIssued","eventId":"inbox-bad-1","data":{"totalPointsIssued":"many"}}"#;
    let file = directory.join("bad.json");
    std::fs::write(&file, body).unwrap();
    let lines = listen_once(inbox, &[], |url| {
        ens()
            .args(["replay", file.to_str().unwrap(), "--to", url])
            .assert()
            .success();
    });
    assert_eq!(lines[0]["inbox"]["state"], "dead", "{lines:?}");
    let shown = json_lines(&[
        "inbox",
        "show",
        "pointsIssued:inbox-bad-1",
        "--inbox",
        inbox,
    ]);
    assert_eq!(shown[0]["lastError"]["kind"], "type_mismatch");
    assert_eq!(shown[0]["lastError"]["path"], "data.totalPointsIssued");
    assert_eq!(shown[0]["attempts"], 1);
}

#[test]
fn sqlite_inbox_stores_processes_and_suppresses_duplicates() {
    let directory = tempfile::tempdir().unwrap();
    let inbox = directory.path().join("inbox.db");
    stores_processes_and_suppresses_duplicates(inbox.to_str().unwrap());
}

#[test]
fn sqlite_inbox_dead_letters_are_retried_and_purged() {
    let directory = tempfile::tempdir().unwrap();
    let inbox = format!("sqlite:{}", directory.path().join("inbox.db").display());
    dead_letters_are_retried_and_purged(&inbox);
    mismatched_events_are_dead_letters_at_once(&inbox, directory.path());
}

#[test]
fn postgres_inbox_stores_processes_and_suppresses_duplicates() {
    let database = TestDatabase::create("dup");
    stores_processes_and_suppresses_duplicates(database.url());
}

#[test]
fn postgres_inbox_dead_letters_are_retried_and_purged() {
    let database = TestDatabase::create("dead");
    let directory = tempfile::tempdir().unwrap();
    dead_letters_are_retried_and_purged(database.url());
    mismatched_events_are_dead_letters_at_once(database.url(), directory.path());
}

#[test]
fn postgres_unavailable_is_answered_503_with_retry_after() {
    let database = TestDatabase::create("down");
    let url = database.url().to_owned();
    let listener =
        RunningListener::start(&["--inbox", &url, "--max-deliveries", "1", "--format", "json"]);
    // The database goes away under the running listener.
    drop(database);
    let body = r#"{"eventName":"pointsIssued","eventId":"down-1","data":{}}"#;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let response = runtime
        .block_on(
            reqwest::Client::new()
                .post(&listener.url)
                .header("content-type", "application/json")
                .body(body)
                .send(),
        )
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.headers().get("retry-after").unwrap(),
        "5",
        "ENS is told when to retry"
    );
    let (_, printed) = listener.finish();
    let line: Value = serde_json::from_str(printed.lines().next().unwrap()).unwrap();
    assert_eq!(line["status"], 503, "{printed}");
}

#[test]
fn a_missing_sqlite_inbox_is_not_found_and_never_created() {
    let directory = tempfile::tempdir().unwrap();
    let missing = directory.path().join("missing.db");
    let missing = missing.to_str().unwrap();
    for command in [
        vec!["inbox", "stats", "--inbox", missing],
        vec!["inbox", "list", "--inbox", missing],
        vec!["inbox", "show", "pointsIssued:e-1", "--inbox", missing],
        vec!["inbox", "retry", "--all-dead", "--inbox", missing],
        vec!["inbox", "purge", "--inbox", missing],
    ] {
        ens()
            .args(&command)
            .assert()
            .code(3)
            .stderr(predicate::str::contains("does not exist"));
    }
    assert!(!Path::new(missing).exists(), "no empty inbox was created");
}

#[test]
fn bad_urls_are_usage_errors_and_unreachable_databases_failures() {
    ens()
        .args(["inbox", "stats", "--inbox", "mysql://localhost/ens"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid inbox url"));
    ens()
        .args(["listen", "--inbox", "redis://localhost"])
        .assert()
        .code(2);
    ens()
        .args(["inbox", "retry", "--inbox", "inbox.db"])
        .assert()
        .code(2);
    ens()
        .args([
            "inbox",
            "purge",
            "--inbox",
            "inbox.db",
            "--older-than",
            "soon",
        ])
        .assert()
        .code(2);
    // Nothing listens on port 1: refused at once. The password never shows.
    let output = ens()
        .args([
            "inbox",
            "stats",
            "--inbox",
            "postgres://ens:hunter2@127.0.0.1:1/ens",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the PostgreSQL inbox at 127.0.0.1:1/ens"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let output = ens()
        .args([
            "-v",
            "listen",
            "--port",
            "0",
            "--inbox",
            "postgres://ens:hunter2@127.0.0.1:1/ens",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn inbox_work_is_traced_at_debug_level_without_personal_data() {
    let directory = tempfile::tempdir().unwrap();
    let inbox = directory.path().join("inbox.db");
    let inbox = inbox.to_str().unwrap();
    listen_once(inbox, &[], |url| trigger(url, "inbox-trace-1"));
    let output = ens()
        .args([
            "-v",
            "inbox",
            "show",
            "pointsIssued:inbox-trace-1",
            "--inbox",
            inbox,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("opening the inbox"), "{stderr}");
    assert!(!stderr.contains(MOBILE), "{stderr}");
}

/// `ens inbox migrate` twice: the schema is created once, the second run changes nothing, and
/// the other commands then find an empty inbox.
fn migrate_creates_then_keeps_the_schema(inbox: &str) {
    let first = json_lines(&["inbox", "migrate", "--inbox", inbox]);
    let second = json_lines(&["inbox", "migrate", "--inbox", inbox]);
    let version = first[0]["schemaVersion"]
        .as_u64()
        .expect("a schema version");
    assert!(version >= 1, "{first:?}");
    assert_eq!(second[0]["schemaVersion"].as_u64(), Some(version));
    let described = first[0]["inbox"].as_str().unwrap_or_default();
    assert!(!described.contains("password"), "{described}");
    let stats = stats(inbox);
    assert_eq!(
        (stats["received"].as_u64(), stats["dead"].as_u64()),
        (Some(0), Some(0))
    );
}

#[test]
fn sqlite_inbox_migrate_creates_the_file() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("deployed.db");
    migrate_creates_then_keeps_the_schema(path.to_str().unwrap());
    assert!(path.exists());
}

#[test]
fn postgres_inbox_migrate_creates_the_tables() {
    let database = TestDatabase::create("migrate");
    migrate_creates_then_keeps_the_schema(database.url());
}
