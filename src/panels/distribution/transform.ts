/**
 * Pure transform of the backend's `distribution` frames (docs/contract.md) into what the panel draws.
 * Fields are looked up by name; anything missing or of the wrong type is reported, never guessed.
 */
import { DataFrame } from '@grafana/data';

import {
  boolOrNull,
  customMeta,
  directionOf,
  driftState,
  fieldByName,
  fieldsByName,
  numberAt,
  numberOrNull,
  stringAt,
  stringOrEmpty,
  ThresholdDirection,
} from '../../shared/frames';

export const SPECIAL_BINS = ['(other)', '(unseen)', '(null)'];

export interface DistributionBin {
  label: string;
  lower: number | null;
  upper: number | null;
  reference: number;
  current: number;
  referenceCount: number | null;
  currentCount: number | null;
  contribution: number | null;
  special: boolean;
}

export interface Distribution {
  /** what the frame is about: "churn · monthly_charges" */
  title: string;
  model: string;
  feature: string;
  featureType: 'numeric' | 'categorical';
  metric: string;
  metricChosenBy?: string;
  value: number | null;
  threshold: number | null;
  direction: ThresholdDirection;
  state: 'drift' | 'ok' | 'unknown';
  referenceRows: number | null;
  currentRows: number | null;
  epsilon: number | null;
  contributionOf: string;
  bins: DistributionBin[];
  notices: string[];
}

export type DistributionResult =
  | { status: 'ok'; distribution: Distribution }
  | { status: 'empty'; message: string; distribution?: Distribution }
  | { status: 'wrong-shape'; message: string };

export const REQUIRED_FIELDS = ['bin', 'reference', 'current'];

/** The one-sentence message of a frame that is not a distribution. */
export const WRONG_SHAPE_MESSAGE =
  'This panel needs a Model Monitor "Distribution" query: set the query type to Distribution in the query editor.';

/** Name shown for a frame in the frame selector. */
export function frameLabel(frame: DataFrame, index: number): string {
  const c = customMeta(frame);
  const model = stringOrEmpty(c.model);
  const feature = stringOrEmpty(c.feature);
  if (feature) {
    return model ? `${model} · ${feature}` : feature;
  }
  return frame.name || `${frame.refId ?? 'frame'} ${index + 1}`;
}

export function isDistributionFrame(frame: DataFrame): boolean {
  return REQUIRED_FIELDS.every((n) => fieldByName(frame, n));
}

export function frameToDistribution(frame: DataFrame): DistributionResult {
  if (!isDistributionFrame(frame)) {
    return { status: 'wrong-shape', message: WRONG_SHAPE_MESSAGE };
  }
  const c = customMeta(frame);
  const f = fieldsByName(frame, [
    'bin',
    'lower',
    'upper',
    'reference',
    'current',
    'referenceCount',
    'currentCount',
    'contribution',
  ]);

  const bins: DistributionBin[] = [];
  const badRows: number[] = [];
  for (let i = 0; i < frame.length; i++) {
    const ref = numberAt(f.reference, i);
    const cur = numberAt(f.current, i);
    if (ref === null || cur === null) {
      badRows.push(i);
    }
    const label = stringAt(f.bin, i);
    bins.push({
      label,
      lower: numberAt(f.lower, i),
      upper: numberAt(f.upper, i),
      reference: ref ?? 0,
      current: cur ?? 0,
      referenceCount: numberAt(f.referenceCount, i),
      currentCount: numberAt(f.currentCount, i),
      contribution: numberAt(f.contribution, i),
      special: SPECIAL_BINS.includes(label),
    });
  }

  const metric = stringOrEmpty(c.metric);
  const value = numberOrNull(c.value);
  const threshold = numberOrNull(c.threshold);
  const direction = directionOf(c.thresholdDirection, metric);
  const hasEdges = bins.some((b) => b.lower !== null || b.upper !== null);
  const featureType =
    c.featureType === 'numeric' || c.featureType === 'categorical'
      ? c.featureType
      : hasEdges
        ? 'numeric'
        : 'categorical';
  const model = stringOrEmpty(c.model);
  const feature = stringOrEmpty(c.feature) || frame.name || '';
  const notices = (frame.meta?.notices ?? []).map((n) => n.text);
  if (badRows.length > 0) {
    notices.push(`${badRows.length} bin(s) without reference or current fraction, drawn as 0.`);
  }
  const distribution: Distribution = {
    title: model && feature ? `${model} · ${feature}` : feature || model || 'distribution',
    model,
    feature,
    featureType: featureType as 'numeric' | 'categorical',
    metric,
    metricChosenBy: c.metricChosenBy ? String(c.metricChosenBy) : undefined,
    value,
    threshold,
    direction,
    state: driftState(value, threshold, direction, boolOrNull(c.drift)),
    referenceRows: numberOrNull(c.referenceRows) ?? sumOrNull(bins.map((b) => b.referenceCount)),
    currentRows: numberOrNull(c.currentRows) ?? sumOrNull(bins.map((b) => b.currentCount)),
    epsilon: numberOrNull(c.epsilon),
    contributionOf: stringOrEmpty(c.contributionOf) || metric,
    bins,
    notices,
  };
  if (bins.length === 0) {
    return {
      status: 'empty',
      message: notices.length ? notices.join(' ') : 'No data in the selected time range.',
      distribution,
    };
  }
  return { status: 'ok', distribution };
}

function sumOrNull(values: Array<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? present.reduce((a, b) => a + b, 0) : null;
}

export type FrameSelection = 'first' | 'last' | 'feature';

/**
 * Which of several distribution frames to show: the first, the last (latest window when several queries return one
 * window each), or the one of a named feature (the name may come from a variable such as $feature).
 */
export function selectFrameIndex(frames: DataFrame[], selection: FrameSelection, feature?: string): number {
  const candidates = frames.map((f, i) => ({ f, i })).filter(({ f }) => isDistributionFrame(f));
  if (candidates.length === 0) {
    return frames.length > 0 ? 0 : -1;
  }
  if (selection === 'last') {
    return candidates[candidates.length - 1].i;
  }
  if (selection === 'feature' && feature) {
    const wanted = feature.trim();
    const hit = candidates.find(({ f, i }) => {
      const c = customMeta(f);
      return c.feature === wanted || frameLabel(f, i) === wanted || f.name === wanted;
    });
    if (hit) {
      return hit.i;
    }
  }
  return candidates[0].i;
}

/** Largest fraction of either side, for the y scale (never 0). */
export function maxFraction(bins: DistributionBin[]): number {
  return Math.max(1e-9, ...bins.map((b) => Math.max(b.reference, b.current)));
}

/** Share of each bin in the total contribution (0..1), null when unknown. */
export function contributionShares(bins: DistributionBin[]): Array<number | null> {
  const total = bins.reduce((a, b) => a + Math.abs(b.contribution ?? 0), 0);
  return bins.map((b) => (b.contribution === null || total === 0 ? null : Math.abs(b.contribution) / total));
}

/** A round upper bound for the y axis (fractions) with 5 % headroom: 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, … 1. */
export function niceMax(v: number): number {
  const steps = [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1];
  return steps.find((s) => s >= v * 1.05) ?? Math.max(1, v);
}

/** Decimals (0–2) that print every y tick (fractions) as a percentage exactly: 12.5 % is not "13%". */
export function tickDecimals(ticks: number[]): number {
  const exact = (d: number) => ticks.every((t) => Math.abs(t * 100 * 10 ** d - Math.round(t * 100 * 10 ** d)) < 1e-6);
  return [0, 1].find(exact) ?? 2;
}

/**
 * Full height of the contribution strip. For additive metrics (PSI, KL: the contributions sum to the score) it is at
 * least the threshold, so small contributions of a quiet feature look small; otherwise the largest contribution.
 */
export function contributionScale(bins: DistributionBin[], dist: Distribution): number {
  const largest = Math.max(1e-12, ...bins.map((b) => Math.abs(b.contribution ?? 0)));
  const additive = ['psi', 'kl'].includes(dist.contributionOf) && dist.contributionOf === dist.metric;
  if (additive && dist.direction === 'above' && dist.threshold !== null && dist.threshold > 0) {
    return Math.max(largest, dist.threshold);
  }
  return largest;
}
