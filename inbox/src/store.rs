//! [`InboxStore`]: the statements every backend provides.

use std::time::{Duration, SystemTime};

use capillary_ens_receiver::BoxFuture;

use crate::InboxError;
use crate::record::{Arrival, Claimed, Filter, Finish, StateCounts, Stored, StoredDelivery};

/// The durable table behind an [`Inbox`](crate::Inbox). SQLite and PostgreSQL implement it;
/// another database can too.
///
/// "Now" is always passed in, so tests control time and replicas agree on it through their
/// clocks rather than the database's.
pub trait InboxStore: Send + Sync + 'static {
    /// Stores `batch` in one statement and one commit, answering per arrival in order: keys
    /// already present are [`Stored::Duplicate`] (and count one duplicate more, plus the
    /// arrival's repeats). The batch never repeats a key. Returns only after the commit is
    /// durable.
    fn insert<'a>(&'a self, batch: &'a [Arrival])
    -> BoxFuture<'a, Result<Vec<Stored>, InboxError>>;

    /// Claims up to `limit` due rows (pending or retrying whose next attempt is due, or
    /// processing whose lease expired), marking them processing until `now + lease` and
    /// counting one more attempt. Concurrent claims never return the same row.
    fn claim(
        &self,
        now: SystemTime,
        limit: usize,
        lease: Duration,
    ) -> BoxFuture<'_, Result<Vec<Claimed>, InboxError>>;

    /// Records how the attempt `claimed` ended. Returns `false`, changing nothing, when the
    /// claim is no longer this worker's (its lease expired and another worker re-claimed it).
    fn finish<'a>(
        &'a self,
        claimed: &'a Claimed,
        now: SystemTime,
        finish: Finish,
    ) -> BoxFuture<'a, Result<bool, InboxError>>;

    /// Deletes at most `batch` processed rows processed before `before`; returns how many.
    fn prune(&self, before: SystemTime, batch: usize) -> BoxFuture<'_, Result<u64, InboxError>>;

    /// How many rows are in each state.
    fn counts(&self) -> BoxFuture<'_, Result<StateCounts, InboxError>>;

    /// Rows matching `filter`, newest first.
    fn list<'a>(
        &'a self,
        filter: &'a Filter,
    ) -> BoxFuture<'a, Result<Vec<StoredDelivery>, InboxError>>;

    /// The row with `key`.
    fn show<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredDelivery>, InboxError>>;

    /// Makes the dead letters matching `filter` due again at `now`, attempts reset; returns
    /// how many.
    fn requeue_dead<'a>(
        &'a self,
        filter: &'a Filter,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<u64, InboxError>>;

    /// Deletes the rows matching `filter` (never rows being processed); returns how many.
    fn purge<'a>(&'a self, filter: &'a Filter) -> BoxFuture<'a, Result<u64, InboxError>>;

    /// Resolves when new rows may be due (a notification from another process, or an insert
    /// in this one), or after `timeout` at the latest: the polling fallback.
    fn wait_for_work(&self, timeout: Duration) -> BoxFuture<'_, ()>;
}
