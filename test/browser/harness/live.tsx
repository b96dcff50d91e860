/**
 * Live scenes: a panel of a provisioned dashboard rendered from the frames the running plugin executable returned
 * through the Grafana-faithful host (test/host/cmd/panelframes, reached through the harness server's /api/), with
 * the dashboard's options, size and time range; and the fleet panel over generated fleets of any size.
 * When a scene has painted, window.__mmRenderMs holds the time from the frames being at hand to the first paint.
 */
import React, { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { DataFrame, DataQueryError, dateTime, PanelProps, TimeRange } from '@grafana/data';
import { PanelChrome } from '@grafana/ui';

import { panelProps } from '../../../src/__fixtures__/fixtures';
import { framesFromResponse, QueryResponseBody } from '../../../src/shared/frames';
import { DistributionPanel } from '../../../src/panels/distribution/DistributionPanel';
import { DEFAULT_DISTRIBUTION_OPTIONS } from '../../../src/panels/distribution/types';
import { DriftHeatmapPanel } from '../../../src/panels/driftheatmap/DriftHeatmapPanel';
import { DEFAULT_HEATMAP_OPTIONS } from '../../../src/panels/driftheatmap/types';
import { FleetPanel } from '../../../src/panels/modelfleet/FleetPanel';
import { DEFAULT_FLEET_OPTIONS } from '../../../src/panels/modelfleet/types';
import { syntheticFleet } from './fleet';

declare global {
  interface Window {
    /** ms from the frames being at hand to the scene's first paint */
    __mmRenderMs?: number;
  }
}

/** What test/host/cmd/panelframes lists per panel (host.LivePanel). */
interface LivePanel {
  dashboard: string;
  dashboardTitle: string;
  index: number;
  title: string;
  type: string;
  options?: Record<string, unknown>;
  w: number;
  h: number;
  from: number;
  to: number;
  variables: Record<string, string>;
}

/** The plugin panels, by plugin id: their component and default options. */
const PANELS: Record<string, { component: React.ComponentType<PanelProps<never>>; defaults: object }> = {
  'aiops-driftheatmap-panel': { component: DriftHeatmapPanel as never, defaults: DEFAULT_HEATMAP_OPTIONS },
  'aiops-distribution-panel': { component: DistributionPanel as never, defaults: DEFAULT_DISTRIBUTION_OPTIONS },
  'aiops-modelfleet-panel': { component: FleetPanel as never, defaults: DEFAULT_FLEET_OPTIONS },
};

/** Grafana's dashboard grid: 24 columns over the page width, rows of 30 px with 8 px gaps between them. */
const GRID_WIDTH = 1248;
const size = (w: number, h: number) => ({ width: Math.round((GRID_WIDTH * w) / 24) - 8, height: h * 30 + (h - 1) * 8 });

/** A panel as a dashboard draws it: Grafana's own panel chrome (title, padding) around the plugin panel. */
function DashboardPanel(props: {
  title: string;
  width: number;
  height: number;
  testId: string;
  children: (width: number, height: number) => React.ReactNode;
}) {
  return (
    <div data-testid={props.testId} style={{ width: props.width }}>
      <PanelChrome title={props.title} width={props.width} height={props.height}>
        {props.children}
      </PanelChrome>
    </div>
  );
}

function timeRange(from: number, to: number): TimeRange {
  return { from: dateTime(from), to: dateTime(to), raw: { from: dateTime(from), to: dateTime(to) } };
}

/** Props of a panel as Grafana gives them: the dashboard's range, its variables replaced ($name, ${name}). */
function propsFor(
  series: DataFrame[],
  options: object,
  {
    from,
    to,
    width,
    height,
    variables = {},
    errors,
  }: {
    from: number;
    to: number;
    width: number;
    height: number;
    variables?: Record<string, string>;
    errors?: DataQueryError[];
  }
) {
  const props = panelProps(series, options, { width, height });
  const range = timeRange(from, to);
  const vars = new Map(Object.entries(variables));
  return {
    ...props,
    timeRange: range,
    data: { ...props.data, timeRange: range, errors: errors?.length ? errors : undefined },
    replaceVariables: (s: string) => s.replace(/\$\{?(\w+)\}?/g, (m, name) => vars.get(name) ?? m),
  };
}

/** Records the time from `start` to the first paint after the children mounted. */
function Painted({ start, children }: { start: number; children: React.ReactNode }) {
  useLayoutEffect(() => {
    requestAnimationFrame(() => setTimeout(() => (window.__mmRenderMs = performance.now() - start)));
  }, [start]);
  return <>{children}</>;
}

export function LiveScene({ panelKey }: { panelKey: string }) {
  const [state, setState] = useState<
    { panel: LivePanel; series: DataFrame[]; errors: DataQueryError[]; start: number } | { error: string }
  >();
  useEffect(() => {
    (async () => {
      const list: LivePanel[] = await (await fetch('/api/panels')).json();
      const panel = list.find((p) => `${p.dashboard}/${p.index}` === panelKey);
      if (!panel) {
        setState({ error: `no live panel ${panelKey}` });
        return;
      }
      const body: QueryResponseBody = await (await fetch(`/api/panels/${panelKey}`)).json();
      // a query's error reaches the panel as Grafana passes it: in data.errors, with its refId
      const errors = Object.entries(body.results ?? {})
        .filter(([, r]) => r.error)
        .map(([refId, r]) => ({ refId, message: r.error, status: r.status }));
      setState({ panel, series: framesFromResponse(body), errors, start: performance.now() });
    })().catch((e) => setState({ error: String(e) }));
  }, [panelKey]);
  if (!state) {
    return null;
  }
  if ('error' in state) {
    return <div data-testid="scene-live-error">{state.error}</div>;
  }
  const { panel, series, errors, start } = state;
  const kind = PANELS[panel.type];
  if (!kind) {
    return <div data-testid="scene-live-error">{`${panel.type} is not a plugin panel`}</div>;
  }
  const { width, height } = size(panel.w, panel.h);
  const options = { ...kind.defaults, ...panel.options };
  const at = { from: panel.from, to: panel.to, variables: panel.variables, errors };
  const Component = kind.component;
  const title = propsFor(series, options, { ...at, width, height }).replaceVariables(panel.title);
  return (
    <Painted start={start}>
      <DashboardPanel title={title} width={width} height={height} testId="scene-live">
        {(w, h) => <Component {...(propsFor(series, options, { ...at, width: w, height: h }) as PanelProps<never>)} />}
      </DashboardPanel>
    </Painted>
  );
}

/** The fleet panel over a generated fleet of n models, 28 days ending at 2026-11-05. */
export function FleetScene({ models }: { models: number }) {
  const to = Date.UTC(2026, 10, 5);
  const from = to - 28 * 86_400_000;
  const [series] = useState(() => syntheticFleet(models, to));
  const [start] = useState(() => performance.now());
  const { width, height } = size(24, 14);
  return (
    <Painted start={start}>
      <DashboardPanel
        title={`Model fleet · ${models} generated models`}
        width={width}
        height={height}
        testId="scene-fleet"
      >
        {(w, h) => <FleetPanel {...propsFor(series, DEFAULT_FLEET_OPTIONS, { from, to, width: w, height: h })} />}
      </DashboardPanel>
    </Painted>
  );
}
