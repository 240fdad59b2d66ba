//! The delivery trace names the event, never its personal data, headers or secrets.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use capillary_ens_receiver::{Auth, EnsRouter, HmacSha256, ReceiverConfig, StaticHeaders, Webhook};
use capillary_ens_schemas::EventName;
use capillary_ens_schemas::events::CustomerAdded;
use serde_json::Value;

use common::{client, example, serve};

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
async fn traces_carry_ids_but_no_personal_data_or_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let auth = Auth::new(StaticHeaders::bearer("sup3r-s3cret-t0ken"))
        .and(HmacSha256::new("x-signature", "hmac-s3cret"));
    let config = ReceiverConfig::new(auth);
    let app: Router = Router::new()
        .nest(
            "/ens",
            EnsRouter::new()
                .on::<CustomerAdded, _, _>(|_: Webhook<CustomerAdded>| async {})
                .into_router(),
        )
        .with_state(config);
    let url = serve(app).await;

    let mut body = example(&EventName::CustomerAdded);
    body["eventId"] = Value::from("trace-event-1");
    body["data"]["customerIdentifiers"]["firstName"] = Value::from("Zebedee");
    body["data"]["customerIdentifiers"]["instore"] =
        serde_json::json!({"mobile": "919812345678", "email": "zebedee@example.com"});
    let bytes = serde_json::to_vec(&body).unwrap();
    let signature = HmacSha256::new("x-signature", "hmac-s3cret").sign(&bytes, None);
    for authorization in ["Bearer sup3r-s3cret-t0ken", "Bearer wr0ng-t0ken"] {
        client()
            .post(format!("{url}/ens"))
            .header("authorization", authorization)
            .header("x-signature", &signature)
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
    }
    // A mistyped event logs its failing path, not the value.
    body["eventId"] = Value::from("trace-event-2");
    body["data"]["enteredAt"] = Value::from("Zebedee-919812345678");
    let bytes = serde_json::to_vec(&body).unwrap();
    let signature = HmacSha256::new("x-signature", "hmac-s3cret").sign(&bytes, None);
    client()
        .post(format!("{url}/ens"))
        .header("authorization", "Bearer sup3r-s3cret-t0ken")
        .header("x-signature", &signature)
        .body(bytes)
        .send()
        .await
        .unwrap();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("trace-event-1"),
        "the event id is traced:\n{log}"
    );
    assert!(
        log.contains("customerAdded"),
        "the event name is traced:\n{log}"
    );
    assert!(
        log.contains("outcome=\"processed\"") || log.contains("outcome=processed"),
        "{log}"
    );
    assert!(
        log.contains("data.enteredAt"),
        "the failing path is traced:\n{log}"
    );
    for secret in [
        "Zebedee",
        "919812345678",
        "zebedee@example.com",
        "sup3r-s3cret",
        "wr0ng-t0ken",
        "hmac-s3cret",
        &signature,
    ] {
        assert!(
            !log.contains(secret),
            "`{secret}` leaked into the trace:\n{log}"
        );
    }
}
