#!/usr/bin/env bash
# The targets' ratios, measured in interleaved rounds (see inbox/BENCHMARKS.md).
#
# On a shared machine the disk's fsync time and the free CPU drift by several times within
# minutes, so throughputs measured minutes apart do not compare. Each round here runs, back to
# back: the ack bench's latency section (in-memory receiver, SQLite inbox, PostgreSQL inbox:
# ENS_BENCH_LATENCY_DELIVERIES deliveries each at 32 senders, after a warm-up) and then run.sh's
# two plain-table pgbench runs (DURATION seconds each, default 5). It prints every round's
# numbers and ratios, then the median of each column over the rounds.
#
# Environment: ROUNDS (5), DURATION (5), ENS_BENCH_LATENCY_DELIVERIES (10000), and what
# run.sh and the bench read. Run from anywhere; CARGO_TARGET_DIR is honoured.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
rounds="${ROUNDS:-5}"
export DURATION="${DURATION:-5}"
export ENS_BENCH_LATENCY_DELIVERIES="${ENS_BENCH_LATENCY_DELIVERIES:-10000}"
cd "$here/../../.."
cargo bench -q -p capillary-ens-inbox --features postgres --bench ack --no-run

for round in $(seq "$rounds"); do
    echo "round $round"
    cargo bench -q -p capillary-ens-inbox --features postgres --bench ack -- ack_latency 2>&1 |
        grep '^ack_latency/'
    WITH_TRIGGER=0 "$here/run.sh" | grep 'rows/s'
done | awk '
    function median(values, n,    sorted, i, j, t) {
        for (i = 1; i <= n; i++) sorted[i] = values[i]
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
            if (sorted[j] < sorted[i]) { t = sorted[i]; sorted[i] = sorted[j]; sorted[j] = t }
        return n % 2 ? sorted[(n + 1) / 2] : (sorted[n / 2] + sorted[n / 2 + 1]) / 2
    }
    function value_before(unit,    i) { for (i = 2; i <= NF; i++) if ($i == unit) return $(i - 1) }
    function value_after(label,    i) { for (i = 1; i < NF; i++) if ($i == label) return $(i + 1) }
    BEGIN {
        printf "%5s %9s %9s %9s %8s %9s %9s | %7s %7s %7s %7s\n", "round", "memory/s", "sqlite/s",
            "pg/s", "pg p99", "pgb 1/s", "pgb 32/s", "pg/1", "pg/32", "p99 ms", "sq/mem"
    }
    /^round/ { n++ }
    /^ack_latency\/memory/ { memory[n] = value_before("deliveries/s") }
    /^ack_latency\/sqlite/ { sqlite[n] = value_before("deliveries/s") }
    /^ack_latency\/postgres/ { pg[n] = value_before("deliveries/s"); p99[n] = value_after("p99") }
    /^single-row/ { single[n] = value_before("rows/s") }
    /^32-row/ {
        batch[n] = value_before("rows/s")
        r1[n] = pg[n] / single[n]; r32[n] = pg[n] / batch[n]; rs[n] = sqlite[n] / memory[n]
        printf "%5d %9.0f %9.0f %9.0f %8.2f %9.0f %9.0f | %7.2f %7.2f %7.2f %7.2f\n", n, memory[n],
            sqlite[n], pg[n], p99[n], single[n], batch[n], r1[n], r32[n], p99[n], rs[n]
        fflush()
    }
    END {
        printf "%6s %9.0f %9.0f %9.0f %8.2f %9.0f %9.0f | %7.2f %7.2f %7.2f %7.2f\n", "median",
            median(memory, n), median(sqlite, n), median(pg, n), median(p99, n), median(single, n),
            median(batch, n), median(r1, n), median(r32, n), median(p99, n), median(rs, n)
        print "targets: pg/1 >= 1.5, pg/32 >= 0.6, p99 <= 10 ms, sq/mem >= 0.3"
    }'
