/**
 * The browser checks on live frames: the plugin panels of the provisioned dashboards rendered from what the built
 * plugin executable returned through the Grafana-faithful host (lib.mjs startPanelFrames), checked against the
 * same frames read here (never through the panels' code) and against what the demo store was generated to show
 * (pkg/demo: the churn price rise moves monthly_charges; on the last day credit_risk_na pages, churn, upsell_eu and
 * fraud_card_us are tickets — fraud_card_us's prior shift standing while its last day's labels are pending —,
 * fraud_card_eu goes to the weekly report); and the fleet panel at 52 (live) and 500
 * (generated) models, light and dark: render time, screenshots, keyboard drill-down.
 */
import path from 'node:path';

import { column, expect, expectText, formatScore, framesOf, open, panelResponse } from './lib.mjs';

/** The demo's fleet on its last day (test/e2e/fleet_test.go asserts the same through the CLI). */
export const DEMO_FLEET = {
  models: 52,
  severity: {
    credit_risk_na: 'page',
    churn: 'ticket',
    upsell_eu: 'ticket',
    fraud_card_us: 'ticket',
    fraud_card_eu: 'report',
  },
};

/** The live panel of a dashboard by plugin type. */
export function livePanel(live, dashboard, type) {
  const p = live.panels.find((x) => x.dashboard === dashboard && x.type === type);
  expect(p, `no live ${type} on dashboard ${dashboard} (panels: ${live.panels.map((x) => x.title).join('; ')})`);
  return p;
}

/** The frames of a live panel's response; a query that answered with an error fails the checks with its message. */
async function panelFrames(live, panel) {
  const body = await panelResponse(live.url, panel);
  for (const [refId, r] of Object.entries(body.results)) {
    expect(!r.error, `${panel.title}, query ${refId}: the plugin answered ${r.status}: ${r.error}`);
  }
  return framesOf(body);
}

/** Severity counts of a fleet table frame (SDK JSON), and its rows as { model: severity }. */
function fleetCounts(frame) {
  const counts = { page: 0, ticket: 0, report: 0, ok: 0 };
  const byModel = {};
  const models = column(frame, 'model');
  column(frame, 'severity').forEach((s, i) => {
    counts[s]++;
    byModel[models[i]] = s;
  });
  return { counts, byModel };
}

/** Checks that the fleet panel's summary reads "N page N ticket N report N ok" with these counts. */
async function expectSummary(panel, counts) {
  for (const [s, n] of Object.entries(counts)) {
    await expectText(panel.getByTestId('mm-fleet-summary'), `${n} ${s}`);
  }
}

/** Tab from the page start until a fleet tile has the focus; returns its test id. */
async function tabToTile(page) {
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.dataset?.testid ?? '');
    if (id.startsWith('mm-fleet-tile-')) {
      return id;
    }
  }
  throw new Error('Tab never reached a fleet tile');
}

/** The render times measured, by scene and theme, for the report line. */
export const renderTimes = {};

export async function liveChecks({ page, base, live, shots, check }) {
  const heatPanel = livePanel(live, 'mm-churn', 'aiops-driftheatmap-panel');
  const distPanel = livePanel(live, 'mm-churn', 'aiops-distribution-panel');
  const fleetPanel = livePanel(live, 'mm-fleet', 'aiops-modelfleet-panel');
  const heat = await panelFrames(live, heatPanel);
  const dist = await panelFrames(live, distPanel);
  const fleet = (await panelFrames(live, fleetPanel)).find((f) => f.schema.name === 'fleet');
  const scene = (p) => `&panel=${p.dashboard}/${p.index}`;

  for (const theme of ['light', 'dark']) {
    await check(`live drift heatmap of churn through the host (${theme})`, async () => {
      await open(page, base, 'live', theme, scene(heatPanel));
      const panel = page.getByTestId('scene-live');
      await expectText(panel, 'Feature drift · churn');
      const f = heat[0];
      const drift = column(f, 'drift');
      const features = column(f, 'feature');
      const wantDrift = drift.filter((d) => d === true).length;
      const shown = await panel.locator('[role="gridcell"][data-state="drift"]').count();
      expect(shown === wantDrift, `${shown} drifting cells shown, the frame has ${wantDrift}`);
      // the demo's price rise: monthly_charges drifts, and it is the most important feature (the first row)
      expect(
        features.some((x, i) => x === 'monthly_charges' && drift[i] === true),
        'monthly_charges never drifts'
      );
      await expectText(panel.getByTestId('mm-heatmap-row-0'), 'monthly_charges');
      const cells = await panel.getByRole('gridcell').count();
      const windows = new Set(column(f, 'time')).size;
      expect(cells === new Set(features).size * windows, `${cells} cells for ${new Set(features).size} × ${windows}`);
      // the last drifting monthly_charges cell: its tooltip shows the frame's value
      const k = features.findLastIndex((x, i) => x === 'monthly_charges' && drift[i] === true);
      const c = [...new Set(column(f, 'time'))].sort((a, b) => a - b).indexOf(column(f, 'time')[k]);
      await panel.getByTestId(`mm-heatmap-cell-0-${c}`).hover();
      await expectText(panel.getByTestId('mm-heatmap-tooltip'), formatScore(column(f, 'value')[k]));
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(shots, `live-heatmap-${theme}.png`), fullPage: true });
    });

    await check(`live distribution of churn · monthly_charges through the host (${theme})`, async () => {
      await open(page, base, 'live', theme, scene(distPanel));
      const panel = page.getByTestId('scene-live');
      const c = dist[0].schema.meta.custom;
      expect(c.model === 'churn' && c.feature === 'monthly_charges', `frame of ${c.model} · ${c.feature}`);
      await expectText(panel.getByTestId('mm-distribution-title'), 'churn · monthly_charges');
      await expectText(panel.getByTestId('mm-distribution-score'), formatScore(c.value));
      await expectText(panel.getByTestId('mm-distribution-score'), c.drift ? '· drift' : '· no drift');
      // the notices line (the default reference) is inside the panel, not cut off at its bottom
      const box = await panel.getByTestId('mm-distribution-panel').boundingBox();
      const notice = await panel.getByText('the query names no reference').boundingBox();
      expect(
        notice.y + notice.height <= box.y + box.height + 0.5,
        `notice ends at ${notice.y + notice.height}, the panel at ${box.y + box.height}`
      );
      const bars = await panel.locator('[data-testid^="mm-distribution-bin-"]').count();
      expect(
        bars === column(dist[0], 'bin').length,
        `${bars} bins shown, the frame has ${column(dist[0], 'bin').length}`
      );
      await page.screenshot({ path: path.join(shots, `live-distribution-${theme}.png`), fullPage: true });
    });

    await check(`live fleet of 52 models through the host: severities, keyboard drill-down (${theme})`, async () => {
      await open(page, base, 'live', theme, scene(fleetPanel));
      renderTimes[`fleet 52 (${theme})`] = await page.evaluate(() => window.__mmRenderMs);
      const panel = page.getByTestId('scene-live');
      const { counts, byModel } = fleetCounts(fleet);
      expect(Object.keys(byModel).length === DEMO_FLEET.models, `${Object.keys(byModel).length} models in the frame`);
      for (const [model, severity] of Object.entries(DEMO_FLEET.severity)) {
        expect(byModel[model] === severity, `${model}: ${byModel[model]} in the frame, the demo makes it ${severity}`);
        await expectText(panel.getByTestId(`mm-fleet-tile-${model}`), severity);
      }
      expect(counts.page === 1 && counts.ticket === 3, `page ${counts.page}, ticket ${counts.ticket}: want 1 and 3`);
      await expectSummary(panel, counts);
      expect((await panel.locator('[data-testid^="mm-fleet-tile-"]').count()) === 52, 'one tile per model');
      // the verdict in words (each model's health): the demo's causes
      await expectText(panel.getByTestId('mm-fleet-tile-churn'), 'covariate shift: monthly_charges');
      await expectText(panel.getByTestId('mm-fleet-tile-credit_risk_na'), 'concept drift');
      await expectText(panel.getByTestId('mm-fleet-tile-upsell_eu'), 'pipeline break: data_usage_gb');
      // its last day's labels (1–3 days late) have not arrived: the prior shift of the day before stands, in words
      await expectText(panel.getByTestId('mm-fleet-tile-fraud_card_us'), 'prior shift');
      await expectText(panel.getByTestId('mm-fleet-tile-fraud_card_us'), 'labels pending (1 window)');
      await page.screenshot({ path: path.join(shots, `live-fleet-${theme}.png`), fullPage: true });
      // keyboard: Tab reaches the first tile (the most urgent: credit_risk_na), Enter opens its model health
      const id = await tabToTile(page);
      expect(id === 'mm-fleet-tile-credit_risk_na', `the first tile reached is ${id}`);
      await page.keyboard.press('Enter');
      const locations = await page.evaluate(() => window.__mmLocations);
      const url = new URL(locations.at(-1) ?? '/', base);
      const want = { 'var-model': 'credit_risk_na', from: String(fleetPanel.from), to: String(fleetPanel.to) };
      expect(url.pathname === '/d/mm-health', `drill-down to ${url.pathname}`);
      for (const [key, value] of Object.entries(want)) {
        expect(url.searchParams.get(key) === value, `drill-down ${key}=${url.searchParams.get(key)}, want ${value}`);
      }
    });

    await check(`fleet panel at 500 generated models (${theme})`, async () => {
      await open(page, base, 'fleet', theme, '&models=500');
      renderTimes[`fleet 500 (${theme})`] = await page.evaluate(() => window.__mmRenderMs);
      const panel = page.getByTestId('scene-fleet');
      expect((await panel.locator('[data-testid^="mm-fleet-tile-"]').count()) === 500, '500 tiles');
      // the generator's rule: 1 in 50 pages, 1 in 10 is a ticket, 1 in 4 a report (test/browser/harness/fleet.ts)
      const counts = { page: 0, ticket: 0, report: 0, ok: 0 };
      for (let i = 0; i < 500; i++) {
        counts[i % 50 === 0 ? 'page' : i % 10 === 1 ? 'ticket' : i % 4 === 2 ? 'report' : 'ok']++;
      }
      await expectSummary(panel, counts);
      await page.screenshot({ path: path.join(shots, `fleet500-${theme}.png`) });
      // the grid scrolls: the last tile is reachable by scrolling, the header stays
      const grid = panel.getByTestId('mm-fleet-grid');
      const scroll = await grid.evaluate((g) => ({ sh: g.scrollHeight, ch: g.clientHeight }));
      expect(scroll.sh > scroll.ch, 'the 500 tiles scroll inside the panel');
      const id = await tabToTile(page);
      expect(id === 'mm-fleet-tile-model_000', `the first tile reached is ${id}`);
      await page.keyboard.press('Enter');
      const url = new URL((await page.evaluate(() => window.__mmLocations)).at(-1), base);
      expect(url.searchParams.get('var-model') === 'model_000', `drill-down ${url}`);
    });
  }
  console.log(
    `fleet render time (frames at hand → first paint): ${Object.entries(renderTimes)
      .map(([k, v]) => `${k} ${Math.round(v)} ms`)
      .join(', ')}`
  );
}
