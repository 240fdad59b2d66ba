-- The wake-up leaves the insert transactions: a transaction that NOTIFYs holds a cluster-wide
-- lock from its pre-commit until its commit is flushed, so with the trigger every inserting
-- transaction (several writers, several replicas) committed one at a time. The writer now
-- sends `pg_notify('ens_inbox', '')` after its batch has committed, in a transaction of its
-- own that does not wait for a WAL flush (see src/postgres/listen.rs, `Notifier`).
DROP TRIGGER IF EXISTS ens_inbox_inserted ON ens_inbox;
DROP FUNCTION IF EXISTS ens_inbox_notify();
