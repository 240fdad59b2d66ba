//! The SQLite inbox in temporary files: the store rules, the dedup store's conformance, and
//! exactly-once effects with a transactional handler.

mod support;

use std::sync::Arc;
use std::time::Duration;

use capillary_ens_inbox::{
    Inbox, InboxStore, Outcome, SqliteDedup, SqliteStore, SqliteTransactional, State,
};
use capillary_ens_receiver::HandlerError;
use capillary_ens_schemas::events::PointsIssued;
use capillary_ens_testkit::conformance::{self, Replicas, Timings};
use support::{ManualClock, points_issued, rules};

async fn fresh_store(dir: &tempfile::TempDir) -> SqliteStore {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    SqliteStore::open(dir.path().join(format!("inbox-{n}.db")))
        .await
        .expect("a sqlite inbox opens in a temp dir")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_store_keeps_the_inbox_rules() {
    let dir = tempfile::tempdir().unwrap();
    rules::all(|| async { Arc::new(fresh_store(&dir).await) as Arc<dyn InboxStore> }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_dedup_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let dir = &dir;
    conformance::check_store(move |timings: Timings| {
        let path = dir
            .path()
            .join(format!("dedup-{:?}.db", std::time::Instant::now()));
        async move {
            // Two stores (two writer connections) on one file, as two processes would be.
            let first = SqliteStore::open(&path).await.unwrap();
            let second = SqliteStore::open(&path).await.unwrap();
            let dedup = |store: &SqliteStore| {
                SqliteDedup::new(store)
                    .processing_timeout(timings.processing_timeout)
                    .ttl(timings.ttl)
            };
            Replicas::new(Arc::new(dedup(&first)), Arc::new(dedup(&second)))
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledgements_survive_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inbox.db");
    let clock = ManualClock::new();
    {
        let inbox = rules::inbox(Arc::new(SqliteStore::open(&path).await.unwrap()), &clock);
        inbox
            .acknowledge(points_issued("kept", clock.now()))
            .await
            .unwrap();
    }
    let inbox = rules::inbox(Arc::new(SqliteStore::open(&path).await.unwrap()), &clock);
    let shown = inbox
        .show("pointsIssued:kept")
        .await
        .unwrap()
        .expect("still there");
    assert_eq!(shown.state, State::Pending);
    assert_eq!(SqliteStore::schema_version(), 1);
}

/// The brand's table lives in the inbox's file; the handler writes to it inside the inbox's
/// transaction. A failing attempt leaves no trace, a retry writes once, and a stale claim
/// (lease expired, another worker took over) writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactional_handlers_have_exactly_once_effects() {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh_store(&dir).await;
    let clock = ManualClock::new();
    let fail_first = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let failing = Arc::clone(&fail_first);
    let processor = SqliteTransactional::new(&store)
        .with_clock(clock.as_clock())
        .on::<PointsIssued, _>(move |tx, points| {
            tx.execute(
                "CREATE TABLE IF NOT EXISTS ledger (event_id TEXT, points TEXT)",
                (),
            )?;
            tx.execute(
                "INSERT INTO ledger (event_id, points) VALUES (?1, ?2)",
                (
                    points.envelope.event_id.as_deref(),
                    points
                        .event
                        .total_points_issued
                        .as_ref()
                        .map(ToString::to_string),
                ),
            )?;
            if failing.swap(false, std::sync::atomic::Ordering::SeqCst) {
                return Err(HandlerError::from("the first attempt fails after writing"));
            }
            Ok(())
        });
    let inbox = Inbox::with_clock(Arc::new(store.clone()), rules::config(), clock.as_clock());
    inbox
        .acknowledge(points_issued("tx-1", clock.now()))
        .await
        .unwrap();

    assert_eq!(inbox.process_due(&processor).await.unwrap(), 1);
    let shown = inbox.show("pointsIssued:tx-1").await.unwrap().unwrap();
    assert_eq!(
        shown.state,
        State::Retrying,
        "the failed attempt is retried"
    );
    clock.advance(Duration::from_secs(2));
    assert_eq!(inbox.process_due(&processor).await.unwrap(), 1);
    assert_eq!(
        inbox
            .show("pointsIssued:tx-1")
            .await
            .unwrap()
            .unwrap()
            .state,
        State::Processed
    );

    // A stale claim: another worker's lease expired and the row was taken over.
    inbox
        .acknowledge(points_issued("tx-2", clock.now()))
        .await
        .unwrap();
    let stale = inbox
        .store()
        .claim(clock.now(), 1, Duration::from_secs(30))
        .await
        .unwrap();
    clock.advance(Duration::from_secs(31));
    assert_eq!(inbox.process_due(&processor).await.unwrap(), 1);
    let stale = stale.into_iter().next().unwrap();
    assert_eq!(
        capillary_ens_inbox::Processor::process(&processor, stale).await,
        Outcome::LostClaim
    );

    let path = store.path().to_path_buf();
    let ledger = tokio::task::spawn_blocking(move || read_ledger(&path))
        .await
        .unwrap();
    assert_eq!(ledger, ["tx-1", "tx-2"], "each event's effect exactly once");
}

/// Reads the brand's ledger through a second connection, as another process would.
fn read_ledger(path: &std::path::Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(path).unwrap();
    let mut select = connection
        .prepare("SELECT event_id FROM ledger ORDER BY event_id")
        .unwrap();
    select
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Counts the statements a store is asked to run, delegating to SQLite.
struct CountingStore {
    inner: SqliteStore,
    inserts: std::sync::atomic::AtomicUsize,
}

impl InboxStore for CountingStore {
    fn insert<'a>(
        &'a self,
        batch: &'a [capillary_ens_inbox::Arrival],
    ) -> capillary_ens_receiver::BoxFuture<
        'a,
        Result<Vec<capillary_ens_inbox::Stored>, capillary_ens_inbox::InboxError>,
    > {
        self.inserts
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.insert(batch)
    }
    fn claim(
        &self,
        now: std::time::SystemTime,
        limit: usize,
        lease: Duration,
    ) -> capillary_ens_receiver::BoxFuture<
        '_,
        Result<Vec<capillary_ens_inbox::Claimed>, capillary_ens_inbox::InboxError>,
    > {
        self.inner.claim(now, limit, lease)
    }
    fn finish<'a>(
        &'a self,
        claimed: &'a capillary_ens_inbox::Claimed,
        now: std::time::SystemTime,
        finish: capillary_ens_inbox::Finish,
    ) -> capillary_ens_receiver::BoxFuture<'a, Result<bool, capillary_ens_inbox::InboxError>> {
        self.inner.finish(claimed, now, finish)
    }
    fn prune(
        &self,
        before: std::time::SystemTime,
        batch: usize,
    ) -> capillary_ens_receiver::BoxFuture<'_, Result<u64, capillary_ens_inbox::InboxError>> {
        self.inner.prune(before, batch)
    }
    fn counts(
        &self,
    ) -> capillary_ens_receiver::BoxFuture<
        '_,
        Result<capillary_ens_inbox::StateCounts, capillary_ens_inbox::InboxError>,
    > {
        self.inner.counts()
    }
    fn list<'a>(
        &'a self,
        filter: &'a capillary_ens_inbox::Filter,
    ) -> capillary_ens_receiver::BoxFuture<
        'a,
        Result<Vec<capillary_ens_inbox::StoredDelivery>, capillary_ens_inbox::InboxError>,
    > {
        self.inner.list(filter)
    }
    fn show<'a>(
        &'a self,
        key: &'a str,
    ) -> capillary_ens_receiver::BoxFuture<
        'a,
        Result<Option<capillary_ens_inbox::StoredDelivery>, capillary_ens_inbox::InboxError>,
    > {
        self.inner.show(key)
    }
    fn requeue_dead<'a>(
        &'a self,
        filter: &'a capillary_ens_inbox::Filter,
        now: std::time::SystemTime,
    ) -> capillary_ens_receiver::BoxFuture<'a, Result<u64, capillary_ens_inbox::InboxError>> {
        self.inner.requeue_dead(filter, now)
    }
    fn purge<'a>(
        &'a self,
        filter: &'a capillary_ens_inbox::Filter,
    ) -> capillary_ens_receiver::BoxFuture<'a, Result<u64, capillary_ens_inbox::InboxError>> {
        self.inner.purge(filter)
    }
    fn wait_for_work(&self, timeout: Duration) -> capillary_ens_receiver::BoxFuture<'_, ()> {
        self.inner.wait_for_work(timeout)
    }
}

/// 64 concurrent acknowledgements share a handful of commits: one statement and one commit
/// per batch, not per delivery.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_acknowledgements_share_one_commit_per_batch() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(CountingStore {
        inner: fresh_store(&dir).await,
        inserts: std::sync::atomic::AtomicUsize::new(0),
    });
    let clock = ManualClock::new();
    let config =
        capillary_ens_inbox::InboxConfig::default().group_commit(Duration::from_millis(20), 32);
    let inbox = Inbox::with_clock(store.clone(), config, clock.as_clock());
    let barrier = Arc::new(tokio::sync::Barrier::new(64));
    let mut tasks = tokio::task::JoinSet::new();
    for event in 0..64 {
        let inbox = inbox.clone();
        let barrier = Arc::clone(&barrier);
        let delivery = points_issued(&format!("group-{event}"), clock.now());
        tasks.spawn(async move {
            barrier.wait().await;
            inbox.acknowledge(delivery).await.unwrap()
        });
    }
    while let Some(stored) = tasks.join_next().await {
        assert_eq!(stored.unwrap(), capillary_ens_inbox::Stored::New);
    }
    let commits = store.inserts.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (2..=8).contains(&commits),
        "64 deliveries in batches of at most 32 took {commits} commits"
    );
    assert_eq!(inbox.stats().await.unwrap().received, 64);
}

/// Expired completions and lapsed claims are deleted in bounded batches; live ones stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_dedup_store_prunes_expired_keys_in_batches() {
    use capillary_ens_receiver::{Claim, DedupKey, IdempotencyStore};

    let dir = tempfile::tempdir().unwrap();
    let store = fresh_store(&dir).await;
    let clock = ManualClock::new();
    let dedup = SqliteDedup::new(&store)
        .ttl(Duration::from_secs(60))
        .processing_timeout(Duration::from_secs(10))
        .with_clock(clock.as_clock());
    for index in 0..3u8 {
        let key = DedupKey::for_body(&[index]);
        assert!(dedup.claim(&key).await.unwrap().is_acquired());
        dedup.complete(&key).await.unwrap();
    }
    let lapsed = DedupKey::for_body(b"lapsed");
    dedup.claim(&lapsed).await.unwrap();
    clock.advance(Duration::from_secs(30));
    let live = DedupKey::for_body(b"live");
    dedup.claim(&live).await.unwrap();
    assert_eq!(dedup.prune(10).await.unwrap(), 1, "only the lapsed claim");
    assert_eq!(dedup.claim(&live).await.unwrap(), Claim::InFlight);
    clock.advance(Duration::from_secs(31));
    // Three completions and the claim that lapsed meanwhile.
    assert_eq!(dedup.prune(2).await.unwrap(), 2, "a batch of two");
    assert_eq!(dedup.prune(2).await.unwrap(), 2);
    assert_eq!(dedup.prune(2).await.unwrap(), 0);
    assert!(dedup.claim(&live).await.unwrap().is_acquired());
}

/// A handler that panics fails its attempt (retried later); the worker lives on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_fails_its_attempt_not_the_worker() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new();
    let inbox = rules::inbox(Arc::new(fresh_store(&dir).await), &clock);
    inbox
        .acknowledge(points_issued("panics", clock.now()))
        .await
        .unwrap();
    let panics = |_claimed: capillary_ens_inbox::Claimed| async move {
        panic!("a handler bug");
        #[allow(unreachable_code)]
        Outcome::Handled
    };
    assert_eq!(inbox.process_due(&panics).await.unwrap(), 1);
    let shown = inbox.show("pointsIssued:panics").await.unwrap().unwrap();
    assert_eq!(shown.state, State::Retrying);
    clock.advance(Duration::from_secs(2));
    let handled = |_claimed: capillary_ens_inbox::Claimed| async { Outcome::Handled };
    assert_eq!(inbox.process_due(&handled).await.unwrap(), 1);
    assert_eq!(
        inbox
            .show("pointsIssued:panics")
            .await
            .unwrap()
            .unwrap()
            .state,
        State::Processed
    );
}
