/** Hand-written fleetHealth frames for the panel's unit tests. */
import { FieldType, toDataFrame } from '@grafana/data';

import { FLEET_COLUMNS } from './prepare';

/** A fleet table as the backend returns it (columns by name; order and extra columns do not matter). */
export function fleetFrame(rows: Array<Record<string, unknown>>) {
  return toDataFrame({
    name: 'fleet',
    fields: FLEET_COLUMNS.map((n) => ({
      name: n,
      type:
        n === 'since' || n === 'pending_since' || n === 'held_at'
          ? FieldType.time
          : typeof rows[0]?.[n] === 'number'
            ? FieldType.number
            : FieldType.string,
      values: rows.map((r) => r[n] ?? null),
    })),
  });
}

export const FLEET = [
  {
    model: 'churn',
    owner: 'cx-ml',
    tier: 'critical',
    severity: 'ticket',
    verdict: 'covariate_shift',
    labels_pending: 0,
    pending_since: null,
    worst_cause: 'covariate_shift',
    worst_feature: 'monthly_charges',
    feature_metric: 'wasserstein',
    feature_score: 0.6114,
    feature_threshold: 0.1,
    primary_metric: 'roc_auc',
    estimated: 0.823,
    realized: 0.81,
    since: 1760918400000,
  },
  {
    model: 'credit_risk_na',
    owner: 'risk-ml',
    tier: 'critical',
    severity: 'page',
    verdict: 'concept_drift',
    labels_pending: 1,
    pending_since: 1762214400000,
    worst_cause: 'concept_drift',
    worst_feature: '',
    feature_metric: '',
    feature_score: null,
    feature_threshold: null,
    primary_metric: 'roc_auc',
    estimated: 0.868,
    realized: 0.348,
    since: 1761264000000,
  },
  {
    model: 'fraud_card_eu',
    owner: 'fraud-ml',
    tier: 'critical',
    severity: 'report',
    verdict: 'ok',
    labels_pending: 2,
    pending_since: 1762128000000,
    worst_cause: 'covariate_shift',
    worst_feature: 'data_usage_gb',
    feature_metric: 'wasserstein',
    feature_score: 0.25,
    feature_threshold: 0.1,
    primary_metric: 'roc_auc',
    estimated: 0.85,
    realized: null,
    since: 1760000000000,
  },
  {
    model: 'ltv_forecast',
    owner: 'finance-ml',
    tier: 'standard',
    severity: 'ok',
    verdict: 'ok',
    worst_cause: 'pipeline_break',
    worst_feature: 'country',
    feature_metric: 'js',
    feature_score: 0.0077,
    feature_threshold: 0.1,
    primary_metric: 'mae',
    estimated: null,
    realized: 12.5,
    since: 1760000000000,
  },
];
