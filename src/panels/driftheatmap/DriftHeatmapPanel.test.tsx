import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { createTheme, FieldType, GrafanaTheme2, toDataFrame } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { ThemeContext } from '@grafana/ui';

import { loadFrames, panelProps, rawColumn, rawFrames } from '../../__fixtures__/fixtures';
import { formatCount, formatScore } from '../../shared/format';
import { SELECTORS } from '../../shared/selectors';
import { colorForSeverity, paletteFromTheme, severity } from './colors';
import { DriftHeatmapPanel } from './DriftHeatmapPanel';
import { HEATMAP_FRAME_KIND, HEATMAP_FRAME_TYPE } from './pivot';
import { DEFAULT_HEATMAP_OPTIONS, HeatmapOptions } from './types';

const S = SELECTORS.heatmap;
const raw = rawFrames('driftHeatmap')[0];
const custom = raw.schema.meta!.custom! as Record<string, number | string>;
const col = {
  time: rawColumn<number>(raw, 'time'),
  feature: rawColumn<string>(raw, 'feature'),
  importance: rawColumn<number | null>(raw, 'importance'),
  value: rawColumn<number | null>(raw, 'value'),
  threshold: rawColumn<number>(raw, 'threshold'),
  drift: rawColumn<boolean | null>(raw, 'drift'),
  currentCount: rawColumn<number>(raw, 'currentCount'),
  referenceCount: rawColumn<number>(raw, 'referenceCount'),
};
// expected layout computed from the file: rows by importance desc then name, windows ascending
const features = [...new Set(col.feature)].sort((a, b) => {
  const ia = col.importance[col.feature.indexOf(a)] ?? -Infinity;
  const ib = col.importance[col.feature.indexOf(b)] ?? -Infinity;
  return ib - ia || a.localeCompare(b);
});
const windows = [...new Set(col.time)].sort((a, b) => a - b);
const windowMs = Number(custom.windowSeconds) * 1000;

function renderPanel(theme: GrafanaTheme2, options: Partial<HeatmapOptions> = {}, series = loadFrames('driftHeatmap')) {
  const props = panelProps<HeatmapOptions>(
    series,
    { ...DEFAULT_HEATMAP_OPTIONS, ...options },
    { width: 1000, height: 600 }
  );
  return render(
    <ThemeContext.Provider value={theme}>
      <DriftHeatmapPanel {...props} />
    </ThemeContext.Provider>
  );
}

const norm = (s: string) => s.replace(/\s+/g, ' ');

describe.each(['light', 'dark'] as const)('DriftHeatmapPanel (%s theme)', (mode) => {
  const theme = createTheme({ colors: { mode } });
  const palette = paletteFromTheme(theme);

  it('shows features as rows, most important first, and one column per window', () => {
    renderPanel(theme);
    features.forEach((f, r) => expect(screen.getByTestId(S.rowLabel(r))).toHaveTextContent(f));
    expect(screen.getAllByRole('columnheader')).toHaveLength(windows.length + 1);
    expect(screen.getByTestId(S.legend)).toBeInTheDocument();
  });

  it('colours every cell by its score against the threshold', () => {
    renderPanel(theme);
    for (let i = 0; i < col.feature.length; i++) {
      const r = features.indexOf(col.feature[i]);
      const c = windows.indexOf(col.time[i]);
      const cell = screen.getByTestId(S.cell(r, c));
      const expectedState =
        col.drift[i] === true ? 'drift' : col.drift[i] === false ? 'ok' : col.value[i] === null ? 'unknown' : undefined;
      if (expectedState) {
        expect(cell).toHaveAttribute('data-state', expectedState);
      }
      if (col.value[i] !== null) {
        const expected = colorForSeverity(
          severity(col.value[i], col.threshold[i], custom.thresholdDirection as 'above'),
          palette,
          col.drift[i]
        );
        expect(norm(cell.style.background)).toContain(norm(expected));
      }
    }
    // drift cells are on the alarm side of the scale, the others on the calm side
    const driftIdx = col.drift.findIndex((d) => d === true);
    const calmIdx = col.drift.findIndex((d) => d === false);
    if (driftIdx >= 0 && calmIdx >= 0) {
      const d = screen.getByTestId(
        S.cell(features.indexOf(col.feature[driftIdx]), windows.indexOf(col.time[driftIdx]))
      );
      const ok = screen.getByTestId(S.cell(features.indexOf(col.feature[calmIdx]), windows.indexOf(col.time[calmIdx])));
      expect(d.style.background).not.toBe(ok.style.background);
    }
  });

  it('shows feature, window, metric, score and sample sizes on hover', () => {
    renderPanel(theme);
    const i = col.drift.findIndex((d) => d === true) >= 0 ? col.drift.findIndex((d) => d === true) : 0;
    const r = features.indexOf(col.feature[i]);
    const c = windows.indexOf(col.time[i]);
    fireEvent.mouseEnter(screen.getByTestId(S.cell(r, c)), { clientX: 50, clientY: 50 });
    const tip = screen.getByTestId(S.tooltip);
    expect(tip).toHaveTextContent(col.feature[i]);
    expect(tip).toHaveTextContent(new Date(col.time[i]).toISOString().slice(0, 10));
    expect(tip).toHaveTextContent(formatScore(col.value[i]));
    const text = (tip.textContent ?? '').replace(/\s+/g, '');
    expect(text).toContain(`currentn=${formatCount(col.currentCount[i])}`);
    expect(text).toContain(`referencen=${formatCount(col.referenceCount[i])}`);
  });
});

describe('DriftHeatmapPanel drill-down', () => {
  const theme = createTheme();
  beforeEach(() => locationService.push('/d/mm-churn-heatmap?var-model=churn'));

  it('sets var-feature and the window as time range on click', () => {
    renderPanel(theme);
    fireEvent.click(screen.getByTestId(S.cell(2, 5)));
    expect(locationService.getSearchObject()).toEqual({
      'var-model': 'churn',
      'var-feature': features[2],
      from: String(windows[5]),
      to: String(windows[5] + windowMs),
    });
    expect(locationService.getLocation().pathname).toBe('/d/mm-churn-heatmap');
  });

  it('follows the link template when configured', () => {
    renderPanel(theme, {
      drilldownMode: 'link',
      linkTemplate: '/d/mm-churn-distribution?var-feature=${feature}&from=${from}&to=${to}',
    });
    fireEvent.click(screen.getByTestId(S.cell(0, 0)));
    expect(locationService.getLocation().pathname).toBe('/d/mm-churn-distribution');
    expect(locationService.getSearchObject()).toEqual({
      'var-feature': features[0],
      from: String(windows[0]),
      to: String(windows[0] + windowMs),
    });
  });

  it('moves with the arrow keys and drills down with Enter', () => {
    renderPanel(theme);
    const first = screen.getByTestId(S.cell(0, 0));
    expect(first).toHaveAttribute('tabindex', '0');
    expect(screen.getByTestId(S.cell(0, 1))).toHaveAttribute('tabindex', '-1');
    act(() => first.focus());
    fireEvent.keyDown(first, { key: 'ArrowRight' });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(screen.getByTestId(S.cell(1, 1)));
    expect(screen.getByTestId(S.tooltip)).toHaveTextContent(features[1]);
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(locationService.getSearchObject()['var-feature']).toBe(features[1]);
  });
});

describe('DriftHeatmapPanel at scale and on bad data', () => {
  const theme = createTheme();

  it('renders 200 features × 30 windows with a row height that keeps labels readable', () => {
    const n = 200;
    const w = 30;
    const time: number[] = [];
    const feature: string[] = [];
    const importance: number[] = [];
    const value: number[] = [];
    for (let f = 0; f < n; f++) {
      for (let t = 0; t < w; t++) {
        time.push(Date.UTC(2026, 9, 1) + t * 86_400_000);
        feature.push(`feature_${String(f).padStart(3, '0')}`);
        importance.push(1 - f / n);
        value.push(((f * 7 + t * 3) % 25) / 100);
      }
    }
    const frame = toDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: time },
        { name: 'feature', type: FieldType.string, values: feature },
        { name: 'importance', type: FieldType.number, values: importance },
        { name: 'value', type: FieldType.number, values: value },
        { name: 'threshold', type: FieldType.number, values: value.map(() => 0.1) },
      ],
      meta: {
        type: HEATMAP_FRAME_TYPE,
        custom: { kind: HEATMAP_FRAME_KIND, metric: 'psi', threshold: 0.1, windowSeconds: 86400 },
      },
    });
    renderPanel(theme, {}, [frame]);
    expect(screen.getAllByRole('rowheader')).toHaveLength(n);
    expect(screen.getByTestId(S.rowLabel(n - 1))).toHaveTextContent('feature_199');
    const grid = screen.getByTestId(S.grid);
    expect(parseInt(grid.style.gridAutoRows, 10)).toBeGreaterThanOrEqual(DEFAULT_HEATMAP_OPTIONS.minRowHeight);
  });

  it('explains wrong-shape data', () => {
    renderPanel(theme, {}, loadFrames('distribution'));
    expect(screen.getByTestId(S.message)).toHaveTextContent(
      'This panel needs a Model Monitor "Drift heatmap" (or "Drift series") query: set the query type to Drift heatmap in the query editor.'
    );
  });

  it('explains empty data', () => {
    renderPanel(theme, {}, []);
    expect(screen.getByTestId(S.message)).toHaveTextContent(/No data/);
  });
});
