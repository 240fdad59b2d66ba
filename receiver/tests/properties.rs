//! Property tests over the framework-agnostic core: tampering is always caught, and nothing a
//! peer sends makes it panic.

mod common;

use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use capillary_ens_receiver::{
    Auth, Delivery, HmacSha256, ReceiverConfig, SignatureEncoding, StandardWebhooks, StaticHeaders,
    receive,
};
use capillary_ens_schemas::EventName;
use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;

const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: u64 = 1_732_527_005;

fn bodies() -> Vec<Vec<u8>> {
    [
        EventName::PointsIssued,
        EventName::CouponRedeem,
        EventName::CustomerUpdated,
    ]
    .iter()
    .map(|name| serde_json::to_vec(&common::example(name)).unwrap())
    .collect()
}

/// A signed request in one of the modes, with the header that carries its signature.
fn signed(mode: usize, body: &[u8]) -> (Auth, HeaderMap, &'static str) {
    let mut headers = HeaderMap::new();
    let pinned = || UNIX_EPOCH + Duration::from_secs(NOW);
    match mode {
        0 => {
            let scheme = HmacSha256::new("x-signature", "k3y");
            headers.insert("x-signature", scheme.sign(body, None).parse().unwrap());
            (Auth::new(scheme).with_clock(pinned), headers, "x-signature")
        }
        1 => {
            let scheme = HmacSha256::new("x-signature", "k3y")
                .encoding(SignatureEncoding::Base64)
                .prefix("sha256=")
                .timestamp_header("x-timestamp", Duration::from_secs(300));
            headers.insert("x-timestamp", NOW.to_string().parse().unwrap());
            headers.insert(
                "x-signature",
                scheme.sign(body, Some(NOW as i64)).parse().unwrap(),
            );
            (Auth::new(scheme).with_clock(pinned), headers, "x-signature")
        }
        _ => {
            let scheme = StandardWebhooks::new(WHSEC).unwrap();
            headers.insert("webhook-id", "msg_1".parse().unwrap());
            headers.insert("webhook-timestamp", NOW.to_string().parse().unwrap());
            headers.insert(
                "webhook-signature",
                scheme.sign("msg_1", NOW as i64, body).parse().unwrap(),
            );
            (
                Auth::new(scheme).with_clock(pinned),
                headers,
                "webhook-signature",
            )
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn flipping_any_body_byte_is_rejected(
        mode in 0usize..3,
        body_index in any::<prop::sample::Index>(),
        position in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let bodies = bodies();
        let body = body_index.get(&bodies);
        let (auth, headers, _) = signed(mode, body);
        prop_assert!(auth.verify(&headers, body).is_ok());
        let mut tampered = body.clone();
        let at = position.index(tampered.len());
        tampered[at] ^= flip;
        prop_assert!(auth.verify(&headers, &tampered).is_err());
    }

    #[test]
    fn flipping_any_signature_byte_is_rejected(
        mode in 0usize..3,
        position in any::<prop::sample::Index>(),
        flip in 1u8..=127,
    ) {
        let body = &bodies()[0];
        let (auth, mut headers, header) = signed(mode, body);
        let mut signature = headers[header].as_bytes().to_vec();
        let at = position.index(signature.len());
        let original = signature[at];
        signature[at] ^= flip;
        // Hex digits are read in either case, so a case flip is the same signature.
        prop_assume!(!signature[at].eq_ignore_ascii_case(&original));
        // Some flips make the value unrepresentable as a header; those cannot be sent at all.
        if let Ok(value) = HeaderValue::from_bytes(&signature) {
            headers.insert(header, value);
            prop_assert!(auth.verify(&headers, body).is_err());
        }
    }

    #[test]
    fn arbitrary_bytes_and_headers_never_panic(
        body in prop::collection::vec(any::<u8>(), 0..2048),
        headers in prop::collection::vec(
            (
                prop::sample::select(vec![
                    "authorization", "content-type", "x-signature", "x-timestamp",
                    "webhook-id", "webhook-timestamp", "webhook-signature", "svix-signature", "x-other",
                ]),
                "[ -~]{0,64}",
            ),
            0..8,
        ),
        mode in 0usize..4,
    ) {
        let auth = match mode {
            0 => Auth::new(StaticHeaders::basic("ens", "s3cret")),
            1 => Auth::new(HmacSha256::new("x-signature", "k").prefix("sha256=").timestamp_header("x-timestamp", Duration::from_secs(300))),
            2 => Auth::new(StandardWebhooks::new(WHSEC).unwrap()),
            _ => Auth::allow_unauthenticated(),
        };
        let config = ReceiverConfig::new(auth).body_limit(1024);
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                map.append(HeaderName::from_static(name), value);
            }
        }
        let _ = receive(&config, &map, Bytes::from(body));
    }

    #[test]
    fn arbitrary_json_bodies_never_panic_once_authenticated(
        name in prop::sample::select(EventName::ALL.to_vec()),
        data in "[{}\\[\\]\",:0-9a-zA-Z .-]{0,200}",
    ) {
        let config = ReceiverConfig::new(Auth::allow_unauthenticated());
        let body = format!("{{\"eventName\":\"{name}\",\"data\":{data}}}");
        if let Ok(delivery) = receive(&config, &HeaderMap::new(), Bytes::from(body)) {
            // What the fuzz target checks too: a stored delivery parses again to the same key,
            // and every delivery narrows to `Webhook<Event>`.
            let stored = Delivery::parse(delivery.raw.clone(), delivery.received_at).unwrap();
            prop_assert_eq!(stored.key(), delivery.key());
            prop_assert!(delivery.narrow::<capillary_ens_schemas::Event>().is_ok());
        }
    }
}
