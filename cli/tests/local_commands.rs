//! Every local subcommand of `ens`, run as a user runs it: the real binary, real files, real
//! loopback servers.

use capillary_ens_receiver::{Auth, StaticHeaders};
use capillary_ens_schemas::EventName;
use capillary_ens_testkit::fixtures;
use predicates::prelude::*;
use serde_json::Value;

mod support;
use support::{RunningListener, TestReceiver, ens};

#[test]
fn every_subcommand_has_help() {
    for command in [
        "events",
        "validate",
        "listen",
        "trigger",
        "replay",
        "demo",
        "fixture",
        "sign",
        "verify",
        "completions",
        "man",
        "webhooks",
        "subscribe",
        "logs",
        "metrics",
    ] {
        ens().args([command, "--help"]).assert().success().stdout(
            predicate::str::contains("Usage: ens")
                .and(predicate::str::contains("Example"))
                .and(predicate::str::contains("Exit codes"))
                .and(predicate::str::contains("2  usage error")),
        );
    }
}

#[test]
fn events_lists_all_66_by_group() {
    let output = ens().args(["events", "--format", "json"]).output().unwrap();
    assert!(output.status.success());
    let groups: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let names: Vec<&str> = groups
        .iter()
        .flat_map(|group| group["events"].as_array().unwrap())
        .map(|event| event["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 66);
    for name in EventName::ALL {
        assert!(names.contains(&name.as_str()), "{name} missing");
    }
    ens()
        .args(["events", "--group", "tier"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("tierUpgraded")
                .and(predicate::str::contains("pointsIssued").not()),
        );
    ens().args(["events", "--group", "nope"]).assert().code(2);
}

#[test]
fn validate_reports_types_paths_and_drift() {
    let directory = tempfile::tempdir().unwrap();
    let good = directory.path().join("good.json");
    std::fs::write(&good, fixtures::points_issued().to_bytes()).unwrap();
    let mistyped = directory.path().join("mistyped.json");
    std::fs::write(
        &mistyped,
        fixtures::points_issued()
            .set("data.loyaltyProgramId", "not-a-number")
            .to_bytes(),
    )
    .unwrap();
    let drifted = directory.path().join("drifted.json");
    std::fs::write(
        &drifted,
        fixtures::tier_upgraded()
            .set("data.somethingNew", 1)
            .wrapped()
            .to_bytes(),
    )
    .unwrap();

    ens()
        .arg("validate")
        .arg(&good)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok"));

    let output = ens()
        .args(["validate", "--format", "json"])
        .args([&good, &mistyped, &drifted])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "the mistyped file fails");
    let verdicts: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(verdicts.len(), 3);
    assert_eq!(verdicts[0]["eventName"], "pointsIssued");
    assert_eq!(verdicts[0]["typed"], true);
    assert_eq!(verdicts[0]["errors"], Value::Array(vec![]));
    assert_eq!(verdicts[1]["typed"], false);
    let paths: Vec<&str> = verdicts[1]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|error| error["path"].as_str())
        .collect();
    assert!(paths.contains(&"data.loyaltyProgramId"), "{paths:?}");
    assert_eq!(verdicts[2]["wireForm"], "wrapped");
    assert_eq!(verdicts[2]["typed"], true);
    assert_eq!(
        verdicts[2]["unknownKeys"],
        serde_json::json!(["attributes.data.somethingNew"])
    );

    ens().arg("validate").arg(&drifted).assert().success();
    ens()
        .args(["validate", "--deny-drift"])
        .arg(&drifted)
        .assert()
        .code(1);
    ens()
        .args(["validate", "/no/such/file.json"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("cannot read"));
}

#[test]
fn trigger_sends_a_fixture_with_overrides_and_the_configured_auth() {
    let receiver = TestReceiver::start(Auth::new(StaticHeaders::basic("ens", "s3cret")));
    ens()
        .args([
            "trigger",
            "points_issued",
            "--to",
            &receiver.url,
            "--basic",
            "ens:s3cret",
        ])
        .args(["--set", "data.customerIdentifiers.customerId=42"])
        .args(["--set", "data.totalPointsIssued=500"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("pointsIssued")
                .and(predicate::str::contains("-> 200 (delivered)")),
        );
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["eventName"], "pointsIssued");
    assert_eq!(received[0]["data"]["customerIdentifiers"]["customerId"], 42);
    assert_eq!(received[0]["data"]["totalPointsIssued"], 500);

    ens()
        .args([
            "trigger",
            "pointsIssued",
            "--to",
            &receiver.url,
            "--basic",
            "ens:wrong",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("401"));
    ens()
        .args(["trigger", "noSuchEvent", "--to", &receiver.url])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ens events"));
    ens()
        .args([
            "trigger",
            "pointsIssued",
            "--to",
            &receiver.url,
            "--set",
            "data.totalPointsIssued.deeper=1",
        ])
        .assert()
        .code(2);
    assert_eq!(
        receiver.received().len(),
        1,
        "rejected and invalid sends did not arrive"
    );
}

#[test]
fn listen_prints_redacted_events_records_them_and_replay_sends_them_again() {
    let directory = tempfile::tempdir().unwrap();
    let recording = directory.path().join("deliveries.jsonl");
    let listener = RunningListener::start(&[
        "--bearer",
        "t0ken",
        "--max-deliveries",
        "3",
        "--record",
        recording.to_str().unwrap(),
    ]);
    let url = listener.url.clone();

    let body = fixtures::points_issued().mobile("919800000001").to_bytes();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    let send = |token: &str| {
        let request = client
            .post(&url)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(body.clone())
            .send();
        runtime.block_on(request).unwrap().status().as_u16()
    };
    assert_eq!(send("t0ken"), 200);
    assert_eq!(send("forged"), 401);
    assert_eq!(send("t0ken"), 200, "a duplicate is acknowledged");
    let (success, printed) = listener.finish();
    assert!(success, "stops after --max-deliveries");
    assert!(printed.contains("pointsIssued"), "{printed}");
    assert!(printed.contains("-> 401"), "{printed}");
    assert!(printed.contains("duplicate"), "{printed}");
    assert!(printed.contains("[redacted]"), "{printed}");
    assert!(
        !printed.contains("919800000001"),
        "personal data printed: {printed}"
    );

    let recorded = std::fs::read_to_string(&recording).unwrap();
    assert_eq!(recorded.lines().count(), 3);
    assert!(
        recorded.contains("919800000001"),
        "the recording keeps the exact body"
    );

    let target = TestReceiver::start(Auth::new(StaticHeaders::basic("ens", "s3cret")));
    ens()
        .arg("replay")
        .arg(&recording)
        .args(["--to", &target.url, "--basic", "ens:s3cret"])
        .assert()
        .success()
        .stderr(predicate::str::contains("replayed 2: 2 accepted"));
    let received = target.received();
    assert_eq!(
        received.len(),
        1,
        "the recorded duplicate is deduplicated by the target"
    );
    assert_eq!(received[0], serde_json::from_slice::<Value>(&body).unwrap());
}

#[test]
fn credentials_come_from_the_same_variables_a_receiver_reads() {
    let vars = [("ENS_BEARER", "t0ken"), ("ENS_HEADER", "x-api-key:k3y")];
    let lookup = |name: &str| {
        vars.iter()
            .find(|(var, _)| *var == name)
            .map(|(_, value)| (*value).to_owned())
    };
    let receiver = TestReceiver::start(Auth::new(StaticHeaders::from_env(lookup).unwrap()));
    let trigger = |vars: &[(&str, &str)]| {
        let mut command = ens();
        command.args(["trigger", "pointsIssued", "--to", &receiver.url]);
        for (name, value) in vars {
            command.env(name, value);
        }
        command.assert()
    };
    trigger(&vars)
        .success()
        .stdout(predicate::str::contains("-> 200 (delivered)"));
    trigger(&[("ENS_BEARER", "t0ken"), ("ENS_HEADER", "x-api-key:wrong")])
        .code(1)
        .stdout(predicate::str::contains("401"));
    assert_eq!(receiver.received().len(), 1);
}

#[test]
fn demo_delivers_every_event_and_shows_the_log() {
    ens().arg("demo").assert().success().stdout(
        predicate::str::contains("66 of 66 event types delivered")
            .and(predicate::str::contains("429@0s 200@30s"))
            .and(predicate::str::contains("401@0s"))
            .and(predicate::str::contains(
                "a retriable answer to an event that can never succeed held the next event back 6d",
            ))
            .and(predicate::str::contains("FAIL").not()),
    );
}

#[test]
fn trigger_signs_as_listen_verifies_with_hmac_and_standard_webhooks() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let listener = RunningListener::start(&[
        "--max-deliveries",
        "2",
        "--format",
        "json",
        "--hmac-secret",
        "gateway-key",
        "--standard-webhooks-secret",
        secret,
    ]);
    let url = listener.url.clone();

    ens()
        .args(["trigger", "tierUpgraded", "--to", &url])
        .args([
            "--hmac-secret",
            "gateway-key",
            "--standard-webhooks-secret",
            secret,
        ])
        .assert()
        .success();
    ens()
        .args(["trigger", "tierUpgraded", "--to", &url])
        .args([
            "--hmac-secret",
            "another-key",
            "--standard-webhooks-secret",
            secret,
        ])
        .assert()
        .code(1);
    let (success, printed) = listener.finish();
    assert!(success);
    let lines: Vec<Value> = printed
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let statuses: Vec<u64> = lines
        .iter()
        .map(|line| line["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [200, 401]);
    assert_eq!(lines[0]["eventName"], "tierUpgraded");
    assert!(lines[1]["body"].is_null(), "a rejected body is not printed");
}
