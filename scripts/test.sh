#!/usr/bin/env bash
# The whole test suite (`npm test`): Go tests (statistics against SciPy fixtures, store and QueryData end to end
# on real DuckDB stores, a throw-away PostgreSQL server and a local Spark Connect server, demo generator, CLI end
# to end), 10 s of each Go fuzz target, front-end type check, lint and jest tests, the production build, the
# browser check of the panels in headless Chromium, and the built plugin through a Grafana-faithful host.
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/spark.sh"

ensure_go_modules
ensure_npm_packages
apt_install chromium
ensure_postgres
ensure_pyspark

stage "npm run demo's date arithmetic (demo_dates)"
demo_dates
want_end="$(date -u +%F)T00:00:00Z"
days() { echo $(( ($(date -u -d "$2" +%s) - $(date -u -d "$1" +%s)) / 86400 )); }
if [ "$END" != "$want_end" ] || [ "$(days "$REF_FROM" "$END")" != 35 ] || [ "$(days "$REF_TO" "$END")" != 28 ]; then
  echo "demo_dates: END=$END REF_FROM=$REF_FROM REF_TO=$REF_TO (want $want_end, 35 and 28 days before)" >&2
  exit 1
fi
echo "END=$END REF_FROM=$REF_FROM REF_TO=$REF_TO"

stage "go vet"
go vet ./pkg/... ./test/...

stage "go test"
# The PostgreSQL store tests start their own server; the Spark store tests and the Spark engine of the
# conformance suite use the local Spark Connect server started here (scripts/spark.sh). A server that cannot
# start fails the stage instead of skipping.
start_spark_connect
trap stop_spark_connect EXIT
MODELMON_REQUIRE_POSTGRES=1 MODELMON_REQUIRE_SPARK=1 go test -count=1 -timeout 60m ./pkg/... ./test/...
stop_spark_connect
trap - EXIT

"$ROOT/scripts/fuzz.sh" 10s

stage "notification routing (Alertmanager's routing code; its own module)"
(cd test/routing && go vet ./... && go test -count=1 ./...)

stage "front end: typecheck"
npm run typecheck
stage "front end: lint"
npm run lint
stage "front end: jest"
npm run test:jest

build_plugin

stage "demo store with the fixed demo dates (shared by the host and browser stages)"
FIXED_STORE_DIR=$(mktemp -d)
trap 'rm -rf "$FIXED_STORE_DIR"' EXIT
export MODELMON_FIXED_DEMO_STORE="$FIXED_STORE_DIR/demo.duckdb"
go run ./pkg/cmd/gendemo --out "$MODELMON_FIXED_DEMO_STORE"

stage "built plugin through a Grafana-faithful host (health, resources, alert rules over the demo timeline) and packaging checks"
MODELMON_DIST="$ROOT/dist" go test -count=1 -timeout 60m ./test/host/... ./test/packaging/...

stage "browser check (headless Chromium; panels from recorded frames, and from the built plugin's live frames through the host)"
MODELMON_DIST="$ROOT/dist" npm run test:browser

stage "all test stages passed"
