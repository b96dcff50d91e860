/**
 * Generated fleetHealth frames (the "fleet" table and the "fleet trend" table, as the backend names them) for the
 * fleet panel at scale: n models, deterministic, with every severity, owner, tier and verdict represented.
 */
import { DataFrame, FieldType, toDataFrame } from '@grafana/data';

import { fleetFrame } from '../../../src/panels/modelfleet/testdata';

const OWNERS = ['cx-ml', 'risk-ml', 'fraud-ml', 'growth-ml', 'finance-ml', 'search-ml', 'ads-ml', 'ops-ml'];
const TIERS = ['critical', 'standard', 'standard', 'standard', 'experimental'];
const CAUSES = ['covariate_shift', 'concept_drift', 'prior_shift', 'pipeline_break'];
const DAY = 86_400_000;

/** The severity of generated model i: 1 in 50 pages, 1 in 10 is a ticket, 1 in 4 a report, the rest ok. */
function severity(i: number): string {
  return i % 50 === 0 ? 'page' : i % 10 === 1 ? 'ticket' : i % 4 === 2 ? 'report' : 'ok';
}

/** n models over the 28 days ending at `to` (epoch ms): the fleet table and 28 daily trend points per model. */
export function syntheticFleet(n: number, to: number): DataFrame[] {
  const rows = [];
  const trend = { time: [] as number[], model: [] as string[], estimated: [] as number[], realized: [] as number[] };
  for (let i = 0; i < n; i++) {
    const model = `model_${String(i).padStart(3, '0')}`;
    const sev = severity(i);
    const cause = CAUSES[i % CAUSES.length];
    const drifting = sev !== 'ok';
    rows.push({
      model,
      owner: OWNERS[i % OWNERS.length],
      tier: TIERS[i % TIERS.length],
      task: 'binary',
      severity: sev,
      verdict: sev === 'ok' || sev === 'report' ? 'ok' : cause,
      since: to - ((i % 20) + 1) * DAY,
      worst_cause: cause,
      worst_feature: `feature_${i % 37}`,
      feature_metric: 'psi',
      feature_score: drifting ? 0.12 + (i % 7) * 0.05 : 0.01 + (i % 9) * 0.005,
      feature_threshold: 0.1,
      primary_metric: 'roc_auc',
      estimated: 0.8 + (i % 13) * 0.01,
      realized: i % 3 === 2 ? null : 0.79 + (i % 11) * 0.01,
      label_coverage: 0.9,
      volume_ratio: 1,
      reason: `${model}: ${sev}`,
    });
    for (let d = 27; d >= 0; d--) {
      trend.time.push(to - d * DAY);
      trend.model.push(model);
      const wave = Math.sin((i + d) / 3) * 0.01;
      trend.estimated.push(0.82 + wave - (drifting ? (27 - d) * 0.002 : 0));
      trend.realized.push(0.81 + wave);
    }
  }
  return [
    fleetFrame(rows),
    toDataFrame({
      name: 'fleet trend',
      fields: [
        { name: 'time', type: FieldType.time, values: trend.time },
        { name: 'model', type: FieldType.string, values: trend.model },
        { name: 'estimated', type: FieldType.number, values: trend.estimated },
        { name: 'realized', type: FieldType.number, values: trend.realized },
      ],
    }),
  ];
}
