//! `ens demo`: an in-process receiver and the ENS simulator, end to end, in a few seconds.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use capillary_ens_receiver::{
    Auth, EnsRouter, HandlerError, ReceiverConfig, StaticHeaders, Webhook,
};
use capillary_ens_schemas::EventName;
use capillary_ens_schemas::events::{CustomerUpdated, PointsIssued, TierUpgraded};
use capillary_ens_testkit::fixtures;
use capillary_ens_testkit::simulator::{DeliveryReport, DeliveryState, Simulator};
use clap::Args;
use serde_json::json;

use crate::exit::{EXIT_CODES, Exit, Outcome, Stop};
use crate::output::Ui;

const DEMO_HELP: &str = "\
Examples:
  ens demo
  ens demo -v          # also the receivers' log lines (every 503 of the queue-mode part)
  ens demo --format json | jq '.checks[] | select(.ok | not)'

Exit 0 when everything happened as described, 1 otherwise.";

/// Start a receiver and the ENS simulator on this machine, deliver every event type, and print
/// the delivery log.
///
/// The receiver is an `capillary-ens-receiver` app on a loopback port, requiring Basic credentials. The
/// simulator delivers all 66 events as ENS would (POST, JSON, the configured header, up to 10
/// connections at once), plus the cases a real integration meets: a duplicate delivery (the
/// receiver answers 200 without processing it again), a receiver that answers 429 once (ENS
/// retries it later, in simulated time) and a forged request with the wrong credentials
/// (answered 401, which ENS does not retry).
///
/// Then the cost of a wrong retriable answer, with the simulator in queue mode (ENS re-sends a
/// retried event before the webhook's later ones): a handler that answers 503 to an event it
/// will never process holds the next event back for ENS's whole retry window (a week), while
/// acknowledging it (2xx, and logging it) holds nothing back.
#[derive(Debug, Args)]
#[command(after_help = format!("{DEMO_HELP}\n\n{EXIT_CODES}"))]
pub(crate) struct DemoArgs {}

const USER: &str = "ens";
const PASSWORD: &str = "demo-only-secret";

/// What the demo receiver did, by event name.
#[derive(Default)]
struct Handled {
    counts: Mutex<BTreeMap<String, usize>>,
    tier_upgrade_failed_once: AtomicBool,
}

impl Handled {
    fn record(&self, name: &EventName) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        *counts.entry(name.to_string()).or_default() += 1;
    }

    fn snapshot(&self) -> BTreeMap<String, usize> {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[derive(Clone)]
struct DemoState {
    config: ReceiverConfig,
    handled: Arc<Handled>,
}

impl axum::extract::FromRef<DemoState> for ReceiverConfig {
    fn from_ref(state: &DemoState) -> Self {
        state.config.clone()
    }
}

async fn points_issued(
    axum::extract::State(state): axum::extract::State<DemoState>,
    webhook: Webhook<PointsIssued>,
) {
    state.handled.record(&EventName::PointsIssued);
    let _ = webhook.event.total_points_issued;
}

async fn tier_upgraded(
    axum::extract::State(state): axum::extract::State<DemoState>,
    _webhook: Webhook<TierUpgraded>,
) -> Result<(), HandlerError> {
    // The first time, behave like a receiver under load: ENS must come back later.
    if !state
        .handled
        .tier_upgrade_failed_once
        .swap(true, Ordering::SeqCst)
    {
        return Err(HandlerError::rate_limited(
            Duration::from_secs(60),
            "the demo receiver is busy (on purpose)",
        ));
    }
    state.handled.record(&EventName::TierUpgraded);
    Ok(())
}

async fn everything_else(
    axum::extract::State(state): axum::extract::State<DemoState>,
    webhook: Webhook,
) {
    state.handled.record(&webhook.envelope.event_name);
}

pub(crate) async fn run(_args: DemoArgs, ui: Ui) -> Outcome {
    let handled = Arc::new(Handled::default());
    let state = DemoState {
        config: ReceiverConfig::new(Auth::new(StaticHeaders::basic(USER, PASSWORD))),
        handled: Arc::clone(&handled),
    };
    let ens = EnsRouter::<DemoState>::new()
        .on::<PointsIssued, _, _>(points_issued)
        .on::<TierUpgraded, _, _>(tier_upgraded)
        .fallback(everything_else);
    let app: Router = Router::new()
        .nest("/webhooks/ens", ens.into_router())
        .with_state(state);
    let socket = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .map_err(|error| {
            Stop::failed(format!(
                "cannot open a loopback port for the demo receiver: {error}"
            ))
        })?;
    let address = socket
        .local_addr()
        .map_err(|error| Stop::failed(error.to_string()))?;
    let url = format!("http://{address}/webhooks/ens");
    let server = tokio::spawn(async move { axum::serve(socket, app).await });
    note!("receiver: a capillary-ens-receiver app at {url} (Basic auth, in-memory idempotency)");

    let ens = Simulator::to_url(&url)
        .basic_auth(USER, PASSWORD)
        .max_connections(10)
        .build();
    let bodies: Vec<(EventName, Vec<u8>)> = fixtures::all()
        .map(|fixture| (fixture.name(), fixture.to_bytes()))
        .collect();
    note!(
        "simulator: delivering {} events as ENS does (up to 10 connections at once)\n",
        bodies.len()
    );
    let reports = ens
        .deliver_all(bodies.iter().map(|(_, body)| body.clone()))
        .await;
    let points_body = bodies
        .iter()
        .find(|(name, _)| *name == EventName::PointsIssued)
        .map(|(_, body)| body.clone())
        .ok_or_else(|| Stop::failed("the fixtures lack pointsIssued"))?;
    let duplicate = ens.deliver(points_body).await;
    let forger = Simulator::to_url(&url)
        .basic_auth(USER, "a-guessed-password")
        .clock(ens.clock())
        .build();
    let forged = forger.deliver(fixtures::points_issued().to_bytes()).await;
    server.abort();

    let metrics = ens.metrics();
    if !ui.json() {
        ui.line(format!("delivery log:\n{}", ens.log()));
        ui.line(format!("forged request:\n{}", forger.log()));
        ui.line(format!(
            "metrics: {} total, {} delivered, {} failed, {} retrying, {} pending, average delivery time {:?}\n",
            metrics.total,
            metrics.delivered,
            metrics.failed,
            metrics.retrying,
            metrics.pending,
            metrics.average_delivery_time
        ));
    }

    let retriable = queue_cost(true).await?;
    let acknowledged = queue_cost(false).await?;
    if !ui.json() {
        ui.line(format!(
            "queue mode: a handler answering 503 to a customerUpdated it can never process: {}",
            retriable.describe()
        ));
        ui.line(format!(
            "queue mode: the same handler acknowledging it (2xx, logged): {}\n",
            acknowledged.describe()
        ));
    }
    let checks = [
        check_all_delivered(&reports, bodies.len()),
        check_handled_once(&handled.snapshot(), bodies.len()),
        check_retried_after_429(&reports),
        check_duplicate(&duplicate, &handled.snapshot()),
        check_forged(&forged),
        check_queue_cost(&retriable, &acknowledged),
    ];
    let all_passed = checks.iter().all(|(passed, _)| *passed);
    if ui.json() {
        ui.json_line(&json!({
            "delivered": metrics.delivered,
            "failed": metrics.failed,
            "total": metrics.total,
            "queueMode": {
                "retriableHeldBackSeconds": retriable.held_back.as_secs(),
                "retriableAttempts": retriable.attempts,
                "acknowledgedHeldBackSeconds": acknowledged.held_back.as_secs(),
            },
            "checks": checks
                .iter()
                .map(|(ok, description)| json!({"ok": ok, "description": description}))
                .collect::<Vec<_>>(),
            "ok": all_passed,
        }));
    } else {
        for (passed, description) in &checks {
            ui.line(format!(
                "{} {description}",
                ui.verdict(*passed, if *passed { "ok  " } else { "FAIL" })
            ));
        }
    }
    Ok(Exit::from_success(all_passed))
}

fn check_all_delivered(reports: &[DeliveryReport], expected: usize) -> (bool, String) {
    let delivered = reports
        .iter()
        .filter(|report| report.is_delivered())
        .count();
    (
        delivered == expected && expected == EventName::ALL.len(),
        format!("{delivered} of {expected} event types delivered"),
    )
}

fn check_handled_once(handled: &BTreeMap<String, usize>, expected: usize) -> (bool, String) {
    let once = handled.values().filter(|count| **count == 1).count();
    (
        handled.len() == expected && once == expected,
        format!(
            "the receiver's handlers ran for {} event types, {once} of them exactly once",
            handled.len()
        ),
    )
}

fn check_retried_after_429(reports: &[DeliveryReport]) -> (bool, String) {
    let tier = reports
        .iter()
        .find(|report| report.event_name == EventName::TierUpgraded.as_str());
    match tier {
        Some(report) => (
            report.is_delivered()
                && report.attempts.len() == 2
                && report.attempts[0].outcome.status() == Some(429),
            format!(
                "tierUpgraded answered 429 once and was retried: {}",
                report.attempts_summary()
            ),
        ),
        None => (false, "tierUpgraded was not delivered".to_owned()),
    }
}

fn check_duplicate(
    duplicate: &DeliveryReport,
    handled: &BTreeMap<String, usize>,
) -> (bool, String) {
    let handled_points = handled
        .get(EventName::PointsIssued.as_str())
        .copied()
        .unwrap_or(0);
    (
        duplicate.duplicate && duplicate.is_delivered() && handled_points == 1,
        format!(
            "a duplicate pointsIssued was acknowledged ({}) without running its handler again (ran {handled_points} time)",
            duplicate.attempts_summary()
        ),
    )
}

fn check_forged(forged: &DeliveryReport) -> (bool, String) {
    (
        forged.state == DeliveryState::Failed
            && forged.attempts.len() == 1
            && forged.attempts[0].outcome.status() == Some(401),
        format!(
            "a forged request was rejected and not retried: {}",
            forged.attempts_summary()
        ),
    )
}

/// What one poisoned event cost the event queued behind it.
struct QueueCost {
    /// How long the next event waited for its first attempt.
    held_back: Duration,
    /// How many times the poisoned event was sent.
    attempts: usize,
    /// Whether the next event was delivered in the end.
    next_delivered: bool,
}

impl QueueCost {
    fn describe(&self) -> String {
        format!(
            "the poisoned event was sent {} time{}, the tierUpgraded behind it waited {}",
            self.attempts,
            if self.attempts == 1 { "" } else { "s" },
            human_duration(self.held_back)
        )
    }
}

/// Delivers pointsIssued, a customerUpdated the handler can never process, and tierUpgraded,
/// in ENS's queue order, to a receiver whose customerUpdated handler answers retriably (503)
/// or acknowledges.
async fn queue_cost(retriable: bool) -> Result<QueueCost, Stop> {
    let ens = EnsRouter::<ReceiverConfig>::new()
        .on::<CustomerUpdated, _, _>(move |_: Webhook<CustomerUpdated>| async move {
            if retriable {
                Err(HandlerError::unavailable(
                    "the CRM refuses this customer (and always will)",
                ))
            } else {
                // The right answer to a failure that can never succeed: acknowledge, log it.
                Ok(())
            }
        })
        .fallback(|_: Webhook| async {});
    let app: Router = Router::new()
        .nest("/ens", ens.into_router())
        .with_state(ReceiverConfig::new(Auth::allow_unauthenticated()));
    let body = |name: EventName| {
        fixtures::for_event(&name)
            .map(|fixture| fixture.to_bytes())
            .ok_or_else(|| Stop::failed(format!("the fixtures lack {name}")))
    };
    let bodies = [
        body(EventName::PointsIssued)?,
        body(EventName::CustomerUpdated)?,
        body(EventName::TierUpgraded)?,
    ];
    let reports = Simulator::to_router(app)
        .path("/ens")
        .queue_mode()
        .build()
        .deliver_all(bodies)
        .await;
    let (Some(poisoned), Some(next)) = (reports.get(1), reports.get(2)) else {
        return Err(Stop::failed("the simulator lost a delivery"));
    };
    Ok(QueueCost {
        held_back: next.held_back().unwrap_or_default(),
        attempts: poisoned.attempts.len(),
        next_delivered: next.is_delivered(),
    })
}

fn check_queue_cost(retriable: &QueueCost, acknowledged: &QueueCost) -> (bool, String) {
    const SIX_DAYS: Duration = Duration::from_secs(6 * 24 * 60 * 60);
    (
        retriable.held_back > SIX_DAYS
            && acknowledged.held_back < Duration::from_secs(1)
            && acknowledged.attempts == 1
            && retriable.next_delivered
            && acknowledged.next_delivered,
        format!(
            "a retriable answer to an event that can never succeed held the next event back {}; acknowledging it, {}",
            human_duration(retriable.held_back),
            human_duration(acknowledged.held_back)
        ),
    )
}

/// `6d 23h 30m`, `0s`.
fn human_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    let (days, hours, minutes) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days}d"));
    }
    if hours > 0 {
        parts.push(format!("{hours}h"));
    }
    if minutes > 0 {
        parts.push(format!("{minutes}m"));
    }
    if parts.is_empty() {
        parts.push(format!("{}s", seconds % 60));
    }
    parts.join(" ")
}
