//! The rules every inbox store keeps, written once and run against each backend.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use capillary_ens_inbox::{
    Claimed, ErrorKind, Filter, Inbox, InboxConfig, InboxStore, Outcome, State, Stored,
};

use super::{ManualClock, mistyped, points_issued};

/// The configuration the rules assume: no commit window, one claim per call, a 30 s lease,
/// three attempts, backoff 1 s .. 10 s, retention one day, prune batches of two.
pub fn config() -> InboxConfig {
    InboxConfig::default()
        .group_commit(Duration::ZERO, 64)
        .claim_batch(16)
        .lease(Duration::from_secs(30))
        .max_attempts(3)
        .backoff(Duration::from_secs(1), Duration::from_secs(10))
        .retention(Duration::from_secs(24 * 60 * 60))
        .pruning(2, Duration::from_secs(3600))
}

pub fn inbox(store: Arc<dyn InboxStore>, clock: &ManualClock) -> Inbox {
    Inbox::with_clock(store, config(), clock.as_clock())
}

/// A processor answering per event id from a script; unknown ids are handled. Records every
/// call's key and attempt.
#[derive(Clone, Default)]
pub struct Scripted {
    pub answers: Arc<Mutex<HashMap<String, Outcome>>>,
    pub calls: Arc<Mutex<Vec<(String, u32)>>>,
}

impl Scripted {
    pub fn answer(&self, id: &str, outcome: Outcome) {
        self.answers.lock().unwrap().insert(id.to_owned(), outcome);
    }

    pub fn calls(&self) -> Vec<(String, u32)> {
        self.calls.lock().unwrap().clone()
    }

    pub fn processor(
        &self,
    ) -> impl Fn(Claimed) -> std::future::Ready<Outcome> + Send + Sync + 'static {
        let this = self.clone();
        move |claimed: Claimed| {
            this.calls
                .lock()
                .unwrap()
                .push((claimed.key.clone(), claimed.attempt));
            let id = claimed.event_id.clone().unwrap_or_default();
            let answer = this.answers.lock().unwrap().get(&id).cloned();
            std::future::ready(answer.unwrap_or(Outcome::Handled))
        }
    }
}

/// Runs every rule on fresh stores from `fresh`.
pub async fn all<F, Fut>(fresh: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Arc<dyn InboxStore>>,
{
    acknowledgements_deduplicate(fresh().await).await;
    concurrent_acknowledgements_share_commits(fresh().await).await;
    processing_marks_rows_processed_once(fresh().await).await;
    failures_retry_with_backoff_then_die(fresh().await).await;
    type_mismatches_die_at_once(fresh().await).await;
    expired_leases_are_claimed_again_and_fence_the_old_claim(fresh().await).await;
    concurrent_claims_never_share_a_row(fresh().await).await;
    retention_prunes_old_processed_rows_in_batches(fresh().await).await;
    dead_letters_can_be_requeued_listed_and_purged(fresh().await).await;
}

pub async fn acknowledgements_deduplicate(store: Arc<dyn InboxStore>) {
    let clock = ManualClock::new();
    let inbox = inbox(store, &clock);
    let delivery = points_issued("ack-1", clock.now());
    assert_eq!(
        inbox.acknowledge(delivery.clone()).await.unwrap(),
        Stored::New
    );
    assert_eq!(
        inbox.acknowledge(delivery.clone()).await.unwrap(),
        Stored::Duplicate
    );
    assert_eq!(
        inbox.acknowledge(delivery).await.unwrap(),
        Stored::Duplicate
    );
    let stats = inbox.stats().await.unwrap();
    assert_eq!(stats.received, 1);
    assert_eq!(stats.pending, 1);
    assert_eq!(stats.duplicates_suppressed, 2);
    let shown = inbox
        .show("pointsIssued:ack-1")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(shown.state, State::Pending);
    assert_eq!(shown.attempts, 0);
    assert_eq!(shown.event_id.as_deref(), Some("ack-1"));
    assert!(!shown.body.is_empty());
}

pub async fn concurrent_acknowledgements_share_commits(store: Arc<dyn InboxStore>) {
    let clock = ManualClock::new();
    let inbox = inbox(store, &clock);
    let mut tasks = tokio::task::JoinSet::new();
    // 40 events, each delivered three times at once.
    for copy in 0..3 {
        for event in 0..40 {
            let inbox = inbox.clone();
            let delivery = points_issued(&format!("burst-{event}"), clock.now());
            tasks.spawn(async move { (copy, inbox.acknowledge(delivery).await.unwrap()) });
        }
    }
    let mut new = 0;
    let mut duplicates = 0;
    while let Some(answer) = tasks.join_next().await {
        match answer.unwrap().1 {
            Stored::New => new += 1,
            Stored::Duplicate => duplicates += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((new, duplicates), (40, 80));
    let stats = inbox.stats().await.unwrap();
    assert_eq!(stats.received, 40);
    assert_eq!(stats.duplicates_suppressed, 80);
}

pub async fn processing_marks_rows_processed_once(store: Arc<dyn InboxStore>) {
    let clock = ManualClock::new();
    let inbox = inbox(store, &clock);
    for id in ["p-1", "p-2", "p-3"] {
        inbox
            .acknowledge(points_issued(id, clock.now()))
            .await
            .unwrap();
    }
    let script = Scripted::default();
    let processor = script.processor();
    assert_eq!(inbox.process_due(&processor).await.unwrap(), 3);
    assert_eq!(
        inbox.process_due(&processor).await.unwrap(),
        0,
        "nothing is due twice"
    );
    let mut calls = script.calls();
    calls.sort();
    assert_eq!(
        calls,
        vec![
            ("pointsIssued:p-1".to_owned(), 1),
            ("pointsIssued:p-2".to_owned(), 1),
            ("pointsIssued:p-3".to_owned(), 1)
        ]
    );
    let stats = inbox.stats().await.unwrap();
    assert_eq!(
        (stats.processed, stats.pending, stats.processing),
        (3, 0, 0)
    );
    let shown = inbox.show("pointsIssued:p-2").await.unwrap().unwrap();
    assert_eq!(shown.state, State::Processed);
    assert_eq!(shown.processed_at, Some(clock.now()));
    // A duplicate of a processed event is acknowledged and not processed again.
    assert_eq!(
        inbox
            .acknowledge(points_issued("p-2", clock.now()))
            .await
            .unwrap(),
        Stored::Duplicate
    );
    assert_eq!(inbox.process_due(&processor).await.unwrap(), 0);
}

pub async fn failures_retry_with_backoff_then_die(store: Arc<dyn InboxStore>) {
    let clock = ManualClock::new();
    let inbox = inbox(store, &clock);
    inbox
        .acknowledge(points_issued("f-1", clock.now()))
        .await
        .unwrap();
    let script = Scripted::default();
    script.answer(
        "f-1",
        Outcome::Failed {
            rate_limited: false,
            retry_after: None,
        },
    );
    let processor = script.processor();
    assert_eq!(inbox.process_due(&processor).await.unwrap(), 1);
    let shown = inbox.show("pointsIssued:f-1").await.unwrap().unwrap();
    assert_eq!(shown.state, State::Retrying);
    assert_eq!(
        shown.last_error.as_ref().map(|error| error.kind),
        Some(ErrorKind::Handler)
    );
    let wait = shown
        .next_attempt_at
        .unwrap()
        .duration_since(clock.now())
        .unwrap();
    assert!(
        wait >= Duration::from_millis(500) && wait <= Duration::from_secs(1),
        "first backoff is 0.5..1 s: {wait:?}"
    );
    assert_eq!(
        inbox.process_due(&processor).await.unwrap(),
        0,
        "not due yet"
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(inbox.process_due(&processor).await.unwrap(), 1);
    let wait = inbox
        .show("pointsIssued:f-1")
        .await
        .unwrap()
        .unwrap()
        .next_attempt_at
        .unwrap()
        .duration_since(clock.now())
        .unwrap();
    assert!(
        wait >= Duration::from_secs(1) && wait <= Duration::from_secs(2),
        "{wait:?}"
    );
    clock.advance(Duration::from_secs(2));
    assert_eq!(inbox.process_due(&processor).await.unwrap(), 1);
    let shown = inbox.show("pointsIssued:f-1").await.unwrap().unwrap();
    assert_eq!(
        shown.state,
        State::Dead,
        "three attempts, then a dead letter"
    );
    assert_eq!(shown.attempts, 3);
    clock.advance(Duration::from_secs(3600));
    assert_eq!(
        inbox.process_due(&processor).await.unwrap(),
        0,
        "dead letters stay dead"
    );
    let attempts: Vec<u32> = script
        .calls()
        .into_iter()
        .map(|(_, attempt)| attempt)
        .collect();
    assert_eq!(attempts, vec![1, 2, 3]);
    let stats = inbox.stats().await.unwrap();
    assert_eq!((stats.dead, stats.retrying, stats.processed), (1, 0, 0));

    // A handler's own Retry-After, when longer than the backoff, wins.
    inbox
        .acknowledge(points_issued("f-2", clock.now()))
        .await
        .unwrap();
    script.answer(
        "f-2",
        Outcome::Failed {
            rate_limited: true,
            retry_after: Some(Duration::from_secs(120)),
        },
    );
    inbox.process_due(&processor).await.unwrap();
    let shown = inbox.show("pointsIssued:f-2").await.unwrap().unwrap();
    assert_eq!(
        shown.last_error.map(|error| error.kind),
        Some(ErrorKind::RateLimited)
    );
    assert_eq!(
        shown
            .next_attempt_at
            .unwrap()
            .duration_since(clock.now())
            .unwrap(),
        Duration::from_secs(120)
    );
}

pub async fn type_mismatches_die_at_once(store: Arc<dyn InboxStore>) {
    let clock = ManualClock::new();
    let inbox = inbox(store, &clock);
    inbox
        .acknowledge(mistyped("m-1", clock.now()))
        .await
        .unwrap();
    let processor = |claimed: Claimed| async move {
        let (_, error) = capillary_ens_schemas::parse_tolerant(claimed.body).unwrap();
        Outcome::TypeMismatch {
            path: error.and_then(|error| error.path().map(str::to_owned)),
        }
    };
    assert_eq!(inbox.process_due(&processor).await.unwrap(), 1);
    let shown = inbox.show("pointsIssued:m-1").await.unwrap().unwrap();
    assert_eq!(shown.state, State::Dead);
    assert_eq!(shown.attempts, 1);
    let error = shown.last_error.unwrap();
    assert_eq!(error.kind, ErrorKind::TypeMismatch);
    assert_eq!(error.path.as_deref(), Some("data.loyaltyProgramId"));
}

pub async fn expired_leases_are_claimed_again_and_fence_the_old_claim(store: Arc<dyn InboxStore>) {
    let clock = ManualClock::new();
    let inbox = inbox(store, &clock);
    inbox
        .acknowledge(points_issued("l-1", clock.now()))
        .await
        .unwrap();
    // A worker claims the row and dies.
    let lease = inbox.config().clone();
    let _ = lease;
    let claimed = inbox
        .store()
        .claim(clock.now(), 10, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let stale = claimed.into_iter().next().unwrap();
    assert_eq!(inbox.stats().await.unwrap().processing, 1);
    assert!(
        inbox
            .store()
            .claim(clock.now(), 10, Duration::from_secs(30))
            .await
            .unwrap()
            .is_empty(),
        "a held lease keeps the row from other workers"
    );
    clock.advance(Duration::from_secs(31));
    let script = Scripted::default();
    assert_eq!(inbox.process_due(&script.processor()).await.unwrap(), 1);
    assert_eq!(script.calls(), vec![("pointsIssued:l-1".to_owned(), 2)]);
    // The first worker comes back: its claim is no longer current.
    let changed = inbox
        .store()
        .finish(
            &stale,
            clock.now(),
            capillary_ens_inbox::Finish::Dead {
                error: capillary_ens_inbox::LastError::new(ErrorKind::Handler),
            },
        )
        .await
        .unwrap();
    assert!(!changed, "a stale claim must not overwrite the outcome");
    assert_eq!(
        inbox.show("pointsIssued:l-1").await.unwrap().unwrap().state,
        State::Processed
    );

    // A row whose leases keep expiring (the handler kills the process) dies after the limit.
    inbox
        .acknowledge(points_issued("l-2", clock.now()))
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            inbox
                .store()
                .claim(clock.now(), 10, Duration::from_secs(30))
                .await
                .unwrap()
                .len(),
            1
        );
        clock.advance(Duration::from_secs(31));
    }
    let script = Scripted::default();
    assert_eq!(inbox.process_due(&script.processor()).await.unwrap(), 1);
    assert!(
        script.calls().is_empty(),
        "the handler is not run a fourth time"
    );
    let shown = inbox.show("pointsIssued:l-2").await.unwrap().unwrap();
    assert_eq!(shown.state, State::Dead);
    assert_eq!(
        shown.last_error.map(|error| error.kind),
        Some(ErrorKind::LeaseExpired)
    );
}

pub async fn concurrent_claims_never_share_a_row(store: Arc<dyn InboxStore>) {
    let clock = ManualClock::new();
    let inbox = inbox(store, &clock);
    for event in 0..60 {
        inbox
            .acknowledge(points_issued(&format!("c-{event}"), clock.now()))
            .await
            .unwrap();
    }
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let inbox = inbox.clone();
        let now = clock.now();
        tasks.spawn(async move {
            let mut keys = Vec::new();
            loop {
                let rows = inbox
                    .store()
                    .claim(now, 4, Duration::from_secs(30))
                    .await
                    .unwrap();
                if rows.is_empty() {
                    return keys;
                }
                keys.extend(rows.into_iter().map(|row| row.key));
            }
        });
    }
    let mut all = Vec::new();
    while let Some(keys) = tasks.join_next().await {
        all.extend(keys.unwrap());
    }
    let total = all.len();
    all.sort();
    all.dedup();
    assert_eq!(
        (total, all.len()),
        (60, 60),
        "every row claimed exactly once"
    );
}

pub async fn retention_prunes_old_processed_rows_in_batches(store: Arc<dyn InboxStore>) {
    let clock = ManualClock::new();
    let inbox = inbox(store, &clock);
    for event in 0..5 {
        inbox
            .acknowledge(points_issued(&format!("r-{event}"), clock.now()))
            .await
            .unwrap();
    }
    inbox
        .acknowledge(points_issued("r-0", clock.now()))
        .await
        .unwrap();
    inbox
        .process_due(&Scripted::default().processor())
        .await
        .unwrap();
    inbox
        .acknowledge(points_issued("r-young", clock.now()))
        .await
        .unwrap();
    inbox
        .acknowledge(mistyped("r-dead", clock.now()))
        .await
        .unwrap();
    clock.advance(Duration::from_secs(12 * 60 * 60));
    let script = Scripted::default();
    script.answer("r-dead", Outcome::TypeMismatch { path: None });
    inbox.process_due(&script.processor()).await.unwrap();
    assert_eq!(
        inbox.prune().await.unwrap(),
        0,
        "nothing is older than a day yet"
    );
    clock.advance(Duration::from_secs(13 * 60 * 60));
    assert_eq!(
        inbox.prune().await.unwrap(),
        5,
        "five rows, in batches of two"
    );
    assert!(inbox.show("pointsIssued:r-0").await.unwrap().is_none());
    assert!(
        inbox.show("pointsIssued:r-young").await.unwrap().is_some(),
        "younger rows stay"
    );
    assert!(
        inbox.show("pointsIssued:r-dead").await.unwrap().is_some(),
        "dead letters stay"
    );
    let stats = inbox.stats().await.unwrap();
    assert_eq!(stats.received, 7, "pruned rows still count as received");
    assert_eq!(stats.processed, 6);
    assert_eq!(
        stats.duplicates_suppressed, 1,
        "and their duplicates still count"
    );
}

pub async fn dead_letters_can_be_requeued_listed_and_purged(store: Arc<dyn InboxStore>) {
    let clock = ManualClock::new();
    let inbox = inbox(store, &clock);
    for id in ["d-1", "d-2"] {
        inbox.acknowledge(mistyped(id, clock.now())).await.unwrap();
    }
    inbox
        .acknowledge(points_issued("d-ok", clock.now()))
        .await
        .unwrap();
    let script = Scripted::default();
    script.answer("d-1", Outcome::TypeMismatch { path: None });
    script.answer("d-2", Outcome::TypeMismatch { path: None });
    inbox.process_due(&script.processor()).await.unwrap();

    let dead = inbox.list(&Filter::state(State::Dead)).await.unwrap();
    let mut keys: Vec<_> = dead.iter().map(|row| row.key.as_str()).collect();
    keys.sort();
    assert_eq!(keys, ["pointsIssued:d-1", "pointsIssued:d-2"]);
    assert_eq!(inbox.list(&Filter::all().limit(1)).await.unwrap().len(), 1);
    assert_eq!(
        inbox
            .list(&Filter::all().event_name("tierUpgraded"))
            .await
            .unwrap()
            .len(),
        0
    );

    // One dead letter by its key; a key that is not dead re-queues nothing.
    let one = Filter::all().key("pointsIssued:d-2");
    assert_eq!(inbox.list(&one).await.unwrap().len(), 1);
    assert_eq!(inbox.retry_dead(&one).await.unwrap(), 1);
    assert_eq!(
        inbox.show("pointsIssued:d-2").await.unwrap().unwrap().state,
        State::Pending
    );
    assert_eq!(
        inbox
            .retry_dead(&Filter::all().key("pointsIssued:d-ok"))
            .await
            .unwrap(),
        0
    );

    // After a fix (here: the script now handles them), re-queued dead letters are processed.
    script.answer("d-1", Outcome::Handled);
    script.answer("d-2", Outcome::Handled);
    assert_eq!(inbox.retry_dead(&Filter::all()).await.unwrap(), 1);
    let requeued = inbox.show("pointsIssued:d-1").await.unwrap().unwrap();
    assert_eq!((requeued.state, requeued.attempts), (State::Pending, 0));
    assert_eq!(inbox.process_due(&script.processor()).await.unwrap(), 2);
    assert_eq!(inbox.stats().await.unwrap().processed, 3);

    assert_eq!(
        inbox
            .purge(&Filter::state(State::Processed).limit(2))
            .await
            .unwrap(),
        2
    );
    assert_eq!(inbox.purge(&Filter::all()).await.unwrap(), 1);
    assert_eq!(inbox.list(&Filter::all()).await.unwrap().len(), 0);
}
