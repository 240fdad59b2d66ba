//! The simulator's tracing events name the event and the outcome, and never carry header
//! values or bodies.

mod simulator_support;

use capillary_ens_receiver::HmacSha256;
use capillary_ens_testkit::logs::LogCapture;
use capillary_ens_testkit::simulator::Simulator;
use simulator_support::{Recorder, event};

#[tokio::test(flavor = "current_thread")]
async fn attempts_are_traced_without_secrets_or_bodies() {
    let logs = LogCapture::install();
    let receiver = Recorder::statuses(&[503], 200);
    let ens = Simulator::to_router(receiver.router())
        .path("/ens")
        .header("x-api-key", "s3cret-header-value")
        .sign_hmac(HmacSha256::new("x-signature", "hmac-k3y"))
        .build();
    let mut body = event("e-traced");
    body["data"]["marker"] = "body-marker-text".into();

    ens.deliver(body).await;

    logs.assert_contains("e-traced")
        .assert_contains("pointsIssued")
        .assert_contains("503")
        .assert_contains("200");
    let signature = receiver.seen()[0].header("x-signature").to_owned();
    logs.assert_absent(&[
        "s3cret-header-value",
        "hmac-k3y",
        "body-marker-text",
        &signature,
    ]);
}
