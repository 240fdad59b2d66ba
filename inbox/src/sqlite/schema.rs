//! The SQLite schema, versioned with `PRAGMA user_version`.

use rusqlite::{Connection, TransactionBehavior};

/// Each migration, in order; version N is the first N applied.
const MIGRATIONS: &[&str] = &[
    // 1: the inbox table, its totals and the deduplication table.
    "CREATE TABLE ens_inbox (
        key TEXT PRIMARY KEY NOT NULL,
        event_name TEXT NOT NULL,
        event_id TEXT,
        received_at INTEGER NOT NULL,
        body BLOB NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending','processing','processed','retrying','dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        lease_until INTEGER,
        last_error TEXT,
        processed_at INTEGER,
        duplicates INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX ens_inbox_due ON ens_inbox (state, next_attempt_at);
    CREATE INDEX ens_inbox_prunable ON ens_inbox (processed_at) WHERE state = 'processed';
    CREATE TABLE ens_inbox_totals (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
    INSERT INTO ens_inbox_totals (name, value) VALUES ('pruned', 0), ('pruned_duplicates', 0);
    CREATE TABLE ens_dedup (
        key TEXT PRIMARY KEY NOT NULL,
        token TEXT,
        completed INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );",
];

/// The schema version this build writes.
pub(crate) const VERSION: u32 = MIGRATIONS.len() as u32;

/// Applies the migrations the database has not seen, each in its own transaction.
pub(crate) fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    loop {
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: u32 = transaction.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        let Some(migration) = MIGRATIONS.get(version as usize) else {
            return Ok(());
        };
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", version + 1)?;
        transaction.commit()?;
    }
}
