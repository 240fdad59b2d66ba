//! [`Inbox`]: acknowledge after commit, then process from the table.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use capillary_ens_receiver::{Clock, SystemClock};

use crate::counters::{Counter, CounterCells, Counters};
use crate::group_commit::GroupCommit;
use crate::process::Processor;
use crate::record::{Filter, NewDelivery, Stored, StoredDelivery};
use crate::stats::Stats;
use crate::store::InboxStore;
use crate::worker::{Workers, process_one};
use crate::{InboxConfig, InboxError};

/// A durable inbox over an [`InboxStore`]: deliveries are acknowledged once committed and
/// processed afterwards by [`Workers`], with retries and dead letters.
///
/// Cloning is cheap; clones share the store and the group-commit writer.
#[derive(Clone)]
pub struct Inbox {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn InboxStore>,
    writer: GroupCommit,
    config: InboxConfig,
    clock: Arc<dyn Clock>,
    counters: CounterCells,
}

impl fmt::Debug for Inbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inbox")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// A delivery that could not be stored: answer 503 with [`retry_after`](Self::retry_after),
/// and ENS sends it again.
#[derive(Debug, Clone)]
pub struct NotStored {
    retry_after: Duration,
    source: Arc<InboxError>,
}

impl NotStored {
    /// The `Retry-After` to send.
    pub fn retry_after(&self) -> Duration {
        self.retry_after
    }
}

impl fmt::Display for NotStored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the delivery could not be stored in the inbox")
    }
}

impl std::error::Error for NotStored {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

impl Inbox {
    /// An inbox over `store` with `config`, on the system clock. Starts the group-commit
    /// writers, so it must be called inside a Tokio runtime.
    pub fn new(store: impl InboxStore, config: InboxConfig) -> Self {
        Self::with_clock(Arc::new(store), config, SystemClock)
    }

    /// An inbox over a shared `store`, taking "now" from `clock`.
    pub fn with_clock(store: Arc<dyn InboxStore>, config: InboxConfig, clock: impl Clock) -> Self {
        let writer = GroupCommit::start(
            Arc::clone(&store),
            config.commit_window,
            config.commit_batch,
            config.writers,
        );
        Self {
            inner: Arc::new(Inner {
                store,
                writer,
                config,
                clock: Arc::new(clock),
                counters: CounterCells::default(),
            }),
        }
    }

    /// Stores `delivery`; returns once it is committed. [`Stored::Duplicate`] means ENS sent
    /// it before: answer 2xx all the same.
    pub async fn acknowledge(&self, delivery: NewDelivery) -> Result<Stored, NotStored> {
        let stored = self
            .inner
            .writer
            .store(delivery)
            .await
            .map_err(|source| NotStored {
                retry_after: self.inner.config.retry_after,
                source,
            });
        self.count(match &stored {
            Ok(Stored::New) => Counter::Stored,
            Ok(Stored::Duplicate) => Counter::Duplicate,
            Err(_) => Counter::Unavailable,
        });
        stored
    }

    /// What this process did with deliveries since it started: stored, duplicates, 503s,
    /// processed, retried, dead-lettered. Read without I/O; [`stats`](Self::stats) gives the
    /// database's totals across replicas.
    pub fn counters(&self) -> Counters {
        self.inner.counters.snapshot()
    }

    pub(crate) fn count(&self, counter: Counter) {
        self.inner.counters.add(counter);
    }

    /// Starts the workers (and retention pruning) running `processor` on due deliveries.
    pub fn start(&self, processor: impl Processor) -> Workers {
        Workers::start(self, Arc::new(processor))
    }

    /// Claims the rows due now (up to the claim batch) and processes them in this task;
    /// returns how many. For tests and one-shot commands; production runs [`start`](Self::start).
    pub async fn process_due(&self, processor: &dyn Processor) -> Result<usize, InboxError> {
        let config = &self.inner.config;
        let rows = self
            .inner
            .store
            .claim(self.now(), config.claim_batch, config.lease)
            .await?;
        let count = rows.len();
        for row in rows {
            process_one(self, processor, row).await;
        }
        Ok(count)
    }

    /// Deletes processed rows older than the retention, in batches of the configured size
    /// (each its own short transaction) until none is left; returns how many.
    pub async fn prune(&self) -> Result<u64, InboxError> {
        let config = &self.inner.config;
        let before = self
            .now()
            .checked_sub(config.retention)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let mut total = 0;
        loop {
            let deleted = self.inner.store.prune(before, config.prune_batch).await?;
            total += deleted;
            if deleted < config.prune_batch as u64 {
                if total > 0 {
                    tracing::info!(rows = total, "inbox pruned processed deliveries");
                }
                return Ok(total);
            }
        }
    }

    /// Counts per state and totals, from the database.
    pub async fn stats(&self) -> Result<Stats, InboxError> {
        Ok(Stats::from_counts(self.inner.store.counts().await?))
    }

    /// Deliveries matching `filter`, newest first.
    pub async fn list(&self, filter: &Filter) -> Result<Vec<StoredDelivery>, InboxError> {
        self.inner.store.list(filter).await
    }

    /// The delivery stored under `key`.
    pub async fn show(&self, key: &str) -> Result<Option<StoredDelivery>, InboxError> {
        self.inner.store.show(key).await
    }

    /// Re-queues the dead letters matching `filter` (state is forced to dead) with their
    /// attempts reset, e.g. after upgrading the schemas; returns how many.
    pub async fn retry_dead(&self, filter: &Filter) -> Result<u64, InboxError> {
        let mut filter = filter.clone();
        filter.state = Some(crate::State::Dead);
        self.inner.store.requeue_dead(&filter, self.now()).await
    }

    /// Deletes the deliveries matching `filter` (never one being processed); returns how many.
    pub async fn purge(&self, filter: &Filter) -> Result<u64, InboxError> {
        self.inner.store.purge(filter).await
    }

    /// The configuration.
    pub fn config(&self) -> &InboxConfig {
        &self.inner.config
    }

    /// The store.
    pub fn store(&self) -> &dyn InboxStore {
        &*self.inner.store
    }

    /// "Now", from the inbox's clock.
    pub fn now(&self) -> SystemTime {
        self.inner.clock.now()
    }
}
