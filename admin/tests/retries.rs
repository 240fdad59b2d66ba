//! Retries: 429 honours `Retry-After`, 5xx is retried for idempotent calls only, attempts are
//! bounded. Waits go through a recording sleeper, so nothing here waits or measures time.

mod common;

use std::time::Duration;

use capillary_ens_admin::{ApiRetryPolicy, Client, Credentials, Error, WebhookConfig};
use capillary_ens_schemas::EventName;
use capillary_ens_testkit::mocks::admin_api::AdminApiMock;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{RecordingSleeper, client_with};

#[tokio::test]
async fn a_429_is_retried_after_the_retry_after_seconds() {
    let mock = AdminApiMock::start().await;
    mock.rate_limit_next_with_retry_after(2, 7);
    let sleeper = RecordingSleeper::default();
    let webhooks = client_with(&mock, sleeper.clone())
        .list_webhooks()
        .await
        .unwrap();
    assert!(webhooks.is_empty());
    assert_eq!(
        sleeper.waits(),
        [Duration::from_secs(7), Duration::from_secs(7)]
    );
    assert_eq!(mock.requests_to("GET", "/v3/webHooks").await.len(), 3);
}

#[tokio::test]
async fn a_429_on_create_is_retried_too_because_nothing_was_created() {
    let mock = AdminApiMock::start().await;
    mock.rate_limit_next(1);
    let sleeper = RecordingSleeper::default();
    let webhook = WebhookConfig::new("w", "https://x.example.com", [EventName::CustomerAdded]);
    client_with(&mock, sleeper.clone())
        .create_webhook(&webhook)
        .await
        .unwrap();
    assert_eq!(sleeper.waits(), [Duration::from_secs(1)]);
    assert_eq!(mock.webhooks().len(), 1);
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_429_is_returned_with_its_body() {
    let mock = AdminApiMock::start().await;
    mock.rate_limit_next_with_retry_after(10, 0);
    let sleeper = RecordingSleeper::default();
    let error = client_with(&mock, sleeper.clone())
        .list_webhooks()
        .await
        .unwrap_err();
    let api = error.api().expect("an api error");
    assert_eq!(api.status, 429);
    assert_eq!(api.retry_after, Some(Duration::ZERO));
    assert_eq!(api.message(), Some("Rate limit exceeded, retry later"));
    assert_eq!(sleeper.waits().len(), 3, "4 attempts, 3 waits");
    assert_eq!(mock.received_requests().await.len(), 4);
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_is_not_waited_for() {
    let mock = AdminApiMock::start().await;
    mock.rate_limit_next_with_retry_after(1, 3600);
    let sleeper = RecordingSleeper::default();
    let error = client_with(&mock, sleeper.clone())
        .list_webhooks()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(429));
    assert!(sleeper.waits().is_empty());
}

#[tokio::test]
async fn a_5xx_is_retried_with_exponential_backoff_then_succeeds() {
    let mock = AdminApiMock::start().await;
    mock.fail_next(2, 503);
    let sleeper = RecordingSleeper::default();
    let client = Client::builder(&mock.uri())
        .credentials(Credentials::bearer(AdminApiMock::TOKEN))
        .retry_policy(
            ApiRetryPolicy::default()
                .max_attempts(5)
                .initial_backoff(Duration::from_millis(100))
                .jitter(false),
        )
        .sleeper(sleeper.clone())
        .build()
        .unwrap();
    client.list_webhooks().await.unwrap();
    // Whole milliseconds: backon computes the schedule in f32 seconds (200.000003 ms).
    let waits: Vec<u128> = sleeper.waits().iter().map(Duration::as_millis).collect();
    assert_eq!(waits, [100, 200]);
}

#[tokio::test]
async fn backoff_is_jittered_by_default_between_the_base_wait_and_twice_it() {
    let mock = AdminApiMock::start().await;
    mock.fail_next(3, 503);
    let sleeper = RecordingSleeper::default();
    let client = Client::builder(&mock.uri())
        .credentials(Credentials::bearer(AdminApiMock::TOKEN))
        .retry_policy(
            ApiRetryPolicy::default()
                .max_attempts(4)
                .initial_backoff(Duration::from_millis(100)),
        )
        .sleeper(sleeper.clone())
        .build()
        .unwrap();
    client.list_webhooks().await.unwrap();
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 3);
    for (wait, base) in waits.iter().zip([100, 200, 400]) {
        let base = Duration::from_millis(base);
        assert!(
            base <= *wait && *wait < base * 2,
            "{wait:?} for a base of {base:?}"
        );
    }
}

#[tokio::test]
async fn a_5xx_on_create_is_not_retried_so_nothing_is_created_twice() {
    let mock = AdminApiMock::start().await;
    mock.fail_next(1, 502);
    let sleeper = RecordingSleeper::default();
    let webhook = WebhookConfig::new("w", "https://x.example.com", [EventName::CustomerAdded]);
    let error = client_with(&mock, sleeper.clone())
        .create_webhook(&webhook)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(502));
    assert!(sleeper.waits().is_empty());
    assert_eq!(mock.received_requests().await.len(), 1);
}

#[tokio::test]
async fn no_retry_policy_makes_one_attempt() {
    let mock = AdminApiMock::start().await;
    mock.fail_next(1, 500);
    let client = Client::builder(&mock.uri())
        .credentials(Credentials::bearer(AdminApiMock::TOKEN))
        .retry_policy(ApiRetryPolicy::none())
        .sleeper(RecordingSleeper::default())
        .build()
        .unwrap();
    assert_eq!(
        client.list_webhooks().await.unwrap_err().status(),
        Some(500)
    );
}

#[tokio::test]
async fn a_200_with_errors_and_no_data_is_an_error_and_a_non_json_body_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/events/consumer-groups/g/metrics"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"data":null,"errors":[{"code":8301,"message":"Invalid date range"}],"warnings":null}"#,
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/webHooks"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .mount(&server)
        .await;
    let client = Client::new(&server.uri(), Credentials::bearer("t")).unwrap();

    let error = client
        .metrics("g", capillary_ens_admin::TimeRange::all())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the api answered 200: Invalid date range (code 8301)"
    );

    let error = client.list_webhooks().await.unwrap_err();
    assert!(
        matches!(error, Error::Decode { status: 200, .. }),
        "{error:?}"
    );
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert_eq!(source, "not valid json at line 1 column 1");
}

#[tokio::test]
async fn an_unreachable_api_is_a_transport_error_without_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let sleeper = RecordingSleeper::default();
    let client = Client::builder(&format!("http://{address}"))
        .credentials(Credentials::bearer("t"))
        .retry_policy(ApiRetryPolicy::default().max_attempts(2))
        .sleeper(sleeper.clone())
        .build()
        .unwrap();
    let error = client
        .event_logs_by_ref_id("50952_secret-ish")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(error.to_string(), "could not reach the api");
    assert!(!format!("{error:?}").contains("secret-ish"));
    assert_eq!(
        sleeper.waits().len(),
        1,
        "a GET is retried after a connection failure"
    );
}
