/**
 * Pure pivot of drift results into a features (rows) × windows (columns) grid.
 *
 * Recognises frames by their type, as Grafana's heatmap panel does: the `driftHeatmap` long frame of
 * docs/contract.md (`meta.type` "table", `meta.custom.kind` "driftHeatmap"; one row per model, feature, window) and
 * the alertable `drift` frames (`meta.type` "timeseries-multi": one frame per model × feature, labels on the value
 * field). Rows are sorted by importance (descending, unknown last), then feature name, then model.
 */
import { DataFrame, DataFrameType, FieldType } from '@grafana/data';

import {
  boolOrNull,
  customMeta,
  directionOf,
  fieldsByName,
  firstFieldOfType,
  numberAt,
  numberOrNull,
  stringAt,
  stringOrEmpty,
  ThresholdDirection,
  valueAt,
} from '../../shared/frames';

export interface HeatCell {
  value: number | null;
  threshold: number | null;
  drift: boolean | null;
  metric: string;
  currentCount: number | null;
  referenceCount: number | null;
}

export interface HeatRow {
  key: string;
  model: string;
  feature: string;
  importance: number | null;
}

export interface HeatWindow {
  start: number;
  end: number;
}

export interface HeatmapModel {
  rows: HeatRow[];
  windows: HeatWindow[];
  /** cells[row][col]; undefined when the backend returned no row for that pair */
  cells: Array<Array<HeatCell | undefined>>;
  metric: string;
  metricChosenBy?: string;
  threshold: number | null;
  direction: ThresholdDirection;
  windowMs: number;
  multiModel: boolean;
  notices: string[];
}

/** What the panel draws: a grid, or why not. Never thrown: bad input is a warning or a no-data message. */
export interface HeatmapData {
  /** The grid, when the frames hold drift results. */
  model?: HeatmapModel;
  /** The frames are not drift results: which query the panel needs and how to get it, in one sentence. */
  warning?: string;
  /** The frames are drift results without any value to draw: why (their notices, or a no-data message). */
  noData?: string;
}

/**
 * The `meta.type` and `meta.custom.kind` of the backend's driftHeatmap frame (docs/contract.md). "table" is the
 * plugin SDK's data.FrameTypeTable, which @grafana/data's DataFrameType enum does not list.
 */
export const HEATMAP_FRAME_TYPE = 'table' as DataFrameType;
export const HEATMAP_FRAME_KIND = 'driftHeatmap';

/** The one-sentence message of frames that are not drift results. */
export const WRONG_SHAPE_MESSAGE =
  'This panel needs a Model Monitor "Drift heatmap" (or "Drift series") query: set the query type to Drift heatmap in the query editor.';

const DAY_MS = 86_400_000;

interface Entry extends HeatCell {
  model: string;
  feature: string;
  importance: number | null;
  time: number;
}

/** The backend's driftHeatmap frame, by its type and kind (its fields are then read by name). */
export function isHeatmapFrame(frame: DataFrame): boolean {
  return frame.meta?.type === HEATMAP_FRAME_TYPE && customMeta(frame).kind === HEATMAP_FRAME_KIND;
}

/** A drift series: a timeseries-multi frame whose value field is labelled with its feature. */
function isDriftSeries(frame: DataFrame): boolean {
  if (frame.meta?.type !== DataFrameType.TimeSeriesMulti) {
    return false;
  }
  const value = frame.fields.find((f) => f.type === FieldType.number && f.labels?.feature !== undefined);
  return Boolean(value && firstFieldOfType(frame, FieldType.time));
}

function timeMs(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) {
    return v;
  }
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  if (v instanceof Date) {
    return v.getTime();
  }
  return null;
}

function entriesOfLongFrame(frame: DataFrame, meta: Record<string, unknown>): Entry[] {
  const f = fieldsByName(frame, [
    'time',
    'model',
    'feature',
    'importance',
    'metric',
    'value',
    'threshold',
    'drift',
    'currentCount',
    'referenceCount',
  ]);
  const out: Entry[] = [];
  for (let i = 0; i < frame.length; i++) {
    const t = timeMs(valueAt(f.time, i));
    const feature = stringAt(f.feature, i);
    if (t === null || feature === '') {
      continue;
    }
    out.push({
      time: t,
      model: stringAt(f.model, i),
      feature,
      importance: numberAt(f.importance, i),
      metric: stringAt(f.metric, i) || stringOrEmpty(meta.metric),
      value: numberAt(f.value, i),
      threshold: numberAt(f.threshold, i) ?? numberOrNull(meta.threshold),
      drift: boolOrNull(valueAt(f.drift, i)),
      currentCount: numberAt(f.currentCount, i),
      referenceCount: numberAt(f.referenceCount, i),
    });
  }
  return out;
}

function entriesOfDriftSeries(frame: DataFrame, meta: Record<string, unknown>): Entry[] {
  const time = firstFieldOfType(frame, FieldType.time)!;
  const value = frame.fields.find((f) => f.type === FieldType.number && f.labels?.feature !== undefined)!;
  const labels = value.labels ?? {};
  const custom = (value.config?.custom ?? {}) as Record<string, unknown>;
  const threshold = numberOrNull(custom.threshold) ?? numberOrNull(meta.threshold);
  const out: Entry[] = [];
  for (let i = 0; i < frame.length; i++) {
    const t = timeMs(valueAt(time, i));
    if (t === null) {
      continue;
    }
    out.push({
      time: t,
      model: labels.model ?? '',
      feature: labels.feature,
      importance: numberOrNull(labels.importance),
      metric: labels.metric ?? stringOrEmpty(meta.metric),
      value: numberAt(value, i),
      threshold,
      drift: null,
      currentCount: null,
      referenceCount: null,
    });
  }
  return out;
}

export function compareRows(a: HeatRow, b: HeatRow): number {
  const ia = a.importance;
  const ib = b.importance;
  if (ia !== ib) {
    if (ia === null) {
      return 1;
    }
    if (ib === null) {
      return -1;
    }
    if (ib !== ia) {
      return ib - ia;
    }
  }
  return a.feature.localeCompare(b.feature) || a.model.localeCompare(b.model);
}

/**
 * The grid of drift results (rows: model × feature, columns: windows) from the panel's frames, like Grafana's
 * prepareHeatmapData: frames of other types give a warning, frames without values a no-data message.
 */
export function prepareHeatmapData(frames: DataFrame[]): HeatmapData {
  if (frames.length === 0) {
    return { noData: 'No data: the query returned nothing for this time range.' };
  }
  const entries: Entry[] = [];
  const notices: string[] = [];
  let metaOf: Record<string, unknown> = {};
  let usable = 0;
  for (const frame of frames) {
    const meta = customMeta(frame);
    for (const n of frame.meta?.notices ?? []) {
      if (!notices.includes(n.text)) {
        notices.push(n.text);
      }
    }
    if (isHeatmapFrame(frame)) {
      usable++;
      metaOf = Object.keys(metaOf).length ? metaOf : meta;
      entries.push(...entriesOfLongFrame(frame, meta));
    } else if (isDriftSeries(frame)) {
      usable++;
      metaOf = Object.keys(metaOf).length ? metaOf : meta;
      entries.push(...entriesOfDriftSeries(frame, meta));
    } else if (frame.length === 0 && frame.fields.length === 0) {
      usable++; // an empty frame carrying notices
    }
  }
  if (usable === 0) {
    return { warning: WRONG_SHAPE_MESSAGE };
  }
  if (entries.length === 0) {
    return { noData: notices.length ? notices.join(' ') : 'No data: no window of this time range has drift results.' };
  }

  // rows
  const rowMap = new Map<string, HeatRow>();
  for (const e of entries) {
    const key = `${e.model}\u0000${e.feature}`;
    const row = rowMap.get(key);
    if (!row) {
      rowMap.set(key, { key, model: e.model, feature: e.feature, importance: e.importance });
    } else if (row.importance === null && e.importance !== null) {
      row.importance = e.importance;
    }
  }
  const rows = [...rowMap.values()].sort(compareRows);
  const rowIndex = new Map(rows.map((r, i) => [r.key, i]));

  // windows
  const starts = [...new Set(entries.map((e) => e.time))].sort((a, b) => a - b);
  const windowSeconds = numberOrNull(metaOf.windowSeconds);
  let windowMs = windowSeconds !== null && windowSeconds > 0 ? windowSeconds * 1000 : 0;
  if (!windowMs) {
    let minGap = Infinity;
    for (let i = 1; i < starts.length; i++) {
      minGap = Math.min(minGap, starts[i] - starts[i - 1]);
    }
    windowMs = Number.isFinite(minGap) && minGap > 0 ? minGap : DAY_MS;
  }
  const windows = starts.map((start) => ({ start, end: start + windowMs }));
  const colIndex = new Map(starts.map((s, i) => [s, i]));

  const cells: Array<Array<HeatCell | undefined>> = rows.map(() => new Array(windows.length).fill(undefined));
  for (const e of entries) {
    const r = rowIndex.get(`${e.model}\u0000${e.feature}`)!;
    const c = colIndex.get(e.time)!;
    cells[r][c] = {
      value: e.value,
      threshold: e.threshold,
      drift: e.drift,
      metric: e.metric,
      currentCount: e.currentCount,
      referenceCount: e.referenceCount,
    };
  }

  const metrics = [...new Set(entries.map((e) => e.metric).filter(Boolean))];
  const metric = metrics.length === 1 ? metrics[0] : stringOrEmpty(metaOf.metric) || metrics.join(', ');
  const thresholds = [...new Set(entries.map((e) => e.threshold).filter((t): t is number => t !== null))];
  const threshold = numberOrNull(metaOf.threshold) ?? (thresholds.length ? thresholds[0] : null);
  return {
    model: {
      rows,
      windows,
      cells,
      metric,
      metricChosenBy: metaOf.metricChosenBy ? String(metaOf.metricChosenBy) : undefined,
      threshold,
      direction: directionOf(metaOf.thresholdDirection, metrics.length === 1 ? metrics[0] : undefined),
      windowMs,
      multiModel: new Set(rows.map((r) => r.model)).size > 1,
      notices,
    },
  };
}

export function rowLabel(row: HeatRow, multiModel: boolean): string {
  return multiModel && row.model ? `${row.model} · ${row.feature}` : row.feature;
}
