/**
 * Pure query helpers: defaults, migration of older/partial query shapes, validation, template interpolation.
 * No React, no Grafana runtime: everything here is unit-tested in query.test.ts.
 */
import {
  DEFAULT_QUERY,
  DEFAULT_TRAILING_WINDOWS,
  FeatureInfo,
  MAX_HYSTERESIS,
  MAX_SEGMENT_TOP,
  MAX_THRESHOLD_HISTORY,
  MAX_THRESHOLD_K,
  METRICS,
  MIN_THRESHOLD_HISTORY,
  Metric,
  MMQuery,
  QUERY_TYPES,
  QueryType,
  Reference,
  Segment,
  THRESHOLD_MODES,
  THRESHOLD_OUTPUTS,
  DIAGNOSIS_OUTPUTS,
  PERFORMANCE_METRICS,
  ThresholdMode,
  ThresholdOutput,
  Thresholds,
} from './types';

export const IDENTIFIER_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Go-style duration with d and w units, e.g. 15m, 1h, 1h30m, 1d, 2w. */
export const DURATION_RE = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$/;
/** RFC 3339 timestamp, e.g. 2026-10-01T00:00:00Z or 2026-10-01T00:00:00.000+02:00. */
export const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
};

/** True when the text contains a template variable ($var, ${var}, [[var]]), which is checked after interpolation. */
export function hasVariable(text: string | undefined): boolean {
  return typeof text === 'string' && /\$\{?[A-Za-z_]|\[\[/.test(text);
}

/** Seconds of a Go-style duration (with d and w), or undefined when it is not one. */
export function parseDurationSeconds(text: string): number | undefined {
  const t = text.trim();
  if (!DURATION_RE.test(t)) {
    return undefined;
  }
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w)/g)) {
    total += parseFloat(m[1]) * UNIT_SECONDS[m[2]];
  }
  return total;
}

function isQueryType(v: unknown): v is QueryType {
  return typeof v === 'string' && (QUERY_TYPES as readonly string[]).includes(v);
}

function isMetric(v: unknown): v is Metric {
  return typeof v === 'string' && (METRICS as readonly string[]).includes(v);
}

function toFeatureList(v: unknown): string[] {
  if (Array.isArray(v)) {
    return v.map((x) => String(x).trim()).filter((x) => x !== '');
  }
  if (typeof v === 'string') {
    return v
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  }
  return [];
}

/** A number field as stored: undefined / null / "" → not set; anything else → Number (NaN for validation to explain). */
function optionalNumber(v: unknown): number | undefined {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
    return undefined;
  }
  return Number(v);
}

/** Segment: a column is needed; `split` is kept only when true and `top` only with it (a filter has no top). */
function migrateSegment(v: unknown): Segment | undefined {
  if (!v || typeof v !== 'object' || !(v as { column?: unknown }).column) {
    return undefined;
  }
  const s = v as Record<string, unknown>;
  const out: Segment = {
    column: String(s.column),
    value: s.value === undefined || s.value === null ? '' : String(s.value),
  };
  if (s.split === true || s.split === 'true') {
    out.split = true;
    const top = optionalNumber(s.top);
    if (top !== undefined) {
      out.top = top;
    }
  }
  return out;
}

/** Thresholds: an object (a missing mode is static, as in the backend); empty numbers and output are dropped. */
function migrateThresholds(v: unknown): Thresholds | undefined {
  if (!v || typeof v !== 'object') {
    return undefined;
  }
  const t = v as Record<string, unknown>;
  const mode = t.mode === undefined || t.mode === null || t.mode === '' ? 'static' : String(t.mode);
  const out: Thresholds = { mode: mode as ThresholdMode };
  for (const key of ['k', 'history', 'hysteresis'] as const) {
    const n = optionalNumber(t[key]);
    if (n !== undefined) {
      out[key] = n;
    }
  }
  if (t.output !== undefined && t.output !== null && t.output !== '') {
    out.output = String(t.output) as ThresholdOutput;
  }
  return out;
}

function migrateReference(v: unknown): Reference {
  if (v && typeof v === 'object') {
    const r = v as Record<string, unknown>;
    switch (r.type) {
      case 'range':
        return { type: 'range', from: String(r.from ?? ''), to: String(r.to ?? '') };
      case 'trailing': {
        const n = typeof r.windows === 'number' ? r.windows : Number(r.windows);
        return { type: 'trailing', windows: Number.isFinite(n) ? n : DEFAULT_TRAILING_WINDOWS };
      }
      case 'table':
        return { type: 'table', table: String(r.table ?? '') };
    }
  }
  return { type: 'trailing', windows: DEFAULT_TRAILING_WINDOWS };
}

/**
 * Brings any stored query (older shapes, partial queries from dashboards or the API) to the current model.
 * Migrations: `feature: "x"` or `features: "a,b"` → `features: [...]`; unknown query types / metrics → defaults;
 * `bins` / `threshold` / `segment.top` / `thresholds.k|history|hysteresis` as strings → numbers, empty ones dropped;
 * a segment without column is dropped, `split: false` and a filter's `top` too; thresholds without mode are static.
 * Values the user typed are kept, even invalid ones: validateQuery() explains them, nothing is silently fixed.
 */
export function migrateQuery(input: Partial<MMQuery> & Record<string, unknown>): MMQuery {
  const q: MMQuery = { ...(input as MMQuery) };
  q.queryType = isQueryType(input.queryType) ? input.queryType : DEFAULT_QUERY.queryType;
  q.model = typeof input.model === 'string' ? input.model : DEFAULT_QUERY.model;
  const features = toFeatureList(input.features);
  if (features.length === 0 && 'feature' in input) {
    features.push(...toFeatureList(input.feature));
  }
  delete (q as unknown as Record<string, unknown>).feature;
  q.features = features;
  q.metric = isMetric(input.metric) ? input.metric : DEFAULT_QUERY.metric;
  q.window =
    typeof input.window === 'string' && input.window.trim() !== '' ? input.window.trim() : DEFAULT_QUERY.window;
  q.reference = migrateReference(input.reference);
  const segment = migrateSegment(input.segment);
  if (segment) {
    q.segment = segment;
  } else {
    delete q.segment;
  }
  const thresholds = migrateThresholds(input.thresholds);
  if (thresholds) {
    q.thresholds = thresholds;
  } else {
    delete q.thresholds;
  }
  if (input.bins === undefined || input.bins === null || (input.bins as unknown) === '') {
    delete q.bins;
  } else {
    q.bins = Number(input.bins);
  }
  if (input.threshold === undefined || input.threshold === null || (input.threshold as unknown) === '') {
    delete q.threshold;
  } else {
    q.threshold = Number(input.threshold);
  }
  const dt = input.decisionThreshold as unknown;
  if (dt === undefined || dt === null || dt === '') {
    delete q.decisionThreshold;
  } else {
    q.decisionThreshold = Number(dt);
  }
  return q;
}

export type QueryField =
  | 'queryType'
  | 'model'
  | 'features'
  | 'metric'
  | 'window'
  | 'reference'
  | 'referenceFrom'
  | 'referenceTo'
  | 'referenceWindows'
  | 'referenceTable'
  | 'segmentColumn'
  | 'segmentValue'
  | 'segmentTop'
  | 'bins'
  | 'threshold'
  | 'decisionThreshold'
  | 'thresholdsMode'
  | 'thresholdsK'
  | 'thresholdsHistory'
  | 'thresholdsHysteresis'
  | 'thresholdsOutput'
  | 'diagnosisOutput'
  | 'metrics';

/** Query types that return tables: thresholds do not apply to them. */
export const TABLE_QUERY_TYPES: QueryType[] = ['distribution', 'driftHeatmap'];

export interface QueryIssue {
  field: QueryField;
  severity: 'error' | 'warning';
  message: string;
}

export interface ValidationContext {
  /** Features of the selected model as the `features` resource lists them, when known. */
  features?: FeatureInfo[];
}

const NUMERIC_ONLY_METRICS: Metric[] = ['ks', 'wasserstein'];
// chi2 also applies to numeric features (on their reference-quantile bins); only the z-test needs a binary one.
const CATEGORICAL_ONLY_METRICS: Metric[] = ['ztest'];

function featureTypeOf(f: FeatureInfo): 'numeric' | 'categorical' {
  return f.type === 'numeric' ? 'numeric' : 'categorical';
}

/**
 * Explains every invalid value or combination of a query, field by field. Returns [] for a valid query.
 * Values that contain template variables are only checked after interpolation (by the backend).
 */
export function validateQuery(query: MMQuery, ctx: ValidationContext = {}): QueryIssue[] {
  const issues: QueryIssue[] = [];
  const add = (field: QueryField, message: string, severity: 'error' | 'warning' = 'error') =>
    issues.push({ field, severity, message });

  if (!isQueryType(query.queryType)) {
    add(
      'queryType',
      `Unknown query type "${String(query.queryType)}": use drift, driftHeatmap, distribution, dataQuality, performance, estimatedPerformance or diagnosis.`
    );
  }
  if (query.metric !== undefined && !isMetric(query.metric)) {
    add('metric', `Unknown metric "${String(query.metric)}".`);
  }

  const window = (query.window ?? 'auto').trim();
  if (window !== 'auto' && !hasVariable(window)) {
    const seconds = parseDurationSeconds(window);
    if (seconds === undefined) {
      add('window', `"${window}" is not a window: use auto or a duration such as 15m, 1h, 1d, 1w.`);
    } else if (seconds <= 0) {
      add('window', 'The window must be longer than zero.');
    } else if (seconds < 60) {
      add('window', `A window of ${window} is shorter than a minute: expect few samples per window.`, 'warning');
    }
  }

  const ref = query.reference;
  if (!ref) {
    add('reference', 'Choose a reference: a fixed range, trailing windows or a table.');
  } else if (ref.type === 'range') {
    const fromOk = hasVariable(ref.from) || (RFC3339_RE.test(ref.from) && !Number.isNaN(Date.parse(ref.from)));
    const toOk = hasVariable(ref.to) || (RFC3339_RE.test(ref.to) && !Number.isNaN(Date.parse(ref.to)));
    if (!ref.from) {
      add('referenceFrom', 'Enter the start of the reference range (RFC 3339, e.g. 2026-10-01T00:00:00Z).');
    } else if (!fromOk) {
      add('referenceFrom', `"${ref.from}" is not an RFC 3339 time such as 2026-10-01T00:00:00Z.`);
    }
    if (!ref.to) {
      add('referenceTo', 'Enter the end of the reference range (RFC 3339, e.g. 2026-10-08T00:00:00Z).');
    } else if (!toOk) {
      add('referenceTo', `"${ref.to}" is not an RFC 3339 time such as 2026-10-08T00:00:00Z.`);
    }
    if (
      ref.from &&
      ref.to &&
      !hasVariable(ref.from) &&
      !hasVariable(ref.to) &&
      RFC3339_RE.test(ref.from) &&
      RFC3339_RE.test(ref.to) &&
      Date.parse(ref.to) <= Date.parse(ref.from)
    ) {
      add('referenceTo', 'The range ends before it starts: the end must be after the start.');
    }
  } else if (ref.type === 'trailing') {
    if (!Number.isInteger(ref.windows) || ref.windows < 1) {
      add('referenceWindows', 'Trailing windows must be a whole number of at least 1.');
    }
  } else if (ref.type === 'table') {
    if (!ref.table) {
      add('referenceTable', 'Enter the reference table (e.g. training_set).');
    } else if (!hasVariable(ref.table) && !IDENTIFIER_RE.test(ref.table)) {
      add(
        'referenceTable',
        `"${ref.table}" is not a plain table name (letters, digits, _; not starting with a digit).`
      );
    }
  } else {
    add('reference', `Unknown reference type "${String((ref as { type?: unknown }).type)}".`);
  }

  if (query.segment) {
    const { column, value, split, top } = query.segment;
    if (!column && (value || split)) {
      add(
        'segmentColumn',
        split ? 'Choose the segment column to split by.' : 'Choose the segment column the value belongs to.'
      );
    }
    if (column && !hasVariable(column) && !IDENTIFIER_RE.test(column)) {
      add('segmentColumn', `"${column}" is not a valid column name.`);
    }
    if (split) {
      if (value) {
        add('segmentValue', 'Give either a value (filter) or split, not both: clear the value to split.');
      }
      if (top !== undefined && (!Number.isInteger(top) || top < 1 || top > MAX_SEGMENT_TOP)) {
        add('segmentTop', `Top must be a whole number from 1 to ${MAX_SEGMENT_TOP} (leave it empty for 5).`);
      }
    } else if (column && !value) {
      add('segmentValue', `Choose a value of ${column}, or clear the segment.`);
    }
  }

  if (query.bins !== undefined) {
    if (!Number.isInteger(query.bins) || query.bins < 2 || query.bins > 100) {
      add('bins', 'Bins must be a whole number from 2 to 100.');
    }
  }

  if (query.threshold !== undefined) {
    if (!Number.isFinite(query.threshold) || query.threshold < 0) {
      add('threshold', 'The threshold must be a number of at least 0 (leave it empty for the metric default).');
    } else if ((query.metric === 'ks' || query.metric === 'chi2' || query.metric === 'ztest') && query.threshold > 1) {
      add('threshold', `${query.metric} is judged on its p-value: a threshold above 1 never flags drift.`);
    }
  }

  const unknownMetrics = (query.metrics ?? []).filter((m) => !(PERFORMANCE_METRICS as readonly string[]).includes(m));
  if (unknownMetrics.length > 0) {
    add(
      'metrics',
      `Unknown metric ${unknownMetrics.map((m) => `"${m}"`).join(', ')}: use ${PERFORMANCE_METRICS.join(', ')}.`
    );
  }
  if (
    query.diagnosisOutput !== undefined &&
    !(DIAGNOSIS_OUTPUTS as readonly string[]).includes(query.diagnosisOutput)
  ) {
    add('diagnosisOutput', `Unknown diagnosis output "${String(query.diagnosisOutput)}": use evidence or verdicts.`);
  }
  if (query.decisionThreshold !== undefined) {
    if (!Number.isFinite(query.decisionThreshold) || query.decisionThreshold < 0 || query.decisionThreshold > 1) {
      add('decisionThreshold', 'The decision threshold is a score between 0 and 1 (leave it empty for 0.5).');
    }
  }

  if (query.thresholds) {
    validateThresholds(query, add);
  }

  // Metric × feature-type combinations, when the feature types are known.
  const metric = query.metric ?? 'auto';
  if (ctx.features && ctx.features.length > 0 && metric !== 'auto' && !hasVariable(query.model)) {
    const selected = (query.features ?? []).filter((f) => !hasVariable(f));
    const pool =
      (query.features ?? []).length === 0 ? ctx.features : ctx.features.filter((f) => selected.includes(f.name));
    const allSelected = (query.features ?? []).length === 0;
    if (NUMERIC_ONLY_METRICS.includes(metric)) {
      const bad = pool.filter((f) => featureTypeOf(f) !== 'numeric').map((f) => f.name);
      if (bad.length > 0) {
        add(
          'metric',
          `${metric} compares numeric distributions; ${listNames(bad)} ${bad.length === 1 ? 'is' : 'are'} categorical` +
            (allSelected ? ' (all features are selected).' : '. Use chi2, js or auto for categorical features.'),
          allSelected ? 'warning' : 'error'
        );
      }
    }
    if (CATEGORICAL_ONLY_METRICS.includes(metric)) {
      const bad = pool.filter((f) => featureTypeOf(f) === 'numeric').map((f) => f.name);
      if (bad.length > 0) {
        const why = 'The Z-test compares proportions of a binary feature';
        add(
          'metric',
          `${why}; ${listNames(bad)} ${bad.length === 1 ? 'is' : 'are'} numeric` +
            (allSelected
              ? ' (all features are selected).'
              : '. Use ks, wasserstein, psi or auto for numeric features.'),
          allSelected ? 'warning' : 'error'
        );
      }
    }
  }
  if (ctx.features && ctx.features.length > 0 && query.model && !hasVariable(query.model)) {
    const known = ctx.features;
    const unknown = (query.features ?? []).filter((name) => !hasVariable(name) && !known.some((f) => f.name === name));
    if (unknown.length > 0) {
      add('features', `${listNames(unknown)} ${unknown.length === 1 ? 'is' : 'are'} not a feature of ${query.model}.`);
    }
  }

  if (query.queryType === 'distribution' && (query.features ?? []).length === 0) {
    add(
      'features',
      'A distribution query returns one frame per feature: with all features selected the panel shows one at a time.',
      'warning'
    );
  }
  return issues;
}

function validateThresholds(
  query: MMQuery,
  add: (field: QueryField, message: string, severity?: 'error' | 'warning') => void
) {
  const { mode, k, history, hysteresis, output } = query.thresholds!;
  if (!(THRESHOLD_MODES as readonly string[]).includes(mode)) {
    add('thresholdsMode', `Unknown thresholds mode "${String(mode)}": use static, reference or trailing.`);
  } else if (mode === 'reference' && query.reference?.type === 'table') {
    add(
      'thresholdsMode',
      'Reference thresholds need a time-based reference (range or trailing): a reference table has no windows.'
    );
  }
  if (k !== undefined && (!Number.isFinite(k) || k <= 0 || k > MAX_THRESHOLD_K)) {
    add('thresholdsK', `k must be a number above 0 and at most ${MAX_THRESHOLD_K} (leave it empty for 3).`);
  }
  if (
    history !== undefined &&
    (!Number.isInteger(history) || history < MIN_THRESHOLD_HISTORY || history > MAX_THRESHOLD_HISTORY)
  ) {
    add(
      'thresholdsHistory',
      `History must be a whole number of windows from ${MIN_THRESHOLD_HISTORY} to ${MAX_THRESHOLD_HISTORY} (leave it empty for 14).`
    );
  }
  if (hysteresis !== undefined && (!Number.isInteger(hysteresis) || hysteresis < 1 || hysteresis > MAX_HYSTERESIS)) {
    add(
      'thresholdsHysteresis',
      `Hysteresis must be a whole number of windows from 1 to ${MAX_HYSTERESIS} (leave it empty for 1).`
    );
  }
  if (output !== undefined && !(THRESHOLD_OUTPUTS as readonly string[]).includes(output)) {
    add('thresholdsOutput', `Unknown thresholds output "${String(output)}": use band or breach.`);
  }
  if (query.queryType && TABLE_QUERY_TYPES.includes(query.queryType)) {
    add(
      'thresholdsMode',
      `Thresholds apply to time series: a ${query.queryType} query returns a table and ignores them.`,
      'warning'
    );
  }
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

export function hasErrors(issues: QueryIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

export function issuesFor(issues: QueryIssue[], ...fields: QueryField[]): QueryIssue[] {
  return issues.filter((i) => fields.includes(i.field));
}

/** Interpolation function as getTemplateSrv().replace provides it (text, format for multi-value variables). */
export type Interpolate = (text: string, format?: (value: string | string[]) => string) => string;

const MULTI_SEP = '\u001f';
const joinMulti = (value: string | string[]) => (Array.isArray(value) ? value.join(MULTI_SEP) : String(value));

/** Expands `$feature`-style entries of the features list; multi-value variables expand to several features. */
export function interpolateFeatures(features: string[] | undefined, interpolate: Interpolate): string[] {
  const out: string[] = [];
  for (const f of features ?? []) {
    for (const part of interpolate(f, joinMulti).split(MULTI_SEP)) {
      const name = part.trim();
      if (name !== '' && !out.includes(name)) {
        out.push(name);
      }
    }
  }
  return out;
}

/** Applies template variables to every text field of a query (model, features, window, reference, segment). */
export function interpolateQuery(query: MMQuery, interpolate: Interpolate): MMQuery {
  const q = migrateQuery(query as MMQuery & Record<string, unknown>);
  // A model variable with several values: the query model takes one model; use the first.
  q.model = interpolate(q.model ?? '', joinMulti).split(MULTI_SEP)[0] ?? '';
  q.features = interpolateFeatures(q.features, interpolate);
  q.window = interpolate(q.window ?? 'auto');
  const ref = q.reference!;
  if (ref.type === 'range') {
    q.reference = { type: 'range', from: interpolate(ref.from), to: interpolate(ref.to) };
  } else if (ref.type === 'table') {
    q.reference = { type: 'table', table: interpolate(ref.table) };
  }
  if (q.segment?.split) {
    // A split has no value: the backend lists the column's values itself.
    q.segment = { ...q.segment, column: interpolate(q.segment.column) };
  } else if (q.segment) {
    q.segment = {
      column: interpolate(q.segment.column),
      value: interpolate(q.segment.value, joinMulti).split(MULTI_SEP)[0] ?? '',
    };
  }
  return q;
}
