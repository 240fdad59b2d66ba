//! Fuzzes what a network peer controls: the headers and the body, through authentication
//! (every mode) and parsing. It must never panic.
//!
//! Run with `cargo fuzz run authenticate_and_parse` from `receiver/` (see receiver/README.md).

#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use capillary_ens_receiver::{
    Auth, Delivery, HmacSha256, ReceiverConfig, StandardWebhooks, StaticHeaders, receive,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;

const HEADER_NAMES: [&str; 8] = [
    "authorization",
    "content-type",
    "x-signature",
    "x-timestamp",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "svix-signature",
];

fuzz_target!(|input: &[u8]| {
    // First byte picks the auth mode, the next bytes up to a NUL are `name-index:value` header
    // lines separated by '\n', the rest is the body.
    let Some((&mode, rest)) = input.split_first() else { return };
    let (head, body) = match rest.iter().position(|&b| b == 0) {
        Some(split) => (&rest[..split], &rest[split + 1..]),
        None => (&[][..], rest),
    };
    let mut headers = HeaderMap::new();
    for line in head.split(|&b| b == b'\n') {
        if let Some((&index, value)) = line.split_first()
            && let Ok(value) = HeaderValue::from_bytes(value)
        {
            let name = HEADER_NAMES[usize::from(index) % HEADER_NAMES.len()];
            headers.append(HeaderName::from_static(name), value);
        }
    }
    let pinned = || UNIX_EPOCH + Duration::from_secs(1_732_527_005);
    let auth = match mode % 4 {
        0 => Auth::new(StaticHeaders::basic("ens", "s3cret")),
        1 => Auth::new(
            HmacSha256::new("x-signature", "k")
                .prefix("sha256=")
                .timestamp_header("x-timestamp", Duration::from_secs(300)),
        ),
        2 => Auth::new(StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("valid secret")),
        _ => Auth::allow_unauthenticated(),
    }
    .with_clock(pinned);
    let config = ReceiverConfig::new(auth).body_limit(64 * 1024);
    if let Ok(delivery) = receive(&config, &headers, Bytes::copy_from_slice(body)) {
        // Exercise what a handler and a durable inbox would touch.
        let _ = delivery.event.to_data();
        let _ = format!("{delivery:?}");
        let stored = Delivery::parse(delivery.raw.clone(), delivery.received_at)
            .expect("a stored delivery parses again");
        assert_eq!(stored.key(), delivery.key(), "the dedup key is stable");
        let _ = delivery.narrow::<capillary_ens_schemas::Event>().expect("every event narrows");
    }
});
