#!/usr/bin/env bash
# Our driftHeatmap against NannyML's UnivariateDriftCalculator on the same Parquet file: the churn model of the
# 10 M-prediction benchmark store (about 1.9 M rows, 20 features: the reference week and 28 daily windows after
# it), Wasserstein + Jensen-Shannon, each side a cold process timed by GNU time (wall, CPU = user + system, peak
# RSS). Prints the ratios and how far the values both compute alike agree. NannyML is installed into a venv
# outside the repo (MODELMON_NANNYML_VENV, default ~/.cache/modelmon/venv-nannyml); figures go to the README.
source "$(dirname "$0")/lib.sh"
apt_install time
VENV="${MODELMON_NANNYML_VENV:-$HOME/.cache/modelmon/venv-nannyml}"
ROWS="${MODELMON_BENCH_ROWS:-10000000}"
STORE="${TMPDIR:-/tmp}/modelmon-bench-$ROWS.duckdb"
WORK="${TMPDIR:-/tmp}/modelmon-nannyml"
mkdir -p "$WORK"

stage "NannyML venv ($VENV)"
if ! "$VENV/bin/python" -c 'import nannyml, duckdb, pyarrow, statsmodels' 2>/dev/null; then
  python3 -m venv "$VENV"
  # nannyml 0.13.1 imports statsmodels without requiring it
  "$VENV/bin/pip" install -q 'nannyml==0.13.1' statsmodels duckdb pyarrow
fi

stage "store and Parquet export"
[ -f "$STORE" ] || go run ./pkg/cmd/gendemo --out "$STORE" --predictions "$ROWS" --days 37
PARQUET="$WORK/churn.parquet"
[ -f "$PARQUET" ] || "$VENV/bin/python" scripts/compare_nannyml.py export "$STORE" "$PARQUET"
go build -o "$WORK/modelmon" ./pkg/cmd/modelmon
printf '{"jsonData":{"path":"%s","queryTimeoutSeconds":3600}}' "$PARQUET" > "$WORK/settings.json"
ref='"reference":{"type":"range","from":"2026-10-01T00:00:00Z","to":"2026-10-08T00:00:00Z"}'
printf '[{"refId":"W","queryType":"driftHeatmap","model":"churn","metric":"wasserstein","window":"1d",%s},{"refId":"J","queryType":"driftHeatmap","model":"churn","metric":"js","window":"1d",%s}]' \
  "$ref" "$ref" > "$WORK/query.json"

stage "cold runs"
export NML_DISABLE_USAGE_LOGGING=1 # NannyML would otherwise try to send usage statistics
: > "$WORK/times.tsv"
/usr/bin/time -f 'modelmon %e %U %S %M' -a -o "$WORK/times.tsv" "$WORK/modelmon" query --json --settings "$WORK/settings.json" \
  --query "$WORK/query.json" --from 2026-10-08T00:00:00Z --to 2026-11-05T00:00:00Z > "$WORK/ours.json"
/usr/bin/time -f 'nannyml %e %U %S %M' -a -o "$WORK/times.tsv" "$VENV/bin/python" scripts/compare_nannyml.py nannyml "$PARQUET" "$WORK/nannyml.json"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$VENV/bin/python" scripts/compare_nannyml.py report "$PARQUET" "$WORK/ours.json" "$WORK/nannyml.json" "$WORK/times.tsv"
