//! The simulator's tracing events name the event and the outcome, and never carry header
//! values or bodies.

mod simulator_support;

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use ens_receiver::HmacSha256;
use ens_testkit::simulator::Simulator;
use simulator_support::{Recorder, event};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Writes every event's fields into one shared string.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push_str(&format!("{}={value:?} ", field.name()));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = self.0.lock().expect("not poisoned");
        event.record(&mut Fields(&mut text));
        text.push('\n');
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test(flavor = "current_thread")]
async fn attempts_are_traced_without_secrets_or_bodies() {
    let capture = Capture::default();
    let _default = tracing::subscriber::set_default(capture.clone());
    let receiver = Recorder::statuses(&[503], 200);
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .header("x-api-key", "s3cret-header-value")
        .sign_hmac(HmacSha256::new("x-signature", "hmac-k3y"))
        .build();
    let mut body = event("e-traced");
    body["data"]["marker"] = "body-marker-text".into();

    ens.deliver(body).await;

    let logs = capture.0.lock().expect("not poisoned").clone();
    assert!(logs.contains("e-traced"), "{logs}");
    assert!(logs.contains("pointsIssued"), "{logs}");
    assert!(logs.contains("503") && logs.contains("200"), "{logs}");
    let signature = &receiver.seen()[0].header("x-signature").to_owned();
    for secret in [
        "s3cret-header-value",
        "hmac-k3y",
        "body-marker-text",
        signature,
    ] {
        assert!(
            !logs.contains(secret),
            "{secret} leaked into the logs:\n{logs}"
        );
    }
}
