/**
 * The query model and the data source settings, exactly as docs/contract.md states them.
 * Change both sides (pkg/ and src/) together.
 */
import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

export const QUERY_TYPES = [
  'drift',
  'driftHeatmap',
  'distribution',
  'dataQuality',
  'performance',
  'estimatedPerformance',
  'diagnosis',
] as const;
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

/**
 * Filter (`value`) or split (`split: true`): a split runs the query once per value of the column, the `top` values by
 * rows (default 5, 1..50), one labelled series each (label segment=<value>). `value` and `split` exclude each other.
 */
export interface Segment {
  column: string;
  /** Filter: the one value kept; "" when split. */
  value: string;
  split?: boolean;
  /** Split only: how many values (by rows), default 5, 1..50. */
  top?: number;
}

export const DEFAULT_SEGMENT_TOP = 5;
export const MAX_SEGMENT_TOP = 50;

export const THRESHOLD_MODES = ['static', 'reference', 'trailing'] as const;
/**
 * static: the metric's own threshold; reference: mean ± k·σ over the reference windows; trailing: mean ± k·σ over
 * the `history` windows before each window.
 */
export type ThresholdMode = (typeof THRESHOLD_MODES)[number];
export const THRESHOLD_OUTPUTS = ['band', 'breach'] as const;
/**
 * band: "<name> · upper" / "<name> · lower" frames next to each series; breach: each series replaced by its 0/1
 * breach signal after hysteresis.
 */
export type ThresholdOutput = (typeof THRESHOLD_OUTPUTS)[number];

/** The metric series of the performance query types (the backend's names). */
export const PERFORMANCE_METRICS = [
  'accuracy',
  'precision',
  'recall',
  'f1',
  'roc_auc',
  'log_loss',
  'ece',
  'macro_f1',
  'mae',
  'rmse',
  'mape',
  'label_coverage',
  'label_lag_p50_hours',
  'label_lag_p90_hours',
] as const;

/** diagnosis: evidence series + verdicts table (panels), or one 0/1 series per verdict cause (alert rules). */
export const DIAGNOSIS_OUTPUTS = ['evidence', 'verdicts'] as const;
export type DiagnosisOutput = (typeof DIAGNOSIS_OUTPUTS)[number];

/** Dynamic thresholds on every time series of the query (not distribution / driftHeatmap, which return tables). */
export interface Thresholds {
  mode: ThresholdMode;
  /** Half-width of the band in σ (reference, trailing): default 3, in (0, 100]. */
  k?: number;
  /** trailing: windows of history before each window, default 14, 3..365. */
  history?: number;
  /** breach: consecutive windows outside (inside) the band that turn the signal on (off), default 1, 1..100. */
  hysteresis?: number;
  output?: ThresholdOutput;
}

export const DEFAULT_THRESHOLD_K = 3;
export const MAX_THRESHOLD_K = 100;
export const DEFAULT_THRESHOLD_HISTORY = 14;
export const MIN_THRESHOLD_HISTORY = 3;
export const MAX_THRESHOLD_HISTORY = 365;
export const DEFAULT_HYSTERESIS = 1;
export const MAX_HYSTERESIS = 100;

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
  /** Dynamic thresholds: band frames (panels) or breach signals (alert rules). */
  thresholds?: Thresholds;
  /** performance / estimatedPerformance: keep only these metric series (empty = all). */
  metrics?: string[];
  /** diagnosis only (default evidence). */
  diagnosisOutput?: DiagnosisOutput;
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
/** The engines this version runs. */
export const AVAILABLE_ENGINES: Engine[] = ['duckdb', 'postgres', 'spark'];

/** PostgreSQL SSL modes as libpq names them: no TLS; TLS; TLS with a trusted CA; that and a matching host name. */
export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SSLMode = (typeof SSL_MODES)[number];
/** PostgreSQL's port range and the backend's bound on the connection pool of one data source. */
export const MAX_PORT = 65535;
export const MAX_CONNECTIONS = 32;
/** Bounds of the window cache settings (pkg/settings MaxCacheMB, MaxCacheSettleMinutes: 1 TiB, a year). */
export const MAX_CACHE_MB = 1048576;
export const MAX_CACHE_SETTLE_MINUTES = 527040;
/** The backend's bound on the Spark operations one data source runs at a time. */
export const MAX_CONCURRENT_QUERIES = 32;

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
  /** The label value of the positive class of binary models; empty = 1, true or yes (case-insensitive). */
  positiveLabel?: string;
  /** engine postgres: the server. */
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  sslMode?: SSLMode;
  /** engine postgres: connections of this data source's pool, 1..MAX_CONNECTIONS. */
  maxConnections?: number;
  /** engine spark: the Spark Connect address, sc://host[:port][/;name=value;…]. */
  sparkUrl?: string;
  /** engine spark: Spark operations this data source runs at a time, 1..MAX_CONCURRENT_QUERIES. */
  maxConcurrentQueries?: number;
  /** Window cache (docs/cache.md): MiB of kept aggregates of settled windows, 0..MAX_CACHE_MB; 0 = no reuse. */
  cacheMB?: number;
  /** Window cache: minutes after its end before a window is kept, 0..MAX_CACHE_SETTLE_MINUTES. */
  cacheSettleMinutes?: number;
  /** Window cache: absolute directory of the cache file kept across restarts; empty = memory only. */
  cacheDir?: string;
}

export interface MMSecureJsonData {
  /** engine postgres: the user's password. */
  password?: string;
  /** engines postgres and spark: PEM certificate(s) of the CA that signed the server's certificate. */
  tlsCACert?: string;
  /** engine spark: the bearer token (e.g. a Databricks personal access token); switches TLS on. */
  token?: string;
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
  positiveLabel: '',
  host: '',
  port: 5432,
  database: '',
  user: '',
  sslMode: 'require',
  maxConnections: 4,
  sparkUrl: '',
  maxConcurrentQueries: 4,
  cacheMB: 1024,
  cacheSettleMinutes: 60,
  cacheDir: '',
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
