import React, { ChangeEvent, useMemo } from 'react';
import { QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { MMDataSourceOptions, MMQuery, MMVariableQuery, VariableQueryType } from '../types';
import { migrateVariableQuery, VARIABLE_QUERY_TYPES } from '../variables';
import { SELECTORS } from '../../shared/selectors';

type Props = QueryEditorProps<DataSource, MMQuery, MMDataSourceOptions, MMVariableQuery>;

/** Editor of template-variable queries: models, features of a model, segment columns, segment values. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const q = useMemo(() => migrateVariableQuery(query), [query]);
  const update = (patch: Partial<MMVariableQuery>) => {
    const next = { ...q, ...patch };
    onChange(next);
  };
  return (
    <div data-testid={SELECTORS.variableEditor.container}>
      <InlineFieldRow>
        <InlineField label="Values of" labelWidth={16}>
          <RadioButtonGroup<VariableQueryType>
            id="mm-variable-type"
            options={VARIABLE_QUERY_TYPES}
            value={q.type}
            onChange={(type) => update({ type })}
          />
        </InlineField>
      </InlineFieldRow>
      {q.type === 'features' && (
        <InlineFieldRow>
          <InlineField
            label="Model"
            labelWidth={16}
            tooltip="A model id or a variable such as $model"
            invalid={!q.model}
            error="Enter the model whose features to list (e.g. churn or $model)."
          >
            <Input
              id="mm-variable-model"
              width={30}
              placeholder="$model"
              value={q.model ?? ''}
              onChange={(e: ChangeEvent<HTMLInputElement>) => update({ model: e.currentTarget.value })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      {q.type === 'segmentValues' && (
        <InlineFieldRow>
          <InlineField
            label="Segment column"
            labelWidth={16}
            tooltip="A segment column such as region, or a variable"
            invalid={!q.column}
            error="Enter the segment column whose values to list (e.g. region)."
          >
            <Input
              id="mm-variable-column"
              width={30}
              placeholder="region"
              value={q.column ?? ''}
              onChange={(e: ChangeEvent<HTMLInputElement>) => update({ column: e.currentTarget.value })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
    </div>
  );
}
