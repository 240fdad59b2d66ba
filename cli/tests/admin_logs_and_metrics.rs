//! `ens logs …` and `ens metrics …` against the stateful admin mock.

use assert_cmd::Command;
use capillary_ens_testkit::mocks::admin_api::AdminApiMock;
use serde_json::{Value, json};

const GROUP: &str = "5c0a7e1d-0e25-4b6f-9a0c-0000000000aa";

fn ens(mock: &AdminApiMock) -> Command {
    let mut command = Command::cargo_bin("ens").unwrap();
    command
        .env_remove("ENS_API_USER")
        .env_remove("ENS_API_PASSWORD")
        .env("ENS_API_URL", mock.uri())
        .env("ENS_API_TOKEN", AdminApiMock::TOKEN);
    command
}

fn json_out(output: &std::process::Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

async fn seeded() -> AdminApiMock {
    let mock = AdminApiMock::start().await;
    for index in 0..7_i64 {
        mock.add_event_log(json!({
            "eventId": format!("event-{index}"),
            "eventName": if index == 0 { "tierUpgraded" } else { "pointsIssued" },
            "consumerGroupId": GROUP,
            "refId": format!("50952_{index}"),
            "requestId": if index < 2 { "req-a" } else { "req-b" },
            "status": if index % 3 == 0 { "FAILED" } else { "DELIVERED" },
            "webhookDuration": 100 + index,
            "createdAt": 1_761_000_000_000_i64 + index * 1_000,
            "consumerResponse": {"webhookHttpStatus": if index % 3 == 0 { 500 } else { 200 }, "time_taken": 100 + index},
        }));
    }
    mock
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_of_one_event_as_json_and_table() {
    let mock = seeded().await;
    let logs = json_out(
        &ens(&mock)
            .args(["logs", "event-3", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(logs.as_array().unwrap().len(), 1);
    assert_eq!(logs[0]["eventId"], "event-3");
    assert_eq!(logs[0]["eventName"], "pointsIssued");
    assert_eq!(logs[0]["refId"], "50952_3");
    assert_eq!(
        logs[0]["consumerResponse"],
        json!({"webhookHttpStatus": 500, "time_taken": 103})
    );

    let table = ens(&mock).args(["logs", "event-3"]).output().unwrap();
    assert!(table.status.success());
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.starts_with("EVENT ID"), "{text}");
    assert!(
        text.contains("event-3") && text.contains("HTTP 500"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_event_exits_3() {
    let mock = seeded().await;
    let output = ens(&mock).args(["logs", "no-such-event"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let unknown_group = ens(&mock)
        .args(["metrics", "--consumer-group", "nope"])
        .output()
        .unwrap();
    assert_eq!(unknown_group.status.code(), Some(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_by_request_id_and_ref_id() {
    let mock = seeded().await;
    let by_request = json_out(
        &ens(&mock)
            .args(["logs", "--request-id", "req-a", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(by_request.as_array().unwrap().len(), 2);
    let by_ref = json_out(
        &ens(&mock)
            .args(["logs", "--ref-id", "50952_5", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(by_ref[0]["eventId"], "event-5");
    assert_eq!(
        mock.requests_to("GET", "/v3/webHooks/eventLog/refId/50952_5")
            .await
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn consumer_group_logs_page_with_filters_and_all_pages() {
    let mock = seeded().await;
    let page = json_out(
        &ens(&mock)
            .args([
                "logs",
                "--consumer-group",
                GROUP,
                "--event-type",
                "pointsIssued",
            ])
            .args([
                "--request-id",
                "req-b",
                "--sort",
                "duration",
                "--size",
                "2",
                "--format",
                "json",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(page["totalElements"], 5);
    assert_eq!(page["totalPages"], 3);
    assert_eq!(page["page"], 0);
    assert_eq!(page["hasNext"], true);
    assert_eq!(page["entries"][0]["eventId"], "event-6");
    assert_eq!(page["entries"][0]["webhookDuration"], 106);
    assert_eq!(page["entries"][0]["status"], "FAILED");
    let request = &mock.received_requests().await[0];
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    for pair in [
        ("eventType", "pointsIssued"),
        ("requestId", "req-b"),
        ("sortBy", "webhookDuration:desc"),
        ("size", "2"),
        ("page", "0"),
    ] {
        assert!(
            query.contains(&(pair.0.to_owned(), pair.1.to_owned())),
            "{pair:?} in {query:?}"
        );
    }

    let all = json_out(
        &ens(&mock)
            .args([
                "logs",
                "--consumer-group",
                GROUP,
                "--size",
                "3",
                "--all",
                "--format",
                "json",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(all["count"], 7);
    assert_eq!(all["entries"].as_array().unwrap().len(), 7);
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_usage_errors_exit_2() {
    let mock = seeded().await;
    for args in [
        vec!["logs"],
        vec!["logs", "event-1", "--ref-id", "x"],
        vec!["logs", "event-1", "--all"],
        vec![
            "logs",
            "--consumer-group",
            GROUP,
            "--event-type",
            "nonsense",
        ],
    ] {
        let output = ens(&mock).args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
    assert!(mock.received_requests().await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_as_json_and_table() {
    let mock = seeded().await;
    let metrics = json_out(
        &ens(&mock)
            .args([
                "metrics",
                "--consumer-group",
                GROUP,
                "--since",
                "1761000001000",
            ])
            .args(["--until", "now", "--format", "json"])
            .output()
            .unwrap(),
    );
    // Events 1..=6: failed 3 and 6, delivered 1, 2, 4, 5.
    assert_eq!(metrics["totalEvents"], 6);
    assert_eq!(metrics["deliveredEvents"], 4);
    assert_eq!(metrics["failedEvents"], 2);
    assert_eq!(metrics["retryingEvents"], 0);
    assert_eq!(metrics["pendingEvents"], 0);
    assert_eq!(metrics["averageDeliveryTime"], 103.0);
    assert_eq!(metrics["startDate"], 1_761_000_001_000_i64);
    let request = &mock.received_requests().await[0];
    assert!(
        request
            .url
            .query()
            .unwrap()
            .contains("startDate=1761000001000")
    );
    assert!(request.url.query().unwrap().contains("endDate="));

    let table = ens(&mock)
        .args(["metrics", "--consumer-group", GROUP])
        .output()
        .unwrap();
    assert!(table.status.success());
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("delivered") && text.contains("4 (57.1%)"),
        "{text}"
    );

    let bad = ens(&mock)
        .args([
            "metrics",
            "--consumer-group",
            GROUP,
            "--since",
            "last tuesday",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limited_call_is_retried_by_the_cli() {
    let mock = seeded().await;
    mock.rate_limit_next_with_retry_after(1, 0);
    let logs = json_out(
        &ens(&mock)
            .args(["logs", "event-1", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(logs[0]["eventId"], "event-1");
    assert_eq!(mock.received_requests().await.len(), 2);
}
