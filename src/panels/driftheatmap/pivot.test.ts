import { FieldType, toDataFrame } from '@grafana/data';

import { loadFrames, rawColumn, rawFrames } from '../../__fixtures__/fixtures';
import { HEATMAP_FRAME_KIND, HEATMAP_FRAME_TYPE, prepareHeatmapData, rowLabel, WRONG_SHAPE_MESSAGE } from './pivot';

/** The meta the backend puts on its driftHeatmap frame. */
const HEATMAP_META = { type: HEATMAP_FRAME_TYPE, custom: { kind: HEATMAP_FRAME_KIND } } as const;

describe('prepareHeatmapData on the recorded driftHeatmap frame', () => {
  const raw = rawFrames('driftHeatmap')[0];
  const features = rawColumn<string>(raw, 'feature');
  const importance = rawColumn<number | null>(raw, 'importance');
  const times = rawColumn<number>(raw, 'time');
  const values = rawColumn<number | null>(raw, 'value');
  const result = prepareHeatmapData(loadFrames('driftHeatmap'));

  it('pivots features (rows) × windows (columns)', () => {
    expect(result.warning).toBeUndefined();
    const m = result.model!;
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
    const imp = result.model!.rows.map((r) => r.importance ?? -Infinity);
    expect(imp).toEqual([...imp].sort((a, b) => b - a));
    const top = features[importance.indexOf(Math.max(...importance.map((x) => x ?? -Infinity)))];
    expect(result.model!.rows[0].feature).toBe(top);
  });

  it('takes the window length, metric and threshold from the frame metadata', () => {
    const custom = raw.schema.meta!.custom!;
    expect(result.model!.windowMs).toBe(Number(custom.windowSeconds) * 1000);
    expect(result.model!.metric).toBe(custom.metric);
    expect(result.model!.threshold).toBe(custom.threshold);
    expect(result.model!.direction).toBe(custom.thresholdDirection);
  });
});

describe('prepareHeatmapData on other shapes', () => {
  it('reads the drift series (timeseries-multi) too', () => {
    const frames = loadFrames('drift');
    const result = prepareHeatmapData(frames);
    expect(result.model).toBeDefined();
    const expected = rawFrames('drift').map((f) => String(f.schema.meta?.custom?.feature));
    expect(result.model!.rows.map((r) => r.feature).sort()).toEqual(expected.sort());
    expect(result.model!.windows).toHaveLength(rawColumn(rawFrames('drift')[0], 'time').length);
  });

  it('warns in one sentence which query the panel needs, and how to set it', () => {
    const result = prepareHeatmapData(loadFrames('distribution'));
    expect(result).toEqual({ warning: WRONG_SHAPE_MESSAGE });
    expect(WRONG_SHAPE_MESSAGE).toBe(
      'This panel needs a Model Monitor "Drift heatmap" (or "Drift series") query: set the query type to Drift heatmap in the query editor.'
    );
  });

  it('keys on the frame type: the heatmap fields without the type and kind are not a heatmap', () => {
    const untyped = loadFrames('driftHeatmap').map((f) => ({ ...f, meta: { ...f.meta, type: undefined } }));
    expect(prepareHeatmapData(untyped)).toEqual({ warning: WRONG_SHAPE_MESSAGE });
    const otherKind = loadFrames('driftHeatmap').map((f) => ({
      ...f,
      meta: { ...f.meta, custom: { ...f.meta?.custom, kind: 'fleetHealth' } },
    }));
    expect(prepareHeatmapData(otherKind)).toEqual({ warning: WRONG_SHAPE_MESSAGE });
  });

  it('reports empty data with the notices of the frame', () => {
    const empty = toDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: [] },
        { name: 'feature', type: FieldType.string, values: [] },
        { name: 'value', type: FieldType.number, values: [] },
      ],
      meta: { ...HEATMAP_META, notices: [{ severity: 'info', text: 'no windows in the selected time range' }] },
    });
    expect(prepareHeatmapData([empty])).toEqual({ noData: 'no windows in the selected time range' });
    expect(prepareHeatmapData([]).noData).toMatch(/^No data/);
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
      meta: HEATMAP_META,
    });
    const result = prepareHeatmapData([frame]);
    expect(result.model!.rows.map((r) => r.feature)).toEqual(['z', 'y', 'x']);
    expect(result.model!.multiModel).toBe(true);
    expect(rowLabel(result.model!.rows[0], true)).toBe('a · z');
    expect(result.model!.windowMs).toBe(86_400_000); // one window and no windowSeconds: a day
  });
});
