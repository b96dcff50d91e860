#!/usr/bin/env node
/**
 * Real-browser check of the panels and editors: builds the harness (test/browser/webpack.config.ts, extending the
 * project's .config/webpack), serves it on 127.0.0.1, opens it in Debian's Chromium through playwright-core in the
 * light and dark themes, takes screenshots (test/browser/screenshots/), fails on any console error, checks visible
 * text against values computed from the recorded frames, and clicks a heatmap cell to check the drill-down target.
 *
 * Needs: apt-get install -y chromium   (or CHROMIUM=/path/to/chrome)
 * Ends with a line "browser: N passed, M failed"; exits non-zero when anything failed.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import {
  build,
  column,
  expect,
  expectText,
  formatCount,
  formatPercent,
  formatScore,
  HERE,
  launch,
  open,
  ROOT,
  serve,
  liveFrames,
} from './lib.mjs';
import { liveChecks } from './live.mjs';

const SHOTS = path.join(HERE, 'screenshots');
const FIXTURES = path.join(ROOT, 'src', '__fixtures__', 'frames');

// ---------------------------------------------------------------------------------------------------------------
// Expectations computed from the recorded frames (they may be re-recorded: nothing here is hard-coded).

function frames(name) {
  const body = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));
  return Object.values(body.results).flatMap((r) => r.frames ?? []);
}

const dist = frames('distribution');
const heat = frames('driftHeatmap')[0];
const heatCustom = heat.schema.meta.custom;
const heatCols = Object.fromEntries(
  ['time', 'feature', 'importance', 'value', 'drift', 'currentCount'].map((n) => [n, column(heat, n)])
);
const heatFeatures = [...new Set(heatCols.feature)].sort((a, b) => {
  const ia = heatCols.importance[heatCols.feature.indexOf(a)] ?? -Infinity;
  const ib = heatCols.importance[heatCols.feature.indexOf(b)] ?? -Infinity;
  return ib - ia || a.localeCompare(b);
});
const heatWindows = [...new Set(heatCols.time)].sort((a, b) => a - b);

// ---------------------------------------------------------------------------------------------------------------

const results = [];

async function check(name, page, errors, fn) {
  errors.length = 0;
  try {
    await fn();
    if (errors.length) {
      throw new Error(`console errors:\n  ${errors.join('\n  ')}`);
    }
    results.push({ name, ok: true });
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(
      `FAIL ${name}\n     ${String(e?.message ?? e)
        .split('\n')
        .join('\n     ')}`
    );
  }
}

/** WCAG 1.4.11 (non-text contrast): graphics that carry information need 3:1 against what is next to them. */
const MIN_GRAPHIC_CONTRAST = 3;

/** The first opaque background colour of an element or its ancestors (the panel's, for the svg of a chart). */
async function backgroundOf(locator) {
  return locator.evaluate((el) => {
    for (let e = el; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      if (bg && bg !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(bg)) {
        return bg;
      }
    }
    return 'rgb(255, 255, 255)';
  });
}

/** Whether two boxes (from boundingBox()) overlap. */
function overlap(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function main() {
  build();
  mkdirSync(SHOTS, { recursive: true });
  // the live panels: the built plugin (MODELMON_DIST) through the Grafana-faithful host
  const built = process.env.MODELMON_DIST;
  const live = await liveFrames(built && { dist: built, store: process.env.MODELMON_FIXED_DEMO_STORE });
  const server = await serve(live?.url);
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await launch();
  const page = browser.page;
  const errors = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));

  try {
    for (const theme of ['light', 'dark']) {
      await check(`distribution panel (${theme})`, page, errors, async () => {
        await open(page, base, 'distribution', theme);
        for (const [testId, f] of [
          ['scene-distribution-first', dist[0]],
          ['scene-distribution-last', dist[dist.length - 1]],
        ]) {
          const c = f.schema.meta.custom;
          const panel = page.getByTestId(testId);
          await expectText(panel.getByTestId('mm-distribution-title'), `${c.model} · ${c.feature}`);
          await expectText(panel.getByTestId('mm-distribution-score'), formatScore(c.value));
          await expectText(panel.getByTestId('mm-distribution-score'), c.drift ? '· drift' : '· no drift');
          await expectText(panel.getByTestId('mm-distribution-samples'), `current n = ${formatCount(c.currentRows)}`);
          const state = await panel.getByTestId('mm-distribution-score').getAttribute('data-state');
          expect(state === (c.drift ? 'drift' : 'ok'), `drift state ${state}`);
        }
        // hover the bin with the largest contribution: exact fractions and counts
        const f = dist[0];
        const contrib = column(f, 'contribution');
        const i = contrib.indexOf(Math.max(...contrib));
        const panel = page.getByTestId('scene-distribution-first');
        await panel.getByTestId(`mm-distribution-bin-${i}`).hover();
        const tip = panel.getByTestId('mm-distribution-tooltip');
        await expectText(tip, column(f, 'bin')[i]);
        await expectText(tip, formatPercent(column(f, 'reference')[i]));
        await expectText(tip, formatPercent(column(f, 'current')[i]));
        await expectText(tip, `n = ${formatCount(column(f, 'currentCount')[i])}`);
        // every contribution bar stands out from the panel (the dark theme's faded error.main maroon did not)
        const background = await backgroundOf(panel.getByTestId('mm-distribution-chart'));
        const bars = await panel
          .locator('[data-testid^="mm-distribution-contribution-"]')
          .evaluateAll((els) =>
            els
              .filter((el) => /-\d+$/.test(el.dataset.testid))
              .map((el) => ({ fill: el.getAttribute('fill'), opacity: getComputedStyle(el).opacity }))
          );
        const withContribution = contrib.filter((c) => c !== null).length;
        expect(bars.length === withContribution, `${bars.length} contribution bars, want ${withContribution}`);
        for (const { fill, opacity } of bars) {
          expect(opacity === '1', `contribution bar opacity ${opacity}`);
          const ratio = await page.evaluate(([fg, bg]) => window.__mmContrast(fg, bg), [fill, background]);
          expect(
            ratio >= MIN_GRAPHIC_CONTRAST,
            `contribution bar ${fill} on ${background}: contrast ${ratio.toFixed(2)} < ${MIN_GRAPHIC_CONTRAST}`
          );
        }
        // the y axis labels ("0%" at the bottom) and the strip's label ("contrib. ≤ 0.2") do not collide
        const scale = await panel.getByTestId('mm-distribution-contribution-scale').boundingBox();
        for (const tick of await panel.getByTestId('mm-distribution-ytick').all()) {
          const box = await tick.boundingBox();
          expect(!overlap(box, scale), `y label "${await tick.textContent()}" overlaps the contribution label`);
        }
        await page.screenshot({ path: path.join(SHOTS, `distribution-${theme}.png`), fullPage: true });
      });

      await check(`drift heatmap panel and drill-down (${theme})`, page, errors, async () => {
        await open(page, base, 'heatmap', theme);
        const panel = page.getByTestId('scene-heatmap');
        for (const [r, feature] of heatFeatures.slice(0, 5).entries()) {
          await expectText(panel.getByTestId(`mm-heatmap-row-${r}`), feature);
        }
        await expectText(panel.getByTestId('mm-heatmap-legend'), formatScore(2 * heatCustom.threshold, 3));
        // the first drifting cell, if any, else the first cell
        let k = heatCols.drift.findIndex((d) => d === true);
        k = k < 0 ? 0 : k;
        const r = heatFeatures.indexOf(heatCols.feature[k]);
        const c = heatWindows.indexOf(heatCols.time[k]);
        const cell = panel.getByTestId(`mm-heatmap-cell-${r}-${c}`);
        await cell.hover();
        const tip = panel.getByTestId('mm-heatmap-tooltip');
        await expectText(tip, heatCols.feature[k]);
        await expectText(tip, formatScore(heatCols.value[k]));
        await expectText(tip, `current n = ${formatCount(heatCols.currentCount[k])}`);
        // the window "start → end" is one line, as high as the one-line "state" row
        const rowHeights = await tip
          .locator('tr')
          .evaluateAll((rows) =>
            Object.fromEntries(rows.map((r) => [r.cells[0].textContent, r.getBoundingClientRect().height]))
          );
        expect(rowHeights.window <= rowHeights.state + 0.5, `window line wraps: ${JSON.stringify(rowHeights)}`);
        await page.screenshot({ path: path.join(SHOTS, `heatmap-${theme}.png`), fullPage: true });
        await cell.click();
        const locations = await page.evaluate(() => window.__mmLocations);
        const last = new URL(locations[locations.length - 1] ?? '/', base);
        const want = {
          'var-feature': heatCols.feature[k],
          from: String(heatCols.time[k]),
          to: String(heatCols.time[k] + heatCustom.windowSeconds * 1000),
        };
        for (const [key, value] of Object.entries(want)) {
          expect(
            last.searchParams.get(key) === value,
            `drill-down ${key}=${last.searchParams.get(key)}, want ${value}`
          );
        }
        // the browser's own URL follows (Grafana reads the dashboard variables and time range from it)
        expect(new URL(page.url()).searchParams.get('var-feature') === want['var-feature'], `page url ${page.url()}`);
        // keyboard: Enter on the focused cell drills down too
        await cell.focus();
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        const after = await page.evaluate(() => window.__mmLocations);
        const next = new URL(after[after.length - 1], base).searchParams.get('var-feature');
        const expected = heatFeatures[Math.min(r + 1, heatFeatures.length - 1)];
        expect(next === expected, `keyboard drill-down var-feature=${next}, want ${expected}`);
      });

      await check(`drift heatmap at 200 features (${theme})`, page, errors, async () => {
        await open(page, base, 'heatmap200', theme);
        const panel = page.getByTestId('scene-heatmap200');
        expect((await panel.getByRole('rowheader').count()) === 200, 'expected 200 row labels');
        await expectText(panel, 'fewer than 100 rows');
        const scroller = await panel.getByTestId('mm-heatmap-grid').evaluate((grid) => {
          const s = grid.parentElement;
          return { sh: s.scrollHeight, ch: s.clientHeight };
        });
        expect(scroller.sh > scroller.ch, 'rows should scroll');
        // consecutive row labels do not overlap and stay readable
        const boxes = [];
        for (let r = 0; r < 12; r++) {
          boxes.push(await panel.getByTestId(`mm-heatmap-row-${r}`).boundingBox());
        }
        for (let r = 1; r < boxes.length; r++) {
          expect(boxes[r].y >= boxes[r - 1].y + boxes[r - 1].height - 0.5, `row ${r} overlaps row ${r - 1}`);
          expect(boxes[r].height >= 14, `row ${r} is ${boxes[r].height}px high`);
        }
        // a cue says how many rows are below the visible part: as many as the row labels that end below it
        const below = await panel.getByTestId('mm-heatmap-grid').evaluate((grid) => {
          const bottom = grid.parentElement.getBoundingClientRect().bottom;
          return [...grid.querySelectorAll('[role="rowheader"]')].filter(
            (r) => r.getBoundingClientRect().bottom > bottom + 0.5
          ).length;
        });
        expect(below > 0 && below < 200, `rows below the fold: ${below}`);
        await expectText(panel.getByTestId('mm-heatmap-more-rows'), `${below} more features below`);
        // the hatched "no value" cells stay visible: stripes against the cell at 3:1 at least
        const hatched = panel.locator('[data-state="unknown"]').first();
        const stripes = await hatched.evaluate((el) => {
          const style = getComputedStyle(el);
          return { image: style.backgroundImage, background: style.backgroundColor };
        });
        const stripe = stripes.image.match(/rgba?\([^)]*\)/g)?.find((c) => !/,\s*0\)$/.test(c));
        expect(stripe, `no stripe colour in ${stripes.image}`);
        const hatchRatio = await page.evaluate(([fg, bg]) => window.__mmContrast(fg, bg), [stripe, stripes.background]);
        expect(
          hatchRatio >= MIN_GRAPHIC_CONTRAST,
          `hatch ${stripe} on ${stripes.background}: contrast ${hatchRatio.toFixed(2)} < ${MIN_GRAPHIC_CONTRAST}`
        );
        await page.screenshot({ path: path.join(SHOTS, `heatmap200-${theme}.png`) });
        // scroll to the bottom: the header and the labels stay in place (sticky), and the cue goes
        await panel.getByTestId('mm-heatmap-grid').evaluate((grid) => (grid.parentElement.scrollTop = 1e6));
        await panel.getByTestId('mm-heatmap-more-rows').waitFor({ state: 'detached' });
        const lastLabel = panel.getByTestId('mm-heatmap-row-199');
        await expectText(lastLabel, 'feature_199');
        expect(await lastLabel.isVisible(), 'last row label visible after scrolling');
        const header = await panel.getByRole('columnheader').nth(1).boundingBox();
        const gridBox = await panel
          .getByTestId('mm-heatmap-grid')
          .evaluate((g) => g.parentElement.getBoundingClientRect().top);
        expect(Math.abs(header.y - gridBox) < 2, 'column header sticks to the top');
        await page.screenshot({ path: path.join(SHOTS, `heatmap200-scrolled-${theme}.png`) });
      });

      await check(`editors (${theme})`, page, errors, async () => {
        await open(page, base, 'editors', theme);
        const qe = page.getByTestId('scene-query-editor');
        for (const label of ['Query type', 'Model', 'Metric', 'Window', 'Reference', 'Segment']) {
          await expectText(qe, label);
        }
        await expectText(qe, 'monthly_charges is numeric');
        await expectText(qe, 'The range ends before it starts');
        // two editors on one page (queries A and B) keep their own radio choices
        const firstChecked = await qe.locator('input[type="radio"]:checked + label').allInnerTexts();
        for (const label of ['Drift series', 'Fixed range', 'Filter']) {
          expect(
            firstChecked.some((t) => t.trim() === label),
            `query A: ${label} is not checked (checked: ${firstChecked.join(', ')})`
          );
        }
        // segment split and dynamic thresholds: Top instead of Value; history (trailing) and hysteresis (breach)
        const sq = page.getByTestId('scene-query-editor-split');
        for (const label of ['Use', 'Top', 'Thresholds', 'Output', 'k (σ)', 'History', 'Hysteresis']) {
          await expectText(sq, label);
        }
        // by label (the ids are unique per editor): also checks that each label points at its own editor's field
        const field = (label) => sq.getByLabel(label, { exact: true });
        expect((await field('Value').count()) === 0, 'a split shows no segment value');
        expect((await field('Top').inputValue()) === '8', 'segment top 8');
        expect((await field('Thresholds').inputValue()) === 'trailing', 'thresholds mode trailing');
        expect((await field('Hysteresis').inputValue()) === '2', 'hysteresis 2');
        // two editors on one page: no id repeats, and query B's labels point at query B's fields
        const duplicates = await page.evaluate(() => {
          const ids = [...document.querySelectorAll('[id]')].map((el) => el.id);
          return ids.filter((id, i) => ids.indexOf(id) !== i);
        });
        expect(duplicates.length === 0, `duplicate ids: ${[...new Set(duplicates)].join(', ')}`);
        const checked = await sq.locator('input[type="radio"]:checked + label').allInnerTexts();
        for (const label of ['Drift series', 'Trailing windows', 'Split', 'Breach']) {
          expect(
            checked.some((t) => t.trim() === label),
            `${label} is not checked (checked: ${checked.join(', ')})`
          );
        }
        await sq.screenshot({ path: path.join(SHOTS, `query-editor-split-thresholds-${theme}.png`) });
        const ce = page.getByTestId('scene-config-editor');
        await expectText(ce, '"served at" is not a plain identifier');
        // every engine that runs is offered: DuckDB, PostgreSQL and Spark
        expect(await ce.getByRole('radio', { name: 'PostgreSQL' }).isEnabled(), 'PostgreSQL is offered');
        expect(await ce.getByRole('radio', { name: 'Spark' }).isEnabled(), 'Spark is offered');
        // From and To of the reference range stay on one line
        const from = await qe.getByLabel('From', { exact: true }).boundingBox();
        const to = await qe.getByLabel('To', { exact: true }).boundingBox();
        expect(Math.abs(from.y - to.y) < 1, `To (y=${to.y}) wrapped away from From (y=${from.y})`);
        await page.screenshot({ path: path.join(SHOTS, `editors-${theme}.png`), fullPage: true });
        await qe.screenshot({ path: path.join(SHOTS, `query-editor-${theme}.png`) });
        // after the screenshots (the click may open the field's menu): query B's label focuses query B's field
        await sq.getByText('Window', { exact: true }).click();
        expect(
          await field('Window').evaluate((el) => el === document.activeElement),
          "clicking query B's Window label focuses query B's field"
        );
        // keyboard: Tab from the page start reaches the query type, model and metric fields
        await page.locator('body').click({ position: { x: 5, y: 5 } });
        // (the focused field is named by its label: the ids are generated, unique per editor)
        const seen = new Set();
        for (let i = 0; i < 30; i++) {
          await page.keyboard.press('Tab');
          seen.add(
            await page.evaluate(() =>
              [...(document.activeElement?.labels ?? [])]
                .map((l) => l.textContent.trim())
                .filter(Boolean)
                .join(' / ')
            )
          );
        }
        for (const label of ['Model', 'Metric', 'Window', 'Bins']) {
          expect(seen.has(label), `Tab never reached the ${label} field (saw ${[...seen].join(', ')})`);
        }
      });

      await check(`PostgreSQL settings (${theme})`, page, errors, async () => {
        await open(page, base, 'config-postgres', theme);
        const ce = page.getByTestId('scene-config-postgres');
        expect(await ce.getByRole('radio', { name: 'PostgreSQL' }).isChecked(), 'engine PostgreSQL');
        expect(await ce.getByRole('radio', { name: 'verify-full' }).isChecked(), 'SSL mode verify-full');
        expect((await ce.getByLabel(/^Host/).inputValue()) === 'db.internal', 'host');
        await expectText(ce, 'PostgreSQL needs the user name.');
        await expectText(ce, 'The port must be a whole number from 1 to 65535.');
        // the saved password shows as configured, with a reset
        expect((await ce.getByLabel(/^Password/).inputValue()) === 'configured', 'password configured');
        expect((await ce.getByLabel(/^Path/).count()) === 0, 'no DuckDB path for PostgreSQL');
        // keyboard: Tab reaches the connection fields in order
        await ce.getByLabel(/^Host/).focus();
        const seen = [];
        for (let i = 0; i < 6; i++) {
          await page.keyboard.press('Tab');
          seen.push(await page.evaluate(() => document.activeElement?.id ?? ''));
        }
        for (const id of ['mm-config-port', 'mm-config-database', 'mm-config-user']) {
          expect(seen.includes(id), `Tab from Host never reached ${id} (saw ${seen.join(', ')})`);
        }
        await page.screenshot({ path: path.join(SHOTS, `config-postgres-${theme}.png`), fullPage: true });
      });

      await check(`empty and wrong-shape messages (${theme})`, page, errors, async () => {
        await open(page, base, 'messages', theme);
        await expectText(
          page.getByTestId('scene-wrong-shape'),
          'This panel needs a Model Monitor "Distribution" query: set the query type to Distribution in the query editor.'
        );
        await expectText(page.getByTestId('scene-empty'), 'No data');
        await expectText(page.getByTestId('scene-empty-distribution'), 'below the minimum of 100: no value');
        await expectText(page.getByTestId('scene-empty-distribution'), 'churn · age');
        await page.screenshot({ path: path.join(SHOTS, `messages-${theme}.png`), fullPage: true });
      });
    }
    if (live) {
      await liveChecks({ page, base, live, shots: SHOTS, check: (name, fn) => check(name, page, errors, fn) });
    } else {
      console.log(
        'skip live panels: set MODELMON_DIST to the built dist/ (scripts/test.sh does; MODELMON_FIXED_DEMO_STORE: a store with the fixed demo dates, else generated) or PANELFRAMES_URL'
      );
    }
  } finally {
    await browser.close();
    server.close();
    live?.stop();
  }

  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`screenshots: ${path.relative(ROOT, SHOTS)}/`);
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.log(String(e?.stack ?? e));
  console.log(
    `browser: ${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length + 1} failed`
  );
  process.exit(1);
});
