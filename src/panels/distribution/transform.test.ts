import { FieldType, toDataFrame } from '@grafana/data';

import { loadFrames, rawColumn, rawFrames } from '../../__fixtures__/fixtures';
import { contributionShares, frameLabel, frameToDistribution, selectFrameIndex } from './transform';

describe('frameToDistribution on the recorded distribution frames', () => {
  const frames = loadFrames('distribution');
  const raws = rawFrames('distribution');

  it.each(raws.map((r, i) => [r.schema.name ?? String(i), i]))('%s: bins, fractions and header values', (_, i) => {
    const raw = raws[i as number];
    const custom = raw.schema.meta!.custom!;
    const result = frameToDistribution(frames[i as number]);
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') {
      return;
    }
    const d = result.distribution;
    expect(d.bins.map((b) => b.label)).toEqual(rawColumn(raw, 'bin'));
    expect(d.bins.map((b) => b.reference)).toEqual(rawColumn(raw, 'reference'));
    expect(d.bins.map((b) => b.current)).toEqual(rawColumn(raw, 'current'));
    expect(d.bins.map((b) => b.currentCount)).toEqual(rawColumn(raw, 'currentCount'));
    expect(d.bins.map((b) => b.contribution)).toEqual(rawColumn(raw, 'contribution'));
    expect(d.model).toBe(custom.model);
    expect(d.feature).toBe(custom.feature);
    expect(d.featureType).toBe(custom.featureType);
    expect(d.metric).toBe(custom.metric);
    expect(d.value).toBe(custom.value);
    expect(d.threshold).toBe(custom.threshold);
    expect(d.referenceRows).toBe(custom.referenceRows);
    expect(d.currentRows).toBe(custom.currentRows);
    expect(d.state).toBe(custom.drift ? 'drift' : 'ok');
  });

  it('has shares of the contribution that sum to 1', () => {
    const result = frameToDistribution(frames[0]);
    if (result.status !== 'ok') {
      throw new Error(result.status);
    }
    const shares = contributionShares(result.distribution.bins).map((s) => s ?? 0);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  });
});

describe('frame selection', () => {
  const frames = loadFrames('distribution');
  const features = rawFrames('distribution').map((r) => String(r.schema.meta?.custom?.feature));

  it('picks first, last or by feature name, falling back to the first', () => {
    expect(selectFrameIndex(frames, 'first')).toBe(0);
    expect(selectFrameIndex(frames, 'last')).toBe(frames.length - 1);
    expect(selectFrameIndex(frames, 'feature', features[features.length - 1])).toBe(frames.length - 1);
    expect(selectFrameIndex(frames, 'feature', '$feature')).toBe(0);
    expect(selectFrameIndex([], 'first')).toBe(-1);
  });

  it('labels frames "model · feature"', () => {
    const custom = rawFrames('distribution')[0].schema.meta!.custom!;
    expect(frameLabel(frames[0], 0)).toBe(`${custom.model} · ${custom.feature}`);
  });
});

describe('other shapes', () => {
  it('explains a wrong shape', () => {
    const result = frameToDistribution(loadFrames('driftHeatmap')[0]);
    expect(result.status).toBe('wrong-shape');
    if (result.status === 'wrong-shape') {
      expect(result.message).toMatch(/missing bin, reference, current/);
    }
  });

  it('reports an empty distribution with its notice', () => {
    const frame = toDataFrame({
      fields: [
        { name: 'bin', type: FieldType.string, values: [] },
        { name: 'reference', type: FieldType.number, values: [] },
        { name: 'current', type: FieldType.number, values: [] },
      ],
      meta: {
        custom: { model: 'churn', feature: 'age' },
        notices: [{ severity: 'info', text: 'window below 100 rows' }],
      },
    });
    const result = frameToDistribution(frame);
    expect(result.status).toBe('empty');
    if (result.status === 'empty') {
      expect(result.message).toBe('window below 100 rows');
      expect(result.distribution?.title).toBe('churn · age');
    }
  });

  it('infers categorical without edges and counts bad rows', () => {
    const frame = toDataFrame({
      fields: [
        { name: 'bin', type: FieldType.string, values: ['a', 'b', '(null)'] },
        { name: 'reference', type: FieldType.number, values: [0.5, 0.5, null] },
        { name: 'current', type: FieldType.number, values: [0.4, 0.5, 0.1] },
      ],
    });
    const result = frameToDistribution(frame);
    if (result.status !== 'ok') {
      throw new Error(result.status);
    }
    expect(result.distribution.featureType).toBe('categorical');
    expect(result.distribution.bins[2].special).toBe(true);
    expect(result.distribution.notices).toEqual(['1 bin(s) without reference or current fraction, drawn as 0.']);
    expect(result.distribution.state).toBe('unknown');
  });
});
