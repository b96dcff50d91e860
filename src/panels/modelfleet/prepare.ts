/**
 * Pure preparation of the fleetHealth frames for the model fleet panel: one tile per model (the "fleet" table),
 * its small trend (the "fleet trend" table), the worst signal in words, filters by owner / tier / verdict, and
 * the drill-down link to the model-health dashboard. No React, no Grafana runtime: unit-tested on its own.
 */
import { DataFrame, Field } from '@grafana/data';

import { fieldByName, noticesOf, numberOrNull, stringOrEmpty, valueAt } from '../../shared/frames';
import { applyLinkTemplate } from '../driftheatmap/drilldown';

/** The columns of the backend's fleet table that the panel reads. */
export const FLEET_COLUMNS = [
  'model',
  'owner',
  'tier',
  'task',
  'severity',
  'held_cause',
  'held_at',
  'verdict',
  'since',
  'labels_pending',
  'pending_since',
  'worst_cause',
  'worst_feature',
  'feature_metric',
  'feature_score',
  'feature_threshold',
  'primary_metric',
  'estimated',
  'realized',
  'label_coverage',
  'volume_ratio',
  'reason',
] as const;
type FleetColumn = (typeof FLEET_COLUMNS)[number];

/** Severities in increasing urgency; the index is the backend's severity_level. */
export const SEVERITIES = ['ok', 'report', 'ticket', 'page'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface TrendPoint {
  time: number;
  estimated: number | null;
  realized: number | null;
}

export interface FleetTile {
  model: string;
  owner: string;
  tier: string;
  task: string;
  severity: Severity;
  /** when the cool-down holds the severity from an earlier window: the cause there and the window's start, epoch ms ('' and null: not held) */
  heldCause: string;
  heldAt: number | null;
  verdict: string;
  /** start of the current verdict's run, epoch ms (null: unknown) */
  since: number | null;
  /** windows at the range's end whose labels have not arrived (0: none), and the first one's start, epoch ms */
  labelsPending: number;
  pendingSince: number | null;
  worstCause: string;
  worstFeature: string;
  featureMetric: string;
  featureScore: number | null;
  featureThreshold: number | null;
  primaryMetric: string;
  estimated: number | null;
  realized: number | null;
  labelCoverage: number | null;
  volumeRatio: number | null;
  /** the backend's sentence, for the tooltip */
  reason: string;
  trend: TrendPoint[];
}

export interface FleetFilters {
  owner: string;
  tier: string;
  verdict: string;
}

export const NO_FILTERS: FleetFilters = { owner: '', tier: '', verdict: '' };

export interface FleetData {
  tiles: FleetTile[];
  /** the distinct owners, tiers and verdicts of the fleet, sorted, for the filter pickers */
  owners: string[];
  tiers: string[];
  verdicts: string[];
  /** tiles per severity */
  counts: Record<Severity, number>;
  /** the frames' notices (registry defaults, the reference used, …), each once */
  notices: string[];
  /** why nothing can be shown, if so */
  warning?: string;
}

const CAUSE_WORDS: Record<string, string> = {
  pipeline_break: 'pipeline break',
  concept_drift: 'concept drift',
  covariate_shift: 'covariate shift',
  prior_shift: 'prior shift',
  prediction_drift: 'prediction drift',
  label_drift: 'label drift',
};

function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

function fmt(x: number | null, digits = 3): string {
  return x === null ? '—' : Number(x.toPrecision(digits)).toString();
}

/**
 * The worst signal of a model in words, e.g. "covariate shift: monthly_charges wasserstein 0.61 (threshold 0.1)",
 * "healthy", or "healthy · prediction drift"; while the newest windows' labels are pending, "… · labels pending (N
 * windows)" — concept drift and prior shift are undecided there, so an ok verdict reads "healthy so far". A
 * severity the cool-down holds leads with the cause it is held from: "concept drift (held from 2026-11-29 00:00
 * UTC) · now healthy".
 */
export function describeSignal(t: FleetTile): string {
  if (t.heldAt === null) {
    return describeNow(t, t.severity !== 'ok');
  }
  // the tile's severity is the held window's: whether a feature drifts now is the backend's reason to tell
  const now = describeNow(t, false);
  const when = new Date(t.heldAt).toISOString().slice(0, 16).replace('T', ' ');
  const held = t.heldCause ? (CAUSE_WORDS[t.heldCause] ?? t.heldCause) + ' ' : '';
  return `${held}(held from ${when} UTC) · now ${now}`;
}

/**
 * The last window's own signal in words (describeSignal without the hold); signalled: its severity is its own and
 * above ok, so an ok verdict names what moved (a drifting feature, or else the worst cause).
 */
function describeNow(t: FleetTile, signalled: boolean): string {
  const cause = CAUSE_WORDS[t.worstCause] ?? t.worstCause;
  const feature =
    t.worstFeature && t.featureScore !== null
      ? `${t.worstFeature} ${t.featureMetric} ${fmt(t.featureScore)} (threshold ${fmt(t.featureThreshold)})`
      : t.worstFeature;
  const pending =
    t.labelsPending > 0 ? ` · labels pending (${t.labelsPending} window${t.labelsPending === 1 ? '' : 's'})` : '';
  if (t.verdict === 'ok') {
    const healthy = pending ? 'healthy so far' : 'healthy';
    if (!signalled) {
      return healthy + pending;
    }
    return (feature ? `${healthy} · ${feature} drifts` : `${healthy} · ${cause}`) + pending;
  }
  // a feature is what a pipeline break or a covariate shift is about; concept drift, prior shift and prediction
  // drift are not a feature's, whatever feature drifts most beside them
  const ofFeature = t.worstCause === 'pipeline_break' || t.worstCause === 'covariate_shift';
  return (feature && ofFeature ? `${cause}: ${feature}` : cause) + pending;
}

/**
 * Reads the fleet table and the optional trend table; a warning instead of tiles when the shape is wrong, or when
 * there is no model (the query's notices say why, e.g. an empty reference).
 */
export function prepareFleetData(frames: DataFrame[]): FleetData {
  const counts: Record<Severity, number> = { ok: 0, report: 0, ticket: 0, page: 0 };
  const notices = noticesOf(frames).map((n) => n.text);
  const empty = (warning: string): FleetData => ({
    tiles: [],
    owners: [],
    tiers: [],
    verdicts: [],
    counts,
    notices,
    warning,
  });
  const table =
    frames.find((f) => f.name === 'fleet') ?? frames.find((f) => fieldByName(f, 'severity') && fieldByName(f, 'model'));
  if (!table) {
    if (frames.some((f) => f.length > 0)) {
      return empty('These frames are not a fleetHealth table (query type fleetHealth, output table).');
    }
    return empty(
      notices.length ? `No models in this time range: ${notices.join(' ')}` : 'No models in this time range.'
    );
  }
  const trendFrame = frames.find((f) => f.name === 'fleet trend');
  const trends = new Map<string, TrendPoint[]>();
  if (trendFrame) {
    const [time, model, est, real] = ['time', 'model', 'estimated', 'realized'].map((n) => fieldByName(trendFrame, n));
    for (let i = 0; i < trendFrame.length; i++) {
      const m = stringOrEmpty(valueAt(model, i));
      const points = trends.get(m) ?? [];
      points.push({
        time: numberOrNull(valueAt(time, i)) ?? 0,
        estimated: numberOrNull(valueAt(est, i)),
        realized: numberOrNull(valueAt(real, i)),
      });
      trends.set(m, points);
    }
  }
  const f = Object.fromEntries(FLEET_COLUMNS.map((n) => [n, fieldByName(table, n)])) as Record<
    FleetColumn,
    Field | undefined
  >;
  if (!f.model || !f.severity) {
    return empty('The fleet table has no model or severity column.');
  }
  const tiles: FleetTile[] = [];
  for (let i = 0; i < table.length; i++) {
    const text = (c: FleetColumn) => stringOrEmpty(valueAt(f[c], i));
    const num = (c: FleetColumn) => numberOrNull(valueAt(f[c], i));
    const sev = text('severity');
    const tile: FleetTile = {
      model: text('model'),
      owner: text('owner'),
      tier: text('tier'),
      task: text('task'),
      severity: isSeverity(sev) ? sev : 'ok',
      heldCause: text('held_cause'),
      heldAt: num('held_at'),
      verdict: text('verdict'),
      since: num('since'),
      labelsPending: num('labels_pending') ?? 0,
      pendingSince: num('pending_since'),
      worstCause: text('worst_cause'),
      worstFeature: text('worst_feature'),
      featureMetric: text('feature_metric'),
      featureScore: num('feature_score'),
      featureThreshold: num('feature_threshold'),
      primaryMetric: text('primary_metric'),
      estimated: num('estimated'),
      realized: num('realized'),
      labelCoverage: num('label_coverage'),
      volumeRatio: num('volume_ratio'),
      reason: text('reason'),
      trend: trends.get(text('model')) ?? [],
    };
    counts[tile.severity]++;
    tiles.push(tile);
  }
  // most urgent first; the backend already sorts so, and a stable sort keeps its order within a severity
  tiles.sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity));
  const distinct = (get: (t: FleetTile) => string) => [...new Set(tiles.map(get).filter(Boolean))].sort();
  return {
    tiles,
    owners: distinct((t) => t.owner),
    tiers: distinct((t) => t.tier),
    verdicts: distinct((t) => t.verdict),
    counts,
    notices,
  };
}

/**
 * The filters the panel opens with: the value of the dashboard variable `owner` when it has one (the fleet alert's
 * fleet_url sets it: /d/mm-fleet?var-owner=…), else none. replace is the panel's replaceVariables, which leaves
 * "$owner" as it is on a dashboard without that variable.
 */
export function initialFilters(replace: (s: string) => string): FleetFilters {
  const owner = replace('$owner');
  return owner && owner !== '$owner' ? { ...NO_FILTERS, owner } : NO_FILTERS;
}

/** The tiles that pass every set filter (an empty filter passes everything). */
export function filterTiles(tiles: FleetTile[], filters: FleetFilters): FleetTile[] {
  return tiles.filter(
    (t) =>
      (!filters.owner || t.owner === filters.owner) &&
      (!filters.tier || t.tier === filters.tier) &&
      (!filters.verdict || t.verdict === filters.verdict)
  );
}

/**
 * The drill-down URL of a tile: the template with ${model}, ${from} and ${to} (the panel's time range, epoch ms)
 * replaced, URL-encoded; dashboard variables left in it are interpolated by the caller.
 */
export function drilldownUrl(template: string, tile: FleetTile, from: number, to: number): string {
  return applyLinkTemplate(template, { model: tile.model, from, to, feature: tile.worstFeature });
}

/**
 * An SVG polyline of the finite values of a trend, scaled into a width × height box (y grows downwards; a
 * constant series is drawn in the middle). Empty when fewer than two points are finite.
 */
export function sparkline(values: Array<number | null>, width: number, height: number): string {
  const pts = values.map((v, i) => [i, v] as const).filter((p): p is readonly [number, number] => p[1] !== null);
  if (pts.length < 2) {
    return '';
  }
  const ys = pts.map((p) => p[1]);
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const n = values.length - 1;
  return pts
    .map(([i, v]) => {
      const x = (i / n) * width;
      const y = hi === lo ? height / 2 : height - ((v - lo) / (hi - lo)) * height;
      return `${Number(x.toFixed(2))},${Number(y.toFixed(2))}`;
    })
    .join(' ');
}
