/** Generic, pure helpers to read the backend's frames by field name (never by position). */
import { DataFrame, DataFrameJSON, dataFrameFromJSON, Field, FieldType, QueryResultMetaNotice } from '@grafana/data';

/** The body Grafana's /api/ds/query returns. */
export interface QueryResponseBody {
  results?: Record<string, { frames?: DataFrameJSON[]; error?: string; status?: number }>;
}

/** Every frame of every refId of a /api/ds/query body, parsed as Grafana parses them. */
export function framesFromResponse(body: QueryResponseBody): DataFrame[] {
  const frames: DataFrame[] = [];
  for (const [refId, result] of Object.entries(body.results ?? {})) {
    for (const json of result.frames ?? []) {
      const frame = dataFrameFromJSON(json);
      frames.push({ ...frame, refId: frame.refId ?? refId });
    }
  }
  return frames;
}

export function fieldByName(frame: DataFrame, ...names: string[]): Field | undefined {
  for (const name of names) {
    const f = frame.fields.find((x) => x.name === name);
    if (f) {
      return f;
    }
  }
  return undefined;
}

/**
 * Several fields of a frame by name at once, each undefined when absent. Both panels read a handful of optional
 * columns per row; one list of names keeps that lookup in one place instead of one `fieldByName` line per column.
 */
export function fieldsByName<N extends string>(frame: DataFrame, names: readonly N[]): Record<N, Field | undefined> {
  const out = {} as Record<N, Field | undefined>;
  for (const name of names) {
    out[name] = fieldByName(frame, name);
  }
  return out;
}

export function firstFieldOfType(frame: DataFrame, type: FieldType): Field | undefined {
  return frame.fields.find((f) => f.type === type);
}

/** A finite number or null (null, undefined, NaN, ±Inf and non-numbers are null). */
export function numberOrNull(v: unknown): number | null {
  if (typeof v === 'number') {
    return Number.isFinite(v) ? v : null;
  }
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function stringOrEmpty(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

export function boolOrNull(v: unknown): boolean | null {
  if (typeof v === 'boolean') {
    return v;
  }
  if (v === 'true') {
    return true;
  }
  if (v === 'false') {
    return false;
  }
  return null;
}

export function valueAt(field: Field | undefined, i: number): unknown {
  if (!field) {
    return undefined;
  }
  const values = field.values as unknown as ArrayLike<unknown> & { get?: (i: number) => unknown };
  return typeof values.get === 'function' && !Array.isArray(values) ? values.get(i) : values[i];
}

/** Row i of a field as a finite number or null (absent field, missing or non-numeric value: null). */
export function numberAt(field: Field | undefined, i: number): number | null {
  return numberOrNull(valueAt(field, i));
}

/** Row i of a field as a string, '' when the field or the value is absent. */
export function stringAt(field: Field | undefined, i: number): string {
  return stringOrEmpty(valueAt(field, i));
}

export function customMeta(frame: DataFrame): Record<string, unknown> {
  const c = frame.meta?.custom;
  return c && typeof c === 'object' ? (c as Record<string, unknown>) : {};
}

export function noticesOf(frames: DataFrame[]): QueryResultMetaNotice[] {
  const out: QueryResultMetaNotice[] = [];
  for (const f of frames) {
    for (const n of f.meta?.notices ?? []) {
      if (!out.some((o) => o.text === n.text)) {
        out.push(n);
      }
    }
  }
  return out;
}

export type ThresholdDirection = 'above' | 'below';

export function directionOf(v: unknown, metric?: string): ThresholdDirection {
  if (v === 'below' || v === 'above') {
    return v;
  }
  // p-value metrics flag drift when the value is below the threshold
  return metric === 'ks' || metric === 'chi2' || metric === 'ztest' ? 'below' : 'above';
}

/** Drift state of a value against its threshold; an explicit flag from the backend wins. */
export function driftState(
  value: number | null | undefined,
  threshold: number | null | undefined,
  direction: ThresholdDirection,
  flag?: boolean | null
): 'drift' | 'ok' | 'unknown' {
  if (flag === true) {
    return 'drift';
  }
  if (flag === false) {
    return 'ok';
  }
  if (value === null || value === undefined || threshold === null || threshold === undefined) {
    return 'unknown';
  }
  const drift = direction === 'below' ? value < threshold : value >= threshold;
  return drift ? 'drift' : 'ok';
}
