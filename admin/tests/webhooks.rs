//! The webhook calls against the stateful mock: request shape, answers, and error bodies.

mod common;

use capillary_ens_admin::{Client, Credentials, Error, MethodType, WebhookConfig, WebhookType};
use capillary_ens_schemas::EventName;
use capillary_ens_testkit::mocks::admin_api::AdminApiMock;
use serde_json::json;

use common::{body, client};

fn crm_sync() -> WebhookConfig {
    WebhookConfig::new(
        "crm-sync",
        "https://hooks.example.com/ens",
        [EventName::PointsIssued, EventName::CouponIssue],
    )
    .with_header("Authorization", "Bearer wh-s3cret")
    .with_header("Content-Type", "application/json")
    .with_max_allowed_connections(20)
    .with_identifier_enrichment(["Instore", "WeChat"])
}

#[tokio::test]
async fn create_posts_every_mandatory_field_and_returns_the_assigned_ids() {
    let mock = AdminApiMock::start().await;
    let created = client(&mock).create_webhook(&crm_sync()).await.unwrap();

    let id = created.id.clone().expect("an id is assigned");
    assert!(created.consumer_group_id.is_some());
    assert_eq!(created.name, "crm-sync");
    assert_eq!(created.web_hook_type, WebhookType::Http);
    assert_eq!(created.method_type, MethodType::Post);
    assert_eq!(created.max_allowed_connections, 20);

    let posts = mock.requests_to("POST", "/v3/webHooks").await;
    assert_eq!(posts.len(), 1);
    let sent = body(&posts[0]);
    assert_eq!(
        sent,
        json!({
            "name": "crm-sync",
            "webHookUrl": "https://hooks.example.com/ens",
            "webHookType": "HTTP",
            "methodType": "POST",
            "webHookHeaders": {"Authorization": "Bearer wh-s3cret", "Content-Type": "application/json"},
            "eventNames": ["pointsIssued", "CouponIssue"],
            "active": true,
            "maxAllowedConnections": 20,
            "customerIdentifiersToBeEnriched": ["Instore", "WeChat"],
        }),
        "server-assigned fields are not sent, mandatory ones are"
    );
    assert_eq!(
        posts[0].headers.get("content-type").unwrap(),
        "application/json"
    );
    assert_eq!(mock.webhook(&id).unwrap()["name"], "crm-sync");
}

#[tokio::test]
async fn list_and_get_read_the_stored_webhooks() {
    let mock = AdminApiMock::start().await;
    let first = mock.add_webhook(json!({
        "name": "first",
        "webHookUrl": "https://a.example.com",
        "eventNames": ["customerAdded"],
        "webHookHeaders": {"x-api-key": "k1"},
        "tillDetailsEnrichmentEnabled": true,
        "neoEnrichment": {"label": "Add tier", "value": "df-123"},
        "somethingNew": {"nested": [1, 2]},
    }));
    let second = mock.add_webhook(json!({"name": "second", "webHookUrl": "https://b.example.com"}));
    let client = client(&mock);

    let all = client.list_webhooks().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id.as_deref(), Some(first.as_str()));
    assert_eq!(all[0].event_names, [EventName::CustomerAdded]);
    assert_eq!(all[0].headers.get("X-API-KEY").unwrap().expose(), "k1");
    assert_eq!(all[0].till_details_enrichment_enabled, Some(true));
    assert_eq!(all[0].neo_enrichment.as_ref().unwrap().value, "df-123");

    let got = client.get_webhook(&second).await.unwrap();
    assert_eq!(got.name, "second");
    assert!(got.active);

    let missing = client.get_webhook("no-such-id").await.unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    assert_eq!(missing.to_string(), "webhook no-such-id not found");
    assert_eq!(mock.requests_to("GET", "/v3/webHooks").await.len(), 3);
}

#[tokio::test]
async fn update_puts_the_whole_webhook_to_its_id() {
    let mock = AdminApiMock::start().await;
    let client = client(&mock);
    let created = client.create_webhook(&crm_sync()).await.unwrap();
    let id = created.id.clone().unwrap();

    let mut changed = created.clone();
    changed.web_hook_url = "https://hooks.example.com/ens/v2".to_owned();
    changed.active = false;
    let updated = client.update_webhook(&id, &changed).await.unwrap();

    assert_eq!(updated.web_hook_url, "https://hooks.example.com/ens/v2");
    assert!(!updated.active);
    assert_eq!(updated.consumer_group_id, created.consumer_group_id);
    let puts = mock.requests_to("PUT", &format!("/v3/webHooks/{id}")).await;
    assert_eq!(puts.len(), 1);
    let sent = body(&puts[0]);
    assert_eq!(sent["webHookUrl"], "https://hooks.example.com/ens/v2");
    assert_eq!(sent["active"], false);
    assert_eq!(sent["name"], "crm-sync");
    assert!(sent.get("webHookId").is_none());
    assert_eq!(mock.webhook(&id).unwrap()["active"], false);
}

#[tokio::test]
async fn delete_removes_the_webhook_and_a_second_delete_is_a_404_with_the_api_body() {
    let mock = AdminApiMock::start().await;
    let client = client(&mock);
    let id = client
        .create_webhook(&crm_sync())
        .await
        .unwrap()
        .id
        .unwrap();

    client.delete_webhook(&id).await.unwrap();
    assert!(mock.webhook(&id).is_none());
    assert_eq!(
        mock.requests_to("DELETE", &format!("/v3/webHooks/{id}"))
            .await
            .len(),
        1
    );

    let error = client.delete_webhook(&id).await.unwrap_err();
    assert!(error.is_not_found());
    let api = error.api().expect("the api answered");
    assert_eq!(api.status, 404);
    assert_eq!(api.errors[0].code.as_deref(), Some("8004"));
    assert_eq!(api.message(), Some("Webhook not found"));
    assert!(api.body.contains("Webhook not found"));
    assert_eq!(
        error.to_string(),
        "the api answered 404: Webhook not found (code 8004)"
    );
}

#[tokio::test]
async fn subscribe_adds_only_new_events_and_skips_the_update_when_nothing_is_new() {
    let mock = AdminApiMock::start().await;
    let client = client(&mock);
    let id = client
        .create_webhook(&crm_sync())
        .await
        .unwrap()
        .id
        .unwrap();

    let updated = client
        .subscribe(&id, [EventName::TierUpgraded, EventName::PointsIssued])
        .await
        .unwrap();
    assert_eq!(
        updated.event_names,
        [
            EventName::PointsIssued,
            EventName::CouponIssue,
            EventName::TierUpgraded
        ]
    );
    let puts = mock.requests_to("PUT", &format!("/v3/webHooks/{id}")).await;
    assert_eq!(puts.len(), 1);
    assert_eq!(
        body(&puts[0])["eventNames"],
        json!(["pointsIssued", "CouponIssue", "tierUpgraded"])
    );
    assert_eq!(
        body(&puts[0])["webHookHeaders"]["Authorization"],
        "Bearer wh-s3cret",
        "the read-modify-write keeps the headers"
    );

    client
        .subscribe(&id, [EventName::TierUpgraded])
        .await
        .unwrap();
    assert_eq!(
        mock.requests_to("PUT", &format!("/v3/webHooks/{id}"))
            .await
            .len(),
        1,
        "nothing new, no update"
    );

    let fewer = client
        .unsubscribe(&id, [EventName::CouponIssue])
        .await
        .unwrap();
    assert_eq!(
        fewer.event_names,
        [EventName::PointsIssued, EventName::TierUpgraded]
    );
}

#[tokio::test]
async fn a_taken_name_is_a_409_and_a_bad_body_a_400_listing_every_problem() {
    let mock = AdminApiMock::start().await;
    let client = client(&mock);
    client.create_webhook(&crm_sync()).await.unwrap();

    let duplicate = client.create_webhook(&crm_sync()).await.unwrap_err();
    assert_eq!(duplicate.status(), Some(409));

    let mut invalid = WebhookConfig::new("empty", "https://x.example.com", []);
    invalid.max_allowed_connections = 0;
    let error = client.create_webhook(&invalid).await.unwrap_err();
    let api = error.api().unwrap();
    assert_eq!(api.status, 400);
    let messages: Vec<&str> = api
        .errors
        .iter()
        .filter_map(|entry| entry.message.as_deref())
        .collect();
    assert!(
        messages.contains(&"At least one event name is required"),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"Minimum one concurrent connection is required"),
        "{messages:?}"
    );

    let unknown = WebhookConfig::new(
        "unknown",
        "https://x.example.com",
        [EventName::from_wire("notAnEvent")],
    );
    let error = client.create_webhook(&unknown).await.unwrap_err();
    assert!(error.to_string().contains("Invalid event name"), "{error}");
}

#[tokio::test]
async fn renaming_is_refused_and_an_unknown_id_is_a_404() {
    let mock = AdminApiMock::start().await;
    let client = client(&mock);
    let created = client.create_webhook(&crm_sync()).await.unwrap();
    let mut renamed = created.clone();
    renamed.name = "other".to_owned();

    let error = client
        .update_webhook(created.id.as_deref().unwrap(), &renamed)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert_eq!(
        error.api().unwrap().message(),
        Some("Webhook name cannot be changed")
    );

    let error = client.update_webhook("0000", &created).await.unwrap_err();
    assert!(error.is_not_found());
}

#[tokio::test]
async fn basic_and_bearer_credentials_are_sent_and_wrong_ones_are_a_401() {
    let mock = AdminApiMock::start().await;
    let basic = client(&mock);
    basic.list_webhooks().await.unwrap();
    let bearer = Client::new(&mock.uri(), Credentials::bearer(AdminApiMock::TOKEN)).unwrap();
    bearer.list_webhooks().await.unwrap();

    let requests = mock.received_requests().await;
    assert_eq!(
        requests[0].headers.get("authorization").unwrap(),
        "Basic ZW5zLWFkbWluOmFkbWluLXMzY3JldA=="
    );
    assert_eq!(
        requests[1].headers.get("authorization").unwrap(),
        "Bearer oauth-t0ken"
    );
    assert_eq!(
        requests[1].headers.get("accept").unwrap(),
        "application/json"
    );

    let wrong = Client::new(&mock.uri(), Credentials::basic(AdminApiMock::USER, "guess")).unwrap();
    let error = wrong.list_webhooks().await.unwrap_err();
    assert!(error.is_unauthorized(), "{error}");
    assert_eq!(error.status(), Some(401));
}

#[tokio::test]
async fn ids_are_percent_encoded_in_the_path() {
    let mock = AdminApiMock::start().await;
    let error = client(&mock).delete_webhook("a/b c").await.unwrap_err();
    assert!(error.is_not_found());
    assert_eq!(
        mock.requests_to("DELETE", "/v3/webHooks/a%2Fb%20c")
            .await
            .len(),
        1
    );
    let empty = client(&mock).delete_webhook("").await.unwrap_err();
    assert!(matches!(empty, Error::InvalidInput { .. }), "{empty}");
}

#[test]
fn a_bad_base_url_or_missing_credentials_are_refused_up_front() {
    for url in [
        "eu.api.capillarytech.com",
        "ftp://host",
        "https://host/?q=1",
        "",
    ] {
        let error = Client::new(url, Credentials::bearer("t")).unwrap_err();
        assert!(
            matches!(error, Error::InvalidInput { .. }),
            "{url}: {error}"
        );
    }
    let error = Client::builder("https://eu.api.capillarytech.com")
        .build()
        .unwrap_err();
    assert_eq!(error.to_string(), "invalid input: credentials are required");
}

#[test]
fn debug_output_never_shows_secrets() {
    let webhook = crm_sync();
    let client = Client::new(
        "https://eu.api.capillarytech.com",
        Credentials::basic("api.user", "p4ssw0rd"),
    )
    .unwrap();
    let shown = format!("{webhook:?} {client:?} {:?}", Credentials::bearer("t0k3n"));
    for secret in ["wh-s3cret", "p4ssw0rd", "t0k3n", "YXBpLnVzZXI6cDRzc3cwcmQ="] {
        assert!(!shown.contains(secret), "{secret} shows in {shown}");
    }
    assert!(shown.contains("Authorization"));
}
