//! The Capillary customer API mock, exercised over real HTTP with reqwest.

use std::time::Duration;

use capillary_ens_testkit::mocks::capillary::{
    CapillaryApiMock, DEFAULT_PASSWORD, DEFAULT_USERNAME, MockCustomer,
};
use serde_json::Value;

fn priya() -> MockCustomer {
    MockCustomer::new(42)
        .first_name("Priya")
        .last_name("Sharma")
        .mobile("919876543210")
        .email("priya@example.com")
        .external_id("EXT-42")
        .card_number("CARD0042")
        .extended_field("gender", "Female")
        .points(1270.5)
        .redeemed_points(300.0)
        .tier("Gold")
        .lifetime_purchases(18250.0)
}

/// `GET {uri}{path_and_query}` with the mock's own credentials; the status and the JSON body.
async fn get(capillary: &CapillaryApiMock, path_and_query: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path_and_query}", capillary.uri()))
        .header("authorization", capillary.authorization())
        .send()
        .await
        .expect("the mock answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

fn statuses(requests: &[capillary_ens_testkit::mocks::third_party::ReceivedRequest]) -> Vec<u16> {
    requests
        .iter()
        .map(|request| request.answered_with())
        .collect()
}

#[tokio::test]
async fn a_customer_is_found_by_id_with_a_v2_shaped_body() {
    let capillary = CapillaryApiMock::start().await;
    capillary.add_customer(priya());

    let (status, customer) = get(&capillary, "/v2/customers/42?source=INSTORE").await;

    assert_eq!(status, 200);
    assert_eq!(customer["id"], 42);
    let profile = &customer["profiles"][0];
    assert_eq!(profile["firstName"], "Priya");
    assert_eq!(profile["lastName"], "Sharma");
    assert_eq!(profile["source"], "INSTORE");
    let identifiers: Vec<(&str, &str)> = profile["identifiers"]
        .as_array()
        .expect("identifiers is an array")
        .iter()
        .map(|identifier| {
            (
                identifier["type"].as_str().unwrap_or_default(),
                identifier["value"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        identifiers,
        [
            ("mobile", "919876543210"),
            ("email", "priya@example.com"),
            ("externalId", "EXT-42"),
            ("cardnumber", "CARD0042"),
        ]
    );
    assert_eq!(customer["loyaltyInfo"]["loyaltyType"], "loyalty");
    assert_eq!(customer["loyaltyInfo"]["lifetimePurchases"], 18250.0);
    assert_eq!(customer["extendedFields"]["gender"], "Female");
    assert!(
        customer.get("pointsSummaries").is_none(),
        "points only come with embed=points"
    );
}

#[tokio::test]
async fn a_customer_is_found_by_each_identifier() {
    let capillary = CapillaryApiMock::start().await;
    capillary.add_customer(MockCustomer::new(7).mobile("911111111111"));
    capillary.add_customer(priya());
    let client = reqwest::Client::new();

    let lookups = [
        ("/v2/customers/lookup", "mobile", "919876543210"),
        ("/v2/customers/lookup", "email", "Priya@Example.com"),
        ("/v2/customers/lookup", "externalId", "EXT-42"),
        ("/v2/customers/lookup", "cardNumber", "CARD0042"),
        (
            "/v2/customers/lookup/customerDetails",
            "cardnumber",
            "CARD0042",
        ),
    ];
    for (path, name, value) in lookups {
        let response = client
            .get(format!("{}{path}", capillary.uri()))
            .query(&[
                ("source", "INSTORE"),
                ("identifierName", name),
                ("identifierValue", value),
            ])
            .header("authorization", capillary.authorization())
            .send()
            .await
            .expect("the mock answers");
        assert_eq!(response.status(), 200, "lookup by {name} on {path}");
        let customer: Value = response.json().await.expect("a JSON body");
        assert_eq!(customer["id"], 42, "lookup by {name} on {path}");
    }

    let lookups_of_42 = capillary.requests_for_customer(42);
    assert_eq!(lookups_of_42.len(), lookups.len());
    assert_eq!(
        lookups_of_42[1].query_param("identifierValue"),
        Some("Priya@Example.com")
    );
    assert!(capillary.requests_for_customer(7).is_empty());
}

#[tokio::test]
async fn points_balance_comes_with_embed_points() {
    let capillary = CapillaryApiMock::start().await;
    capillary.add_customer(priya().program_id(555).expired_points(20.0));

    let (status, customer) = get(&capillary, "/v2/customers/42?source=INSTORE&embed=points").await;

    assert_eq!(status, 200);
    let summary = &customer["pointsSummaries"][0];
    assert_eq!(summary["programId"], 555);
    assert_eq!(summary["loyaltyPoints"], 1270.5);
    assert_eq!(summary["redeemed"], 300.0);
    assert_eq!(summary["expired"], 20.0);
    assert_eq!(summary["cumulativePoints"], 1590.5);
    assert_eq!(summary["currentSlab"], "Gold");
}

#[tokio::test]
async fn customers_added_or_changed_after_start_are_answered_at_once() {
    let capillary = CapillaryApiMock::start().await;
    assert_eq!(get(&capillary, "/v2/customers/42").await.0, 404);

    capillary.add_customer(priya());
    assert_eq!(get(&capillary, "/v2/customers/42").await.0, 200);

    capillary.add_customer(priya().points(10.0));
    let (_, customer) = get(&capillary, "/v2/customers/42?embed=points").await;
    assert_eq!(customer["pointsSummaries"][0]["loyaltyPoints"], 10.0);
}

#[tokio::test]
async fn requests_without_or_with_wrong_credentials_get_401() {
    let capillary = CapillaryApiMock::start().await;
    capillary.add_customer(priya());
    let client = reqwest::Client::new();
    let url = format!("{}/v2/customers/42", capillary.uri());

    let anonymous = client.get(&url).send().await.expect("the mock answers");
    assert_eq!(anonymous.status(), 401);
    let body: Value = anonymous.json().await.expect("a JSON body");
    assert_eq!(body["errors"][0]["code"], 401);
    assert_eq!(body["errors"][0]["status"], false);
    assert_eq!(
        body["errors"][0]["message"],
        "Unauthorized: missing `authorization` header"
    );
    assert!(
        body.get("id").is_none(),
        "no customer data without credentials"
    );

    let wrong = client
        .get(&url)
        .basic_auth(DEFAULT_USERNAME, Some("guess"))
        .send()
        .await
        .expect("the mock answers");
    assert_eq!(wrong.status(), 401);

    let right = client
        .get(&url)
        .basic_auth(DEFAULT_USERNAME, Some(DEFAULT_PASSWORD))
        .send()
        .await
        .expect("the mock answers");
    assert_eq!(right.status(), 200);

    assert_eq!(
        statuses(&capillary.requests_for_customer(42)),
        [401, 401, 200]
    );
}

#[tokio::test]
async fn configured_credentials_replace_the_defaults_and_all_of_them_are_accepted() {
    let capillary = CapillaryApiMock::builder()
        .basic_auth("brand-till", "5f4dcc3b5aa765d61d8327deb882cf99")
        .bearer_token("oauth-token")
        .start()
        .await;
    capillary.add_customer(priya());
    let client = reqwest::Client::new();
    let url = format!("{}/v2/customers/42", capillary.uri());
    let status_with = |request: reqwest::RequestBuilder| async move {
        request
            .send()
            .await
            .expect("the mock answers")
            .status()
            .as_u16()
    };

    assert!(capillary.authorization().starts_with("Basic "));
    assert_eq!(
        status_with(client.get(&url).bearer_auth("oauth-token")).await,
        200
    );
    assert_eq!(
        status_with(
            client
                .get(&url)
                .basic_auth("brand-till", Some("5f4dcc3b5aa765d61d8327deb882cf99"))
        )
        .await,
        200
    );
    assert_eq!(
        status_with(client.get(&url).bearer_auth("stale-token")).await,
        401
    );
    assert_eq!(
        status_with(
            client
                .get(&url)
                .basic_auth(DEFAULT_USERNAME, Some(DEFAULT_PASSWORD))
        )
        .await,
        401
    );
}

#[tokio::test]
async fn unknown_customers_get_a_capillary_style_404() {
    let capillary = CapillaryApiMock::start().await;
    capillary.add_customer(priya());

    let (status, body) = get(&capillary, "/v2/customers/7?source=INSTORE").await;
    assert_eq!(status, 404);
    assert_eq!(body["errors"][0]["code"], 8015);
    assert_eq!(body["errors"][0]["message"], "Customer not found");

    let (status, body) = get(
        &capillary,
        "/v2/customers/lookup?source=INSTORE&identifierName=mobile&identifierValue=910000000000",
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["errors"][0]["code"], 8015);
    assert_eq!(body["warnings"], Value::Array(Vec::new()));

    let (status, body) = get(
        &capillary,
        "/v2/customers/lookup?identifierName=fax&identifierValue=1",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["code"], 8009);

    assert_eq!(statuses(&capillary.requests_for_customer(7)), [404]);
    assert_eq!(capillary.received_requests().len(), 3);
}

#[tokio::test]
async fn an_outage_answers_the_scheduled_status_then_the_api_recovers() {
    let capillary = CapillaryApiMock::start().await;
    capillary.add_customer(priya());
    capillary.fail_next(2, 503);

    let (first, body) = get(&capillary, "/v2/customers/42").await;
    let (second, _) = get(&capillary, "/v2/customers/42").await;
    let (third, customer) = get(&capillary, "/v2/customers/42").await;

    assert_eq!((first, second, third), (503, 503, 200));
    assert_eq!(body["errors"][0]["code"], 503);
    assert_eq!(body["errors"][0]["message"], "Service Unavailable");
    assert_eq!(customer["id"], 42);
    assert_eq!(
        statuses(&capillary.requests_for_customer(42)),
        [503, 503, 200]
    );
}

#[tokio::test]
async fn a_rate_limit_answers_429_with_retry_after() {
    let capillary = CapillaryApiMock::builder()
        .retry_after(Duration::from_millis(2500))
        .start()
        .await;
    capillary.add_customer(priya());
    capillary.rate_limit_next(1);
    let client = reqwest::Client::new();
    let url = format!("{}/v2/customers/42", capillary.uri());

    let limited = client
        .get(&url)
        .header("authorization", capillary.authorization())
        .send()
        .await
        .expect("the mock answers");
    assert_eq!(limited.status(), 429);
    assert_eq!(
        limited
            .headers()
            .get("retry-after")
            .map(|value| value.as_bytes()),
        Some(&b"3"[..]),
        "2.5 s rounds up to whole seconds"
    );
    let body: Value = limited.json().await.expect("a JSON body");
    assert_eq!(body["errors"][0]["code"], 429);

    assert_eq!(get(&capillary, "/v2/customers/42").await.0, 200);
}

#[tokio::test]
async fn scheduled_failures_come_in_the_order_they_were_scheduled() {
    let capillary = CapillaryApiMock::start().await;
    capillary.add_customer(priya());
    capillary.rate_limit_next(1).fail_next(1, 500);

    let client = reqwest::Client::new();
    let url = format!("{}/v2/customers/42", capillary.uri());
    let mut seen = Vec::new();
    for _ in 0..3 {
        let response = client
            .get(&url)
            .header("authorization", capillary.authorization())
            .send()
            .await
            .expect("the mock answers");
        let retry_after = response.headers().get("retry-after").is_some();
        seen.push((response.status().as_u16(), retry_after));
    }
    assert_eq!(seen, [(429, true), (500, false), (200, false)]);
}

#[tokio::test]
async fn every_answer_carries_its_own_request_id() {
    let capillary = CapillaryApiMock::start().await;
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = client
            .get(format!("{}/v2/customers/1", capillary.uri()))
            .send()
            .await
            .expect("the mock answers");
        let id = response.headers().get("x-cap-request-id").cloned();
        ids.push(id.expect("an X-CAP-REQUEST-ID header"));
    }
    assert_ne!(ids[0], ids[1]);
}

#[test]
fn mock_customer_debug_redacts_personal_data() {
    let debug = format!("{:?}", priya());
    for personal in [
        "Priya",
        "Sharma",
        "919876543210",
        "priya@example.com",
        "EXT-42",
        "CARD0042",
        "Female",
    ] {
        assert!(!debug.contains(personal), "{personal} leaked into {debug}");
    }
    assert!(debug.contains("42") && debug.contains("Gold"), "{debug}");
}
