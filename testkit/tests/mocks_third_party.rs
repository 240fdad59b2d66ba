//! Third-party endpoints, exercised over real HTTP with reqwest.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use capillary_ens_testkit::mocks::third_party::{Reply, ThirdPartyEndpoint};
use http::Method;
use serde_json::json;

/// Generous: only bounds how long a broken test hangs, never asserted on.
const PATIENCE: Duration = Duration::from_secs(10);

async fn post_json(url: &str, body: serde_json::Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .bearer_auth("provider-key")
        .json(&body)
        .send()
        .await
        .expect("the endpoint answers")
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn accepted_routes_answer_and_record_bodies_and_headers() {
    let sms = ThirdPartyEndpoint::start().await;
    sms.accept_with(
        Method::POST,
        "/v1/messages",
        Reply::status(202)
            .json(json!({ "messageId": "msg_1" }))
            .header("x-provider-request", "abc"),
    );

    let response = post_json(&sms.url("/v1/messages"), json!({ "to": "919876543210" })).await;

    assert_eq!(response.status(), 202);
    assert_eq!(
        response
            .headers()
            .get("x-provider-request")
            .map(|value| value.as_bytes()),
        Some(&b"abc"[..])
    );
    let answer: serde_json::Value = response.json().await.expect("a JSON body");
    assert_eq!(answer, json!({ "messageId": "msg_1" }));

    assert_eq!(
        sms.received_json("/v1/messages"),
        [json!({ "to": "919876543210" })]
    );
    let received = sms.received("/v1/messages");
    assert_eq!(received[0].method(), Method::POST);
    assert_eq!(
        received[0].header("authorization"),
        Some("Bearer provider-key")
    );
    assert_eq!(received[0].header("content-type"), Some("application/json"));
    assert_eq!(received[0].answered_with(), 202);
    sms.assert_received_exactly("/v1/messages", 1);
}

#[tokio::test]
async fn accept_answers_200_with_an_empty_json_object_and_accepting_again_replaces_the_reply() {
    let survey = ThirdPartyEndpoint::start().await;
    survey.accept(Method::POST, "/api/v2/invitations");
    let first = post_json(&survey.url("/api/v2/invitations"), json!({})).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.text().await.expect("a body"), "{}");

    survey.accept_with(
        Method::POST,
        "/api/v2/invitations",
        Reply::status(409).text("duplicate"),
    );
    let second = post_json(&survey.url("/api/v2/invitations"), json!({})).await;
    assert_eq!(second.status(), 409);
    assert_eq!(second.text().await.expect("a body"), "duplicate");
}

#[tokio::test]
async fn routes_match_method_and_placeholder_segments_but_not_the_query() {
    let shop = ThirdPartyEndpoint::start().await;
    shop.accept(Method::POST, "/rest/V1/orders/{id}/comments");

    let ok = post_json(
        &shop.url("/rest/V1/orders/1001/comments?storeId=1"),
        json!({}),
    )
    .await;
    let wrong_method = reqwest::Client::new()
        .get(shop.url("/rest/V1/orders/1001/comments"))
        .send()
        .await
        .expect("the endpoint answers");
    let unknown = post_json(&shop.url("/rest/V1/orders"), json!({})).await;

    assert_eq!(ok.status(), 200);
    assert_eq!(wrong_method.status(), 404);
    assert_eq!(unknown.status(), 404);
    assert_eq!(shop.received_count("/rest/V1/orders/{id}/comments"), 2);
    assert_eq!(shop.received_count("/rest/V1/orders/1001/comments"), 2);
    assert_eq!(shop.received_count("/rest/V1/orders/2002/comments"), 0);
    let received = shop.received_requests();
    assert_eq!(received.len(), 3);
    assert_eq!(received[0].query_param("storeId"), Some("1"));
}

#[tokio::test]
async fn a_failing_assertion_says_what_was_expected_and_lists_what_arrived() {
    let sms = ThirdPartyEndpoint::start().await;
    sms.accept(Method::POST, "/v1/messages");
    post_json(
        &sms.url("/v1/message"),
        json!({ "text": "typo in the path" }),
    )
    .await;

    let outcome = catch_unwind(AssertUnwindSafe(|| {
        sms.assert_received_exactly("/v1/messages", 1);
    }));

    let payload = outcome.expect_err("the assertion fails");
    let message = panic_message(payload.as_ref());
    assert!(
        message.starts_with(
            "expected exactly 1 request to /v1/messages, but the endpoint received 0."
        ),
        "{message}"
    );
    assert!(
        message.contains(r#"1. POST /v1/message -> 404, body: {"text":"typo in the path"}"#),
        "{message}"
    );
    assert!(
        message.contains("Accepted routes: POST /v1/messages"),
        "{message}"
    );
}

#[tokio::test]
#[should_panic(expected = "(no requests at all)")]
async fn a_failing_assertion_on_a_silent_endpoint_says_nothing_arrived() {
    let sms = ThirdPartyEndpoint::start().await;
    sms.accept(Method::POST, "/v1/messages");
    sms.assert_received_exactly("/v1/messages", 2);
}

#[tokio::test]
#[should_panic(expected = "request 1 to /v1/messages does not have a JSON body")]
async fn received_json_panics_clearly_on_a_body_that_is_not_json() {
    let sms = ThirdPartyEndpoint::start().await;
    sms.accept(Method::POST, "/v1/messages");
    reqwest::Client::new()
        .post(sms.url("/v1/messages"))
        .body("to=919876543210")
        .send()
        .await
        .expect("the endpoint answers");
    sms.received_json("/v1/messages");
}

#[tokio::test]
async fn an_outage_fails_the_next_requests_then_the_endpoint_recovers() {
    let email = ThirdPartyEndpoint::start().await;
    email
        .accept(Method::POST, "/v3/mail/send")
        .fail_next(2, 503);

    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = post_json(&email.url("/v3/mail/send"), json!({ "subject": "hi" })).await;
        statuses.push(response.status().as_u16());
    }

    assert_eq!(statuses, [503, 503, 200]);
    let answered: Vec<u16> = email
        .received("/v3/mail/send")
        .iter()
        .map(|request| request.answered_with())
        .collect();
    assert_eq!(
        answered,
        [503, 503, 200],
        "failed attempts are received too"
    );
    email.assert_received_exactly("/v3/mail/send", 3);
}

#[tokio::test]
async fn a_rate_limit_answers_429_with_retry_after() {
    let survey = ThirdPartyEndpoint::start().await;
    survey
        .accept(Method::POST, "/api/v2/invitations")
        .rate_limit_next(1);

    let limited = post_json(&survey.url("/api/v2/invitations"), json!({})).await;
    let accepted = post_json(&survey.url("/api/v2/invitations"), json!({})).await;

    assert_eq!(limited.status(), 429);
    assert_eq!(
        limited
            .headers()
            .get("retry-after")
            .map(|value| value.as_bytes()),
        Some(&b"1"[..])
    );
    assert_eq!(accepted.status(), 200);
}

#[tokio::test]
async fn wait_for_returns_once_background_work_has_sent_enough_requests() {
    let sms = ThirdPartyEndpoint::start().await;
    sms.accept(Method::POST, "/v1/messages");
    let url = sms.url("/v1/messages");
    let background = tokio::spawn(async move {
        for number in 0..3 {
            post_json(&url, json!({ "n": number })).await;
        }
    });

    let received = sms.wait_for("/v1/messages", 3, PATIENCE).await;

    assert_eq!(received.len(), 3);
    background.await.expect("the background task finishes");
    assert_eq!(
        sms.received_json("/v1/messages"),
        [json!({ "n": 0 }), json!({ "n": 1 }), json!({ "n": 2 })]
    );
}

#[tokio::test]
#[should_panic(
    expected = "timed out after 50ms waiting for 1 request to /v1/messages; the endpoint received 0"
)]
async fn wait_for_panics_clearly_when_nothing_arrives() {
    let sms = ThirdPartyEndpoint::start().await;
    sms.accept(Method::POST, "/v1/messages");
    sms.wait_for("/v1/messages", 1, Duration::from_millis(50))
        .await;
}

#[tokio::test]
async fn debug_output_shows_no_header_values_or_bodies() {
    let sms = ThirdPartyEndpoint::start().await;
    sms.accept(Method::POST, "/v1/messages");
    post_json(&sms.url("/v1/messages"), json!({ "to": "919876543210" })).await;

    let debug = format!("{:?}", sms.received_requests());

    assert!(
        debug.contains("/v1/messages") && debug.contains("authorization"),
        "{debug}"
    );
    assert!(!debug.contains("provider-key"), "{debug}");
    assert!(!debug.contains("919876543210"), "{debug}");
}

#[test]
#[should_panic(expected = "1000 is not an HTTP status code")]
fn an_impossible_status_is_refused_when_configured() {
    let _ = Reply::status(1000);
}
