#!/usr/bin/env bash
# The main job (`npm run demo`): build the plugin, generate the demo inference logs if missing, and print the
# drift and the diagnosis of the whole fleet computed on demand through the data source's own QueryData path (the
# modelmon CLI).
# A Grafana server cannot be built on this machine kind (see README, "Running inside Grafana"); with Docker,
# `docker compose up` serves the same build and provisioning in Grafana.
source "$(dirname "$0")/lib.sh"

ensure_go_modules
ensure_npm_packages
build_plugin
ensure_demo_store

stage "health of the demo data source"
go run ./pkg/cmd/modelmon health

stage "fleet drift summary (daily windows vs the validation week 2026-10-01 – 2026-10-08)"
go run ./pkg/cmd/modelmon summary --from 2026-10-08T00:00:00Z --to 2026-11-05T00:00:00Z \
  --reference-from 2026-10-01T00:00:00Z --reference-to 2026-10-08T00:00:00Z

stage "fleet diagnosis (per model: covariate shift, concept drift, prior shift or pipeline break, and since when)"
go run ./pkg/cmd/modelmon diagnose --from 2026-10-08T00:00:00Z --to 2026-11-05T00:00:00Z \
  --reference-from 2026-10-01T00:00:00Z --reference-to 2026-10-08T00:00:00Z
