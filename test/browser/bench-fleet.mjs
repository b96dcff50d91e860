#!/usr/bin/env node
/**
 * Render time of the model fleet panel in headless Chromium at 52 and 500 generated models (the fleetHealth shape,
 * test/browser/harness/fleet.ts), light and dark: for each, the median over RUNS page loads of the time from the
 * frames being at hand to the first paint (window.__mmRenderMs, measured in the page). Not part of `npm test`:
 * timing on a shared machine is a figure to report, not a unit test. It fails only past a generous bound
 * (BOUND_MS for 500 models), which a panel that stopped scaling would cross.
 *
 *   node test/browser/bench-fleet.mjs
 */
import { build, launch, open, serve } from './lib.mjs';

const RUNS = 5;
const BOUND_MS = 5000;

async function main() {
  build();
  const server = await serve();
  const browser = await launch();
  const base = `http://127.0.0.1:${server.address().port}`;
  let failed = false;
  try {
    for (const models of [52, 500]) {
      for (const theme of ['light', 'dark']) {
        const times = [];
        for (let i = 0; i < RUNS; i++) {
          await open(browser.page, base, 'fleet', theme, `&models=${models}`);
          times.push(await browser.page.evaluate(() => window.__mmRenderMs));
        }
        times.sort((a, b) => a - b);
        const median = times[Math.floor(RUNS / 2)];
        console.log(
          `fleet panel, ${models} models, ${theme}: median ${Math.round(median)} ms (${times.map(Math.round).join(', ')})`
        );
        if (models === 500 && median > BOUND_MS) {
          console.log(`  beyond the ${BOUND_MS} ms bound`);
          failed = true;
        }
      }
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
