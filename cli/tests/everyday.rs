//! What people coming from the Stripe and Svix CLIs reach for, run as they run it: the real
//! binary, real loopback servers, real files.

use std::io::{BufRead, Read};
use std::process::{Command as StdCommand, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use capillary_ens_receiver::{Auth, StandardWebhooks, StaticHeaders};
use capillary_ens_testkit::fixtures;
use capillary_ens_testkit::mocks::admin_api::AdminApiMock;
use http::{HeaderMap, StatusCode};
use predicates::prelude::*;
use serde_json::{Value, json};

mod support;
use support::{RunningListener, TestReceiver, ens};

const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn write(directory: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = directory.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn listen_forwards_to_a_local_app_and_prints_its_answer() {
    let app = TestReceiver::start(Auth::new(StaticHeaders::basic("ens", "s3cret")));
    let listener = RunningListener::start(&[
        "--basic",
        "ens:s3cret",
        "-f",
        &app.url,
        "-e",
        "pointsIssued,CouponIssue",
        "--max-deliveries",
        "2",
    ]);
    ens()
        .args(["trigger", "pointsIssued", "--to", &listener.url])
        .args(["--basic", "ens:s3cret"])
        .assert()
        .success()
        .stdout(predicate::str::contains("-> 200 (delivered)"));
    // Not in --events: acknowledged, not forwarded.
    ens()
        .args(["trigger", "tierUpgraded", "--to", &listener.url])
        .args(["--basic", "ens:s3cret"])
        .assert()
        .success();
    let stderr = Arc::clone(&listener.stderr);
    let (success, printed) = listener.finish();
    assert!(success);
    let received = app.received();
    assert_eq!(received.len(), 1, "only pointsIssued reached the app");
    assert_eq!(received[0]["eventName"], "pointsIssued");
    assert!(printed.contains("| app 200 in "), "{printed}");
    assert!(printed.contains("not in --events"), "{printed}");
    assert!(
        stderr.lock().unwrap().contains("forwarding to"),
        "the banner is on stderr"
    );
}

#[test]
fn listen_passes_on_a_retriable_app_answer_and_lets_the_retry_through() {
    // The app is down: the sender must be told to retry (503), not that it worked.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let listener = RunningListener::start(&["-f", &dead_url, "--max-deliveries", "1"]);
    let output = ens()
        .args(["trigger", "pointsIssued", "--to", &listener.url])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let sent: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sent["attempts"][0]["status"], 503);
    let (_, printed) = listener.finish();
    assert!(printed.contains("connection refused"), "{printed}");
}

#[test]
fn listen_redacts_unknown_keys_and_records_privately() {
    let directory = tempfile::tempdir().unwrap();
    let recording = directory.path().join("r.jsonl");
    let listener = RunningListener::start(&[
        "--max-deliveries",
        "1",
        "--format",
        "json",
        "--record",
        recording.to_str().unwrap(),
    ]);
    ens()
        .args(["trigger", "pointsIssued", "--to", &listener.url])
        .args([
            "--allow-unknown",
            "--set",
            "data.alternateMobile=919812345678",
        ])
        .assert()
        .success();
    let (_, printed) = listener.finish();
    let line: Value = serde_json::from_str(printed.lines().next().unwrap()).unwrap();
    assert_eq!(line["body"]["data"]["alternateMobile"], "[redacted]");
    assert!(!printed.contains("919812345678"), "{printed}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&recording).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    ens().args(["listen", "--help"]).assert().stdout(
        predicate::str::contains("raw personal data")
            .or(predicate::str::contains("personal data included")),
    );

    let listener = RunningListener::start(&["--max-deliveries", "1", "--show-pii"]);
    ens()
        .args(["trigger", "pointsIssued", "--to", &listener.url])
        .args([
            "--allow-unknown",
            "--set",
            "data.alternateMobile=919812345678",
        ])
        .assert()
        .success();
    let (_, printed) = listener.finish();
    assert!(printed.contains("919812345678"), "--show-pii shows it");
}

#[test]
fn trigger_checks_paths_and_types_values_by_the_schema() {
    let app = TestReceiver::start(Auth::allow_unauthenticated());
    ens()
        .args(["trigger", "pointsIssued", "--to", &app.url])
        .args(["--set", "data.totalPointIssued=500"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean data.totalPointsIssued",
        ));
    ens()
        .args(["trigger", "pointsIssued", "--to", &app.url])
        .args(["--set", "data.totalPointsIssued=many"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a number"));
    assert!(
        app.received().is_empty(),
        "nothing is sent after a usage error"
    );
    ens()
        .args(["trigger", "pointsIssued", "--to", &app.url])
        .args([
            "--set",
            "data.customerIdentifiers.instore.mobile=919800000002",
        ])
        .args(["--allow-unknown", "--set", "data.onPurpose=1"])
        .assert()
        .success();
    let received = app.received();
    assert_eq!(
        received[0]["data"]["customerIdentifiers"]["instore"]["mobile"], "919800000002",
        "a mobile number stays a string"
    );
    assert_eq!(received[0]["data"]["onPurpose"], 1);
    let output = ens()
        .args(["trigger", "tierUpgraded", "--to", &app.url, "--times", "2"])
        .output()
        .unwrap();
    let lines: Vec<String> = stdout_of(&output).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains("duplicate of the first"), "{lines:?}");
    assert_eq!(
        app.received().len(),
        2,
        "the receiver handled the duplicate once"
    );
}

#[test]
fn replay_refuses_bad_files_skips_forged_reports_duplicates() {
    let directory = tempfile::tempdir().unwrap();
    let app = TestReceiver::start(Auth::new(StaticHeaders::bearer("t0ken")));
    let replay = |file: &str, extra: &[&str]| {
        ens()
            .args(["replay", file, "--to", &app.url, "--bearer", "t0ken"])
            .args(extra)
            .output()
            .unwrap()
    };
    let empty = write(&directory, "empty.jsonl", b"");
    let output = replay(&empty, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no deliveries"));
    let text = write(&directory, "notes.txt", b"hello\nworld\n");
    assert_eq!(replay(&text, &[]).status.code(), Some(2));
    assert_eq!(replay("/no/such/file", &[]).status.code(), Some(3));
    assert!(app.received().is_empty());

    let body = String::from_utf8(fixtures::points_issued().to_bytes()).unwrap();
    let other = String::from_utf8(fixtures::tier_upgraded().to_bytes()).unwrap();
    let line = |status: u16, body: &str| {
        json!({"receivedAt": 1, "status": status, "body": body}).to_string() + "\n"
    };
    let recording = write(
        &directory,
        "r.jsonl",
        (line(200, &body) + &line(200, &body) + &line(401, &other)).as_bytes(),
    );
    let output = replay(&recording, &["--format", "json"]);
    assert!(output.status.success());
    let lines: Vec<Value> = stdout_of(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "the forged one is not sent");
    assert_eq!(lines[1]["note"], format!("duplicate of {recording}:1"));
    assert!(String::from_utf8_lossy(&output.stderr).contains("rejected as forged"));
    let output = replay(&recording, &["--include-forged"]);
    assert!(output.status.success());
    // A fresh event: the target would acknowledge a known eventId without handling it.
    let single = write(
        &directory,
        "one.json",
        &fixtures::points_issued().to_bytes(),
    );
    let output = replay(&single, &["--set", "data.totalPointsIssued=77"]);
    assert!(output.status.success());
    assert_eq!(
        app.received().last().unwrap()["data"]["totalPointsIssued"],
        77
    );
    assert_eq!(
        replay(&single, &["--set", "data.totalPointIssued=1"])
            .status
            .code(),
        Some(2)
    );
    let names: Vec<String> = app
        .received()
        .iter()
        .map(|delivery| delivery["eventName"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.contains(&"tierUpgraded".to_owned()), "{names:?}");
}

#[test]
fn fixture_prints_a_delivery_other_tools_can_use() {
    let output = ens()
        .args(["fixture", "CouponIssue", "--wrapped", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let delivery: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(delivery["attributes"]["data"].is_object(), "{delivery}");
    let output = ens()
        .args([
            "fixture",
            "pointsIssued",
            "--set",
            "data.totalPointsIssued=7",
        ])
        .output()
        .unwrap();
    let delivery: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(delivery["data"]["totalPointsIssued"], 7);
    let directory = tempfile::tempdir().unwrap();
    let file = write(&directory, "f.json", &output.stdout);
    ens().args(["validate", &file]).assert().success();
    ens().args(["fixture", "nope"]).assert().code(2);
}

#[test]
fn sign_and_verify_use_the_receivers_schemes() {
    let directory = tempfile::tempdir().unwrap();
    let body = fixtures::points_issued().to_bytes();
    let file = write(&directory, "body.json", &body);
    let output = ens()
        .args(["sign", &file, "--hmac-secret", "k3y", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let signed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let signature = signed["headers"]["x-signature"]
        .as_str()
        .unwrap()
        .to_owned();
    ens()
        .args(["verify", &file, "--hmac-secret", "k3y"])
        .args(["-H", &format!("x-signature: {signature}")])
        .assert()
        .success()
        .stdout(predicate::str::contains("valid"));
    let tampered = write(&directory, "tampered.json", &[&body[..], b" "].concat());
    ens()
        .args(["verify", &tampered, "--hmac-secret", "k3y"])
        .args(["-H", &format!("x-signature: {signature}")])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("invalid"));

    // Standard Webhooks, the body on stdin, at a fixed time.
    let output = ens()
        .args(["sign", "--standard-webhooks-secret", WHSEC])
        .args(["--timestamp", "2025-11-29T10:00:00Z", "--id", "msg_1"])
        .write_stdin(body.clone())
        .output()
        .unwrap();
    assert!(output.status.success());
    let headers: Vec<String> = stdout_of(&output).lines().map(str::to_owned).collect();
    assert!(
        headers.contains(&"webhook-timestamp: 1764410400".to_owned()),
        "{headers:?}"
    );
    let mut verify = ens();
    verify
        .args(["verify", "-", "--standard-webhooks-secret", WHSEC])
        .args(["--at", "2025-11-29T10:01:00Z"]);
    for header in &headers {
        verify.args(["-H", header]);
    }
    verify.write_stdin(body).assert().success();
    ens()
        .args(["sign", &file])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to sign with"));
}

#[test]
fn completions_and_the_man_page_come_from_the_same_definitions() {
    for shell in ["bash", "zsh", "fish"] {
        let output = ens().args(["completions", shell]).output().unwrap();
        assert!(output.status.success());
        let script = stdout_of(&output);
        assert!(
            script.contains("forward-to"),
            "{shell} completes listen's flags"
        );
    }
    let page = stdout_of(&ens().arg("man").output().unwrap());
    assert!(page.contains(".TH ens"), "{}", &page[..page.len().min(200)]);
    let listen = stdout_of(&ens().args(["man", "listen"]).output().unwrap());
    assert!(listen.contains("forward"));
    ens().args(["man", "nope"]).assert().code(2);
    ens().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn a_closed_stdout_ends_every_command_quietly_with_success() {
    let directory = tempfile::tempdir().unwrap();
    let file = write(&directory, "p.json", &fixtures::points_issued().to_bytes());
    let commands: Vec<Vec<&str>> = vec![
        vec!["events"],
        vec!["events", "--format", "json"],
        vec!["man"],
        vec!["completions", "bash"],
        vec!["fixture", "pointsIssued"],
        vec!["validate", &file],
        vec!["demo"],
    ];
    for arguments in commands {
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("ens"))
            .args(&arguments)
            .env("ENS_CONFIG", "/nonexistent")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Like `| head -0`: the reader is gone before the first write.
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "{arguments:?}: {status:?} {stderr}");
        assert!(!stderr.contains("panicked"), "{arguments:?}: {stderr}");
    }
}

#[test]
fn a_closed_stderr_is_no_panic_either() {
    for (arguments, code) in [
        (vec!["trigger", "nope", "--to", "http://127.0.0.1:1/"], 2),
        (
            vec!["replay", "/no/such/file", "--to", "http://127.0.0.1:1/"],
            3,
        ),
        (vec!["events"], 0),
    ] {
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("ens"))
            .args(&arguments)
            .env("ENS_CONFIG", "/nonexistent")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{arguments:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_line_of_every_json_output_parses() {
    let directory = tempfile::tempdir().unwrap();
    let body = fixtures::points_issued().to_bytes();
    let file = write(&directory, "p.json", &body);
    let app = tokio::task::spawn_blocking(|| TestReceiver::start(Auth::allow_unauthenticated()))
        .await
        .unwrap();
    let mock = AdminApiMock::start().await;
    mock.add_event_log(json!({"eventId": "e-1", "eventName": "pointsIssued", "consumerGroupId": "g", "status": "DELIVERED"}));
    let api = |command: &mut assert_cmd::Command| {
        command
            .env("ENS_API_URL", mock.uri())
            .env("ENS_API_TOKEN", AdminApiMock::TOKEN);
    };
    let commands: Vec<Vec<&str>> = vec![
        vec!["events"],
        vec!["validate", &file],
        vec!["fixture", "pointsIssued"],
        vec!["sign", &file, "--hmac-secret", "k"],
        vec![
            "verify",
            &file,
            "--hmac-secret",
            "k",
            "-H",
            "x-signature: 00",
        ],
        vec!["trigger", "pointsIssued", "--to", &app.url],
        vec!["replay", &file, "--to", &app.url],
        vec!["demo"],
        vec!["webhooks", "list"],
        vec!["logs", "e-1"],
        vec![
            "metrics",
            "--consumer-group",
            "g",
            "--since",
            "2025-11-01T00:00:00+05:30",
        ],
    ];
    for arguments in commands {
        let mut command = ens();
        api(&mut command);
        let output = command
            .args(&arguments)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let text = stdout_of(&output);
        let first = text.lines().next().unwrap_or_default();
        assert!(
            serde_json::from_str::<Value>(first).is_ok(),
            "{arguments:?} (exit {:?}) printed {first:?}; stderr {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let listener = RunningListener::start(&["--format", "json", "--max-deliveries", "1"]);
    ens()
        .args(["trigger", "pointsIssued", "--to", &listener.url])
        .assert()
        .success();
    let (_, printed) = listener.finish();
    serde_json::from_str::<Value>(printed.lines().next().unwrap()).unwrap();

    // The durable inbox: `listen --inbox` prints a worker's line; every `ens inbox` command
    // prints JSON first.
    let inbox = directory.path().join("inbox.db");
    let inbox = inbox.to_str().unwrap();
    let listener = RunningListener::start(&[
        "--format",
        "json",
        "--max-deliveries",
        "1",
        "--inbox",
        inbox,
    ]);
    ens()
        .args(["trigger", "pointsIssued", "--to", &listener.url])
        .args(["--set", "eventId=json-1"])
        .assert()
        .success();
    let (_, printed) = listener.finish();
    let line: Value = serde_json::from_str(printed.lines().next().unwrap()).unwrap();
    assert_eq!(line["inbox"]["state"], "processed");
    for arguments in [
        vec!["inbox", "stats", "--inbox", inbox],
        vec!["inbox", "list", "--inbox", inbox],
        vec!["inbox", "show", "pointsIssued:json-1", "--inbox", inbox],
        vec!["inbox", "retry", "--all-dead", "--inbox", inbox],
        vec!["inbox", "purge", "--inbox", inbox],
        vec!["inbox", "migrate", "--inbox", inbox],
    ] {
        let output = ens()
            .args(&arguments)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let text = stdout_of(&output);
        let first = text.lines().next().unwrap_or_default();
        assert!(
            serde_json::from_str::<Value>(first).is_ok(),
            "{arguments:?} (exit {:?}) printed {first:?}; stderr {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // The receiver's own runtime is dropped where blocking is allowed.
    tokio::task::spawn_blocking(move || drop(app))
        .await
        .unwrap();
}

#[test]
fn usage_errors_exit_2_in_every_command() {
    for arguments in [
        vec!["events", "--group", "nope"],
        vec!["trigger", "nope", "--to", "http://127.0.0.1:1/"],
        vec!["trigger", "pointsIssued", "--to", "not a url"],
        vec!["listen", "--path", "no-slash"],
        vec!["listen", "-e", "nope"],
        vec!["fixture", "pointsIssued", "--remove", "data..x"],
        vec!["webhooks", "list"],
        vec![
            "metrics",
            "--consumer-group",
            "g",
            "--since",
            "last tuesday",
        ],
        vec!["validate"],
        vec!["--format", "yaml", "events"],
        vec!["inbox", "stats", "--inbox", "mysql://127.0.0.1/ens"],
        vec!["inbox", "list", "--inbox", "inbox.db", "--state", "done"],
        vec!["listen", "--max-attempts", "3"],
    ] {
        ens()
            .env_remove("ENS_API_URL")
            .args(&arguments)
            .assert()
            .code(2);
    }
}

/// An app that answers 503 once, then 200, recording when each attempt was signed.
async fn flaky_app(
    State(state): State<Arc<Mutex<Vec<i64>>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let auth = Auth::new(StandardWebhooks::new(WHSEC).unwrap());
    if auth.verify(&headers, &body).is_err() {
        return StatusCode::UNAUTHORIZED;
    }
    let timestamp: i64 = headers["webhook-timestamp"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let mut seen = state.lock().unwrap();
    seen.push(timestamp);
    if seen.len() == 1 {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    }
}

/// [`flaky_app`] on a loopback port: its runtime (keep it alive), the timestamps it saw, its URL.
fn serve_flaky_app() -> (tokio::runtime::Runtime, Arc<Mutex<Vec<i64>>>, String) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let timestamps = Arc::new(Mutex::new(Vec::new()));
    let app: Router = Router::new()
        .route("/", post(flaky_app))
        .with_state(Arc::clone(&timestamps));
    let socket = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}/", socket.local_addr().unwrap());
    runtime.spawn(async move { axum::serve(socket, app).await });
    (runtime, timestamps, url)
}

#[test]
fn retries_are_signed_when_sent_and_compressed_only_when_asked() {
    let (_runtime, timestamps, url) = serve_flaky_app();

    let output = ens()
        .args(["trigger", "pointsIssued", "--to", &url])
        .args(["--standard-webhooks-secret", WHSEC])
        .args(["--retry", "--retry-speedup", "15"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("ENS would wait 30s, waiting 2s (compressed 15x"),
        "{stderr}"
    );
    assert!(stdout_of(&output).contains("503, 200"));
    let seen = timestamps.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert!(
        seen[1] - seen[0] >= 1,
        "the retry is signed when it is sent: {seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_follow_prints_new_entries_as_they_arrive() {
    let mock = AdminApiMock::start().await;
    mock.add_event_log(json!({"eventId": "first", "eventName": "pointsIssued", "consumerGroupId": "g", "status": "DELIVERED", "createdAt": 1}));
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("ens"))
        .args([
            "logs",
            "--consumer-group",
            "g",
            "--follow",
            "--interval",
            "1",
        ])
        .args(["--format", "json"])
        .env("ENS_CONFIG", "/nonexistent")
        .env("ENS_API_URL", mock.uri())
        .env("ENS_API_TOKEN", AdminApiMock::TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut read_line = move || {
        line.clear();
        stdout.read_line(&mut line).unwrap();
        serde_json::from_str::<Value>(&line).unwrap()
    };
    let reader = tokio::task::spawn_blocking(move || {
        let first = read_line();
        let second = read_line();
        (first, second)
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    mock.add_event_log(json!({"eventId": "second", "eventName": "tierUpgraded", "consumerGroupId": "g", "status": "DELIVERED", "createdAt": 2}));
    let (first, second) = tokio::time::timeout(Duration::from_secs(30), reader)
        .await
        .expect("the new entry is printed")
        .unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(first["eventId"], "first");
    assert_eq!(second["eventId"], "second");
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_pick_the_cluster_and_the_environment_still_wins() {
    let mock = AdminApiMock::start().await;
    let directory = tempfile::tempdir().unwrap();
    let config = write(
        &directory,
        "config.toml",
        format!(
            "default_profile = \"eu\"\n[profiles.eu]\napi_url = \"{}\"\ntoken_env = \"EU_TOKEN\"\n",
            mock.uri()
        )
        .as_bytes(),
    );
    let run = |extra_env: &[(&str, &str)], args: &[&str]| {
        let mut command = ens();
        command
            .env("ENS_CONFIG", &config)
            .env("EU_TOKEN", AdminApiMock::TOKEN)
            .env_remove("ENS_API_URL")
            .env_remove("ENS_API_TOKEN")
            .env_remove("ENS_API_USER")
            .env_remove("ENS_API_PASSWORD");
        for (name, value) in extra_env {
            command.env(name, value);
        }
        command.args(args).output().unwrap()
    };
    let output = run(&[], &["webhooks", "list", "--format", "json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = run(&[], &["webhooks", "list", "--profile", "us"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("profiles: eu"));
    // The environment wins over the profile: a refused token is refused (exit 4).
    let output = run(&[("ENS_API_TOKEN", "wrong")], &["webhooks", "list"]);
    assert_eq!(output.status.code(), Some(4));
}

#[tokio::test(flavor = "multi_thread")]
async fn diagnostics_show_retries_and_requests_but_no_secrets() {
    let mock = AdminApiMock::start().await;
    mock.rate_limit_next(1);
    let output = ens()
        .env("ENS_API_URL", mock.uri())
        .env("ENS_API_TOKEN", AdminApiMock::TOKEN)
        .args(["-v", "webhooks", "list"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("429"),
        "the retried call is visible: {stderr}"
    );
    assert!(stderr.contains("DEBUG"), "{stderr}");
    assert!(!stderr.contains(AdminApiMock::TOKEN), "{stderr}");

    let app = tokio::task::spawn_blocking(|| {
        TestReceiver::start(Auth::new(StaticHeaders::basic("ens", "s3cret")))
    })
    .await
    .unwrap();
    let output = ens()
        .env("RUST_LOG", "capillary_ens_cli=debug")
        .args([
            "trigger",
            "pointsIssued",
            "--to",
            &app.url,
            "--basic",
            "ens:s3cret",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("sent"), "{stderr}");
    assert!(
        !stderr.contains("s3cret") && !stderr.contains("priya"),
        "{stderr}"
    );
    let quiet = ens()
        .args(["-q", "trigger", "pointsIssued", "--to", &app.url])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&quiet.stderr).is_empty());
    tokio::task::spawn_blocking(move || drop(app))
        .await
        .unwrap();
}

#[test]
fn colour_only_on_request_or_a_terminal() {
    let app = TestReceiver::start(Auth::allow_unauthenticated());
    let plain = ens()
        .args(["trigger", "pointsIssued", "--to", &app.url])
        .output()
        .unwrap();
    assert!(!stdout_of(&plain).contains('\u{1b}'));
    let coloured = ens()
        .args([
            "--color",
            "always",
            "trigger",
            "pointsIssued",
            "--to",
            &app.url,
        ])
        .output()
        .unwrap();
    assert!(stdout_of(&coloured).contains("\u{1b}[32m"));
    let never = ens()
        .env("NO_COLOR", "1")
        .args([
            "--color",
            "never",
            "trigger",
            "pointsIssued",
            "--to",
            &app.url,
        ])
        .output()
        .unwrap();
    assert!(!stdout_of(&never).contains('\u{1b}'));
}

#[test]
fn a_retriable_app_answer_reaches_the_app_again_on_the_retry() {
    let (_runtime, timestamps, app_url) = serve_flaky_app();
    // The listener checks the signature and re-signs what it forwards.
    let listener = RunningListener::start(&[
        "--standard-webhooks-secret",
        WHSEC,
        "-f",
        &app_url,
        "--max-deliveries",
        "2",
    ]);
    let output = ens()
        .args(["trigger", "pointsIssued", "--to", &listener.url])
        .args(["--standard-webhooks-secret", WHSEC])
        .args(["--retry", "--retry-speedup", "30"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout_of(&output).contains("503, 200"),
        "{}",
        stdout_of(&output)
    );
    let (_, printed) = listener.finish();
    assert_eq!(timestamps.lock().unwrap().len(), 2, "{printed}");
    assert!(printed.contains("| app 503"), "{printed}");
    assert!(printed.contains("| app 200"), "{printed}");
}

#[test]
fn forward_header_gives_the_app_its_own_credentials() {
    let app = TestReceiver::start(Auth::new(StaticHeaders::bearer("app-t0ken")));
    let listener = RunningListener::start(&[
        "--basic",
        "ens:s3cret",
        "-f",
        &app.url,
        "--forward-header",
        "authorization:Bearer app-t0ken",
        "--max-deliveries",
        "1",
    ]);
    ens()
        .args(["trigger", "tierUpgraded", "--to", &listener.url])
        .args(["--basic", "ens:s3cret"])
        .assert()
        .success();
    let (_, printed) = listener.finish();
    assert_eq!(app.received().len(), 1, "{printed}");
    assert!(!printed.contains("app-t0ken") && !printed.contains("s3cret"));
}
