import React, { ChangeEvent } from 'react';
import { css } from '@emotion/css';
import { DataSourcePluginOptionsEditorProps, GrafanaTheme2, SelectableValue } from '@grafana/data';
import { Field, FieldSet, Input, RadioButtonGroup, SecretInput, TagsInput, Text, useStyles2 } from '@grafana/ui';

import { defaultText, IdentifierKey, NumberKey, validateSettings } from '../settings';
import { DEFAULT_SETTINGS, Engine, MMDataSourceOptions, MMSecureJsonData } from '../types';
import { SELECTORS } from '../../shared/selectors';

type Props = DataSourcePluginOptionsEditorProps<MMDataSourceOptions, MMSecureJsonData>;

const ENGINE_OPTIONS: Array<SelectableValue<Engine>> = [
  { value: 'duckdb', label: 'DuckDB', description: 'Embedded: a DuckDB file, or Parquet/CSV files' },
  { value: 'postgres', label: 'PostgreSQL (coming)', description: 'PostgreSQL / TimescaleDB server: coming next' },
  { value: 'spark', label: 'Spark (coming)', description: 'Apache Spark through Spark Connect: coming next' },
];

interface IdentifierFieldSpec {
  key: IdentifierKey;
  label: string;
  description: string;
}

const LOG_COLUMNS: IdentifierFieldSpec[] = [
  { key: 'table', label: 'Inference log table', description: 'One row per prediction' },
  { key: 'timeColumn', label: 'Timestamp column', description: 'When the prediction was served' },
  { key: 'modelColumn', label: 'Model id column', description: 'Which model answered' },
  { key: 'versionColumn', label: 'Model version column', description: 'The model version' },
  { key: 'predictionIdColumn', label: 'Prediction id column', description: 'Unique per prediction; joins late labels' },
  { key: 'predictionColumn', label: 'Prediction column', description: 'Predicted class or value' },
  { key: 'scoreColumn', label: 'Score column', description: 'Probability of the positive class' },
  { key: 'labelColumn', label: 'Label column', description: 'Ground truth in the same row, if any' },
  {
    key: 'featureMapColumn',
    label: 'Feature MAP/JSON column',
    description: 'One MAP or JSON column holding every feature (instead of wide columns)',
  },
];

const OTHER_TABLES: IdentifierFieldSpec[] = [
  { key: 'labelsTable', label: 'Labels table', description: 'inference_label(prediction_id, label, label_ts)' },
  {
    key: 'registryTable',
    label: 'Model registry table',
    description: 'model_registry(model_id, task, feature, feature_type, importance, owner, tier)',
  },
];

export function ConfigEditor(props: Props) {
  const { options, onOptionsChange } = props;
  const styles = useStyles2(getStyles);
  const jsonData = options.jsonData ?? {};
  const errors = validateSettings(jsonData);

  const setJson = <K extends keyof MMDataSourceOptions>(key: K, value: MMDataSourceOptions[K] | undefined) => {
    const next = { ...jsonData };
    if (
      value === undefined ||
      value === '' ||
      (Array.isArray(value) && value.length === 0 && key !== 'featureColumns')
    ) {
      delete next[key];
    } else {
      next[key] = value;
    }
    onOptionsChange({ ...options, jsonData: next });
  };

  const identifierField = (spec: IdentifierFieldSpec) => (
    <Field
      key={spec.key}
      label={spec.label}
      description={spec.description}
      invalid={Boolean(errors[spec.key])}
      error={errors[spec.key]}
    >
      <Input
        id={`mm-config-${spec.key}`}
        width={40}
        placeholder={defaultText(spec.key)}
        value={jsonData[spec.key] ?? ''}
        onChange={(e: ChangeEvent<HTMLInputElement>) => setJson(spec.key, e.currentTarget.value.trim())}
      />
    </Field>
  );

  const numberField = (key: NumberKey, label: string, description: string) => (
    <Field label={label} description={description} invalid={Boolean(errors[key])} error={errors[key]}>
      <Input
        id={`mm-config-${key}`}
        type="number"
        width={20}
        placeholder={defaultText(key)}
        value={jsonData[key] ?? ''}
        onChange={(e: ChangeEvent<HTMLInputElement>) =>
          setJson(key, e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value))
        }
      />
    </Field>
  );

  const engine = jsonData.engine ?? DEFAULT_SETTINGS.engine;

  return (
    <div className={styles.editor} data-testid={SELECTORS.configEditor.container}>
      <FieldSet label="Store">
        <Field
          label="Engine"
          description="Where the inference logs live. The store returns aggregates, never rows."
          invalid={Boolean(errors.engine)}
          error={errors.engine}
        >
          <RadioButtonGroup<Engine>
            id="mm-config-engine"
            options={ENGINE_OPTIONS}
            value={engine}
            disabledOptions={['postgres', 'spark']}
            onChange={(v) => setJson('engine', v)}
          />
        </Field>
        <Field
          label="Path"
          description="A DuckDB file, or a Parquet/CSV path or glob (then the table is a view over those files). Opened read-only."
        >
          <Input
            id="mm-config-path"
            width={60}
            placeholder={defaultText('path')}
            value={jsonData.path ?? ''}
            onChange={(e: ChangeEvent<HTMLInputElement>) => setJson('path', e.currentTarget.value.trim())}
          />
        </Field>
        <Field
          label="Password"
          description="For the server engines (PostgreSQL, Spark) to come; stored encrypted, sent to the backend only. DuckDB needs none."
        >
          <SecretInput
            id="mm-config-password"
            width={40}
            isConfigured={Boolean(options.secureJsonFields?.password)}
            value={options.secureJsonData?.password ?? ''}
            placeholder="Password"
            onChange={(e: ChangeEvent<HTMLInputElement>) =>
              onOptionsChange({
                ...options,
                secureJsonData: { ...options.secureJsonData, password: e.currentTarget.value },
              })
            }
            onReset={() =>
              onOptionsChange({
                ...options,
                secureJsonFields: { ...options.secureJsonFields, password: false },
                secureJsonData: { ...options.secureJsonData, password: '' },
              })
            }
          />
        </Field>
      </FieldSet>

      <FieldSet label="Inference log columns">
        <Text element="p" color="secondary">
          Empty fields use the default shown in grey. Names must be plain identifiers (letters, digits, _); the backend
          checks each one against the discovered schema, and Save &amp; test names any column that is missing.
        </Text>
        {LOG_COLUMNS.map(identifierField)}
        <Field
          label="Feature columns"
          description="Wide feature columns; empty = every column not mapped to something else. Type a name and press Enter."
          invalid={Boolean(errors.featureColumns)}
          error={errors.featureColumns}
        >
          <TagsInput
            id="mm-config-featureColumns"
            width={60}
            placeholder="(every unmapped column)"
            tags={jsonData.featureColumns ?? []}
            onChange={(tags) => setJson('featureColumns', tags)}
          />
        </Field>
        <Field
          label="Segment columns"
          description={`Drill-down dimensions. Default: ${defaultText('segmentColumns')}. Type a name and press Enter.`}
          invalid={Boolean(errors.segmentColumns)}
          error={errors.segmentColumns}
        >
          <TagsInput
            id="mm-config-segmentColumns"
            width={60}
            placeholder={defaultText('segmentColumns')}
            tags={jsonData.segmentColumns ?? []}
            onChange={(tags) => setJson('segmentColumns', tags)}
          />
        </Field>
      </FieldSet>

      <FieldSet label="Other tables">{OTHER_TABLES.map(identifierField)}</FieldSet>

      <FieldSet label="Limits">
        {numberField(
          'minSamples',
          'Minimum samples per window',
          'Below this count a window gets no drift value (null with a notice) instead of a false alarm'
        )}
        {numberField('queryTimeoutSeconds', 'Query time-out (seconds)', 'Per query; the query is cancelled after it')}
        {numberField(
          'memoryLimitMB',
          'Engine memory limit (MB)',
          'DuckDB working memory for all queries of this data source; beyond it DuckDB spills to disk'
        )}
      </FieldSet>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  editor: css({
    maxWidth: theme.breakpoints.values.md,
  }),
});
