# Shared helpers of the set-up scripts: idempotent installs of what the build and tests need on a fresh machine
# of this project's kind (Go, Node 20 + npm are preinstalled; everything else comes from the registries).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

stage() { printf '\n==> %s\n' "$*"; }

# The Go toolchain may live outside a non-login shell's PATH.
for d in /usr/local/go/bin "$HOME/go/bin" "$HOME/.local/go/bin"; do
  [ -d "$d" ] && PATH="$d:$PATH"
done
export PATH

ensure_go_modules() {
  stage "Go modules"
  go mod download
}

ensure_npm_packages() {
  stage "npm packages"
  # package-lock.json is committed: npm ci installs exactly it; skip when node_modules already matches.
  if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json.src 2>/dev/null; then
    npm ci --no-audit --no-fund
    cp package-lock.json node_modules/.package-lock.json.src
  fi
}

apt_updated=0
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  stage "Debian packages: ${missing[*]}"
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# ensure_postgres installs Debian's PostgreSQL server programs (15 on this machine kind), which the Go tests of
# the PostgreSQL store use to start a throw-away cluster of their own (pkg/store/postgres/pgtest): no service is
# started or configured here. Debian's package puts initdb and pg_ctl in /usr/lib/postgresql/<version>/bin, where
# pgtest looks for them.
ensure_postgres() {
  apt_install postgresql
}

# build_plugin builds the front end (webpack, into dist/) and then the backend binary next to the nested data
# source (mage build:linux, grafana-plugin-sdk-go's build tooling); webpack cleans dist/, so the order matters.
build_plugin() {
  stage "front end build (webpack)"
  npm run build
  stage "backend build (mage build:linux)"
  go run github.com/magefile/mage -v build:linux
}

# ensure_demo_store generates the deterministic demo inference logs (about a million predictions) ending today
# (00:00 UTC), so that the provisioned dashboards and alert rules, which look back from now, find them; a store
# left from an earlier day is regenerated.
ensure_demo_store() {
  stage "demo store"
  go run ./pkg/cmd/gendemo --out demo/modelmon.duckdb --end today
}

# demo_dates sets the demo's periods from today's date (UTC): END (today 00:00), REF_FROM and REF_TO (the
# validation week, 35 to 28 days before), as RFC 3339 times. GNU date reads 'today 00:00 -35 days' under -u as a
# time in zone −35 and refuses it, so the arithmetic counts from the date alone. scripts/test.sh checks it.
demo_dates() {
  local today
  today=$(date -u +%F)
  END=$(date -u -d "$today" +%Y-%m-%dT%H:%M:%SZ)
  REF_FROM=$(date -u -d "$today -35 days" +%Y-%m-%dT%H:%M:%SZ)
  REF_TO=$(date -u -d "$today -28 days" +%Y-%m-%dT%H:%M:%SZ)
}
