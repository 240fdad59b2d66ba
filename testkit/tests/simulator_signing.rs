//! Signatures made at the attempts' virtual times are accepted by a real `capillary_ens_receiver::Auth`
//! on the same clock, and refused (401, final) under other secrets.

mod simulator_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use capillary_ens_receiver::{
    Auth, EnsRouter, HmacSha256, ReceiverConfig, StandardWebhooks, Webhook,
};
use capillary_ens_testkit::simulator::{
    AttemptOutcome, DeliveryState, RetryPolicy, Simulator, VirtualClock,
};
use simulator_support::{event, serve};

const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_WHSEC: &str = "whsec_c2VjcmV0LW9mLWFub3RoZXItd2ViaG9vaw==";
const HOUR: Duration = Duration::from_secs(3600);

/// A moment long past, so that only a receiver on the virtual clock accepts the timestamps.
fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn hmac(secret: &str) -> HmacSha256 {
    HmacSha256::new("x-signature", secret)
        .prefix("sha256=")
        .timestamp_header("x-timestamp", Duration::from_secs(300))
}

/// The real receiver: `EnsRouter` behind `Webhook`, at `/ens`, on a loopback port.
async fn capillary_ens_receiver(auth: Auth) -> String {
    async fn accept(_: Webhook) {}
    let app: Router = Router::new()
        .nest("/ens", EnsRouter::new().fallback(accept).into_router())
        .with_state(ReceiverConfig::new(auth));
    format!("{}/ens", serve(app).await)
}

#[tokio::test]
async fn hmac_signatures_pass_the_real_receiver_on_the_shared_clock() {
    let clock = VirtualClock::starting_at(start());
    let url =
        capillary_ens_receiver(Auth::new(hmac("gateway-key")).with_clock(clock.clone())).await;
    let ens = Simulator::to_url(url)
        .clock(clock)
        .sign_hmac(hmac("gateway-key"))
        .build();

    let report = ens.deliver(event("e-1")).await;

    assert_eq!(report.state, DeliveryState::Delivered, "{report:?}");
}

#[tokio::test]
async fn hmac_signatures_under_another_secret_are_refused_for_good() {
    let clock = VirtualClock::starting_at(start());
    let url =
        capillary_ens_receiver(Auth::new(hmac("gateway-key")).with_clock(clock.clone())).await;
    let ens = Simulator::to_url(url)
        .clock(clock)
        .sign_hmac(hmac("another-key"))
        .build();

    let report = ens.deliver(event("e-2")).await;

    assert_eq!(report.state, DeliveryState::Failed);
    assert_eq!(report.outcomes(), [&AttemptOutcome::Status(401)]);
}

#[tokio::test]
async fn a_receiver_on_the_real_clock_refuses_old_virtual_timestamps() {
    let url = capillary_ens_receiver(Auth::new(hmac("gateway-key"))).await;
    let ens = Simulator::to_url(url)
        .clock(VirtualClock::starting_at(start()))
        .sign_hmac(hmac("gateway-key"))
        .build();

    let report = ens.deliver(event("e-3")).await;

    assert_eq!(report.outcomes(), [&AttemptOutcome::Status(401)]);
}

#[tokio::test]
async fn standard_webhooks_signatures_pass_the_real_receiver_on_the_shared_clock() {
    let clock = VirtualClock::starting_at(start());
    let scheme = || StandardWebhooks::new(WHSEC).expect("a valid secret");
    let url = capillary_ens_receiver(Auth::new(scheme()).with_clock(clock.clone())).await;
    let ens = Simulator::to_url(url)
        .clock(clock)
        .sign_standard_webhooks(scheme())
        .build();

    let report = ens.deliver(event("e-4")).await;

    assert_eq!(report.state, DeliveryState::Delivered, "{report:?}");
}

#[tokio::test]
async fn standard_webhooks_signatures_under_another_secret_are_refused_for_good() {
    let clock = VirtualClock::starting_at(start());
    let receiver_scheme = StandardWebhooks::new(WHSEC).expect("a valid secret");
    let url = capillary_ens_receiver(Auth::new(receiver_scheme).with_clock(clock.clone())).await;
    let ens = Simulator::to_url(url)
        .clock(clock)
        .sign_standard_webhooks(StandardWebhooks::new(OTHER_WHSEC).expect("a valid secret"))
        .build();

    let report = ens.deliver(event("e-5")).await;

    assert_eq!(report.state, DeliveryState::Failed);
    assert_eq!(report.outcomes(), [&AttemptOutcome::Status(401)]);
}

/// Fails the first two attempts with 503, then answers what `Auth` says; records the headers.
fn flaky_verifier(auth: Auth, seen: Arc<std::sync::Mutex<Vec<HeaderMap>>>) -> Router {
    let calls = Arc::new(AtomicUsize::new(0));
    Router::new().route(
        "/",
        post(move |headers: HeaderMap, body: Bytes| async move {
            seen.lock().expect("not poisoned").push(headers.clone());
            if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                return StatusCode::SERVICE_UNAVAILABLE;
            }
            match auth.verify(&headers, &body) {
                Ok(()) => StatusCode::OK,
                Err(_) => StatusCode::UNAUTHORIZED,
            }
        }),
    )
}

#[tokio::test]
async fn retries_hours_later_are_signed_at_their_own_virtual_time() {
    let clock = VirtualClock::starting_at(start());
    let seen = Arc::default();
    let scheme = || StandardWebhooks::new(WHSEC).expect("a valid secret");
    let auth = Auth::new(scheme())
        .and(hmac("gateway-key"))
        .with_clock(clock.clone());
    let ens = Simulator::to_router(flaky_verifier(auth, Arc::clone(&seen)))
        .clock(clock.clone())
        .retry_policy(RetryPolicy::exponential(HOUR, 2, 24 * HOUR, 7 * 24 * HOUR))
        .sign_standard_webhooks(scheme())
        .sign_hmac(hmac("gateway-key"))
        .build();

    let report = ens.deliver(event("e-6")).await;

    assert_eq!(report.state, DeliveryState::Delivered, "{report:?}");
    assert_eq!(report.attempt_offsets(), [Duration::ZERO, HOUR, 3 * HOUR]);
    let timestamps: Vec<(String, String, String)> = seen
        .lock()
        .expect("not poisoned")
        .iter()
        .map(|headers| {
            let text = |name: &str| headers[name].to_str().expect("text").to_owned();
            (
                text("webhook-timestamp"),
                text("x-timestamp"),
                text("webhook-id"),
            )
        })
        .collect();
    let expected = |offset: u64| {
        let at = (1_700_000_000 + offset).to_string();
        (at.clone(), at, "e-6".to_owned())
    };
    assert_eq!(
        timestamps,
        [expected(0), expected(3600), expected(3 * 3600)]
    );
    assert_eq!(clock.now(), start() + 3 * HOUR);
}

#[tokio::test]
async fn events_without_an_id_get_a_stable_webhook_id() {
    let seen = Arc::default();
    let clock = VirtualClock::starting_at(start());
    let scheme = || StandardWebhooks::new(WHSEC).expect("a valid secret");
    let auth = Auth::new(scheme()).with_clock(clock.clone());
    let ens = Simulator::to_router(flaky_verifier(auth, Arc::clone(&seen)))
        .clock(clock)
        .sign_standard_webhooks(scheme())
        .build();
    let mut body = event("unused");
    body.as_object_mut().expect("an object").remove("eventId");

    let report = ens.deliver(body).await;

    assert_eq!(report.state, DeliveryState::Delivered, "{report:?}");
    let ids: Vec<String> = seen
        .lock()
        .expect("not poisoned")
        .iter()
        .map(|headers| headers["webhook-id"].to_str().expect("text").to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(
        ids.iter().all(|id| id == &ids[0] && id.starts_with("msg_")),
        "{ids:?}"
    );
}
