//! What arrives at the receiver: one POST per event, ENS's headers, the configured ones, the
//! body byte for byte; and no secret in `Debug`.

mod simulator_support;

use axum::http::Method;
use capillary_ens_receiver::{Auth, StaticHeaders};
use capillary_ens_testkit::simulator::{DeliveryState, Simulator};
use simulator_support::{Recorder, event};

#[tokio::test]
async fn ens_headers_and_configured_headers_arrive_over_http() {
    let receiver = Recorder::always(200);
    let ens = Simulator::to_url(receiver.url().await)
        .basic_auth("ens", "s3cret")
        .header("x-api-key", "k3y-value")
        .header("test", "test")
        .build();
    let body = serde_json::to_vec(&event("e-1")).expect("serializable");

    let report = ens.deliver(body.clone()).await;

    assert_eq!(report.state, DeliveryState::Delivered);
    assert_eq!(report.event_id.as_deref(), Some("e-1"));
    assert_eq!(report.event_name, "pointsIssued");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1, "one request per event");
    let request = &seen[0];
    assert_eq!(
        request.body.as_ref(),
        body.as_slice(),
        "the body is sent byte for byte"
    );
    assert_eq!(request.header("content-type"), "application/json");
    assert_eq!(request.header("user-agent"), "Java/1.8.0_272");
    assert_eq!(
        request.header("accept"),
        "text/plain, application/json, application/*+json, */*"
    );
    assert_eq!(request.header("x-api-key"), "k3y-value");
    assert_eq!(request.header("test"), "test");
    assert_eq!(request.header("content-length"), body.len().to_string());
    let auth = Auth::new(StaticHeaders::basic("ens", "s3cret"));
    assert!(auth.verify(&request.headers, &request.body).is_ok());
}

#[tokio::test]
async fn static_headers_of_a_receiver_configuration_are_sent_and_accepted() {
    let required = StaticHeaders::require("x-api-key", "abc").accept("x-tenant", "brand-1");
    let receiver = Recorder::always(200);
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .static_headers(&required)
        .bearer("t0ken")
        .build();

    ens.deliver(event("e-2")).await;

    let request = &receiver.seen()[0];
    assert!(
        Auth::new(required)
            .verify(&request.headers, &request.body)
            .is_ok()
    );
    assert_eq!(request.header("authorization"), "Bearer t0ken");
    assert_eq!(request.header("user-agent"), "Java/1.8.0_272");
}

#[tokio::test]
async fn requests_are_posts() {
    use axum::routing::any;
    let methods = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let recorded = std::sync::Arc::clone(&methods);
    let router = axum::Router::new().route(
        "/",
        any(move |method: Method| async move {
            recorded.lock().expect("not poisoned").push(method);
            "ok"
        }),
    );
    let ens = Simulator::to_router(router).build();

    let report = ens.deliver(event("e-3")).await;

    assert!(report.is_delivered());
    assert_eq!(*methods.lock().expect("not poisoned"), [Method::POST]);
}

#[tokio::test]
async fn debug_output_shows_header_names_but_no_secret() {
    let receiver = Recorder::always(200);
    let builder = Simulator::to_router(receiver.router())
        .header("x-api-key", "hunter2-value")
        .basic_auth("ens", "pa55word")
        .bearer("b3arer-token");
    let shown = format!("{builder:?}");
    assert!(shown.contains("x-api-key"), "{shown}");
    let simulator = builder.build();
    let shown = format!("{shown} {simulator:?}");
    for secret in [
        "hunter2-value",
        "pa55word",
        "b3arer-token",
        "ZW5zOnBhNTV3b3Jk",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked into {shown}");
    }
}

#[tokio::test]
#[should_panic(expected = "not a valid HTTP header name")]
async fn an_invalid_header_name_is_a_clear_configuration_error() {
    let _ = Simulator::to_router(axum::Router::new()).header("bad header", "value");
}
