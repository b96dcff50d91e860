#!/usr/bin/env bash
# The main job (`npm run demo`): build the plugin, generate the demo inference logs if missing, and print the
# drift and the diagnosis of the whole fleet computed on demand through the data source's own QueryData path (the
# modelmon CLI); then render the plugin panels of the provisioned dashboards (fleet, drift heatmap, distribution)
# from the frames the built plugin returns through the Grafana-faithful host (test/host) into PNG files.
# A Grafana server cannot be built on this machine kind (see README, "Running inside Grafana"); with Docker,
# `docker compose up` serves the same build and provisioning in Grafana.
source "$(dirname "$0")/lib.sh"

ensure_go_modules
ensure_npm_packages
build_plugin
ensure_demo_store

stage "health of the demo data source"
go run ./pkg/cmd/modelmon health

# The demo store's 35 days end today: the first week is the validation week (the reference), the other 28 the
# monitored period (demo_dates, lib.sh).
demo_dates
FLEET=(--from "$REF_TO" --to "$END" --reference-from "$REF_FROM" --reference-to "$REF_TO")
# docker compose reads .env: the provisioned data source's default reference is this validation week.
printf 'MODELMON_REFERENCE_FROM=%s\nMODELMON_REFERENCE_TO=%s\n' "$REF_FROM" "$REF_TO" > .env

stage "fleet drift summary (daily windows vs the validation week $REF_FROM – $REF_TO)"
go run ./pkg/cmd/modelmon summary "${FLEET[@]}"

stage "fleet diagnosis (per model: covariate shift, concept drift, prior shift or pipeline break, and since when)"
go run ./pkg/cmd/modelmon diagnose "${FLEET[@]}"

stage "panels of the provisioned dashboards, rendered from the plugin's live frames (headless Chromium, PNG)"
apt_install chromium
node test/browser/demo.mjs --dist "$ROOT/dist" --store demo/modelmon.duckdb --now "${END%%T*}" --out demo/panels
echo "pictures: $ROOT/demo/panels/ (fleet.png, drift-heatmap.png, distribution.png)"
