/**
 * The query model and the data source settings, exactly as docs/contract.md states them.
 * Change both sides (pkg/ and src/) together.
 */
import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

export const QUERY_TYPES = ['drift', 'driftHeatmap', 'distribution', 'dataQuality', 'performance', 'estimatedPerformance', 'diagnosis'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

export const METRICS = ['auto', 'psi', 'js', 'kl', 'hellinger', 'linf', 'wasserstein', 'ks', 'chi2', 'ztest'] as const;
export type Metric = (typeof METRICS)[number];

export interface RangeReference {
  type: 'range';
  /** RFC 3339 */
  from: string;
  /** RFC 3339 */
  to: string;
}
export interface TrailingReference {
  type: 'trailing';
  windows: number;
}
export interface TableReference {
  type: 'table';
  table: string;
}
export type Reference = RangeReference | TrailingReference | TableReference;
export type ReferenceType = Reference['type'];

export interface Segment {
  column: string;
  value: string;
}

export interface MMQuery extends DataQuery {
  queryType?: QueryType;
  /** A model id, or "" / "*" for all models. */
  model?: string;
  /** Feature names; empty = every feature of the model. */
  features?: string[];
  metric?: Metric;
  /** Go-style duration with d and w allowed ("15m", "1h", "1d", "1w"), or "auto". */
  window?: string;
  reference?: Reference;
  segment?: Segment;
  /** Quantile bins of numeric features (default 10). */
  bins?: number;
  /** Overrides the metric's default threshold. */
  threshold?: number;
  /** performance / estimatedPerformance: score >= this predicts the positive class (default 0.5). */
  decisionThreshold?: number;
}

export const DEFAULT_BINS = 10;
export const DEFAULT_TRAILING_WINDOWS = 7;

export const DEFAULT_QUERY: Partial<MMQuery> = {
  queryType: 'drift',
  model: '',
  features: [],
  metric: 'auto',
  window: 'auto',
  reference: { type: 'trailing', windows: DEFAULT_TRAILING_WINDOWS },
};

export const ENGINES = ['duckdb', 'postgres', 'spark'] as const;
export type Engine = (typeof ENGINES)[number];

/** jsonData of the data source. Every field is optional; DEFAULT_SETTINGS holds the defaults. */
export interface MMDataSourceOptions extends DataSourceJsonData {
  engine?: Engine;
  path?: string;
  table?: string;
  timeColumn?: string;
  modelColumn?: string;
  versionColumn?: string;
  predictionIdColumn?: string;
  featureColumns?: string[];
  featureMapColumn?: string;
  predictionColumn?: string;
  scoreColumn?: string;
  labelColumn?: string;
  segmentColumns?: string[];
  labelsTable?: string;
  registryTable?: string;
  minSamples?: number;
  queryTimeoutSeconds?: number;
  /** DuckDB memory_limit in MB; beyond it DuckDB spills to disk. */
  memoryLimitMB?: number;
}

export interface MMSecureJsonData {
  password?: string;
}

export const DEFAULT_SETTINGS: Required<Omit<MMDataSourceOptions, keyof DataSourceJsonData>> = {
  engine: 'duckdb',
  path: 'demo/modelmon.duckdb',
  table: 'inference_log',
  timeColumn: 'ts',
  modelColumn: 'model_id',
  versionColumn: 'model_version',
  predictionIdColumn: 'prediction_id',
  featureColumns: [],
  featureMapColumn: '',
  predictionColumn: 'prediction',
  scoreColumn: 'score',
  labelColumn: '',
  segmentColumns: ['region', 'channel'],
  labelsTable: 'inference_label',
  registryTable: 'model_registry',
  minSamples: 100,
  queryTimeoutSeconds: 60,
  memoryLimitMB: 4096,
};

/** Resource `models`. */
export interface ModelInfo {
  id: string;
  versions?: string[];
  task?: string;
  tier?: string;
}

export type FeatureType = 'numeric' | 'categorical' | 'binary' | string;

/** Resource `features?model=`. */
export interface FeatureInfo {
  name: string;
  type: FeatureType;
  importance?: number | null;
}

/** Template variable query (variable support). */
export type VariableQueryType = 'models' | 'features' | 'segments' | 'segmentValues';
export interface MMVariableQuery extends DataQuery {
  type: VariableQueryType;
  /** for `features`: the model (may be a variable such as $model) */
  model?: string;
  /** for `segmentValues`: the segment column */
  column?: string;
}
