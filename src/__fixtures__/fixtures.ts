/** Test helpers: the recorded frames (see README.md) and panel props around them. */
import { DataFrame, getDefaultTimeRange, LoadingState, PanelData, PanelProps } from '@grafana/data';

import { framesFromResponse, QueryResponseBody } from '../shared/frames';
import distribution from './frames/distribution.json';
import drift from './frames/drift.json';
import driftHeatmap from './frames/driftHeatmap.json';

export const RAW = {
  distribution: distribution as unknown as QueryResponseBody,
  drift: drift as unknown as QueryResponseBody,
  driftHeatmap: driftHeatmap as unknown as QueryResponseBody,
};

export type FixtureName = keyof typeof RAW;

export function loadFrames(name: FixtureName): DataFrame[] {
  return framesFromResponse(RAW[name]);
}

/** The raw SDK frame JSON of a fixture, to compute expectations independently of the code under test. */
export function rawFrames(name: FixtureName): Array<{
  schema: { name?: string; meta?: { custom?: Record<string, unknown> }; fields: Array<{ name: string }> };
  data: { values: unknown[][] };
}> {
  return Object.values(RAW[name].results ?? {}).flatMap((r) => (r.frames ?? []) as never[]);
}

/** Column of a raw frame by field name. */
export function rawColumn<T = unknown>(frame: ReturnType<typeof rawFrames>[number], name: string): T[] {
  const i = frame.schema.fields.findIndex((f) => f.name === name);
  return (i < 0 ? [] : frame.data.values[i]) as T[];
}

export function panelProps<T>(series: DataFrame[], options: T, size = { width: 900, height: 420 }): PanelProps<T> {
  const timeRange = getDefaultTimeRange();
  const data: PanelData = { series, state: LoadingState.Done, timeRange };
  return {
    id: 1,
    data,
    timeRange,
    timeZone: 'utc',
    options,
    fieldConfig: { defaults: {}, overrides: [] },
    transparent: false,
    width: size.width,
    height: size.height,
    renderCounter: 0,
    title: 'test',
    eventBus: { publish: () => {}, subscribe: () => ({ unsubscribe: () => {} }) } as never,
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    replaceVariables: (s: string) => s,
    onChangeTimeRange: () => {},
  } as PanelProps<T>;
}
