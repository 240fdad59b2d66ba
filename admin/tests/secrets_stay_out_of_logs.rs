//! With tracing at TRACE, a client's calls (success, error and retry) log method, path and
//! status, and never the credentials, header values or query values.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use ens_admin::{Client, Credentials, LogQuery, RetryPolicy, Webhook};
use ens_schemas::EventName;
use ens_testkit::mocks::admin_api::AdminApiMock;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_hold_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mock =
        AdminApiMock::start_with_credentials("api.user", "p4ssw0rd-xyz", Some("t0ken-xyz")).await;
    let client = Client::builder(&mock.uri())
        .credentials(Credentials::basic("api.user", "p4ssw0rd-xyz"))
        .retry_policy(RetryPolicy::default())
        .sleeper(common::RecordingSleeper::default())
        .build()
        .unwrap();
    mock.rate_limit_next_with_retry_after(1, 0);
    let webhook = Webhook::new("w", "https://x.example.com", [EventName::CustomerAdded])
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

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("ens_admin.request"), "{text}");
    assert!(text.contains("path=/v3/webHooks"), "{text}");
    assert!(text.contains("status=429"), "{text}");
    assert!(text.contains("retrying"), "{text}");
    for secret in [
        "p4ssw0rd-xyz",
        "YXBpLnVzZXI6cDRzc3cwcmQteHl6",
        "t0ken-xyz",
        "hook-s3cret-xyz",
        "customer-777-xyz",
    ] {
        assert!(!text.contains(secret), "{secret} was logged:\n{text}");
    }
}
