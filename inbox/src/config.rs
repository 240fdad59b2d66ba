//! [`InboxConfig`]: group commit, workers, retries and retention.

use std::time::Duration;

/// How the inbox acknowledges, processes, retries and prunes. The defaults suit a brand's
/// webhook; tests shorten the times.
///
/// ```
/// use std::time::Duration;
/// use capillary_ens_inbox::InboxConfig;
///
/// let config = InboxConfig::default()
///     .workers(8)
///     .max_attempts(5)
///     .group_commit(Duration::from_millis(2), 256);
/// assert_eq!(config.worker_count(), 8);
/// ```
#[derive(Clone, Debug)]
pub struct InboxConfig {
    pub(crate) commit_window: Duration,
    pub(crate) commit_batch: usize,
    pub(crate) writers: usize,
    pub(crate) workers: usize,
    pub(crate) claim_batch: usize,
    pub(crate) lease: Duration,
    pub(crate) max_attempts: u32,
    pub(crate) backoff_base: Duration,
    pub(crate) backoff_max: Duration,
    pub(crate) retention: Duration,
    pub(crate) prune_batch: usize,
    pub(crate) prune_interval: Duration,
    pub(crate) poll_interval: Duration,
    pub(crate) retry_after: Duration,
}

impl Default for InboxConfig {
    /// Group commit: no window (each commit takes what queued up during the previous one), up
    /// to 128 deliveries, one writer. Four workers claiming up to 8 rows each with a 5 minute
    /// lease. 36 attempts, backoff from 1 s doubling to 1 h with jitter: about a day (13 to 25
    /// hours) of a failing downstream before a delivery becomes a dead letter, so an outage of
    /// a few hours only delays processing. Processed rows kept 8 days (ENS retries for 7),
    /// pruned 1000 at a time every
    /// 10 minutes. Workers poll every second when no notification wakes them. `Retry-After:
    /// 5` while the database is unavailable.
    fn default() -> Self {
        Self {
            // A window only adds latency under a closed loop (ENS waits for each answer before
            // it sends on that connection): Tokio's timer rounds it up to 1-2 ms, which halved
            // the PostgreSQL inbox's throughput at 32 senders (see BENCHMARKS.md).
            commit_window: Duration::ZERO,
            commit_batch: 128,
            writers: 1,
            workers: 4,
            claim_batch: 8,
            lease: Duration::from_secs(5 * 60),
            max_attempts: 36,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60 * 60),
            retention: Duration::from_secs(8 * 24 * 60 * 60),
            prune_batch: 1000,
            prune_interval: Duration::from_secs(10 * 60),
            poll_interval: Duration::from_secs(1),
            retry_after: Duration::from_secs(5),
        }
    }
}

impl InboxConfig {
    /// Gathers concurrent acknowledgements for up to `window` after the first, or until
    /// `batch` are waiting, and commits them together. A zero window (the default) commits
    /// whatever queued up during the previous commit: under load the batches grow by
    /// themselves, and an idle inbox commits a lone delivery at once. A window only pays when
    /// deliveries arrive spread out and the commit is far dearer than the wait (Tokio's timer
    /// has millisecond granularity, so a window costs 1-2 ms of latency per commit).
    pub fn group_commit(mut self, window: Duration, batch: usize) -> Self {
        self.commit_window = window;
        self.commit_batch = batch.max(1);
        self
    }

    /// Commits with `writers` concurrent group-commit writers (SQLite always uses its one
    /// writer connection; PostgreSQL gains from two or more on fast storage).
    pub fn writers(mut self, writers: usize) -> Self {
        self.writers = writers.max(1);
        self
    }

    /// Runs `workers` workers.
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Each worker claims up to `rows` rows at a time.
    pub fn claim_batch(mut self, rows: usize) -> Self {
        self.claim_batch = rows.max(1);
        self
    }

    /// A claim holds for `lease`; after it, the row is claimable again (the worker died).
    /// Make it longer than the slowest handler takes for a whole claim batch.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// After `attempts` failed attempts a delivery becomes a dead letter.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Retries wait `base * 2^(attempt - 1)`, at most `max`, with up to 50% jitter.
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_max = max.max(base);
        self
    }

    /// Keeps processed rows for `retention` (at least as long as ENS may re-send an event).
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Prunes at most `rows` rows per statement, every `interval`.
    pub fn pruning(mut self, rows: usize, interval: Duration) -> Self {
        self.prune_batch = rows.max(1);
        self.prune_interval = interval;
        self
    }

    /// Idle workers look for due rows every `interval` when no notification wakes them.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// The `Retry-After` suggested to ENS while the database is unavailable.
    pub fn retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// How many workers run.
    pub fn worker_count(&self) -> usize {
        self.workers
    }

    /// The `Retry-After` suggested while the database is unavailable.
    pub fn unavailable_retry_after(&self) -> Duration {
        self.retry_after
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backoff::backoff;

    #[test]
    fn the_default_retries_ride_out_an_outage_of_half_a_day() {
        let config = InboxConfig::default();
        // The shortest schedule jitter allows, over every wait before the last attempt.
        let shortest: Duration = (1..config.max_attempts)
            .map(|attempt| {
                (0..50)
                    .map(|key| {
                        backoff(
                            attempt,
                            config.backoff_base,
                            config.backoff_max,
                            &format!("key-{key}"),
                        )
                    })
                    .min()
                    .unwrap_or_default()
            })
            .sum();
        assert!(
            shortest >= Duration::from_secs(12 * 60 * 60),
            "a downstream down for half a day would dead-letter deliveries: {shortest:?}"
        );
    }
}
