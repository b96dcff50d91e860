import { FieldType, toDataFrame } from '@grafana/data';

import { loadFrames, rawColumn, rawFrames } from '../../__fixtures__/fixtures';
import { pivotHeatmap, rowLabel } from './pivot';

describe('pivotHeatmap on the recorded driftHeatmap frame', () => {
  const raw = rawFrames('driftHeatmap')[0];
  const features = rawColumn<string>(raw, 'feature');
  const importance = rawColumn<number | null>(raw, 'importance');
  const times = rawColumn<number>(raw, 'time');
  const values = rawColumn<number | null>(raw, 'value');
  const result = pivotHeatmap(loadFrames('driftHeatmap'));

  it('pivots features (rows) × windows (columns)', () => {
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') {
      return;
    }
    const m = result.model;
    expect(m.rows.map((r) => r.feature).sort()).toEqual([...new Set(features)].sort());
    expect(m.windows.map((w) => w.start)).toEqual([...new Set(times)].sort((a, b) => a - b));
    // every row of the long frame lands in its cell
    for (let i = 0; i < features.length; i++) {
      const r = m.rows.findIndex((row) => row.feature === features[i]);
      const c = m.windows.findIndex((w) => w.start === times[i]);
      expect(m.cells[r][c]?.value ?? null).toEqual(values[i]);
    }
  });

  it('sorts rows by importance, most important first', () => {
    if (result.status !== 'ok') {
      throw new Error(result.status);
    }
    const imp = result.model.rows.map((r) => r.importance ?? -Infinity);
    expect(imp).toEqual([...imp].sort((a, b) => b - a));
    const top = features[importance.indexOf(Math.max(...importance.map((x) => x ?? -Infinity)))];
    expect(result.model.rows[0].feature).toBe(top);
  });

  it('takes the window length, metric and threshold from the frame metadata', () => {
    if (result.status !== 'ok') {
      throw new Error(result.status);
    }
    const custom = raw.schema.meta!.custom!;
    expect(result.model.windowMs).toBe(Number(custom.windowSeconds) * 1000);
    expect(result.model.metric).toBe(custom.metric);
    expect(result.model.threshold).toBe(custom.threshold);
    expect(result.model.direction).toBe(custom.thresholdDirection);
  });
});

describe('pivotHeatmap on other shapes', () => {
  it('reads the drift series (timeseries-multi) too', () => {
    const frames = loadFrames('drift');
    const result = pivotHeatmap(frames);
    expect(result.status).toBe('ok');
    if (result.status === 'ok') {
      const expected = rawFrames('drift').map((f) => String(f.schema.meta?.custom?.feature));
      expect(result.model.rows.map((r) => r.feature).sort()).toEqual(expected.sort());
      expect(result.model.windows).toHaveLength(rawColumn(rawFrames('drift')[0], 'time').length);
    }
  });

  it('reports a wrong shape with the fields it got', () => {
    const result = pivotHeatmap(loadFrames('distribution'));
    expect(result.status).toBe('wrong-shape');
    if (result.status === 'wrong-shape') {
      expect(result.message).toMatch(/driftHeatmap/);
      expect(result.message).toMatch(/bin, lower, upper/);
    }
  });

  it('reports empty data with the notices of the frame', () => {
    const empty = toDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: [] },
        { name: 'feature', type: FieldType.string, values: [] },
        { name: 'value', type: FieldType.number, values: [] },
      ],
      meta: { notices: [{ severity: 'info', text: 'no windows in the selected time range' }] },
    });
    expect(pivotHeatmap([empty])).toEqual({ status: 'empty', message: 'no windows in the selected time range' });
    expect(pivotHeatmap([]).status).toBe('empty');
  });

  it('keeps unknown importance last and labels rows with the model when several models are present', () => {
    const frame = toDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: [0, 0, 0] },
        { name: 'model', type: FieldType.string, values: ['a', 'b', 'a'] },
        { name: 'feature', type: FieldType.string, values: ['x', 'y', 'z'] },
        { name: 'importance', type: FieldType.number, values: [null, 0.5, 0.9] },
        { name: 'value', type: FieldType.number, values: [0.1, 0.2, null] },
      ],
    });
    const result = pivotHeatmap([frame]);
    if (result.status !== 'ok') {
      throw new Error(result.status);
    }
    expect(result.model.rows.map((r) => r.feature)).toEqual(['z', 'y', 'x']);
    expect(result.model.multiModel).toBe(true);
    expect(rowLabel(result.model.rows[0], true)).toBe('a · z');
    expect(result.model.windowMs).toBe(86_400_000); // one window and no windowSeconds: a day
  });
});
