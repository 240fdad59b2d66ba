//! `ens webhooks …` and `ens subscribe` against the stateful admin mock.

use assert_cmd::Command;
use capillary_ens_testkit::mocks::admin_api::AdminApiMock;
use serde_json::{Value, json};

/// `ens` pointed at `mock` through the environment, with Basic credentials.
fn ens(mock: &AdminApiMock) -> Command {
    let mut command = Command::cargo_bin("ens").unwrap();
    command
        .env_remove("ENS_API_TOKEN")
        .env("ENS_API_URL", mock.uri())
        .env("ENS_API_USER", AdminApiMock::USER)
        .env("ENS_API_PASSWORD", AdminApiMock::PASSWORD);
    command
}

fn json_out(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not JSON ({error}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn seed(mock: &AdminApiMock) -> String {
    mock.add_webhook(json!({
        "name": "crm-sync",
        "webHookUrl": "https://hooks.example.com/ens",
        "eventNames": ["pointsIssued"],
        "webHookHeaders": {"Authorization": "Bearer hook-s3cret"},
        "maxAllowedConnections": 20,
    }))
}

#[tokio::test(flavor = "multi_thread")]
async fn list_prints_a_table_and_json_without_header_values() {
    let mock = AdminApiMock::start().await;
    let id = seed(&mock);

    let table = ens(&mock).args(["webhooks", "list"]).output().unwrap();
    assert!(table.status.success());
    let text = String::from_utf8(table.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("ID"), "{text}");
    assert!(
        lines[1].contains(&id) && lines[1].contains("crm-sync"),
        "{text}"
    );
    assert!(!text.contains("hook-s3cret"));

    let output = ens(&mock)
        .args(["webhooks", "list", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let listed = json_out(&output);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let webhook = &listed[0];
    assert_eq!(webhook["webHookId"], id.as_str());
    assert_eq!(webhook["name"], "crm-sync");
    assert_eq!(webhook["webHookUrl"], "https://hooks.example.com/ens");
    assert_eq!(webhook["eventNames"], json!(["pointsIssued"]));
    assert_eq!(webhook["maxAllowedConnections"], 20);
    assert_eq!(webhook["active"], true);
    assert_eq!(webhook["headerNames"], json!(["Authorization"]));
    assert!(webhook["consumerGroupId"].is_string());
    assert!(!String::from_utf8_lossy(&output.stdout).contains("hook-s3cret"));
}

#[tokio::test(flavor = "multi_thread")]
async fn create_sends_the_webhook_and_prints_it() {
    let mock = AdminApiMock::start().await;
    let output = ens(&mock)
        .args([
            "webhooks",
            "create",
            "--name",
            "loyalty",
            "--url",
            "https://hooks.example.com/loyalty",
            "--event",
            "pointsIssued",
            "--event",
            "tierupgraded",
            "--header",
            "Authorization: Bearer n3w",
            "--max-connections",
            "5",
            "--enrich-identifiers",
            "Instore",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let created = json_out(&output);
    assert_eq!(created["name"], "loyalty");
    assert_eq!(
        created["eventNames"],
        json!(["pointsIssued", "tierUpgraded"])
    );
    let id = created["webHookId"].as_str().unwrap();

    let stored = mock.webhook(id).unwrap();
    assert_eq!(stored["maxAllowedConnections"], 5);
    assert_eq!(
        stored["customerIdentifiersToBeEnriched"],
        json!(["Instore"])
    );
    assert_eq!(
        mock.webhook_header(id, "authorization").as_deref(),
        Some("Bearer n3w")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_event_names_are_a_usage_error_and_nothing_is_sent() {
    let mock = AdminApiMock::start().await;
    let id = seed(&mock);
    let create = ens(&mock)
        .args([
            "webhooks",
            "create",
            "--name",
            "x",
            "--url",
            "https://x.example.com",
        ])
        .args(["--event", "pointsIssued", "--event", "pointsIssuedd"])
        .output()
        .unwrap();
    assert_eq!(create.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&create.stderr).contains("unknown event name: pointsIssuedd"));

    let subscribe = ens(&mock)
        .args(["subscribe", &id, "tierUpgraded", "noSuchEvent", "alsoWrong"])
        .output()
        .unwrap();
    assert_eq!(subscribe.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&subscribe.stderr).contains("noSuchEvent, alsoWrong"),
        "{}",
        String::from_utf8_lossy(&subscribe.stderr)
    );
    assert!(mock.received_requests().await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribe_by_name_adds_the_events() {
    let mock = AdminApiMock::start().await;
    let id = seed(&mock);
    let output = ens(&mock)
        .args([
            "subscribe",
            "crm-sync",
            "tierUpgraded",
            "customerAdded",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        json_out(&output)["eventNames"],
        json!(["pointsIssued", "tierUpgraded", "customerAdded"])
    );
    assert_eq!(
        mock.webhook(&id).unwrap()["eventNames"],
        json!(["pointsIssued", "tierUpgraded", "customerAdded"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn update_changes_only_what_is_asked() {
    let mock = AdminApiMock::start().await;
    let id = seed(&mock);
    let output = ens(&mock)
        .args([
            "webhooks",
            "update",
            &id,
            "--active",
            "false",
            "--remove-event",
            "pointsIssued",
        ])
        .args(["--add-event", "CouponIssue", "--header", "X-Api-Key: k2"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("CouponIssue"), "{text}");
    assert!(text.contains("values hidden"), "{text}");
    let stored = mock.webhook(&id).unwrap();
    assert_eq!(stored["active"], false);
    assert_eq!(stored["eventNames"], json!(["CouponIssue"]));
    assert_eq!(stored["webHookUrl"], "https://hooks.example.com/ens");
    assert_eq!(
        mock.webhook_header(&id, "authorization").as_deref(),
        Some("Bearer hook-s3cret")
    );
    assert_eq!(mock.webhook_header(&id, "x-api-key").as_deref(), Some("k2"));
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_then_delete_again_is_not_found() {
    let mock = AdminApiMock::start().await;
    let id = seed(&mock);
    let output = ens(&mock)
        .args(["webhooks", "delete", &id, "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        json_out(&output),
        json!({"deleted": id, "name": "crm-sync"})
    );
    assert!(mock.webhooks().is_empty());

    let again = ens(&mock)
        .args(["webhooks", "delete", &id])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not found"));
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_credentials_exit_4_and_missing_ones_exit_2() {
    let mock = AdminApiMock::start().await;
    let refused = ens(&mock)
        .env("ENS_API_PASSWORD", "wrong")
        .args(["webhooks", "list"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("the api answered 401"), "{stderr}");
    assert!(!stderr.contains("wrong"));

    let token = ens(&mock)
        .env("ENS_API_TOKEN", AdminApiMock::TOKEN)
        .env("ENS_API_PASSWORD", "wrong")
        .args(["webhooks", "list"])
        .output()
        .unwrap();
    assert!(
        token.status.success(),
        "a token is used before user/password"
    );

    let missing = Command::cargo_bin("ens")
        .unwrap()
        .env_remove("ENS_API_USER")
        .env_remove("ENS_API_PASSWORD")
        .env_remove("ENS_API_TOKEN")
        .env("ENS_API_URL", mock.uri())
        .args(["webhooks", "list"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no credentials"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_create_exits_1_with_the_api_message() {
    let mock = AdminApiMock::start().await;
    seed(&mock);
    let output = ens(&mock)
        .args([
            "webhooks",
            "create",
            "--name",
            "crm-sync",
            "--url",
            "https://x.example.com",
        ])
        .args(["--event", "pointsIssued"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("the api answered 409: Webhook with the same name already exists"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn help_shows_how_to_provision_a_webhook() {
    let output = Command::cargo_bin("ens")
        .unwrap()
        .args(["webhooks", "--help"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(
        help.contains("ens webhooks create --name crm-sync"),
        "{help}"
    );
    assert!(help.contains("ENS_API_URL"));
    assert!(help.contains("Exit codes"));
    for command in [
        vec!["webhooks", "create", "--help"],
        vec!["subscribe", "--help"],
        vec!["logs", "--help"],
        vec!["metrics", "--help"],
    ] {
        let output = Command::cargo_bin("ens")
            .unwrap()
            .args(&command)
            .output()
            .unwrap();
        assert!(output.status.success(), "{command:?}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Exit codes"),
            "{command:?}"
        );
    }
}
