#!/usr/bin/env bash
# The load test (README "Under load"): builds the plugin executable (mage build:linux) and the demo store, starts
# the executable as Grafana does (go-plugin handshake, gRPC over a local socket) and sends it 50 concurrent heavy
# queries plus alert-flagged ones. Bounded: every query has a deadline, the run ends by itself in a few minutes,
# the plugin process is stopped at the end. Prints the figures (throughput, p50/p99 latency, errors, peak RSS).
source "$(dirname "$0")/lib.sh"

ensure_go_modules
stage "backend build (mage build:linux)"
go run github.com/magefile/mage -v build:linux
[ -f demo/modelmon.duckdb ] || ensure_demo_store

stage "load test"
MODELMON_LOAD_BINARY="$ROOT/dist/datasource/gpx_modelmonitor_linux_amd64" MODELMON_LOAD_STORE="$ROOT/demo/modelmon.duckdb" \
  go test -count=1 -timeout 15m -v -run '^TestLoad$' ./test/load | grep -v '^=== RUN'
