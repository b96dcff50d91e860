import { FieldType, toDataFrame } from '@grafana/data';

import { describeSignal, drilldownUrl, filterTiles, initialFilters, prepareFleetData, sparkline } from './prepare';
import { FLEET, fleetFrame } from './testdata';

const trend = toDataFrame({
  name: 'fleet trend',
  fields: [
    { name: 'time', type: FieldType.time, values: [1, 2, 3, 1, 2, 3] },
    {
      name: 'model',
      type: FieldType.string,
      values: ['churn', 'churn', 'churn', 'ltv_forecast', 'ltv_forecast', 'ltv_forecast'],
    },
    { name: 'estimated', type: FieldType.number, values: [0.8, 0.9, null, null, null, null] },
    { name: 'realized', type: FieldType.number, values: [null, null, null, 10, 12, 11] },
  ],
});

describe('prepareFleetData', () => {
  const fleet = prepareFleetData([fleetFrame(FLEET), trend]);

  it('orders tiles by severity, page first, keeping the backend order within one', () => {
    expect(fleet.tiles.map((t) => t.model)).toEqual(['credit_risk_na', 'churn', 'fraud_card_eu', 'ltv_forecast']);
    expect(fleet.counts).toEqual({ page: 1, ticket: 1, report: 1, ok: 1 });
    expect(fleet.owners).toEqual(['cx-ml', 'finance-ml', 'fraud-ml', 'risk-ml']);
    expect(fleet.tiers).toEqual(['critical', 'standard']);
    expect(fleet.verdicts).toEqual(['concept_drift', 'covariate_shift', 'ok']);
  });

  it('says the worst signal in words', () => {
    const by = Object.fromEntries(fleet.tiles.map((t) => [t.model, describeSignal(t)]));
    expect(by).toEqual({
      churn: 'covariate shift: monthly_charges wasserstein 0.611 (threshold 0.1)',
      credit_risk_na: 'concept drift · labels pending (1 window)',
      fraud_card_eu:
        'healthy so far · data_usage_gb wasserstein 0.25 (threshold 0.1) drifts · labels pending (2 windows)',
      ltv_forecast: 'healthy',
    });
    const credit = fleet.tiles.find((t) => t.model === 'credit_risk_na')!;
    const drifting = {
      ...credit,
      worstFeature: 'credit_score',
      featureMetric: 'ks',
      featureScore: 0.001,
      featureThreshold: 0.05,
    };
    expect(describeSignal(drifting)).toBe('concept drift · labels pending (1 window)');
    const quiet = { ...fleet.tiles.find((t) => t.model === 'ltv_forecast')!, labelsPending: 3 };
    expect(describeSignal(quiet)).toBe('healthy so far · labels pending (3 windows)');
  });

  it('leads a held severity with the cause it is held from, then says what the model reads now', () => {
    const row = {
      ...FLEET.find((r) => r.model === 'ltv_forecast')!,
      model: 'credit_risk_eu',
      severity: 'page',
      held_cause: 'concept_drift',
      held_at: Date.UTC(2026, 10, 29),
    };
    const [held] = prepareFleetData([fleetFrame([row])]).tiles;
    expect([held.severity, held.heldCause, held.heldAt]).toEqual(['page', 'concept_drift', 1795910400000]);
    expect(describeSignal(held)).toBe('concept drift (held from 2026-11-29 00:00 UTC) · now healthy');
    expect(fleet.tiles.map((t) => [t.heldCause, t.heldAt])).toEqual([
      ['', null],
      ['', null],
      ['', null],
      ['', null],
    ]);
  });

  it('reads the labels pending and since when', () => {
    const by = Object.fromEntries(fleet.tiles.map((t) => [t.model, [t.labelsPending, t.pendingSince]]));
    expect(by).toEqual({
      churn: [0, null],
      credit_risk_na: [1, 1762214400000],
      fraud_card_eu: [2, 1762128000000],
      ltv_forecast: [0, null],
    });
  });

  it('joins each model’s trend', () => {
    const churn = fleet.tiles.find((t) => t.model === 'churn')!;
    expect(churn.trend.map((p) => p.estimated)).toEqual([0.8, 0.9, null]);
    expect(fleet.tiles.find((t) => t.model === 'credit_risk_na')!.trend).toEqual([]);
  });

  it('filters by owner, tier and verdict together', () => {
    expect(filterTiles(fleet.tiles, { owner: '', tier: 'critical', verdict: 'ok' }).map((t) => t.model)).toEqual([
      'fraud_card_eu',
    ]);
    expect(filterTiles(fleet.tiles, { owner: 'cx-ml', tier: 'standard', verdict: '' })).toEqual([]);
    expect(filterTiles(fleet.tiles, { owner: '', tier: '', verdict: '' })).toHaveLength(4);
  });

  it('warns instead of throwing on frames of another shape, and on no frames', () => {
    expect(prepareFleetData([trend]).warning).toMatch(/not a fleetHealth table/);
    expect(prepareFleetData([]).warning).toBe('No models in this time range.');
  });

  it('keeps the query’s notices, once each, and says them when the fleet is empty', () => {
    const noted = (text: string) => ({
      ...toDataFrame({ fields: [] }),
      meta: { notices: [{ severity: 'info' as const, text }] },
    });
    const empty = noted('the reference has no rows of any model: nothing to compare the fleet with');
    expect(prepareFleetData([empty]).warning).toBe(
      'No models in this time range: the reference has no rows of any model: nothing to compare the fleet with'
    );
    const table = {
      ...fleetFrame(FLEET),
      meta: { notices: [{ severity: 'info' as const, text: 'm4: no registry row' }] },
    };
    expect(prepareFleetData([table, noted('m4: no registry row')]).notices).toEqual(['m4: no registry row']);
  });
});

describe('drilldownUrl', () => {
  it('opens model health for the model over the panel’s range, encoded', () => {
    const [tile] = prepareFleetData([fleetFrame([{ ...FLEET[0], model: 'a b&c' }])]).tiles;
    expect(drilldownUrl('/d/mm-health?var-model=${model}&from=${from}&to=${to}&x=${other}', tile, 1000, 2000)).toBe(
      '/d/mm-health?var-model=a%20b%26c&from=1000&to=2000&x=${other}'
    );
  });
});

describe('sparkline', () => {
  it('scales finite values into the box, skipping nulls; y grows downwards', () => {
    // x = i/(n−1)·80 for n = 5; y = 20 − (v − 1)/(3 − 1)·20
    expect(sparkline([1, null, 3, 2, 1], 80, 20)).toBe('0,20 40,0 60,10 80,20');
    expect(sparkline([5, 5], 10, 20)).toBe('0,10 10,10');
    expect(sparkline([null, 1], 10, 20)).toBe('');
  });
});

describe('initialFilters', () => {
  it("opens on the owner of the dashboard variable the fleet alert's link sets, else on everything", () => {
    const vars = (values: Record<string, string>) => (s: string) => values[s] ?? s;
    expect(initialFilters(vars({ $owner: 'cx-ml' }))).toEqual({ owner: 'cx-ml', tier: '', verdict: '' });
    expect(initialFilters(vars({ $owner: '' }))).toEqual({ owner: '', tier: '', verdict: '' });
    expect(initialFilters(vars({}))).toEqual({ owner: '', tier: '', verdict: '' });
  });
});
