/** Pure helpers of the data source settings (ConfigEditor): validation of identifiers and numbers. */
import { IDENTIFIER_RE } from './query';
import {
  AVAILABLE_ENGINES,
  DEFAULT_SETTINGS,
  MAX_CACHE_MB,
  MAX_CACHE_SETTLE_MINUTES,
  MAX_CONCURRENT_QUERIES,
  MAX_CONNECTIONS,
  MAX_PORT,
  MMDataSourceOptions,
  MMSecureJsonData,
  SSL_MODES,
} from './types';

export type IdentifierKey =
  | 'table'
  | 'timeColumn'
  | 'modelColumn'
  | 'versionColumn'
  | 'predictionIdColumn'
  | 'featureMapColumn'
  | 'predictionColumn'
  | 'scoreColumn'
  | 'labelColumn'
  | 'labelsTable'
  | 'registryTable';

export type ListKey = 'featureColumns' | 'segmentColumns';
export type NumberKey =
  | 'minSamples'
  | 'queryTimeoutSeconds'
  | 'memoryLimitMB'
  | 'port'
  | 'maxConnections'
  | 'maxConcurrentQueries'
  | 'cacheMB'
  | 'cacheSettleMinutes';
/** Free text settings: no identifier rule (a path, a host name, a label value, …). */
export type TextKey = 'path' | 'positiveLabel' | 'host' | 'database' | 'user' | 'sparkUrl' | 'cacheDir';
export type SettingsKey = IdentifierKey | ListKey | NumberKey | TextKey | 'engine' | 'sslMode' | 'tlsCACert' | 'token';

export const IDENTIFIER_KEYS: IdentifierKey[] = [
  'table',
  'timeColumn',
  'modelColumn',
  'versionColumn',
  'predictionIdColumn',
  'featureMapColumn',
  'predictionColumn',
  'scoreColumn',
  'labelColumn',
  'labelsTable',
  'registryTable',
];

export function identifierError(value: string | undefined): string | undefined {
  if (value === undefined || value === '') {
    return undefined; // empty = default
  }
  if (!IDENTIFIER_RE.test(value)) {
    return `"${value}" is not a plain identifier: use letters, digits and _, not starting with a digit.`;
  }
  return undefined;
}

/** Parses a comma/space separated list of identifiers as typed in the editor. */
export function parseIdentifierList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A whole number from min to max, or undefined (not set). */
function wholeNumberIn(v: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return v === undefined || (Number.isInteger(v) && v >= min && v <= max);
}

/**
 * Explains every invalid setting, by key; {} when the settings are valid. The rules are the backend's
 * (pkg/settings): plain identifiers, numbers in range, an engine this version runs and, for PostgreSQL, the
 * connection fields it needs. `secure` is what the user typed into the secret fields (not what is stored).
 */
export function validateSettings(
  jsonData: MMDataSourceOptions,
  secure: MMSecureJsonData = {}
): Partial<Record<SettingsKey, string>> {
  const errors: Partial<Record<SettingsKey, string>> = {};
  for (const key of IDENTIFIER_KEYS) {
    const e = identifierError(jsonData[key]);
    if (e) {
      errors[key] = e;
    }
  }
  for (const key of ['featureColumns', 'segmentColumns'] as ListKey[]) {
    const bad = (jsonData[key] ?? []).filter((c) => !IDENTIFIER_RE.test(c));
    if (bad.length > 0) {
      errors[key] = `Not plain identifiers: ${bad.map((b) => `"${b}"`).join(', ')}.`;
    }
  }
  if (!wholeNumberIn(jsonData.minSamples, 1)) {
    errors.minSamples = 'The minimum sample size must be a whole number of at least 1.';
  }
  if (
    jsonData.queryTimeoutSeconds !== undefined &&
    (!Number.isFinite(jsonData.queryTimeoutSeconds) || jsonData.queryTimeoutSeconds <= 0)
  ) {
    errors.queryTimeoutSeconds = 'The time-out must be a number of seconds above 0.';
  }
  if (!wholeNumberIn(jsonData.memoryLimitMB, 64)) {
    errors.memoryLimitMB = 'The memory limit must be a whole number of MB, at least 64.';
  }
  Object.assign(errors, cacheErrors(jsonData));
  if (jsonData.featureMapColumn && (jsonData.featureColumns ?? []).length > 0) {
    errors.featureMapColumn =
      'Use either wide feature columns or one MAP/JSON feature column, not both: clear one of the two.';
  }
  if (jsonData.engine && !AVAILABLE_ENGINES.includes(jsonData.engine)) {
    errors.engine = `The ${jsonData.engine} engine is not available: use DuckDB, PostgreSQL or Spark.`;
  }
  if (jsonData.engine === 'postgres') {
    Object.assign(errors, postgresErrors(jsonData, secure));
  }
  if (jsonData.engine === 'spark') {
    Object.assign(errors, sparkErrors(jsonData));
  }
  return errors;
}

/** The window cache: sizes in range and a cache directory that is absolute (the backend runs on Linux) and not the
 * DuckDB store's path (the backend also rejects a directory whose cache files a path glob would read). */
function cacheErrors(jsonData: MMDataSourceOptions): Partial<Record<SettingsKey, string>> {
  const errors: Partial<Record<SettingsKey, string>> = {};
  if (!wholeNumberIn(jsonData.cacheMB, 0, MAX_CACHE_MB)) {
    errors.cacheMB = `The cache size must be a whole number of MB from 0 (no reuse) to ${MAX_CACHE_MB}.`;
  }
  if (!wholeNumberIn(jsonData.cacheSettleMinutes, 0, MAX_CACHE_SETTLE_MINUTES)) {
    errors.cacheSettleMinutes = `The settle time must be a whole number of minutes from 0 to ${MAX_CACHE_SETTLE_MINUTES} (a year).`;
  }
  const dir = jsonData.cacheDir?.trim() ?? '';
  if (dir !== '' && !dir.startsWith('/')) {
    errors.cacheDir = 'The cache directory must be an absolute path, such as /var/lib/grafana/modelmonitor-cache.';
  } else if (dir !== '' && (jsonData.engine ?? 'duckdb') === 'duckdb' && dir === jsonData.path?.trim()) {
    errors.cacheDir = 'The cache directory must not be the store: choose a directory of its own.';
  }
  return errors;
}

/** sc://host[:port] with optional /;name=value;… parameters, as the backend's ParseSparkURL reads it. */
const SPARK_URL_RE = /^sc:\/\/[^/:;\s]+(:\d{1,5})?(\/(;[^;=\s]+=[^;\s]*)*;?)?$/;

/** The Spark connection: a Spark Connect URL (without a token, which is a secret), a concurrency bound in range
 * and a schema that is a plain identifier. */
function sparkErrors(jsonData: MMDataSourceOptions): Partial<Record<SettingsKey, string>> {
  const errors: Partial<Record<SettingsKey, string>> = {};
  const url = jsonData.sparkUrl?.trim() ?? '';
  if (url === '') {
    errors.sparkUrl = 'Spark needs the Spark Connect address, sc://host:port.';
  } else if (/[/;]token=/i.test(url)) {
    errors.sparkUrl = 'Put the token in the Token field (stored encrypted), not in the URL.';
  } else if (!SPARK_URL_RE.test(url)) {
    errors.sparkUrl = 'Write the address as sc://host:port, optionally followed by /;name=value;…';
  }
  if (!wholeNumberIn(jsonData.maxConcurrentQueries, 1, MAX_CONCURRENT_QUERIES)) {
    errors.maxConcurrentQueries = `The number of concurrent queries must be a whole number from 1 to ${MAX_CONCURRENT_QUERIES}.`;
  }
  const db = identifierError(jsonData.database);
  if (db) {
    errors.database = db;
  }
  return errors;
}

/** The PostgreSQL connection: host, database and user are needed; port, SSL mode, pool size and CA in range. */
function postgresErrors(jsonData: MMDataSourceOptions, secure: MMSecureJsonData): Partial<Record<SettingsKey, string>> {
  const errors: Partial<Record<SettingsKey, string>> = {};
  for (const [key, what] of [
    ['host', 'the server host name or address'],
    ['database', 'the database name'],
    ['user', 'the user name'],
  ] as const) {
    if (!jsonData[key]?.trim()) {
      errors[key] = `PostgreSQL needs ${what}.`;
    }
  }
  if (!wholeNumberIn(jsonData.port, 1, MAX_PORT)) {
    errors.port = `The port must be a whole number from 1 to ${MAX_PORT}.`;
  }
  if (jsonData.sslMode !== undefined && !(SSL_MODES as readonly string[]).includes(jsonData.sslMode)) {
    errors.sslMode = `Unknown SSL mode "${jsonData.sslMode}": use ${SSL_MODES.join(', ')}.`;
  }
  if (!wholeNumberIn(jsonData.maxConnections, 1, MAX_CONNECTIONS)) {
    errors.maxConnections = `The pool size must be a whole number from 1 to ${MAX_CONNECTIONS}.`;
  }
  if (secure.tlsCACert && !secure.tlsCACert.includes('-----BEGIN CERTIFICATE-----')) {
    errors.tlsCACert = 'Paste the CA certificate in PEM form, from -----BEGIN CERTIFICATE----- to its END line.';
  }
  return errors;
}

/** The value shown as placeholder: the default the backend applies when the field is empty. */
export function defaultText(key: SettingsKey): string {
  const v = DEFAULT_SETTINGS[key as keyof typeof DEFAULT_SETTINGS];
  if (Array.isArray(v)) {
    return v.length ? v.join(', ') : '(every unmapped column)';
  }
  return v === '' ? '(none)' : String(v);
}
