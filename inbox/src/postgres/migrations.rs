//! Versioned migrations, embedded in the binary and applied in order under an advisory lock,
//! so replicas starting together never race.

use deadpool_postgres::Pool;

use crate::InboxError;

/// Each migration: its version and SQL.
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("migrations/0001_inbox.sql")),
    (2, include_str!("migrations/0002_notify_after_commit.sql")),
];

/// An arbitrary constant naming the inbox's advisory lock.
const LOCK: i64 = 0x656e_735f_696e_626f; // "ens_inbo"

/// The version this build writes.
pub(crate) const VERSION: u32 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// Applies the migrations the database has not seen; returns the version it is at.
pub(crate) async fn migrate(pool: &Pool) -> Result<u32, InboxError> {
    let mut client = pool.get().await.map_err(InboxError::unavailable)?;
    let transaction = client
        .transaction()
        .await
        .map_err(InboxError::unavailable)?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])
        .await
        .map_err(InboxError::unavailable)?;
    transaction
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS ens_inbox_migrations (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )",
        )
        .await
        .map_err(InboxError::unavailable)?;
    let current: i32 = transaction
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM ens_inbox_migrations",
            &[],
        )
        .await
        .map_err(InboxError::unavailable)?
        .get(0);
    let mut version = u32::try_from(current).unwrap_or(0);
    let pending: Vec<(u32, &str)> = MIGRATIONS
        .iter()
        .copied()
        .filter(|(next, _)| *next > version)
        .collect();
    for (next, sql) in pending {
        transaction
            .batch_execute(sql)
            .await
            .map_err(|error| InboxError::migration(next, error))?;
        transaction
            .execute(
                "INSERT INTO ens_inbox_migrations (version) VALUES ($1)",
                &[&(next as i32)],
            )
            .await
            .map_err(|error| InboxError::migration(next, error))?;
        tracing::info!(version = next, "inbox migration applied");
        version = next;
    }
    transaction
        .commit()
        .await
        .map_err(InboxError::unavailable)?;
    Ok(version)
}
