//! The PostgreSQL inbox, for several replicas on one database.
//!
//! Claims choose due rows with `FOR UPDATE SKIP LOCKED`, so replicas never wait on each other
//! nor claim the same row; after a commit that stored new rows the writer `NOTIFY`s every
//! replica in a tiny transaction of its own (never inside the insert's: see `listen.rs`), and
//! workers poll as the fallback. Migrations are embedded and run on connect (or by
//! [`PostgresStore::migrate`]).

mod dedup;
mod listen;
mod migrations;
mod transactional;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use capillary_ens_receiver::BoxFuture;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio::sync::Notify;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

pub use dedup::PostgresDedup;
pub use transactional::PostgresTransactional;

use crate::InboxError;
use crate::record::{
    Arrival, Claimed, Filter, Finish, LastError, State, StateCounts, Stored, StoredDelivery,
};
use crate::store::InboxStore;

/// The PostgreSQL inbox store. Cloning is cheap; clones share the pool.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    /// This process's workers.
    wake: Arc<Notify>,
    /// Every replica's workers (`NOTIFY`, sent after the commit).
    notifier: listen::Notifier,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("pool", &self.pool.status())
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "key, event_name, event_id, received_at, state, attempts, next_attempt_at, \
                       lease_until, last_error, processed_at, body";

fn unavailable(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> InboxError {
    InboxError::unavailable(error)
}

impl PostgresStore {
    /// Connects to `url` with a pool of 16 connections, runs the migrations, and starts
    /// listening for wake-ups.
    pub async fn connect(url: &str) -> Result<Self, InboxError> {
        Self::connect_with(url, 16, true).await
    }

    /// Connects with a pool of `pool_size` connections; runs the migrations when `migrate`
    /// (otherwise call [`migrate`](Self::migrate), e.g. from a deployment step).
    pub async fn connect_with(
        url: &str,
        pool_size: usize,
        migrate: bool,
    ) -> Result<Self, InboxError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|_| InboxError::invalid_url("not a valid postgres connection string"))?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(2))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(5)))
            .create_timeout(Some(Duration::from_secs(5)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(unavailable)?;
        let store = Self {
            notifier: listen::Notifier::start(&pool),
            pool,
            wake: Arc::new(Notify::new()),
        };
        if migrate {
            store.migrate().await?;
        }
        listen::start(config, Arc::clone(&store.wake));
        Ok(store)
    }

    /// Brings the schema up to date; returns its version.
    pub async fn migrate(&self) -> Result<u32, InboxError> {
        migrations::migrate(&self.pool).await
    }

    /// The schema version this build writes.
    pub fn schema_version() -> u32 {
        migrations::VERSION
    }

    /// The pool, for handlers that write the brand's own tables in the same database.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, InboxError> {
        self.pool.get().await.map_err(unavailable)
    }
}

fn stored_delivery(row: &Row) -> Result<StoredDelivery, InboxError> {
    let state: String = row.get(4);
    Ok(StoredDelivery {
        key: row.get(0),
        event_name: row.get(1),
        event_id: row.get(2),
        received_at: row.get(3),
        state: state.parse().map_err(unavailable)?,
        attempts: u32::try_from(row.get::<_, i32>(5)).unwrap_or(0),
        next_attempt_at: row.get(6),
        lease_until: row.get(7),
        last_error: row
            .get::<_, Option<String>>(8)
            .map(|text| LastError::from_stored(&text)),
        processed_at: row.get(9),
        body: Bytes::from(row.get::<_, Vec<u8>>(10)),
    })
}

type Params = Vec<Box<dyn ToSql + Sync + Send>>;

/// `WHERE` clauses (numbered from `first`) and parameters for `filter`, plus its limit.
fn filter_sql(filter: &Filter, mut params: Params) -> (String, Params) {
    let mut clauses = vec!["TRUE".to_owned()];
    if let Some(state) = filter.state {
        params.push(Box::new(state.as_str().to_owned()));
        clauses.push(format!("state = ${}", params.len()));
    }
    if let Some(name) = &filter.event_name {
        params.push(Box::new(name.clone()));
        clauses.push(format!("event_name = ${}", params.len()));
    }
    if let Some(key) = &filter.key {
        params.push(Box::new(key.clone()));
        clauses.push(format!("key = ${}", params.len()));
    }
    if let Some(before) = filter.received_before {
        params.push(Box::new(before));
        clauses.push(format!("received_at < ${}", params.len()));
    }
    let limit = match filter.limit {
        Some(limit) => format!(" LIMIT {}", limit.min(i64::MAX as usize)),
        None => String::new(),
    };
    (format!("{}{limit}", clauses.join(" AND ")), params)
}

fn borrowed(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|param| &**param as &(dyn ToSql + Sync))
        .collect()
}

impl InboxStore for PostgresStore {
    fn insert<'a>(
        &'a self,
        batch: &'a [Arrival],
    ) -> BoxFuture<'a, Result<Vec<Stored>, InboxError>> {
        Box::pin(async move {
            // Rows are written in key order, so two replicas' batches that share keys lock
            // them in the same order and never deadlock.
            let mut sorted: Vec<&Arrival> = batch.iter().collect();
            sorted.sort_unstable_by(|a, b| a.delivery.key.cmp(&b.delivery.key));
            let batch_in_order = &sorted;
            let keys: Vec<&str> = batch_in_order
                .iter()
                .map(|a| a.delivery.key.as_str())
                .collect();
            let names: Vec<&str> = batch_in_order
                .iter()
                .map(|a| a.delivery.event_name.as_str())
                .collect();
            let ids: Vec<Option<&str>> = batch_in_order
                .iter()
                .map(|a| a.delivery.event_id.as_deref())
                .collect();
            let received: Vec<SystemTime> = batch_in_order
                .iter()
                .map(|a| a.delivery.received_at)
                .collect();
            let bodies: Vec<&[u8]> = batch_in_order
                .iter()
                .map(|a| &a.delivery.body[..])
                .collect();
            let repeats: Vec<i64> = batch_in_order
                .iter()
                .map(|a| i64::from(a.repeats))
                .collect();
            let client = self.client().await?;
            // One statement, one commit. `xmax = 0` tells a row this statement inserted
            // from one it updated (a conflict: a duplicate, counted on the row).
            let statement = client
                .prepare_cached(
                    "INSERT INTO ens_inbox AS inbox (key, event_name, event_id, received_at, body, \
                        state, attempts, next_attempt_at, duplicates) \
                     SELECT key, event_name, event_id, received_at, body, 'pending', 0, \
                        received_at, repeats \
                     FROM UNNEST($1::text[], $2::text[], $3::text[], $4::timestamptz[], \
                        $5::bytea[], $6::bigint[]) \
                        WITH ORDINALITY AS arriving (key, event_name, event_id, received_at, \
                        body, repeats, position) \
                     ORDER BY position \
                     ON CONFLICT (key) DO UPDATE \
                        SET duplicates = inbox.duplicates + 1 + EXCLUDED.duplicates \
                     RETURNING key, (xmax = 0) AS inserted",
                )
                .await
                .map_err(unavailable)?;
            let rows = client
                .query(
                    &statement,
                    &[&keys, &names, &ids, &received, &bodies, &repeats],
                )
                .await
                .map_err(unavailable)?;
            let inserted: HashMap<String, bool> = rows
                .iter()
                .map(|row| (row.get::<_, String>(0), row.get::<_, bool>(1)))
                .collect();
            let stored: Vec<Stored> = batch
                .iter()
                .map(|arrival| match inserted.get(&arrival.delivery.key) {
                    Some(true) => Stored::New,
                    _ => Stored::Duplicate,
                })
                .collect();
            // Committed (autocommit): wake the workers here at once, and the other replicas'
            // with a `NOTIFY` sent after this commit, in a transaction of its own.
            if stored.contains(&Stored::New) {
                self.wake.notify_waiters();
                self.notifier.wake_replicas();
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
        Box::pin(async move {
            let until = now + lease;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let client = self.client().await?;
            let statement = client
                .prepare_cached(
                    "UPDATE ens_inbox SET state = 'processing', attempts = attempts + 1, \
                        lease_until = $2, next_attempt_at = $2 \
                     WHERE key IN (SELECT key FROM ens_inbox \
                        WHERE state IN ('pending', 'retrying', 'processing') \
                        AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $3 \
                        FOR UPDATE SKIP LOCKED) \
                     RETURNING key, event_name, event_id, received_at, body, attempts",
                )
                .await
                .map_err(unavailable)?;
            let rows = client
                .query(&statement, &[&now, &until, &limit])
                .await
                .map_err(unavailable)?;
            Ok(rows
                .iter()
                .map(|row| Claimed {
                    key: row.get(0),
                    event_name: row.get(1),
                    event_id: row.get(2),
                    received_at: row.get(3),
                    body: Bytes::from(row.get::<_, Vec<u8>>(4)),
                    attempt: u32::try_from(row.get::<_, i32>(5)).unwrap_or(0),
                })
                .collect())
        })
    }

    fn finish<'a>(
        &'a self,
        claimed: &'a Claimed,
        now: SystemTime,
        finish: Finish,
    ) -> BoxFuture<'a, Result<bool, InboxError>> {
        Box::pin(async move {
            let client = self.client().await?;
            finish_row(&client, claimed, now, &finish).await
        })
    }

    fn prune(&self, before: SystemTime, batch: usize) -> BoxFuture<'_, Result<u64, InboxError>> {
        Box::pin(async move {
            let batch = i64::try_from(batch).unwrap_or(i64::MAX);
            let client = self.client().await?;
            let statement = client
                .prepare_cached(
                    "WITH doomed AS (SELECT key FROM ens_inbox \
                        WHERE state = 'processed' AND processed_at < $1 \
                        ORDER BY processed_at LIMIT $2 FOR UPDATE SKIP LOCKED), \
                     deleted AS (DELETE FROM ens_inbox WHERE key IN (SELECT key FROM doomed) \
                        RETURNING duplicates), \
                     summed AS (SELECT COUNT(*) AS rows, COALESCE(SUM(duplicates), 0)::bigint \
                        AS duplicates FROM deleted), \
                     totals AS (UPDATE ens_inbox_totals SET value = value + CASE name \
                        WHEN 'pruned' THEN (SELECT rows FROM summed) \
                        ELSE (SELECT duplicates FROM summed) END \
                        WHERE name IN ('pruned', 'pruned_duplicates')) \
                     SELECT rows FROM summed",
                )
                .await
                .map_err(unavailable)?;
            let row = client
                .query_one(&statement, &[&before, &batch])
                .await
                .map_err(unavailable)?;
            Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
        })
    }

    fn counts(&self) -> BoxFuture<'_, Result<StateCounts, InboxError>> {
        Box::pin(async move {
            let client = self.client().await?;
            let mut counts = StateCounts::default();
            let rows = client
                .query(
                    "SELECT state, COUNT(*), COALESCE(SUM(duplicates), 0)::bigint \
                     FROM ens_inbox GROUP BY state",
                    &[],
                )
                .await
                .map_err(unavailable)?;
            for row in rows {
                let state: String = row.get(0);
                if let Ok(state) = state.parse::<State>() {
                    counts.add(state, u64::try_from(row.get::<_, i64>(1)).unwrap_or(0));
                }
                counts.duplicates += u64::try_from(row.get::<_, i64>(2)).unwrap_or(0);
            }
            let totals = client
                .query("SELECT name, value FROM ens_inbox_totals", &[])
                .await
                .map_err(unavailable)?;
            for row in totals {
                let value = u64::try_from(row.get::<_, i64>(1)).unwrap_or(0);
                match row.get::<_, &str>(0) {
                    "pruned" => counts.pruned = value,
                    "pruned_duplicates" => counts.duplicates += value,
                    _ => {}
                }
            }
            Ok(counts)
        })
    }

    fn list<'a>(
        &'a self,
        filter: &'a Filter,
    ) -> BoxFuture<'a, Result<Vec<StoredDelivery>, InboxError>> {
        Box::pin(async move {
            let (clause, params) = filter_sql(filter, Vec::new());
            let sql = format!("SELECT {COLUMNS} FROM ens_inbox WHERE {clause}").replacen(
                " LIMIT ",
                " ORDER BY received_at DESC, key LIMIT ",
                1,
            );
            let sql = if filter.limit.is_none() {
                format!("{sql} ORDER BY received_at DESC, key")
            } else {
                sql
            };
            let client = self.client().await?;
            let rows = client
                .query(&sql, &borrowed(&params))
                .await
                .map_err(unavailable)?;
            rows.iter().map(stored_delivery).collect()
        })
    }

    fn show<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredDelivery>, InboxError>> {
        Box::pin(async move {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    &format!("SELECT {COLUMNS} FROM ens_inbox WHERE key = $1"),
                    &[&key],
                )
                .await
                .map_err(unavailable)?;
            row.as_ref().map(stored_delivery).transpose()
        })
    }

    fn requeue_dead<'a>(
        &'a self,
        filter: &'a Filter,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<u64, InboxError>> {
        Box::pin(async move {
            let params: Params = vec![Box::new(now)];
            let (clause, params) = filter_sql(filter, params);
            let sql = format!(
                "WITH requeued AS (UPDATE ens_inbox SET state = 'pending', attempts = 0, \
                    next_attempt_at = $1, lease_until = NULL \
                    WHERE key IN (SELECT key FROM ens_inbox WHERE state = 'dead' AND {clause}) \
                    RETURNING key) \
                 SELECT COUNT(*) FROM requeued"
            );
            let client = self.client().await?;
            let row = client
                .query_one(&sql, &borrowed(&params))
                .await
                .map_err(unavailable)?;
            let requeued = u64::try_from(row.get::<_, i64>(0)).unwrap_or(0);
            if requeued > 0 {
                self.wake.notify_waiters();
                // Sent before returning (not by the notifier task): `ens inbox retry-dead` is
                // a short-lived process that may exit right after. Never inside the UPDATE's
                // transaction, and never failing the re-queue (workers poll).
                if let Err(error) = listen::wake_replicas(&self.pool).await {
                    tracing::debug!(
                        error = %error,
                        "inbox wake-up not sent; other replicas' workers will poll"
                    );
                }
            }
            Ok(requeued)
        })
    }

    fn purge<'a>(&'a self, filter: &'a Filter) -> BoxFuture<'a, Result<u64, InboxError>> {
        Box::pin(async move {
            let (clause, params) = filter_sql(filter, Vec::new());
            let sql = format!(
                "DELETE FROM ens_inbox WHERE key IN (SELECT key FROM ens_inbox \
                 WHERE state <> 'processing' AND {clause})"
            );
            let client = self.client().await?;
            client
                .execute(&sql, &borrowed(&params))
                .await
                .map_err(unavailable)
        })
    }

    fn wait_for_work(&self, timeout: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let _ = tokio::time::timeout(timeout, self.wake.notified()).await;
        })
    }
}

/// Records `finish` for `claimed` on `client` (a pooled client or a transaction); `false` if
/// the claim is no longer current.
pub(crate) async fn finish_row(
    client: &impl deadpool_postgres::GenericClient,
    claimed: &Claimed,
    now: SystemTime,
    finish: &Finish,
) -> Result<bool, InboxError> {
    const CURRENT: &str = "WHERE key = $1 AND state = 'processing' AND attempts = $2";
    let attempt = i32::try_from(claimed.attempt).unwrap_or(i32::MAX);
    let changed = match finish {
        Finish::Processed => {
            client
                .execute(
                    &format!(
                        "UPDATE ens_inbox SET state = 'processed', processed_at = $3, \
                         lease_until = NULL, next_attempt_at = NULL, last_error = NULL {CURRENT}"
                    ),
                    &[&claimed.key, &attempt, &now],
                )
                .await
        }
        Finish::Retry { at, error } => {
            client
                .execute(
                    &format!(
                        "UPDATE ens_inbox SET state = 'retrying', next_attempt_at = $3, \
                         lease_until = NULL, last_error = $4 {CURRENT}"
                    ),
                    &[&claimed.key, &attempt, at, &error.to_stored()],
                )
                .await
        }
        Finish::Dead { error } => {
            client
                .execute(
                    &format!(
                        "UPDATE ens_inbox SET state = 'dead', next_attempt_at = NULL, \
                         lease_until = NULL, last_error = $3 {CURRENT}"
                    ),
                    &[&claimed.key, &attempt, &error.to_stored()],
                )
                .await
        }
    }
    .map_err(unavailable)?;
    Ok(changed == 1)
}
