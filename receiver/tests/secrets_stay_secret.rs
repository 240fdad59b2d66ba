//! Configurations can be logged: no secret shows in `Debug`.

use capillary_ens_receiver::{
    Auth, HmacSha256, InMemoryStore, ReceiverConfig, Secret, StandardWebhooks, StaticHeaders,
};

#[test]
fn debug_output_of_every_configuration_hides_secrets() {
    let auth = Auth::new(
        StaticHeaders::basic("ens-user", "basic-pa55").accept("x-api-key", "api-k3y-value"),
    )
    .and(HmacSha256::new("x-signature", "hmac-k3y-value").secret("hmac-rotated-k3y"))
    .and(StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap());
    let config = ReceiverConfig::new(auth.clone()).idempotency_store(InMemoryStore::new());
    let printed = format!(
        "{auth:?} {auth:#?} {config:?} {:?}",
        Secret::from("plain-s3cret")
    );
    for secret in [
        "basic-pa55",
        "ZW5zLXVzZXI6YmFzaWMtcGE1NQ", // base64 of the Basic credentials
        "api-k3y-value",
        "hmac-k3y-value",
        "hmac-rotated-k3y",
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "plain-s3cret",
    ] {
        assert!(!printed.contains(secret), "`{secret}` shows in {printed}");
    }
    assert!(
        printed.contains("x-signature"),
        "header names are fine to show: {printed}"
    );
    assert!(printed.contains("[redacted]"));
}
