//! The SQLite inbox: one file, WAL, one writer connection on its own thread.
//!
//! Every statement runs on that connection inside `BEGIN IMMEDIATE`, so SQLite's single
//! writer never waits on itself; a busy timeout covers other processes (`ens inbox` commands)
//! touching the file. Acknowledgements commit with `synchronous=FULL` by default: an
//! acknowledgement tells ENS it may forget the event, so it must survive power loss; group
//! commit spreads that fsync over every delivery in the batch.

mod connection;
mod dedup;
mod schema;
mod transactional;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use capillary_ens_receiver::BoxFuture;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};
use tokio::sync::Notify;

pub use connection::Synchronous;
pub use dedup::SqliteDedup;
pub use transactional::SqliteTransactional;

use crate::InboxError;
use crate::record::{
    Arrival, Claimed, Filter, Finish, LastError, State, StateCounts, Stored, StoredDelivery,
};
use crate::store::InboxStore;
use crate::time::{from_millis, to_millis};
use connection::WriterThread;

/// The SQLite inbox store. Cloning is cheap; clones share the writer thread.
///
/// ```
/// use capillary_ens_inbox::{Inbox, InboxConfig, SqliteStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let store = SqliteStore::open(dir.path().join("inbox.db")).await?;
/// let inbox = Inbox::new(store, InboxConfig::default());
/// assert_eq!(inbox.stats().await?.received, 0);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct SqliteStore {
    writer: WriterThread,
    wake: Arc<Notify>,
}

/// How to open a SQLite inbox.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct SqliteOptions {
    /// Durability of acknowledgements; [`Synchronous::Full`] by default.
    pub synchronous: Synchronous,
    /// How long a statement waits for another process's lock; 5 s by default.
    pub busy_timeout: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

impl SqliteOptions {
    /// Sets the durability of acknowledgements.
    pub fn synchronous(mut self, synchronous: Synchronous) -> Self {
        self.synchronous = synchronous;
        self
    }

    /// Sets the busy timeout.
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }
}

const COLUMNS: &str = "key, event_name, event_id, received_at, state, attempts, next_attempt_at, \
                       lease_until, last_error, processed_at, body";

impl SqliteStore {
    /// Opens (or creates) the inbox at `path` with the default options, migrating its schema.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, InboxError> {
        Self::open_with(path, SqliteOptions::default()).await
    }

    /// Opens (or creates) the inbox at `path` with `options`.
    pub async fn open_with(
        path: impl AsRef<Path>,
        options: SqliteOptions,
    ) -> Result<Self, InboxError> {
        let writer =
            WriterThread::open(path.as_ref(), options.synchronous, options.busy_timeout).await?;
        Ok(Self {
            writer,
            wake: Arc::new(Notify::new()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        self.writer.path()
    }

    /// The schema version of this build (`PRAGMA user_version`).
    pub fn schema_version() -> u32 {
        schema::VERSION
    }

    pub(crate) fn writer(&self) -> &WriterThread {
        &self.writer
    }
}

fn stored_delivery(row: &Row<'_>) -> rusqlite::Result<StoredDelivery> {
    let state: String = row.get(4)?;
    let millis = |index: usize| -> rusqlite::Result<Option<SystemTime>> {
        Ok(row.get::<_, Option<i64>>(index)?.map(from_millis))
    };
    Ok(StoredDelivery {
        key: row.get(0)?,
        event_name: row.get(1)?,
        event_id: row.get(2)?,
        received_at: from_millis(row.get(3)?),
        state: state.parse().map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(
                4,
                rusqlite::types::Type::Text,
                Box::new(error),
            )
        })?,
        attempts: row.get(5)?,
        next_attempt_at: millis(6)?,
        lease_until: millis(7)?,
        last_error: row
            .get::<_, Option<String>>(8)?
            .map(|text| LastError::from_stored(&text)),
        processed_at: millis(9)?,
        body: Bytes::from(row.get::<_, Vec<u8>>(10)?),
    })
}

/// `WHERE` clauses and parameters for `filter`.
fn filter_sql(filter: &Filter) -> (String, Vec<Value>) {
    let mut clauses = vec!["1 = 1".to_owned()];
    let mut values = Vec::new();
    if let Some(state) = filter.state {
        values.push(Value::Text(state.as_str().to_owned()));
        clauses.push(format!("state = ?{}", values.len()));
    }
    if let Some(name) = &filter.event_name {
        values.push(Value::Text(name.clone()));
        clauses.push(format!("event_name = ?{}", values.len()));
    }
    if let Some(key) = &filter.key {
        values.push(Value::Text(key.clone()));
        clauses.push(format!("key = ?{}", values.len()));
    }
    if let Some(before) = filter.received_before {
        values.push(Value::Integer(to_millis(before)));
        clauses.push(format!("received_at < ?{}", values.len()));
    }
    let limit = filter
        .limit
        .map_or(-1, |limit| i64::try_from(limit).unwrap_or(i64::MAX));
    (format!("{} LIMIT {limit}", clauses.join(" AND ")), values)
}

impl InboxStore for SqliteStore {
    fn insert<'a>(
        &'a self,
        batch: &'a [Arrival],
    ) -> BoxFuture<'a, Result<Vec<Stored>, InboxError>> {
        let batch = batch.to_vec();
        Box::pin(async move {
            let stored = self
                .writer
                .run(move |writer| {
                    writer.durability(true)?;
                    let transaction = writer
                        .connection
                        .transaction_with_behavior(TransactionBehavior::Immediate)?;
                    let mut answers = Vec::with_capacity(batch.len());
                    {
                        let mut insert = transaction.prepare_cached(
                            "INSERT INTO ens_inbox (key, event_name, event_id, received_at, body, \
                             state, attempts, next_attempt_at, duplicates) \
                             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?4, ?6) \
                             ON CONFLICT (key) DO NOTHING",
                        )?;
                        let mut duplicate = transaction.prepare_cached(
                            "UPDATE ens_inbox SET duplicates = duplicates + 1 + ?2 WHERE key = ?1",
                        )?;
                        for Arrival { delivery, repeats } in &batch {
                            let inserted = insert.execute(params![
                                delivery.key,
                                delivery.event_name,
                                delivery.event_id,
                                to_millis(delivery.received_at),
                                &delivery.body[..],
                                repeats,
                            ])?;
                            if inserted == 1 {
                                answers.push(Stored::New);
                            } else {
                                duplicate.execute(params![delivery.key, repeats])?;
                                answers.push(Stored::Duplicate);
                            }
                        }
                    }
                    transaction.commit()?;
                    Ok(answers)
                })
                .await?;
            if stored.contains(&Stored::New) {
                self.wake.notify_waiters();
            }
            Ok(stored)
        })
    }

    fn claim(
        &self,
        now: SystemTime,
        limit: usize,
        lease: Duration,
    ) -> BoxFuture<'_, Result<Vec<Claimed>, InboxError>> {
        let now = to_millis(now);
        let until = now.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        Box::pin(self.writer.run(move |writer| {
            writer.durability(false)?;
            let transaction = writer
                .connection
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let claimed = {
                let mut claim = transaction.prepare_cached(
                    "UPDATE ens_inbox SET state = 'processing', attempts = attempts + 1, \
                     lease_until = ?2, next_attempt_at = ?2 \
                     WHERE key IN (SELECT key FROM ens_inbox \
                        WHERE state IN ('pending', 'retrying', 'processing') \
                        AND next_attempt_at <= ?1 ORDER BY next_attempt_at LIMIT ?3) \
                     RETURNING key, event_name, event_id, received_at, body, attempts",
                )?;
                claim
                    .query_map(params![now, until, limit], |row| {
                        Ok(Claimed {
                            key: row.get(0)?,
                            event_name: row.get(1)?,
                            event_id: row.get(2)?,
                            received_at: from_millis(row.get(3)?),
                            body: Bytes::from(row.get::<_, Vec<u8>>(4)?),
                            attempt: row.get(5)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?
            };
            transaction.commit()?;
            Ok(claimed)
        }))
    }

    fn finish<'a>(
        &'a self,
        claimed: &'a Claimed,
        now: SystemTime,
        finish: Finish,
    ) -> BoxFuture<'a, Result<bool, InboxError>> {
        let key = claimed.key.clone();
        let attempt = claimed.attempt;
        let now = to_millis(now);
        Box::pin(self.writer.run(move |writer| {
            writer.durability(false)?;
            let changed = finish_row(&writer.connection, &key, attempt, now, &finish)?;
            Ok(changed)
        }))
    }

    fn prune(&self, before: SystemTime, batch: usize) -> BoxFuture<'_, Result<u64, InboxError>> {
        let before = to_millis(before);
        let batch = i64::try_from(batch).unwrap_or(i64::MAX);
        Box::pin(self.writer.run(move |writer| {
            writer.durability(false)?;
            let transaction = writer
                .connection
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (rows, duplicates) = {
                let mut prune = transaction.prepare_cached(
                    "DELETE FROM ens_inbox WHERE key IN (SELECT key FROM ens_inbox \
                        WHERE state = 'processed' AND processed_at < ?1 LIMIT ?2) \
                     RETURNING duplicates",
                )?;
                let duplicates = prune
                    .query_map(params![before, batch], |row| row.get::<_, i64>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                (duplicates.len() as i64, duplicates.iter().sum::<i64>())
            };
            let mut total = transaction
                .prepare_cached("UPDATE ens_inbox_totals SET value = value + ?2 WHERE name = ?1")?;
            total.execute(params!["pruned", rows])?;
            total.execute(params!["pruned_duplicates", duplicates])?;
            drop(total);
            transaction.commit()?;
            Ok(rows as u64)
        }))
    }

    fn counts(&self) -> BoxFuture<'_, Result<StateCounts, InboxError>> {
        Box::pin(self.writer.run(|writer| {
            let connection = &writer.connection;
            let mut counts = StateCounts::default();
            let mut by_state = connection.prepare_cached(
                "SELECT state, COUNT(*), COALESCE(SUM(duplicates), 0) FROM ens_inbox GROUP BY state",
            )?;
            let rows = by_state.query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
            })?;
            for row in rows {
                let (state, count, duplicates) = row?;
                if let Ok(state) = state.parse::<State>() {
                    counts.add(state, count as u64);
                }
                counts.duplicates += duplicates as u64;
            }
            let mut totals = connection.prepare_cached("SELECT name, value FROM ens_inbox_totals")?;
            let rows = totals.query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })?;
            for row in rows {
                match row? {
                    (name, value) if name == "pruned" => counts.pruned = value as u64,
                    (name, value) if name == "pruned_duplicates" => {
                        counts.duplicates += value as u64
                    }
                    _ => {}
                }
            }
            Ok(counts)
        }))
    }

    fn list<'a>(
        &'a self,
        filter: &'a Filter,
    ) -> BoxFuture<'a, Result<Vec<StoredDelivery>, InboxError>> {
        let (clause, values) = filter_sql(filter);
        let sql = format!("SELECT {COLUMNS} FROM ens_inbox WHERE {clause}");
        let sql = sql.replacen(" LIMIT ", " ORDER BY received_at DESC, key LIMIT ", 1);
        Box::pin(self.writer.run(move |writer| {
            let mut list = writer.connection.prepare(&sql)?;
            let rows = list.query_map(rusqlite::params_from_iter(values), stored_delivery)?;
            rows.collect()
        }))
    }

    fn show<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredDelivery>, InboxError>> {
        let key = key.to_owned();
        Box::pin(self.writer.run(move |writer| {
            writer
                .connection
                .prepare_cached(&format!("SELECT {COLUMNS} FROM ens_inbox WHERE key = ?1"))?
                .query_row([key], stored_delivery)
                .optional()
        }))
    }

    fn requeue_dead<'a>(
        &'a self,
        filter: &'a Filter,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<u64, InboxError>> {
        let (clause, mut values) = filter_sql(filter);
        values.push(Value::Integer(to_millis(now)));
        let sql = format!(
            "UPDATE ens_inbox SET state = 'pending', attempts = 0, next_attempt_at = ?{}, \
             lease_until = NULL WHERE key IN (SELECT key FROM ens_inbox WHERE state = 'dead' AND {clause})",
            values.len()
        );
        Box::pin(async move {
            let requeued = self
                .writer
                .run(move |writer| {
                    writer.durability(false)?;
                    writer
                        .connection
                        .execute(&sql, rusqlite::params_from_iter(values))
                })
                .await?;
            if requeued > 0 {
                self.wake.notify_waiters();
            }
            Ok(requeued as u64)
        })
    }

    fn purge<'a>(&'a self, filter: &'a Filter) -> BoxFuture<'a, Result<u64, InboxError>> {
        let (clause, values) = filter_sql(filter);
        let sql = format!(
            "DELETE FROM ens_inbox WHERE key IN (SELECT key FROM ens_inbox \
             WHERE state <> 'processing' AND {clause})"
        );
        Box::pin(async move {
            let purged = self
                .writer
                .run(move |writer| {
                    writer.durability(false)?;
                    writer
                        .connection
                        .execute(&sql, rusqlite::params_from_iter(values))
                })
                .await?;
            Ok(purged as u64)
        })
    }

    fn wait_for_work(&self, timeout: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let _ = tokio::time::timeout(timeout, self.wake.notified()).await;
        })
    }
}

/// Records `finish` for the claim (`key`, `attempt`); `false` if the claim is not current.
pub(crate) fn finish_row(
    connection: &rusqlite::Connection,
    key: &str,
    attempt: u32,
    now: i64,
    finish: &Finish,
) -> rusqlite::Result<bool> {
    const CURRENT: &str = "WHERE key = ?1 AND state = 'processing' AND attempts = ?2";
    let changed = match finish {
        Finish::Processed => connection
            .prepare_cached(&format!(
                "UPDATE ens_inbox SET state = 'processed', processed_at = ?3, lease_until = NULL, \
                 next_attempt_at = NULL, last_error = NULL {CURRENT}"
            ))?
            .execute(params![key, attempt, now])?,
        Finish::Retry { at, error } => connection
            .prepare_cached(&format!(
                "UPDATE ens_inbox SET state = 'retrying', next_attempt_at = ?3, lease_until = NULL, \
                 last_error = ?4 {CURRENT}"
            ))?
            .execute(params![key, attempt, to_millis(*at), error.to_stored()])?,
        Finish::Dead { error } => connection
            .prepare_cached(&format!(
                "UPDATE ens_inbox SET state = 'dead', next_attempt_at = NULL, lease_until = NULL, \
                 last_error = ?3 {CURRENT}"
            ))?
            .execute(params![key, attempt, error.to_stored()])?,
    };
    Ok(changed == 1)
}
