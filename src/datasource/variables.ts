/** Pure helpers of the template-variable support: which resource a variable query reads and how to list it. */
import { FeatureInfo, MMVariableQuery, ModelInfo, VariableQueryType } from './types';

export const VARIABLE_QUERY_TYPES: Array<{ value: VariableQueryType; label: string; description: string }> = [
  { value: 'models', label: 'Models', description: 'Every model id in the inference log' },
  { value: 'features', label: 'Features', description: 'The features of one model (may be $model)' },
  { value: 'segments', label: 'Segment columns', description: 'The configured segment columns' },
  { value: 'segmentValues', label: 'Segment values', description: 'The values of one segment column' },
];

export interface ResourceRequest {
  path: string;
  params?: Record<string, string>;
}

/** Migrates a stored variable query (or the legacy string form "models", "features(churn)", "segments(region)"). */
export function migrateVariableQuery(q: Partial<MMVariableQuery> | string | undefined): MMVariableQuery {
  if (typeof q === 'string') {
    const m = q.trim().match(/^(\w+)\s*(?:\(\s*([^)]*)\s*\))?$/);
    const name = m?.[1] ?? '';
    const arg = m?.[2]?.trim();
    if (name === 'features') {
      return { refId: 'variable', type: 'features', model: arg ?? '' };
    }
    if ((name === 'segments' || name === 'segmentValues') && arg) {
      return { refId: 'variable', type: 'segmentValues', column: arg };
    }
    if (name === 'segments') {
      return { refId: 'variable', type: 'segments' };
    }
    return { refId: 'variable', type: 'models' };
  }
  return {
    refId: q?.refId ?? 'variable',
    type: q?.type ?? 'models',
    model: q?.model,
    column: q?.column,
  };
}

/** The resource request of a variable query, after interpolation; undefined when a required argument is missing. */
export function variableResource(q: MMVariableQuery): ResourceRequest | undefined {
  switch (q.type) {
    case 'models':
      return { path: 'models' };
    case 'features':
      return q.model ? { path: 'features', params: { model: q.model } } : undefined;
    case 'segments':
      return { path: 'segments' };
    case 'segmentValues':
      return q.column ? { path: 'segments', params: { column: q.column } } : undefined;
    default:
      return undefined;
  }
}

export interface VariableValue {
  text: string;
  value: string;
}

/** Lists the values of a resource answer (models, features or segments) as variable values. */
export function resourceToValues(answer: unknown): VariableValue[] {
  if (!Array.isArray(answer)) {
    return [];
  }
  const out: VariableValue[] = [];
  for (const item of answer) {
    let name: string | undefined;
    if (typeof item === 'string' || typeof item === 'number') {
      name = String(item);
    } else if (item && typeof item === 'object') {
      const o = item as Partial<ModelInfo & FeatureInfo>;
      name = o.id ?? o.name;
    }
    if (name !== undefined && !out.some((v) => v.value === name)) {
      out.push({ text: name, value: name });
    }
  }
  return out;
}
