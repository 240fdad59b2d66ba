//! With tracing at TRACE, a client's calls (success, error and retry) log method, path and
//! status, and never the credentials, header values or query values.

mod common;

use capillary_ens_admin::{ApiRetryPolicy, Client, Credentials, LogQuery, WebhookConfig};
use capillary_ens_schemas::EventName;
use capillary_ens_testkit::logs::LogCapture;
use capillary_ens_testkit::mocks::admin_api::AdminApiMock;

#[tokio::test]
async fn logs_hold_no_secret() {
    let logs = LogCapture::install();

    let mock =
        AdminApiMock::start_with_credentials("api.user", "p4ssw0rd-xyz", Some("t0ken-xyz")).await;
    let client = Client::builder(&mock.uri())
        .credentials(Credentials::basic("api.user", "p4ssw0rd-xyz"))
        .retry_policy(ApiRetryPolicy::default())
        .sleeper(common::RecordingSleeper::default())
        .build()
        .unwrap();
    mock.rate_limit_next_with_retry_after(1, 0);
    let webhook = WebhookConfig::new("w", "https://x.example.com", [EventName::CustomerAdded])
        .with_header("Authorization", "Bearer hook-s3cret-xyz");
    let created = client.create_webhook(&webhook).await.unwrap();
    let _ = client.create_webhook(&webhook).await.unwrap_err();
    let group = created.consumer_group_id.unwrap();
    let _ = client
        .consumer_group_logs(
            &group,
            &LogQuery::new().event_search_key("customer-777-xyz"),
        )
        .await;
    let bearer = Client::new(&mock.uri(), Credentials::bearer("t0ken-xyz")).unwrap();
    bearer.list_webhooks().await.unwrap();

    logs.assert_contains("capillary_ens_admin.request")
        .assert_contains("path=/v3/webHooks")
        .assert_contains("status=429")
        .assert_contains("retrying");
    logs.assert_absent(&[
        "p4ssw0rd-xyz",
        "YXBpLnVzZXI6cDRzc3cwcmQteHl6",
        "t0ken-xyz",
        "hook-s3cret-xyz",
        "customer-777-xyz",
    ]);
}
