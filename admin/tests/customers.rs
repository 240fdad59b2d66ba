//! The customer calls against `CapillaryApiMock`: by id, with points, lookups by every kind of
//! identifier, not found, refused credentials, retries (through a recording sleeper, so nothing
//! waits), redacted `Debug`, and any answer read without panicking. (No identifier value in
//! the logs: `customer_lookups_stay_out_of_logs.rs`.)

mod common;

use std::time::Duration;

use capillary_ens_admin::{ApiRetryPolicy, Client, Credentials, Error, Identifier, IdentifierKind};
use capillary_ens_testkit::mocks::capillary::{self, CapillaryApiMock, MockCustomer};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use wiremock::matchers;
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{RecordingSleeper, client_at};

fn priya() -> MockCustomer {
    MockCustomer::new(42)
        .first_name("Priya")
        .last_name("Raman")
        .mobile("919876543210")
        .email("priya@example.com")
        .external_id("SHOP-42")
        .card_number("CARD-0042")
        .extended_field("gender", "Female")
        .program_id(973)
        .points(1270.5)
        .redeemed_points(300.0)
        .tier("Gold")
        .lifetime_purchases(18250.0)
}

fn credentials() -> Credentials {
    Credentials::basic(capillary::DEFAULT_USERNAME, capillary::DEFAULT_PASSWORD)
}

/// The `embed` parameter of the first request about customer `id`.
fn embed_of_first_request(mock: &CapillaryApiMock, id: u64) -> Option<String> {
    let requests = mock.requests_for_customer(id);
    requests.first()?.query_param("embed").map(str::to_owned)
}

/// The mock knowing Priya, answering 429s with `Retry-After: {seconds}`.
async fn priya_with_retry_after(seconds: u64) -> CapillaryApiMock {
    let mock = CapillaryApiMock::builder()
        .retry_after(Duration::from_secs(seconds))
        .start()
        .await;
    mock.add_customer(priya());
    mock
}

/// The mock knowing Priya, and a client for it (up to 4 attempts, waits recorded).
async fn priya_and_client() -> (CapillaryApiMock, Client) {
    let mock = CapillaryApiMock::start().await;
    mock.add_customer(priya());
    let client = client_at(&mock.uri(), credentials(), RecordingSleeper::default());
    (mock, client)
}

#[tokio::test]
async fn a_customer_is_read_by_id_with_profile_identifiers_and_channels() {
    let (mock, client) = priya_and_client().await;

    let customer = client.customer(42).await.unwrap();

    assert_eq!(customer.id, Some(42));
    let profile = customer.profile().expect("one profile");
    assert_eq!(profile.first_name.as_ref().unwrap().expose(), "Priya");
    assert_eq!(profile.last_name.as_ref().unwrap().expose(), "Raman");
    assert_eq!(profile.source.as_deref(), Some("INSTORE"));
    let identifiers: Vec<(IdentifierKind, &str)> = profile
        .identifiers
        .iter()
        .map(|identifier| (identifier.kind.clone(), identifier.value.expose().as_str()))
        .collect();
    assert_eq!(
        identifiers,
        [
            (IdentifierKind::Mobile, "919876543210"),
            (IdentifierKind::Email, "priya@example.com"),
            (IdentifierKind::ExternalId, "SHOP-42"),
            (IdentifierKind::CardNumber, "CARD-0042"),
        ]
    );
    let email = profile.comm_channel("EMAIL").expect("an email channel");
    assert_eq!(email.value.expose(), "priya@example.com");
    assert!(email.primary && !email.verified);
    assert_eq!(
        profile.comm_channel("mobile").unwrap().value.expose(),
        "919876543210"
    );
    assert_eq!(
        customer
            .identifier(&IdentifierKind::ExternalId)
            .map(|id| id.expose().as_str()),
        Some("SHOP-42")
    );
    let loyalty = customer.loyalty_info.as_ref().expect("loyalty info");
    assert_eq!(loyalty.loyalty_type.as_deref(), Some("loyalty"));
    assert_eq!(loyalty.lifetime_purchases, Some(18250.0));
    assert_eq!(customer.extended_fields.expose()["gender"], "Female");
    assert!(customer.points_summaries.is_empty(), "points not asked for");

    let requests = mock.requests_for_customer(42);
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path(), "/v2/customers/42");
    assert_eq!(embed_of_first_request(&mock, 42), None);
    assert_eq!(
        requests[0].header("authorization"),
        Some(mock.authorization())
    );
}

#[tokio::test]
async fn points_are_embedded_when_asked_for() {
    let (mock, client) = priya_and_client().await;

    let customer = client.customer_with_points(42).await.unwrap();

    assert_eq!(customer.points_summaries.len(), 1);
    let points = customer.points_summary(973).expect("program 973");
    assert_eq!(points.program_id, Some(973));
    assert_eq!(points.loyalty_points, Some(1270.5));
    assert_eq!(points.redeemed, Some(300.0));
    assert_eq!(points.lifetime_points, Some(1570.5));
    assert_eq!(points.current_slab.as_deref(), Some("Gold"));
    assert_eq!(points.next_slab, None, "a blank next slab reads as absent");
    assert!(customer.points_summary(974).is_none());
    assert_eq!(embed_of_first_request(&mock, 42), Some("points".to_owned()));
}

#[tokio::test]
async fn a_customer_is_looked_up_by_each_kind_of_identifier() {
    let (mock, client) = priya_and_client().await;
    mock.add_customer(MockCustomer::new(7).mobile("910000000007"));
    let cases = [
        (Identifier::mobile("919876543210"), "mobile", "919876543210"),
        (
            Identifier::email("Priya@Example.com"),
            "email",
            "Priya@Example.com",
        ),
        (Identifier::external_id("SHOP-42"), "externalId", "SHOP-42"),
        (
            Identifier::card_number("CARD-0042"),
            "cardnumber",
            "CARD-0042",
        ),
    ];

    for (identifier, name, value) in &cases {
        let customer = client.lookup_customer(identifier).await.unwrap();
        assert_eq!(customer.id, Some(42), "{name}");
        let request = mock.received_requests().pop().unwrap();
        assert_eq!(request.path(), "/v2/customers/lookup");
        assert_eq!(request.query_param("source"), Some("INSTORE"));
        assert_eq!(request.query_param("identifierName"), Some(*name));
        assert_eq!(request.query_param("identifierValue"), Some(*value));
        assert_eq!(request.query_param("embed"), None);
    }
    assert_eq!(mock.requests_for_customer(42).len(), cases.len());
    assert!(mock.requests_for_customer(7).is_empty());

    let with_points = client
        .lookup_customer_with_points(&Identifier::mobile("910000000007"))
        .await
        .unwrap();
    assert_eq!(with_points.id, Some(7));
    assert_eq!(
        with_points.points_summaries[0].current_slab.as_deref(),
        Some("Bronze")
    );
    assert_eq!(embed_of_first_request(&mock, 7), Some("points".to_owned()));
}

#[tokio::test]
async fn an_unknown_customer_is_not_found_by_id_and_by_lookup() {
    let (mock, client) = priya_and_client().await;

    let by_id = client.customer_with_points(404_404).await.unwrap_err();
    assert!(
        matches!(&by_id, Error::NotFound { what } if what == "customer 404404"),
        "{by_id:?}"
    );
    assert!(by_id.is_not_found());
    assert_eq!(by_id.to_string(), "customer 404404 not found");

    let by_lookup = client
        .lookup_customer(&Identifier::email("nobody@example.com"))
        .await
        .unwrap_err();
    assert!(matches!(by_lookup, Error::NotFound { .. }), "{by_lookup:?}");
    assert_eq!(
        by_lookup.to_string(),
        "customer with this email not found",
        "the message never holds the identifier's value"
    );
    // Not found is an answer, not a failure: asked once each.
    let answers: Vec<u16> = mock
        .received_requests()
        .iter()
        .map(|request| request.answered_with())
        .collect();
    assert_eq!(answers, [404, 404]);
}

#[tokio::test]
async fn a_404_without_capillarys_code_is_an_api_error_not_a_missing_customer() {
    let server = MockServer::start().await;
    Mock::given(matchers::any())
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(serde_json::json!({"errors": [{"code": 404}]})),
        )
        .mount(&server)
        .await;
    let client = client_at(&server.uri(), credentials(), RecordingSleeper::default());

    let error = client.customer(42).await.unwrap_err();

    assert!(
        matches!(&error, Error::Api(api) if api.status == 404),
        "{error:?}"
    );
}

#[tokio::test]
async fn refused_credentials_are_unauthorized_with_the_apis_message_and_not_retried() {
    let (mock, _) = priya_and_client().await;
    let sleeper = RecordingSleeper::default();
    let client = Client::builder(&mock.uri())
        .credentials(Credentials::basic(capillary::DEFAULT_USERNAME, "wrong"))
        .sleeper(sleeper.clone())
        .build()
        .unwrap();

    let error = client.customer(42).await.unwrap_err();

    assert!(error.is_unauthorized(), "{error:?}");
    assert_eq!(error.status(), Some(401));
    assert!(
        error
            .api()
            .unwrap()
            .message()
            .unwrap()
            .starts_with("Unauthorized"),
        "{error:?}"
    );
    assert_eq!(mock.received_requests().len(), 1);
    assert!(sleeper.waits().is_empty());
}

#[tokio::test]
async fn rate_limits_and_outages_are_retried() {
    let mock = priya_with_retry_after(3).await;
    mock.rate_limit_next(1).fail_next(1, 503);
    let sleeper = RecordingSleeper::default();
    let client = client_at(&mock.uri(), credentials(), sleeper.clone());

    let customer = client.customer_with_points(42).await.unwrap();

    assert_eq!(customer.id, Some(42));
    let answers: Vec<u16> = mock
        .requests_for_customer(42)
        .iter()
        .map(|request| request.answered_with())
        .collect();
    assert_eq!(answers, [429, 503, 200]);
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 2);
    assert_eq!(waits[0], Duration::from_secs(3), "the 429's Retry-After");
}

#[cfg(feature = "receiver")]
#[tokio::test]
async fn a_rate_limit_that_outlasts_the_retries_tells_ens_to_come_back_later() {
    let mock = priya_with_retry_after(5).await;
    mock.rate_limit_next(4);
    let client = client_at(&mock.uri(), credentials(), RecordingSleeper::default());

    let error = client.customer(42).await.unwrap_err();

    assert_eq!(error.status(), Some(429));
    let answer = error.into_handler_error();
    assert_eq!(answer.status().as_u16(), 429);
    assert_eq!(answer.retry_after(), Some(Duration::from_secs(5)));

    mock.fail_next(4, 503);
    let outage = client.customer(42).await.unwrap_err();
    assert_eq!(outage.status(), Some(503));
    let answer = outage.into_handler_error();
    assert_eq!(
        (answer.status().as_u16(), answer.retry_after()),
        (503, None)
    );
}

#[tokio::test]
async fn debug_output_redacts_personal_data() {
    let (_mock, client) = priya_and_client().await;

    let customer = client.customer_with_points(42).await.unwrap();
    let identifier = Identifier::card_number("CARD-0042");

    let debug = format!("{customer:?} {identifier:?} {client:?}");
    assert!(
        debug.contains("Gold") && debug.contains("CardNumber"),
        "{debug}"
    );
    for personal in [
        "Priya",
        "Raman",
        "919876543210",
        "priya@example.com",
        "SHOP-42",
        "CARD-0042",
        "Female",
        capillary::DEFAULT_PASSWORD,
    ] {
        assert!(!debug.contains(personal), "{personal} in {debug}");
    }
}

#[tokio::test]
async fn a_blank_identifier_is_refused_without_a_request() {
    let (mock, client) = priya_and_client().await;

    let error = client
        .lookup_customer(&Identifier::mobile("  "))
        .await
        .unwrap_err();

    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert!(mock.received_requests().is_empty());
}

/// Whatever a server answers, reading it as a customer returns a result, never a panic.
#[test]
fn any_answer_is_read_as_a_customer_without_panicking() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(MockServer::start());
    let client = Client::builder(&server.uri())
        .credentials(Credentials::bearer("t0ken"))
        .retry_policy(ApiRetryPolicy::none())
        .build()
        .unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 48,
        ..Config::default()
    });
    let answers = (
        200u16..600,
        prop::collection::vec(any::<u8>(), 0..512),
        any::<bool>(),
    );
    runner
        .run(&answers, |(status, body, lookup)| {
            runtime.block_on(async {
                server.reset().await;
                Mock::given(matchers::any())
                    .respond_with(ResponseTemplate::new(status).set_body_bytes(body))
                    .mount(&server)
                    .await;
                let result = if lookup {
                    client
                        .lookup_customer_with_points(&Identifier::email("a@example.com"))
                        .await
                } else {
                    client.customer_with_points(42).await
                };
                if !(200..300).contains(&status) {
                    assert!(result.is_err(), "an error status is an error");
                }
            });
            Ok(())
        })
        .unwrap();
}
