#!/usr/bin/env bash
# Spark benchmarks beside DuckDB's (scripts/bench.sh): the same generated store (10M predictions by default;
# MODELMON_BENCH_ROWS to change) written as Parquet beside it (once: later runs reuse the files) and read by a
# local Spark Connect server (scripts/spark.sh: local[2], 2 GB driver) started for the run and stopped after:
# Spark's floor statement, the churn drift heatmap, the fleet drift (each cold) and the two ways of carrying
# edges to the executors. BENCHMARKS selects some (a regular expression after ^BenchmarkSpark, e.g.
# "FleetDrift|Edges"). Besides cpu-s/op (the Go process) each reports server-cpu-s/op (the Spark JVM) and the
# size of what came back (rows-back/op, arrow-MB/op). The load average is printed before and after: the figures
# mean something only on a quiet machine.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/spark.sh"
ROWS="${MODELMON_BENCH_ROWS:-10000000}"
export MODELMON_BENCH_ROWS="$ROWS"

start_spark_connect
trap stop_spark_connect EXIT
stage "Spark benchmarks (store: ${TMPDIR:-/tmp}/modelmon-bench-$ROWS.duckdb, Parquet beside it; $MODELMON_SPARK_URL)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
go test -run '^$' -bench "^BenchmarkSpark(${BENCHMARKS:-.*})" -benchtime "${BENCHTIME:-1x}" -timeout 180m ./test/bench |
  grep -E '^(Benchmark|--- FAIL|FAIL|\s+\w+_test\.go:)'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
