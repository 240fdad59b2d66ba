//! Every authentication mode accepts what it should and rejects the rest, through a real
//! server on a loopback port.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use capillary_ens_receiver::{
    Auth, EnsRouter, HmacSha256, ReceiverConfig, SignatureEncoding, StandardWebhooks,
    StaticHeaders, Webhook,
};
use capillary_ens_schemas::EventName;

use common::{body_with_id, client, serve};

const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async fn accept_all(_: Webhook) {}

async fn server(auth: Auth) -> String {
    let config = ReceiverConfig::new(auth);
    let app: Router = Router::new()
        .nest("/ens", EnsRouter::new().fallback(accept_all).into_router())
        .with_state(config);
    serve(app).await
}

fn now_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn post(url: &str, headers: &[(&str, String)], body: Vec<u8>) -> u16 {
    let mut request = client()
        .post(format!("{url}/ens"))
        .header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request
        .body(body)
        .send()
        .await
        .expect("the server answers")
        .status()
        .as_u16()
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

#[tokio::test]
async fn static_basic_credentials_with_rotation() {
    let url = server(Auth::new(
        StaticHeaders::basic("ens", "old").accept_basic("ens", "new"),
    ))
    .await;
    let body = || {
        body_with_id(
            &EventName::TierUpgraded,
            &format!("{:?}", SystemTime::now()),
        )
    };
    assert_eq!(
        post(&url, &[("authorization", basic("ens", "old"))], body()).await,
        200
    );
    assert_eq!(
        post(&url, &[("authorization", basic("ens", "new"))], body()).await,
        200
    );
    assert_eq!(
        post(&url, &[("authorization", basic("ens", "guess"))], body()).await,
        401
    );
    assert_eq!(
        post(&url, &[("authorization", "Bearer old".into())], body()).await,
        401
    );
    assert_eq!(post(&url, &[], body()).await, 401);
}

#[tokio::test]
async fn static_bearer_and_custom_headers_together() {
    let auth = Auth::new(
        StaticHeaders::bearer("t0ken")
            .accept("x-api-key", "k1")
            .accept("x-api-key", "k2"),
    );
    let url = server(auth).await;
    let body = || {
        body_with_id(
            &EventName::CustomerAdded,
            &format!("{:?}", SystemTime::now()),
        )
    };
    let bearer = ("authorization", "Bearer t0ken".to_owned());
    assert_eq!(
        post(&url, &[bearer.clone(), ("x-api-key", "k2".into())], body()).await,
        200
    );
    assert_eq!(
        post(&url, std::slice::from_ref(&bearer), body()).await,
        401,
        "every header is required"
    );
    assert_eq!(
        post(&url, &[bearer, ("x-api-key", "k3".into())], body()).await,
        401
    );
}

#[tokio::test]
async fn hmac_in_hex_and_base64_with_prefix_and_rotated_secrets() {
    for encoding in [SignatureEncoding::Hex, SignatureEncoding::Base64] {
        let verifier = HmacSha256::new("x-signature", "old-key")
            .secret("new-key")
            .encoding(encoding)
            .prefix("sha256=");
        let url = server(Auth::new(verifier)).await;
        let body = body_with_id(&EventName::PointsIssued, "hmac-1");
        let signer_old = HmacSha256::new("x-signature", "old-key")
            .encoding(encoding)
            .prefix("sha256=");
        let signer_new = HmacSha256::new("x-signature", "new-key")
            .encoding(encoding)
            .prefix("sha256=");
        let signer_other = HmacSha256::new("x-signature", "other-key")
            .encoding(encoding)
            .prefix("sha256=");
        let signed = |signer: &HmacSha256| vec![("x-signature", signer.sign(&body, None))];
        assert_eq!(
            post(&url, &signed(&signer_old), body.clone()).await,
            200,
            "{encoding:?}"
        );
        assert_eq!(
            post(&url, &signed(&signer_new), body.clone()).await,
            200,
            "{encoding:?}"
        );
        assert_eq!(
            post(&url, &signed(&signer_other), body.clone()).await,
            401,
            "{encoding:?}"
        );
        let unprefixed = signer_old
            .sign(&body, None)
            .trim_start_matches("sha256=")
            .to_owned();
        assert_eq!(
            post(&url, &[("x-signature", unprefixed)], body.clone()).await,
            401,
            "prefix is required"
        );
        let mut tampered = body.clone();
        tampered.push(b' ');
        assert_eq!(
            post(&url, &signed(&signer_old), tampered).await,
            401,
            "the body is signed"
        );
    }
}

#[tokio::test]
async fn hmac_timestamp_tolerance_edges() {
    let pinned = UNIX_EPOCH + Duration::from_secs(1_732_527_005);
    let verifier = HmacSha256::new("x-signature", "k")
        .timestamp_header("x-timestamp", Duration::from_secs(300));
    let url = server(Auth::new(verifier.clone()).with_clock(move || pinned)).await;
    let body = body_with_id(&EventName::PointsIssued, "ts-1");
    for (offset, expected) in [(0, 200), (300, 200), (-300, 200), (301, 401), (-301, 401)] {
        let timestamp = 1_732_527_005 + offset;
        let headers = [
            ("x-timestamp", timestamp.to_string()),
            ("x-signature", verifier.sign(&body, Some(timestamp))),
        ];
        assert_eq!(
            post(&url, &headers, body.clone()).await,
            expected,
            "offset {offset}"
        );
    }
    let stale_signature = [
        ("x-timestamp", "1732527005".to_owned()),
        ("x-signature", verifier.sign(&body, Some(1_732_527_004))),
    ];
    assert_eq!(
        post(&url, &stale_signature, body.clone()).await,
        401,
        "the timestamp is signed"
    );
    let garbage = [
        ("x-timestamp", "soon".to_owned()),
        ("x-signature", verifier.sign(&body, Some(0))),
    ];
    assert_eq!(post(&url, &garbage, body).await, 401);
}

#[tokio::test]
async fn standard_webhooks_signatures_and_tolerance() {
    let pinned_seconds = 1_732_527_005;
    let pinned = UNIX_EPOCH + Duration::from_secs(pinned_seconds as u64);
    let scheme = StandardWebhooks::new(WHSEC).unwrap();
    let rotated = StandardWebhooks::new("whsec_c2Vjb25kLXNlY3JldC1rZXktZm9yLXJvdGF0aW9u").unwrap();
    let verifier = StandardWebhooks::new(WHSEC)
        .unwrap()
        .secret("whsec_c2Vjb25kLXNlY3JldC1rZXktZm9yLXJvdGF0aW9u")
        .unwrap();
    let url = server(Auth::new(verifier).with_clock(move || pinned)).await;
    let body = body_with_id(&EventName::CouponRedeem, "sw-1");
    let headers = |id: &str, timestamp: i64, signature: String| {
        vec![
            ("webhook-id", id.to_owned()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature),
        ]
    };
    let sign = |scheme: &StandardWebhooks, timestamp| scheme.sign("msg_1", timestamp, &body);
    assert_eq!(
        post(
            &url,
            &headers("msg_1", pinned_seconds, sign(&scheme, pinned_seconds)),
            body.clone()
        )
        .await,
        200
    );
    assert_eq!(
        post(
            &url,
            &headers("msg_1", pinned_seconds, sign(&rotated, pinned_seconds)),
            body.clone()
        )
        .await,
        200
    );
    let several = format!(
        "v1,AAAA v1,{} {}",
        "A".repeat(43) + "=",
        sign(&scheme, pinned_seconds)
    );
    assert_eq!(
        post(
            &url,
            &headers("msg_1", pinned_seconds, several),
            body.clone()
        )
        .await,
        200,
        "any entry may match"
    );
    for (offset, expected) in [(300, 200), (-300, 200), (301, 401), (-301, 401)] {
        let timestamp = pinned_seconds + offset;
        let status = post(
            &url,
            &headers("msg_1", timestamp, sign(&scheme, timestamp)),
            body.clone(),
        )
        .await;
        assert_eq!(status, expected, "offset {offset}");
    }
    assert_eq!(
        post(
            &url,
            &headers("msg_2", pinned_seconds, sign(&scheme, pinned_seconds)),
            body.clone()
        )
        .await,
        401,
        "the id is signed"
    );
    for malformed in ["v1,", "v1", "", "v2,abc", "v1,!!!", "v1,AAAA"] {
        let status = post(
            &url,
            &headers("msg_1", pinned_seconds, malformed.to_owned()),
            body.clone(),
        )
        .await;
        assert_eq!(status, 401, "{malformed:?}");
    }
}

#[tokio::test]
async fn combined_modes_all_must_pass() {
    let auth = Auth::new(StaticHeaders::bearer("t0ken")).and(HmacSha256::new("x-signature", "k"));
    let url = server(auth).await;
    let body = body_with_id(&EventName::PointsRedeemed, "combined-1");
    let signature = HmacSha256::new("x-signature", "k").sign(&body, None);
    let bearer = ("authorization", "Bearer t0ken".to_owned());
    assert_eq!(
        post(
            &url,
            &[bearer.clone(), ("x-signature", signature.clone())],
            body.clone()
        )
        .await,
        200
    );
    assert_eq!(post(&url, &[bearer], body.clone()).await, 401);
    assert_eq!(post(&url, &[("x-signature", signature)], body).await, 401);
}

#[tokio::test]
async fn interoperates_with_the_svix_crate_both_ways() {
    let svix = svix::webhooks::Webhook::new(WHSEC).unwrap();
    let ours = StandardWebhooks::new(WHSEC).unwrap();
    let url = server(Auth::new(StandardWebhooks::new(WHSEC).unwrap())).await;
    let body = body_with_id(&EventName::TransactionAdded, "svix-1");
    let now = now_seconds();

    // svix signs, we verify (over HTTP).
    let signature = svix.sign("msg_svix", now, &body).unwrap();
    let headers = [
        ("webhook-id", "msg_svix".to_owned()),
        ("webhook-timestamp", now.to_string()),
        ("webhook-signature", signature),
    ];
    assert_eq!(post(&url, &headers, body.clone()).await, 200);

    // The svix-* header names work too.
    let signature = svix.sign("msg_svix_2", now, &body).unwrap();
    let headers = [
        ("svix-id", "msg_svix_2".to_owned()),
        ("svix-timestamp", now.to_string()),
        ("svix-signature", signature),
    ];
    assert_eq!(post(&url, &headers, body.clone()).await, 200);

    // We sign, svix verifies.
    let mut map = http::HeaderMap::new();
    map.insert("webhook-id", "msg_ours".parse().unwrap());
    map.insert("webhook-timestamp", now.to_string().parse().unwrap());
    map.insert(
        "webhook-signature",
        ours.sign("msg_ours", now, &body).parse().unwrap(),
    );
    svix.verify(&body, &map)
        .expect("svix accepts our signature");
    let mut tampered = body.clone();
    tampered[0] = b' ';
    assert!(svix.verify(&tampered, &map).is_err());
}
