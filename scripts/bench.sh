#!/usr/bin/env bash
# Benchmarks on a generated store (10M predictions by default; MODELMON_BENCH_ROWS to change): each benchmark in
# its own process so that its peak RSS is its own, then the same fleet query end to end through the CLI binary
# under GNU time. Figures go to the README.
source "$(dirname "$0")/lib.sh"
apt_install time
ROWS="${MODELMON_BENCH_ROWS:-10000000}"
export MODELMON_BENCH_ROWS="$ROWS"
STORE="${TMPDIR:-/tmp}/modelmon-bench-$ROWS.duckdb"

stage "go test -bench (store: $STORE)"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
# One benchmark a line (BENCHMARKS, space-separated, runs a subset).
ALL=(
  BenchmarkFloorSQL
  BenchmarkHeatmapChurn
  BenchmarkFleetDrift
  BenchmarkFloorLabelsSQL
  BenchmarkFleetPerformance
  BenchmarkFleetEstimatedPerformance
  BenchmarkFleetDiagnosis
  BenchmarkFleetHealth
  BenchmarkFleetDataQuality
  BenchmarkWarmFleet
  BenchmarkWarmHistory
  BenchmarkAlertHour
)
read -r -a LIST <<< "${BENCHMARKS:-${ALL[*]}}"
for b in "${LIST[@]}"; do
  go test -run '^$' -bench "^$b\$" -benchtime "${BENCHTIME:-3x}" -timeout 180m ./test/bench | grep -E '^(Benchmark|--- FAIL|FAIL|\s+\w+_test\.go:)'
done

stage "end to end through the CLI (fleet drift, cold process)"
go build -o "${TMPDIR:-/tmp}/modelmon" ./pkg/cmd/modelmon
printf '{"jsonData":{"path":"%s","queryTimeoutSeconds":3600}}' "$STORE" > "${TMPDIR:-/tmp}/modelmon-bench-settings.json"
printf '{"refId":"A","queryType":"drift","model":"","metric":"auto","window":"1d","reference":{"type":"range","from":"2026-10-01T00:00:00Z","to":"2026-10-08T00:00:00Z"}}' > "${TMPDIR:-/tmp}/modelmon-bench-query.json"
/usr/bin/time -f 'CLI fleet drift: %e s wall, %U s user + %S s system CPU, %M KB peak RSS' "${TMPDIR:-/tmp}/modelmon" query \
  --settings "${TMPDIR:-/tmp}/modelmon-bench-settings.json" --query "${TMPDIR:-/tmp}/modelmon-bench-query.json" \
  --from 2026-10-08T00:00:00Z --to 2026-11-07T00:00:00Z > /dev/null
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
