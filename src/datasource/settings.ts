/** Pure helpers of the data source settings (ConfigEditor): validation of identifiers and numbers. */
import { IDENTIFIER_RE } from './query';
import { DEFAULT_SETTINGS, MMDataSourceOptions } from './types';

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
export type NumberKey = 'minSamples' | 'queryTimeoutSeconds' | 'memoryLimitMB';
export type SettingsKey = IdentifierKey | ListKey | NumberKey | 'path' | 'engine';

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

export function validateSettings(jsonData: MMDataSourceOptions): Partial<Record<SettingsKey, string>> {
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
  if (jsonData.minSamples !== undefined && (!Number.isInteger(jsonData.minSamples) || jsonData.minSamples < 1)) {
    errors.minSamples = 'The minimum sample size must be a whole number of at least 1.';
  }
  if (
    jsonData.queryTimeoutSeconds !== undefined &&
    (!Number.isFinite(jsonData.queryTimeoutSeconds) || jsonData.queryTimeoutSeconds <= 0)
  ) {
    errors.queryTimeoutSeconds = 'The time-out must be a number of seconds above 0.';
  }
  if (
    jsonData.memoryLimitMB !== undefined &&
    (!Number.isInteger(jsonData.memoryLimitMB) || jsonData.memoryLimitMB < 64)
  ) {
    errors.memoryLimitMB = 'The memory limit must be a whole number of MB, at least 64.';
  }
  if (jsonData.featureMapColumn && (jsonData.featureColumns ?? []).length > 0) {
    errors.featureMapColumn =
      'Use either wide feature columns or one MAP/JSON feature column, not both: clear one of the two.';
  }
  if (jsonData.engine && jsonData.engine !== 'duckdb') {
    errors.engine = `The ${jsonData.engine} engine is not available yet: only DuckDB runs in this version.`;
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
