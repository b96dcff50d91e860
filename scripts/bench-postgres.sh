#!/usr/bin/env bash
# PostgreSQL benchmarks beside DuckDB's (scripts/bench.sh): the same generated store (10M predictions by default;
# MODELMON_BENCH_ROWS to change) copied into a throw-away PostgreSQL cluster kept next to the store in the temp
# directory (loaded once: later runs reuse it; about 2½ minutes for 10 M rows), then every query of the DuckDB
# table, each cold: PostgreSQL's two floor statements (drift, labels), the churn drift heatmap, and the fleet's
# drift, performance, CBPE, data quality, diagnosis and fleetHealth. Each reports the benchmark process's
# cpu-s/op and the server's (server-cpu-s/op, the cluster's processes). MODELMON_BENCH_PG_SET="jit=off,work_mem=64MB"
# sets server parameters for a run; BENCH='^BenchmarkPostgresFleetDrift$' runs one benchmark.
# The load average is printed before and after: the figures mean something only on a quiet machine.
source "$(dirname "$0")/lib.sh"
ensure_postgres
ROWS="${MODELMON_BENCH_ROWS:-10000000}"
export MODELMON_BENCH_ROWS="$ROWS"

stage "PostgreSQL benchmarks (store: ${TMPDIR:-/tmp}/modelmon-bench-$ROWS.duckdb, cluster beside it; ${MODELMON_BENCH_PG_SET:-default settings})"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
go test -run '^$' -bench "${BENCH:-^BenchmarkPostgres}" -benchtime "${BENCHTIME:-1x}" -timeout 240m ./test/bench |
  grep -E '^(Benchmark|--- FAIL|FAIL|\s+\w+_test\.go:)'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
