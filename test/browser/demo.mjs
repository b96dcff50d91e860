#!/usr/bin/env node
/**
 * The pictures of `npm run demo`: the plugin panels of the provisioned dashboards — the model fleet, the drift
 * heatmap and the distribution of churn — rendered in headless Chromium (light theme) from the frames the built
 * plugin returns through the Grafana-faithful host (test/host/cmd/panelframes), written as PNG files.
 *
 *   node test/browser/demo.mjs --dist dist --store demo/modelmon.duckdb --now YYYY-MM-DD --out demo/panels
 *
 * Prints one line per file written.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { build, launch, liveFrames, open, serve } from './lib.mjs';
import { livePanel } from './live.mjs';

/** The pictures: file name, dashboard uid and panel plugin. */
const PICTURES = [
  ['fleet.png', 'mm-fleet', 'aiops-modelfleet-panel'],
  ['drift-heatmap.png', 'mm-churn', 'aiops-driftheatmap-panel'],
  ['distribution.png', 'mm-churn', 'aiops-distribution-panel'],
];

async function main() {
  const { values } = parseArgs({
    options: { dist: { type: 'string' }, store: { type: 'string' }, now: { type: 'string' }, out: { type: 'string' } },
  });
  const out = path.resolve(values.out ?? 'demo/panels');
  mkdirSync(out, { recursive: true });
  build();
  const live = await liveFrames({
    dist: path.resolve(values.dist ?? 'dist'),
    store: values.store,
    now: values.now,
  });
  const server = await serve(live.url);
  const browser = await launch();
  try {
    const base = `http://127.0.0.1:${server.address().port}`;
    for (const [file, dashboard, type] of PICTURES) {
      const p = livePanel(live, dashboard, type);
      await open(browser.page, base, 'live', 'light', `&panel=${p.dashboard}/${p.index}`);
      const target = path.join(out, file);
      await browser.page.getByTestId('scene-live').screenshot({ path: target });
      console.log(
        `${target}  (${p.dashboardTitle} · ${p.title.replace(/\$\{?\w+\}?/g, (v) => p.variables[v.replace(/\W/g, '')] ?? v)})`
      );
    }
  } finally {
    await browser.close();
    server.close();
    live.stop();
  }
}

main().catch((e) => {
  console.log(String(e?.stack ?? e));
  process.exit(1);
});
