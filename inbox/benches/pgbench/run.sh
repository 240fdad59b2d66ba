#!/usr/bin/env bash
# pgbench baselines for the inbox's acknowledgement throughput (see inbox/BENCHMARKS.md).
#
# Creates a fresh database, creates the inbox's own schema in it (the embedded migrations of
# inbox/src/postgres/migrations: same table, primary key on `key`, same indexes), and runs
# pgbench with 32 clients:
#   single   one INSERT … ON CONFLICT (key) DO NOTHING of one row per transaction
#   batch32  one INSERT … SELECT … ON CONFLICT (key) DO NOTHING of 32 rows per transaction
# first on the table as the migrations leave it (no trigger: the baselines the targets use),
# then three comparisons: single.sql followed by the inbox's post-commit wake-up
# (single_then_wake.sql: a NOTIFY in a transaction of its own, as the inbox sends it since
# migration 2), and both scripts with migration 1's NOTIFY trigger re-created (the inbox's
# table before migration 2 dropped it). Each run starts from an empty table after a
# CHECKPOINT. Prints rows/s for each, then drops the database (also on failure).
#
# Environment: ENS_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test, the
# tests' server; the script connects there to create and drop its database), PGBENCH (default
# /usr/lib/postgresql/15/bin/pgbench, else pgbench on PATH), DURATION (seconds per run, 15),
# CLIENTS (32), THREADS (2), WITH_TRIGGER (1; 0 skips the three comparison runs).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
migrations="$here/../../src/postgres/migrations"
admin_url="${ENS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
pgbench="${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}"
[ -x "$pgbench" ] || pgbench="$(command -v pgbench)"
duration="${DURATION:-15}"
clients="${CLIENTS:-32}"
threads="${THREADS:-2}"
with_trigger="${WITH_TRIGGER:-1}"

database="ens_pgbench_$$_$(date +%s)"
base="${admin_url%%\?*}"
database_url="${base%/*}/$database"

psql "$admin_url" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $database"
drop() { psql "$admin_url" -qAt -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null; }
trap drop EXIT

for migration in "$migrations"/*.sql; do
    psql "$database_url" -qAt -v ON_ERROR_STOP=1 -f "$migration" >/dev/null
done

body="$(tr -d '\n' <"$here/body.json")"

echo "server: $(psql "$database_url" -qAtc 'SHOW server_version') \
fsync=$(psql "$database_url" -qAtc 'SHOW fsync') \
synchronous_commit=$(psql "$database_url" -qAtc 'SHOW synchronous_commit'); \
nproc $(nproc); body ${#body} bytes; $clients clients, $threads threads, ${duration}s per run"

# run NAME SCRIPT ROWS_PER_TRANSACTION
run() {
    psql "$database_url" -qAt -v ON_ERROR_STOP=1 -c "TRUNCATE ens_inbox" -c "CHECKPOINT"
    local output tps rows
    output="$("$pgbench" -n -M prepared -c "$clients" -j "$threads" -T "$duration" \
        -D body="$body" -f "$here/$2" "$database_url" 2>&1)" || { echo "$output"; exit 1; }
    tps="$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' <<<"$output")"
    rows="$(psql "$database_url" -qAtc 'SELECT count(*) FROM ens_inbox')"
    latency="$(sed -n 's/^latency average = \(.*\)$/\1/p' <<<"$output")"
    printf '%-34s %10.0f tx/s %10.0f rows/s  (latency average %s; %s rows in the table)\n' \
        "$1" "$tps" "$(awk -v t="$tps" -v r="$3" 'BEGIN { print t * r }')" "$latency" "$rows"
}

run "single-row, plain table" single.sql 1
run "32-row batches, plain table" batch32.sql 32
[ "$with_trigger" = 1 ] || exit 0
run "mig. 2 wake-up tx: single-row" single_then_wake.sql 1
psql "$database_url" -qAt -v ON_ERROR_STOP=1 <<'SQL'
CREATE FUNCTION ens_inbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted) THEN
        PERFORM pg_notify('ens_inbox', '');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ens_inbox_inserted AFTER INSERT ON ens_inbox
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION ens_inbox_notify();
SQL
run "mig. 1 NOTIFY trigger: single-row" single.sql 1
run "mig. 1 NOTIFY trigger: 32-row" batch32.sql 32
