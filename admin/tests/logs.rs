//! The delivery-log and metrics calls against the mock: paths, query parameters, pagination.

mod common;

use capillary_ens_admin::{DeliveryStatus, LogQuery, LogSort, TimeRange};
use capillary_ens_schemas::EventName;
use capillary_ens_testkit::mocks::admin_api::AdminApiMock;
use serde_json::json;

use common::{client, query};

const GROUP: &str = "5c0a7e1d-0e25-4b6f-9a0c-00000000abcd";

/// 25 logs for `GROUP`: every 5th a tierUpgraded, statuses cycling, durations 10..=250 ms.
async fn seeded() -> AdminApiMock {
    let mock = AdminApiMock::start().await;
    for index in 0..25_i64 {
        let status =
            ["DELIVERED", "DELIVERED", "FAILED", "RETRYING", "PENDING"][(index % 5) as usize];
        mock.add_event_log(json!({
            "eventId": format!("event-{index:02}"),
            "eventName": if index % 5 == 0 { "tierUpgraded" } else { "pointsIssued" },
            "consumerGroupId": GROUP,
            "refId": format!("50952_{index}"),
            "requestId": if index < 3 { "req-1" } else { "req-2" },
            "eventSearchKey": format!("cust-{}", index % 2),
            "status": status,
            "webhookDuration": 10 * (index + 1),
            "createdAt": 1_761_000_000_000_i64 + index * 60_000,
            "eventIngestionTimestamp": "2025-10-25T10:53:13.240+0530",
            "consumerResponse": {"webhookHttpStatus": 200, "time_taken": 10 * (index + 1)},
        }));
    }
    mock
}

#[tokio::test]
async fn event_log_by_event_id_reads_the_documented_fields() {
    let mock = seeded().await;
    let logs = client(&mock).event_logs("event-07").await.unwrap();
    assert_eq!(logs.len(), 1);
    let log = &logs[0];
    assert_eq!(log.event_id.as_deref(), Some("event-07"));
    assert_eq!(log.event_name, Some(EventName::PointsIssued));
    assert_eq!(log.ref_id.as_deref(), Some("50952_7"));
    assert_eq!(log.consumer_group_id.as_deref(), Some(GROUP));
    assert_eq!(
        log.event_ingestion_timestamp.as_deref(),
        Some("2025-10-25T10:53:13.240+0530")
    );
    let response = log.consumer_response.as_ref().unwrap();
    assert_eq!(response.webhook_http_status, Some(200));
    assert_eq!(response.time_taken, Some(80));
    assert_eq!(
        mock.requests_to("GET", "/v3/webHooks/eventLog/event-07")
            .await
            .len(),
        1
    );

    let missing = client(&mock).event_logs("nope").await.unwrap_err();
    assert!(missing.is_not_found());
}

#[tokio::test]
async fn event_logs_by_request_id_and_ref_id() {
    let mock = seeded().await;
    let client = client(&mock);
    let by_request = client.event_logs_by_request_id("req-1").await.unwrap();
    assert_eq!(by_request.len(), 3);
    let by_ref = client.event_logs_by_ref_id("50952_12").await.unwrap();
    assert_eq!(by_ref.len(), 1);
    assert_eq!(by_ref[0].event_id.as_deref(), Some("event-12"));
    assert!(
        client
            .event_logs_by_ref_id("50952_99")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        mock.requests_to("GET", "/v3/webHooks/eventLog/requestId/req-1")
            .await
            .len(),
        1
    );
    assert_eq!(
        mock.requests_to("GET", "/v3/webHooks/eventLog/refId/50952_12")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn one_page_with_filters_sends_the_documented_query() {
    let mock = seeded().await;
    let query_sent = LogQuery::new()
        .event_type(EventName::PointsIssued)
        .event_search_key("cust-1")
        .request_id("req-2")
        .sort(LogSort::WebhookDurationDesc)
        .size(3);
    let page = client(&mock)
        .consumer_group_logs(GROUP, &query_sent)
        .await
        .unwrap();

    // pointsIssued, odd index (cust-1), index >= 3: 3,7,9,11,13,17,19,21,23 → 9 entries.
    assert_eq!(page.total_elements, Some(9));
    assert_eq!(page.total_pages, Some(3));
    assert_eq!(page.page, 0);
    assert!(page.has_next());
    let ids: Vec<_> = page
        .entries
        .iter()
        .map(|e| e.event_id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["event-23", "event-21", "event-19"], "slowest first");
    assert_eq!(page.entries[0].status, Some(DeliveryStatus::Retrying));
    assert_eq!(page.entries[0].webhook_duration_ms, Some(240));
    assert_eq!(page.entries[0].event_search_key.as_deref(), Some("cust-1"));

    let requests = mock
        .requests_to("GET", &format!("/v3/events/consumer-groups/{GROUP}/logs"))
        .await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(query(request, "eventType").as_deref(), Some("pointsIssued"));
    assert_eq!(query(request, "eventSearchKey").as_deref(), Some("cust-1"));
    assert_eq!(query(request, "requestId").as_deref(), Some("req-2"));
    assert_eq!(
        query(request, "sortBy").as_deref(),
        Some("webhookDuration:desc")
    );
    assert_eq!(query(request, "page").as_deref(), Some("0"));
    assert_eq!(query(request, "size").as_deref(), Some("3"));
}

#[tokio::test]
async fn iterating_pages_reads_every_entry_once() {
    let mock = seeded().await;
    let client = client(&mock);
    let mut pages = client.consumer_group_log_pages(GROUP, LogQuery::new().size(10));
    let mut sizes = Vec::new();
    while let Some(page) = pages.next().await {
        sizes.push(page.unwrap().entries.len());
    }
    assert_eq!(sizes, [10, 10, 5]);

    let all = client
        .consumer_group_log_pages(GROUP, LogQuery::new().size(7))
        .collect_entries()
        .await
        .unwrap();
    let mut ids: Vec<_> = all.iter().map(|e| e.event_id.clone().unwrap()).collect();
    assert_eq!(ids.len(), 25);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 25, "no entry twice");
    let pages_asked: Vec<_> = mock
        .requests_to("GET", &format!("/v3/events/consumer-groups/{GROUP}/logs"))
        .await
        .iter()
        .map(|request| query(request, "page").unwrap())
        .collect();
    assert_eq!(pages_asked, ["0", "1", "2", "0", "1", "2", "3"]);
}

#[tokio::test]
async fn a_rejected_page_request_surfaces_the_api_error_and_ends_iteration() {
    let mock = seeded().await;
    let client = client(&mock);
    let mut pages = client.consumer_group_log_pages(GROUP, LogQuery::new().size(500));
    let error = pages.next().await.unwrap().unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert_eq!(
        error.api().unwrap().message(),
        Some("size must be between 1 and 100")
    );
    assert!(pages.next().await.is_none());

    let unknown = client
        .consumer_group_logs("unknown-group", &LogQuery::new())
        .await
        .unwrap_err();
    assert!(unknown.is_not_found());
}

#[tokio::test]
async fn metrics_sends_the_range_in_epoch_ms_and_reads_the_totals() {
    let mock = seeded().await;
    let client = client(&mock);
    let all = client.metrics(GROUP, TimeRange::all()).await.unwrap();
    assert_eq!(all.total_events, 25);
    assert_eq!(all.delivered_events, 10);
    assert_eq!(all.failed_events, 5);
    assert_eq!(all.retrying_events, 5);
    assert_eq!(all.pending_events, 5);
    assert_eq!(all.delivery_ratio(), Some(0.4));
    // Delivered: indexes 0,1,5,6,10,11,15,16,20,21 → durations (i+1)*10, mean 115.
    assert_eq!(all.average_delivery_time_ms, Some(115.0));

    let start = 1_761_000_000_000_i64;
    let first_five = client
        .metrics(GROUP, TimeRange::between(start, start + 4 * 60_000))
        .await
        .unwrap();
    assert_eq!(first_five.total_events, 5);
    assert_eq!(first_five.start_date, Some(start));

    let requests = mock
        .requests_to(
            "GET",
            &format!("/v3/events/consumer-groups/{GROUP}/metrics"),
        )
        .await;
    assert_eq!(query(&requests[0], "startDate"), None);
    assert_eq!(
        query(&requests[1], "startDate").as_deref(),
        Some("1761000000000")
    );
    assert_eq!(
        query(&requests[1], "endDate").as_deref(),
        Some("1761000240000")
    );
}
