import { FieldType, toDataFrame } from '@grafana/data';

import { loadFrames, rawColumn, rawFrames } from '../../__fixtures__/fixtures';
import {
  contributionScale,
  contributionShares,
  Distribution,
  DistributionBin,
  frameLabel,
  frameToDistribution,
  niceMax,
  selectFrameIndex,
  tickDecimals,
  WRONG_SHAPE_MESSAGE,
} from './transform';

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
    expect(result).toEqual({ status: 'wrong-shape', message: WRONG_SHAPE_MESSAGE });
    expect(WRONG_SHAPE_MESSAGE).toBe(
      'This panel needs a Model Monitor "Distribution" query: set the query type to Distribution in the query editor.'
    );
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

describe('scales', () => {
  it('rounds the y axis up to the next step with 5 % headroom', () => {
    // hand-derived: 0.18 · 1.05 = 0.189 → 0.2; 0.2 · 1.05 = 0.21 → 0.25; 0.0095 · 1.05 < 0.01; 0.97 · 1.05 > 1
    expect(niceMax(0.18)).toBe(0.2);
    expect(niceMax(0.2)).toBe(0.25);
    expect(niceMax(0.0095)).toBe(0.01);
    expect(niceMax(0.97)).toBe(1);
    expect(niceMax(1)).toBe(1);
  });

  it('prints every y tick exactly: 12.5 % with one decimal, 10 % with none, 0.25 % with two', () => {
    // ticks are [0, max / 2, max] of niceMax's steps
    expect(tickDecimals([0, 0.125, 0.25])).toBe(1);
    expect(tickDecimals([0, 0.075, 0.15])).toBe(1);
    expect(tickDecimals([0, 0.1, 0.2])).toBe(0);
    expect(tickDecimals([0, 0.005, 0.01])).toBe(1);
    expect(tickDecimals([0, 0.0025, 0.005])).toBe(2);
  });

  it('scales the contribution strip to at least the threshold of an additive metric', () => {
    const bins = [0.01, -0.03, null].map((contribution) => ({ contribution }) as DistributionBin);
    const psi = { metric: 'psi', contributionOf: 'psi', direction: 'above', threshold: 0.2 } as Distribution;
    expect(contributionScale(bins, psi)).toBe(0.2);
    // the largest |contribution| when it exceeds the threshold, or when the metric is not additive
    expect(contributionScale([{ contribution: 0.5 } as DistributionBin], psi)).toBe(0.5);
    const ks = { ...psi, metric: 'ks', contributionOf: 'ks', direction: 'below', threshold: 0.05 } as Distribution;
    expect(contributionScale(bins, ks)).toBe(0.03);
  });
});
