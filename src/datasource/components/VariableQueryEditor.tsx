import React, { ChangeEvent, useMemo } from 'react';
import { QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { MMDataSourceOptions, MMQuery, MMVariableQuery, VariableQueryType } from '../types';
import { migrateVariableQuery, VARIABLE_QUERY_TYPES } from '../variables';
import { SELECTORS } from '../../shared/selectors';

type Props = QueryEditorProps<DataSource, MMQuery, MMDataSourceOptions, MMVariableQuery>;

/** The one text parameter a variable query type needs, if any. */
interface Parameter {
  key: 'model' | 'column';
  id: string;
  label: string;
  tooltip: string;
  placeholder: string;
  error: string;
}

/**
 * The parameter field of each query type that has one. A table rather than one JSX block per type: the model of a
 * features variable and the column of a segment-values variable are the same kind of required text field.
 */
const PARAMETERS: Partial<Record<VariableQueryType, Parameter>> = {
  features: {
    key: 'model',
    id: 'mm-variable-model',
    label: 'Model',
    tooltip: 'A model id or a variable such as $model',
    placeholder: '$model',
    error: 'Enter the model whose features to list (e.g. churn or $model).',
  },
  segmentValues: {
    key: 'column',
    id: 'mm-variable-column',
    label: 'Segment column',
    tooltip: 'A segment column such as region, or a variable',
    placeholder: 'region',
    error: 'Enter the segment column whose values to list (e.g. region).',
  },
};

/** Editor of template-variable queries: models, features of a model, segment columns, segment values. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const q = useMemo(() => migrateVariableQuery(query), [query]);
  const update = (patch: Partial<MMVariableQuery>) => {
    const next = { ...q, ...patch };
    onChange(next);
  };
  const param = PARAMETERS[q.type];
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
      {param && (
        <InlineFieldRow key={param.id}>
          <InlineField
            label={param.label}
            labelWidth={16}
            tooltip={param.tooltip}
            invalid={!q[param.key]}
            error={param.error}
          >
            <Input
              id={param.id}
              width={30}
              placeholder={param.placeholder}
              value={q[param.key] ?? ''}
              onChange={(e: ChangeEvent<HTMLInputElement>) => update({ [param.key]: e.currentTarget.value })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
    </div>
  );
}
