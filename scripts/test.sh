#!/usr/bin/env bash
# The whole test suite (`npm test`): Go tests (statistics against SciPy fixtures, store and QueryData end to end
# on real DuckDB stores, demo generator, CLI end to end), 10 s of each Go fuzz target, front-end type check, lint and jest tests, the
# production build, and the browser check of the panels in headless Chromium.
source "$(dirname "$0")/lib.sh"

ensure_go_modules
ensure_npm_packages
apt_install chromium

stage "go vet"
go vet ./pkg/... ./test/...

stage "go test"
go test -count=1 ./pkg/... ./test/...

"$ROOT/scripts/fuzz.sh" 10s

stage "front end: typecheck"
npm run typecheck
stage "front end: lint"
npm run lint
stage "front end: jest"
npm run test:jest

build_plugin

stage "browser check (headless Chromium)"
npm run test:browser

stage "all test stages passed"
