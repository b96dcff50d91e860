/** Pure builders of the query editor's pick-lists from the resource answers and the dashboard's variables. */
import type { ComboboxOption } from '@grafana/ui';

import { FeatureInfo, ModelInfo } from '../types';

function variableOptions(variables: string[], description: string): Array<ComboboxOption<string>> {
  return variables.map((v) => ({ value: v, label: v, description }));
}

/** Keeps a stored value selectable even when the resource does not list it (yet). */
function withCurrent(options: Array<ComboboxOption<string>>, current: string[]): Array<ComboboxOption<string>> {
  const out = [...options];
  for (const c of current) {
    if (c && !out.some((o) => o.value === c)) {
      out.push({ value: c, label: c });
    }
  }
  return out;
}

export function modelOptions(models: ModelInfo[], variables: string[], current = ''): Array<ComboboxOption<string>> {
  return withCurrent(
    [
      { value: '', label: 'All models' },
      ...models.map((m) => ({
        value: m.id,
        label: m.id,
        description: [m.task, m.tier, m.versions?.length ? `versions ${m.versions.join(', ')}` : '']
          .filter(Boolean)
          .join(' · '),
      })),
      ...variableOptions(variables, 'Template variable'),
    ],
    [current]
  );
}

export function featureOptions(
  features: FeatureInfo[],
  variables: string[],
  current: string[] = []
): Array<ComboboxOption<string>> {
  return withCurrent(
    [
      ...features.map((f) => ({
        value: f.name,
        label: f.name,
        description: `${f.type}${f.importance !== undefined && f.importance !== null ? ` · importance ${f.importance}` : ''}`,
      })),
      ...variableOptions(variables, 'Template variable (multi-value expands)'),
    ],
    current
  );
}

export function listOptions(values: string[], variables: string[], current = ''): Array<ComboboxOption<string>> {
  return withCurrent(
    [...values.map((v) => ({ value: v, label: v })), ...variableOptions(variables, 'Template variable')],
    [current]
  );
}
