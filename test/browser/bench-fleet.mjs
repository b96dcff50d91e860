#!/usr/bin/env node
/**
 * Render time of the model fleet panel in headless Chromium at 52 and 500 generated models (the fleetHealth shape,
 * test/browser/harness/fleet.ts), light and dark: for each, the median over RUNS page loads of the time from the
 * frames being at hand to the first paint (window.__mmRenderMs, measured in the page). Not part of `npm test`:
 * timing on a shared machine is a figure to report, not a unit test. It fails only past a generous bound that a
 * panel which stopped scaling would cross whatever the machine's load: 500 models may take at most MAX_RATIO times
 * as long as 52 (linear growth is 500 / 52 ≈ 9.6; a quadratic layout would be ≈ 92).
 *
 *   node test/browser/bench-fleet.mjs
 */
import { build, launch, open, serve } from './lib.mjs';

const RUNS = 5;
const MAX_RATIO = 20;

async function main() {
  build();
  const server = await serve();
  const browser = await launch();
  const base = `http://127.0.0.1:${server.address().port}`;
  let failed = false;
  try {
    for (const theme of ['light', 'dark']) {
      const median = {};
      for (const models of [52, 500]) {
        const times = [];
        for (let i = 0; i < RUNS; i++) {
          await open(browser.page, base, 'fleet', theme, `&models=${models}`);
          times.push(await browser.page.evaluate(() => window.__mmRenderMs));
        }
        times.sort((a, b) => a - b);
        median[models] = times[Math.floor(RUNS / 2)];
        console.log(
          `fleet panel, ${models} models, ${theme}: median ${Math.round(median[models])} ms (${times.map(Math.round).join(', ')})`
        );
      }
      const ratio = median[500] / median[52];
      console.log(`  500 / 52 models: ${ratio.toFixed(1)}× (bound ${MAX_RATIO}×)`);
      failed ||= ratio > MAX_RATIO;
    }
  } finally {
    await browser.close();
    server.close();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(String(e?.stack ?? e));
  process.exit(1);
});
