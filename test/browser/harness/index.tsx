/**
 * Browser-check harness: mounts the real panel and editor components with @grafana/ui theming and the recorded
 * backend frames (src/__fixtures__/frames).
 * ?scene=distribution|heatmap|heatmap200|editors|config-postgres|messages&theme=light|dark
 * Live frames (live.tsx): ?scene=live&panel=<dashboard uid>/<panel index> renders a provisioned dashboard's panel
 * from the frames the running plugin returned through the host; ?scene=fleet&models=N the fleet panel over N
 * generated models.
 * Drill-downs go through Grafana's locationService; every location change is recorded in window.__mmLocations.
 */
import React, { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { css } from '@emotion/css';
import {
  colorManipulator,
  createTheme,
  DataFrame,
  DataSourceSettings,
  FieldType,
  GrafanaTheme2,
  PanelProps,
  toDataFrame,
} from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { GlobalStyles, ThemeContext } from '@grafana/ui';

import { loadFrames, panelProps } from '../../../src/__fixtures__/fixtures';
import { ConfigEditor } from '../../../src/datasource/components/ConfigEditor';
import { QueryEditor } from '../../../src/datasource/components/QueryEditor';
import type { DataSource } from '../../../src/datasource/datasource';
import { MMDataSourceOptions, MMQuery, MMSecureJsonData } from '../../../src/datasource/types';
import { DistributionPanel } from '../../../src/panels/distribution/DistributionPanel';
import { DEFAULT_DISTRIBUTION_OPTIONS, DistributionOptions } from '../../../src/panels/distribution/types';
import { DriftHeatmapPanel } from '../../../src/panels/driftheatmap/DriftHeatmapPanel';
import { HEATMAP_FRAME_KIND, HEATMAP_FRAME_TYPE } from '../../../src/panels/driftheatmap/pivot';
import { DEFAULT_HEATMAP_OPTIONS, HeatmapOptions } from '../../../src/panels/driftheatmap/types';
import { FleetScene, LiveScene } from './live';

declare global {
  interface Window {
    __mmLocations: string[];
    __mmReady: boolean;
    /** WCAG contrast ratio of a colour (alpha composited onto the background) against the background. */
    __mmContrast: (foreground: string, background: string) => number;
  }
}

const params = new URLSearchParams(window.location.search);
const scene = params.get('scene') ?? 'distribution';
const mode = params.get('theme') === 'light' ? 'light' : 'dark';
const theme = createTheme({ colors: { mode } });

window.__mmLocations = [];
window.__mmContrast = (foreground, background) =>
  colorManipulator.getContrastRatio(colorManipulator.onBackground(foreground, background).toRgbString(), background);
locationService.getHistory().listen((location) => {
  window.__mmLocations.push(`${location.pathname}${location.search}`);
});

function PanelFrame(props: {
  title: string;
  width: number;
  height: number;
  testId: string;
  children: React.ReactNode;
}) {
  const s = getStyles(theme);
  return (
    <section className={s.panel} style={{ width: props.width }} data-testid={props.testId} aria-label={props.title}>
      <header className={s.title}>{props.title}</header>
      <div style={{ height: props.height }}>{props.children}</div>
    </section>
  );
}

function Distribution({
  title,
  testId,
  series,
  options,
}: {
  title: string;
  testId: string;
  series: DataFrame[];
  options: Partial<DistributionOptions>;
}) {
  const width = 900;
  const height = 380;
  const props = panelProps<DistributionOptions>(
    series,
    { ...DEFAULT_DISTRIBUTION_OPTIONS, ...options },
    { width, height }
  );
  return (
    <PanelFrame title={title} width={width} height={height} testId={testId}>
      <DistributionPanel {...(props as PanelProps<DistributionOptions>)} />
    </PanelFrame>
  );
}

function Heatmap({
  title,
  testId,
  series,
  width,
  height,
  options = {},
}: {
  title: string;
  testId: string;
  series: DataFrame[];
  width: number;
  height: number;
  options?: Partial<HeatmapOptions>;
}) {
  const props = panelProps<HeatmapOptions>(series, { ...DEFAULT_HEATMAP_OPTIONS, ...options }, { width, height });
  return (
    <PanelFrame title={title} width={width} height={height} testId={testId}>
      <DriftHeatmapPanel {...(props as PanelProps<HeatmapOptions>)} />
    </PanelFrame>
  );
}

/** 200 features × 30 daily windows, a few drifting: the "fleet-sized model" readability case. */
function syntheticHeatmap(features = 200, windows = 30): DataFrame {
  const time: number[] = [];
  const model: string[] = [];
  const feature: string[] = [];
  const importance: number[] = [];
  const value: Array<number | null> = [];
  const threshold: number[] = [];
  const drift: Array<boolean | null> = [];
  const currentCount: number[] = [];
  const referenceCount: number[] = [];
  const start = Date.UTC(2026, 9, 1);
  for (let f = 0; f < features; f++) {
    for (let w = 0; w < windows; w++) {
      const base = ((f * 37 + w * 11) % 100) / 1000; // 0 … 0.099
      const drifting = f % 23 === 4 && w >= 18;
      const v = f % 41 === 7 && w % 9 === 3 ? null : drifting ? 0.1 + (w - 18) * 0.015 : base;
      time.push(start + w * 86_400_000);
      model.push('fleet_model');
      feature.push(`feature_${String(f).padStart(3, '0')}_${['amount', 'count', 'ratio', 'category'][f % 4]}`);
      importance.push(Math.round((1 - f / features) * 1000) / 1000);
      value.push(v);
      threshold.push(0.1);
      drift.push(v === null ? null : v >= 0.1);
      currentCount.push(v === null ? 42 : 5000 + ((f * w) % 700));
      referenceCount.push(35000);
    }
  }
  return toDataFrame({
    name: 'drift heatmap',
    fields: [
      { name: 'time', type: FieldType.time, values: time },
      { name: 'model', type: FieldType.string, values: model },
      { name: 'feature', type: FieldType.string, values: feature },
      { name: 'importance', type: FieldType.number, values: importance },
      { name: 'metric', type: FieldType.string, values: time.map(() => 'psi') },
      { name: 'value', type: FieldType.number, values: value },
      { name: 'threshold', type: FieldType.number, values: threshold },
      { name: 'drift', type: FieldType.boolean, values: drift },
      { name: 'currentCount', type: FieldType.number, values: currentCount },
      { name: 'referenceCount', type: FieldType.number, values: referenceCount },
    ],
    meta: {
      type: HEATMAP_FRAME_TYPE,
      custom: {
        kind: HEATMAP_FRAME_KIND,
        metric: 'psi',
        threshold: 0.1,
        thresholdDirection: 'above',
        windowSeconds: 86400,
      },
      notices: [{ severity: 'info', text: 'Some windows have fewer than 100 rows: no value (hatched).' }],
    },
  });
}

/** A distribution frame without rows, as the backend returns it for a window below minSamples. */
function emptyDistribution(): DataFrame {
  return toDataFrame({
    name: 'churn · age',
    fields: ['bin', 'lower', 'upper', 'reference', 'current', 'referenceCount', 'currentCount', 'contribution'].map(
      (name) => ({ name, type: name === 'bin' ? FieldType.string : FieldType.number, values: [] })
    ),
    meta: {
      custom: {
        model: 'churn',
        feature: 'age',
        metric: 'psi',
        value: null,
        threshold: 0.2,
        referenceRows: 48002,
        currentRows: 35,
      },
      notices: [{ severity: 'info', text: 'churn · age: 35 rows in the window, below the minimum of 100: no value.' }],
    },
  });
}

/** A stand-in for the backend's resources, answering from the recorded frames. */
function fakeDatasource(): DataSource {
  const heat = loadFrames('driftHeatmap')[0];
  const names = heat.fields.find((f) => f.name === 'feature')!.values as string[];
  const imps = heat.fields.find((f) => f.name === 'importance')!.values as Array<number | null>;
  const types = new Map(
    loadFrames('distribution').map((f) => [String(f.meta?.custom?.feature), String(f.meta?.custom?.featureType)])
  );
  const features = [...new Set(names)].map((name) => ({
    name,
    type: types.get(name) ?? 'numeric',
    importance: imps[names.indexOf(name)],
  }));
  return {
    getModels: async () => [{ id: 'churn', versions: ['v3'], task: 'binary', tier: 'critical' }],
    getFeatures: async () => features,
    getSegmentColumns: async () => ['region', 'channel'],
    getSegmentValues: async () => ['APAC', 'EU', 'LATAM', 'NA'],
  } as unknown as DataSource;
}

function Editors() {
  const s = getStyles(theme);
  const [query, setQuery] = useState<MMQuery>({
    refId: 'A',
    queryType: 'drift',
    model: 'churn',
    features: ['monthly_charges'],
    metric: 'ztest',
    window: '1d',
    reference: { type: 'range', from: '2026-10-08T00:00:00Z', to: '2026-10-01T00:00:00Z' },
    segment: { column: 'region', value: 'EU' },
  });
  // The segment split and dynamic thresholds controls: split by region (top 8), trailing thresholds as breach signals.
  const [splitQuery, setSplitQuery] = useState<MMQuery>({
    refId: 'B',
    queryType: 'drift',
    model: 'churn',
    features: [],
    metric: 'psi',
    window: '1d',
    reference: { type: 'trailing', windows: 7 },
    segment: { column: 'region', value: '', split: true, top: 8 },
    thresholds: { mode: 'trailing', k: 3, history: 14, hysteresis: 2, output: 'breach' },
  });
  const [settings, setSettings] = useState({
    id: 1,
    uid: 'mm',
    orgId: 1,
    name: 'Model Monitor',
    type: 'aiops-modelmonitor-datasource',
    jsonData: { path: 'demo/modelmon.duckdb', timeColumn: 'served at' },
    secureJsonFields: {},
    secureJsonData: {},
  } as unknown as DataSourceSettings<MMDataSourceOptions, MMSecureJsonData>);
  const [datasource] = useState(fakeDatasource);
  return (
    <div className={s.editors}>
      <PanelFrame title="Query editor" width={1100} height={430} testId="scene-query-editor">
        <div className={s.pad}>
          <QueryEditor datasource={datasource} query={query} onChange={setQuery} onRunQuery={() => {}} />
        </div>
      </PanelFrame>
      <PanelFrame
        title="Query editor — segment split and thresholds"
        width={1100}
        height={260}
        testId="scene-query-editor-split"
      >
        <div className={s.pad}>
          <QueryEditor datasource={datasource} query={splitQuery} onChange={setSplitQuery} onRunQuery={() => {}} />
        </div>
      </PanelFrame>
      <PanelFrame title="Data source settings" width={1100} height={1900} testId="scene-config-editor">
        <div className={s.pad}>
          <ConfigEditor options={settings} onOptionsChange={setSettings} />
        </div>
      </PanelFrame>
    </div>
  );
}

/** The settings of a PostgreSQL store: the user is missing, the port out of range, the password saved. */
function PostgresSettings() {
  const s = getStyles(theme);
  const [settings, setSettings] = useState({
    id: 2,
    uid: 'mm-pg',
    orgId: 1,
    name: 'Model Monitor (PostgreSQL)',
    type: 'aiops-modelmonitor-datasource',
    jsonData: { engine: 'postgres', host: 'db.internal', database: 'monitoring', sslMode: 'verify-full', port: 0 },
    secureJsonFields: { password: true },
    secureJsonData: {},
  } as unknown as DataSourceSettings<MMDataSourceOptions, MMSecureJsonData>);
  return (
    <PanelFrame title="Data source settings — PostgreSQL" width={1100} height={1700} testId="scene-config-postgres">
      <div className={s.pad}>
        <ConfigEditor options={settings} onOptionsChange={setSettings} />
      </div>
    </PanelFrame>
  );
}

function Scene() {
  const s = getStyles(theme);
  switch (scene) {
    case 'live':
      return <LiveScene panelKey={params.get('panel') ?? ''} />;
    case 'fleet':
      return <FleetScene models={Number(params.get('models') ?? 52)} />;
    case 'heatmap':
      return (
        <Heatmap
          title="Drift heatmap — churn (recorded driftHeatmap frame)"
          testId="scene-heatmap"
          series={loadFrames('driftHeatmap')}
          width={1100}
          height={560}
        />
      );
    case 'heatmap200':
      return (
        <Heatmap
          title="Drift heatmap — 200 features × 30 windows"
          testId="scene-heatmap200"
          series={[syntheticHeatmap()]}
          width={1100}
          height={600}
        />
      );
    case 'editors':
      return <Editors />;
    case 'config-postgres':
      return <PostgresSettings />;
    case 'messages':
      return (
        <div className={s.stack}>
          <Distribution
            title="Distribution panel given heatmap frames"
            testId="scene-wrong-shape"
            series={loadFrames('driftHeatmap')}
            options={{}}
          />
          <Heatmap title="Heatmap without data" testId="scene-empty" series={[]} width={900} height={160} />
          <Distribution
            title="Distribution of a window below the minimum sample size"
            testId="scene-empty-distribution"
            series={[emptyDistribution()]}
            options={{}}
          />
        </div>
      );
    default:
      return (
        <div className={s.stack}>
          <Distribution
            title="Distribution — first frame"
            testId="scene-distribution-first"
            series={loadFrames('distribution')}
            options={{ frameSelection: 'first' }}
          />
          <Distribution
            title="Distribution — last frame"
            testId="scene-distribution-last"
            series={loadFrames('distribution')}
            options={{ frameSelection: 'last' }}
          />
        </div>
      );
  }
}

const getStyles = (t: GrafanaTheme2) => ({
  page: css({ padding: t.spacing(2), minHeight: '100vh', background: t.colors.background.canvas }),
  panel: css({
    background: t.colors.background.primary,
    border: `1px solid ${t.colors.border.weak}`,
    borderRadius: t.shape.radius.default,
    overflow: 'hidden',
  }),
  title: css({
    height: 32,
    padding: t.spacing(0, 1),
    display: 'flex',
    alignItems: 'center',
    fontWeight: t.typography.fontWeightMedium,
    color: t.colors.text.primary,
  }),
  stack: css({ display: 'flex', flexDirection: 'column', gap: t.spacing(2) }),
  editors: css({ display: 'flex', flexDirection: 'column', gap: t.spacing(2) }),
  pad: css({ padding: t.spacing(1) }),
});

function Page() {
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <main className={getStyles(theme).page} data-theme={mode}>
        <Scene />
      </main>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<Page />);
window.__mmReady = true;
