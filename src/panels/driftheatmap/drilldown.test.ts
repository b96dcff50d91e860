import { applyLinkTemplate, DrilldownOptions, drilldownTarget, isExternalUrl } from './drilldown';
import { HeatCell, HeatRow, HeatWindow } from './pivot';

const row: HeatRow = {
  key: 'churn\u0000monthly_charges',
  model: 'churn',
  feature: 'monthly_charges',
  importance: 0.17,
};
const window: HeatWindow = { start: 1792195200000, end: 1792281600000 };
const cell: HeatCell = {
  value: 0.31,
  threshold: 0.1,
  drift: true,
  metric: 'wasserstein',
  currentCount: 6900,
  referenceCount: 48002,
};
const opts: DrilldownOptions = {
  drilldownMode: 'variables',
  featureVariable: 'feature',
  modelVariable: '',
  linkTemplate: '/d/mm-churn-distribution?var-feature=${feature}&from=${from}&to=${to}',
};

describe('drilldownTarget', () => {
  it('sets var-feature and the window as time range by default', () => {
    expect(drilldownTarget(row, window, cell, opts)).toEqual({
      kind: 'partial',
      query: { 'var-feature': 'monthly_charges', from: 1792195200000, to: 1792281600000 },
    });
  });

  it('also sets the model variable when configured, accepting a leading $', () => {
    expect(drilldownTarget(row, window, cell, { ...opts, featureVariable: '$feat', modelVariable: '$model' })).toEqual({
      kind: 'partial',
      query: { 'var-feat': 'monthly_charges', 'var-model': 'churn', from: 1792195200000, to: 1792281600000 },
    });
  });

  it('follows the link template, then dashboard variables', () => {
    const target = drilldownTarget(
      row,
      window,
      cell,
      { ...opts, drilldownMode: 'link', linkTemplate: opts.linkTemplate + '&var-env=${env}' },
      (t) => t.replace('${env}', 'prod')
    );
    expect(target).toEqual({
      kind: 'url',
      url: '/d/mm-churn-distribution?var-feature=monthly_charges&from=1792195200000&to=1792281600000&var-env=prod',
    });
  });

  it('does nothing in mode none or with an empty template', () => {
    expect(drilldownTarget(row, window, cell, { ...opts, drilldownMode: 'none' })).toEqual({ kind: 'none' });
    expect(drilldownTarget(row, window, cell, { ...opts, drilldownMode: 'link', linkTemplate: ' ' })).toEqual({
      kind: 'none',
    });
  });
});

describe('link helpers', () => {
  it('URL-encodes placeholder values and leaves unknown placeholders', () => {
    expect(applyLinkTemplate('/x?f=${feature}&y=${other}', { feature: 'a b&c' })).toBe('/x?f=a%20b%26c&y=${other}');
  });
  it('tells external URLs from Grafana paths', () => {
    expect(isExternalUrl('/d/abc', 'http://localhost:3000')).toBe(false);
    expect(isExternalUrl('http://localhost:3000/d/abc', 'http://localhost:3000')).toBe(false);
    expect(isExternalUrl('https://example.org/runbook', 'http://localhost:3000')).toBe(true);
  });
});
