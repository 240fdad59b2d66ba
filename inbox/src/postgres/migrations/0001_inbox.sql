-- The inbox table, its totals, the wake-up trigger and the deduplication table.
CREATE TABLE ens_inbox (
    key text PRIMARY KEY,
    event_name text NOT NULL,
    event_id text,
    received_at timestamptz NOT NULL,
    body bytea NOT NULL,
    state text NOT NULL CHECK (state IN ('pending', 'processing', 'processed', 'retrying', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    lease_until timestamptz,
    last_error text,
    processed_at timestamptz,
    duplicates bigint NOT NULL DEFAULT 0
);
CREATE INDEX ens_inbox_due ON ens_inbox (state, next_attempt_at);
CREATE INDEX ens_inbox_prunable ON ens_inbox (processed_at) WHERE state = 'processed';

CREATE TABLE ens_inbox_totals (name text PRIMARY KEY, value bigint NOT NULL);
INSERT INTO ens_inbox_totals (name, value) VALUES ('pruned', 0), ('pruned_duplicates', 0);

-- Wakes every replica's workers once per statement that stored new rows.
CREATE FUNCTION ens_inbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted) THEN
        PERFORM pg_notify('ens_inbox', '');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ens_inbox_inserted AFTER INSERT ON ens_inbox
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION ens_inbox_notify();

CREATE TABLE ens_dedup (
    key text PRIMARY KEY,
    token text,
    completed boolean NOT NULL,
    expires_at timestamptz NOT NULL
);
