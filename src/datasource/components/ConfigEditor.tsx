import React, { ChangeEvent } from 'react';
import { css } from '@emotion/css';
import { DataSourcePluginOptionsEditorProps, GrafanaTheme2, SelectableValue } from '@grafana/data';
import {
  Field,
  FieldSet,
  Input,
  RadioButtonGroup,
  SecretInput,
  SecretTextArea,
  TagsInput,
  Text,
  useStyles2,
} from '@grafana/ui';

import { defaultText, IdentifierKey, NumberKey, TextKey, validateSettings } from '../settings';
import { DEFAULT_SETTINGS, Engine, MMDataSourceOptions, MMSecureJsonData, SSL_MODES, SSLMode } from '../types';
import { SELECTORS } from '../../shared/selectors';

type Props = DataSourcePluginOptionsEditorProps<MMDataSourceOptions, MMSecureJsonData>;

/** The engines this version runs. */
export const ENGINE_OPTIONS: Array<SelectableValue<Engine>> = [
  { value: 'duckdb', label: 'DuckDB', description: 'Embedded: a DuckDB file, or Parquet/CSV files' },
  { value: 'postgres', label: 'PostgreSQL', description: 'A PostgreSQL or TimescaleDB server' },
  { value: 'spark', label: 'Spark', description: 'A Spark 4 cluster (or Databricks) through Spark Connect' },
];

export const SSL_MODE_OPTIONS: Array<SelectableValue<SSLMode>> = SSL_MODES.map((m) => ({
  value: m,
  label: m,
  description: {
    disable: 'No TLS',
    require: 'TLS, without checking the server certificate',
    'verify-ca': 'TLS; the server certificate must be signed by a trusted CA',
    'verify-full': 'TLS; a trusted CA, and the certificate names the host',
  }[m],
}));

interface TextFieldSpec {
  key: IdentifierKey | TextKey;
  label: string;
  description: string;
  /** Placeholder instead of the default value. */
  placeholder?: string;
}

const LOG_COLUMNS: TextFieldSpec[] = [
  { key: 'table', label: 'Inference log table', description: 'One row per prediction' },
  { key: 'timeColumn', label: 'Timestamp column', description: 'When the prediction was served' },
  { key: 'modelColumn', label: 'Model id column', description: 'Which model answered' },
  { key: 'versionColumn', label: 'Model version column', description: 'The model version' },
  { key: 'predictionIdColumn', label: 'Prediction id column', description: 'Unique per prediction; joins late labels' },
  { key: 'predictionColumn', label: 'Prediction column', description: 'Predicted class or value' },
  { key: 'scoreColumn', label: 'Score column', description: 'Probability of the positive class' },
  { key: 'labelColumn', label: 'Label column', description: 'Ground truth in the same row, if any' },
  {
    key: 'positiveLabel',
    label: 'Positive label',
    description:
      'The label value that counts as the positive class of binary models (e.g. churned). Empty: 1, true and yes are positive, 0, false and no negative (any case).',
    placeholder: '1, true or yes',
  },
  {
    key: 'featureMapColumn',
    label: 'Feature MAP/JSON column',
    description: 'One MAP or JSON column holding every feature (instead of wide columns)',
  },
];

const OTHER_TABLES: TextFieldSpec[] = [
  { key: 'labelsTable', label: 'Labels table', description: 'inference_label(prediction_id, label, label_ts)' },
  {
    key: 'registryTable',
    label: 'Model registry table',
    description: 'model_registry(model_id, task, feature, feature_type, importance, owner, tier)',
  },
];

const CACHE_DIR_FIELD: TextFieldSpec = {
  key: 'cacheDir',
  label: 'Cache directory',
  description:
    'Keeps the cache in a file across Grafana restarts: an absolute directory Grafana can write, e.g. /var/lib/grafana/modelmonitor-cache (never the store). Empty: memory only.',
  placeholder: '(memory only)',
};

const POSTGRES_FIELDS: TextFieldSpec[] = [
  { key: 'host', label: 'Host', description: 'Server host name or IP address', placeholder: 'db.example.com' },
  {
    key: 'database',
    label: 'Database',
    description: 'The database holding the inference log tables',
    placeholder: 'monitoring',
  },
  {
    key: 'user',
    label: 'User',
    description: 'A user that may SELECT from those tables (the plugin only reads)',
    placeholder: 'grafana_reader',
  },
];

const SPARK_FIELDS: TextFieldSpec[] = [
  {
    key: 'sparkUrl',
    label: 'Spark Connect URL',
    description:
      'sc://host:port (default port 15002), optionally /;use_ssl=true;user_id=…;header=value (Databricks: sc://<workspace>:443/;use_ssl=true;x-databricks-cluster-id=<id>)',
    placeholder: 'sc://spark.example.com:15002',
  },
  {
    key: 'database',
    label: 'Database (schema)',
    description: 'The schema holding the inference log tables; empty = the session default',
    placeholder: 'default',
  },
];

type SecretKey = keyof MMSecureJsonData;

/** The data source settings: engine and connection, column mapping, other tables and limits. */
export function ConfigEditor(props: Props) {
  const { options, onOptionsChange } = props;
  const styles = useStyles2(getStyles);
  const jsonData = options.jsonData ?? {};
  const secure = options.secureJsonData ?? {};
  const errors = validateSettings(jsonData, secure);

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
  const setSecret = (key: SecretKey, value: string) =>
    onOptionsChange({ ...options, secureJsonData: { ...options.secureJsonData, [key]: value } });
  const resetSecret = (key: SecretKey) =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...options.secureJsonFields, [key]: false },
      secureJsonData: { ...options.secureJsonData, [key]: '' },
    });

  const textField = (spec: TextFieldSpec) => (
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
        placeholder={spec.placeholder ?? defaultText(spec.key)}
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

  const secretField = (key: 'password' | 'token', label: string, description: string) => (
    <Field label={label} description={description}>
      <SecretInput
        id={`mm-config-${key}`}
        width={40}
        isConfigured={Boolean(options.secureJsonFields?.[key])}
        value={secure[key] ?? ''}
        placeholder={label}
        onChange={(e: ChangeEvent<HTMLInputElement>) => setSecret(key, e.currentTarget.value)}
        onReset={() => resetSecret(key)}
      />
    </Field>
  );

  const caField = (description: string) => (
    <Field
      label="TLS CA certificate"
      description={description}
      invalid={Boolean(errors.tlsCACert)}
      error={errors.tlsCACert}
    >
      <SecretTextArea
        id="mm-config-tlsCACert"
        cols={64}
        rows={4}
        isConfigured={Boolean(options.secureJsonFields?.tlsCACert)}
        value={secure.tlsCACert ?? ''}
        placeholder="-----BEGIN CERTIFICATE-----"
        onChange={(e: ChangeEvent<HTMLTextAreaElement>) => setSecret('tlsCACert', e.currentTarget.value)}
        onReset={() => resetSecret('tlsCACert')}
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
            onChange={(v) => setJson('engine', v)}
          />
        </Field>
        {engine === 'duckdb' && (
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
        )}
      </FieldSet>

      {engine === 'postgres' && (
        <FieldSet label="PostgreSQL connection" data-testid={SELECTORS.configEditor.postgres}>
          {textField(POSTGRES_FIELDS[0])}
          {numberField('port', 'Port', `Server port (1 to 65535; default ${DEFAULT_SETTINGS.port})`)}
          {POSTGRES_FIELDS.slice(1).map(textField)}
          {secretField('password', 'Password', "The user's password; stored encrypted, sent to the backend only.")}
          <Field
            label="SSL mode"
            description="How the connection is encrypted and the server checked (libpq's sslmode; default require)."
            invalid={Boolean(errors.sslMode)}
            error={errors.sslMode}
          >
            <RadioButtonGroup<SSLMode>
              id="mm-config-sslMode"
              options={SSL_MODE_OPTIONS}
              value={jsonData.sslMode ?? DEFAULT_SETTINGS.sslMode}
              onChange={(v) => setJson('sslMode', v)}
            />
          </Field>
          {caField(
            "For verify-ca and verify-full: the PEM certificate of the CA that signed the server's certificate. Empty: the host's trusted CAs. Stored encrypted."
          )}
          {numberField(
            'maxConnections',
            'Maximum connections',
            `Connections this data source opens at most (1 to 32; default ${DEFAULT_SETTINGS.maxConnections}): panels beyond it wait their turn.`
          )}
        </FieldSet>
      )}

      {engine === 'spark' && (
        <FieldSet label="Spark connection" data-testid={SELECTORS.configEditor.spark}>
          {SPARK_FIELDS.map(textField)}
          {secretField(
            'token',
            'Token',
            'Bearer token (e.g. a Databricks personal access token); stored encrypted. A token switches TLS on.'
          )}
          {caField(
            "With TLS (use_ssl=true or a token): the PEM certificate of the CA that signed the server's certificate. Empty: the host's trusted CAs. Stored encrypted."
          )}
          {numberField(
            'maxConcurrentQueries',
            'Maximum concurrent queries',
            `Spark operations this data source runs at a time (1 to 32; default ${DEFAULT_SETTINGS.maxConcurrentQueries}): panels beyond it wait their turn. A cancelled or timed-out query is interrupted on the cluster.`
          )}
        </FieldSet>
      )}

      <FieldSet label="Inference log columns">
        <Text element="p" color="secondary">
          Empty fields use the default shown in grey. Names must be plain identifiers (letters, digits, _); the backend
          checks each one against the discovered schema, and Save &amp; test names any column that is missing.
        </Text>
        {LOG_COLUMNS.map(textField)}
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

      <FieldSet label="Other tables">{OTHER_TABLES.map(textField)}</FieldSet>

      <FieldSet label="Limits">
        {numberField(
          'minSamples',
          'Minimum samples per window',
          'Below this count a window gets no drift value (null with a notice) instead of a false alarm'
        )}
        {numberField('queryTimeoutSeconds', 'Query time-out (seconds)', 'Per query; the query is cancelled after it')}
        {engine === 'duckdb' &&
          numberField(
            'memoryLimitMB',
            'Engine memory limit (MB)',
            'DuckDB working memory for all queries of this data source (at least 64); beyond it DuckDB spills to disk'
          )}
      </FieldSet>

      <FieldSet label="Window cache">
        {numberField(
          'cacheMB',
          'Cache size (MB)',
          'Memory for the aggregates of settled windows, so that a refresh asks the store only for what is new; 0 turns reuse off'
        )}
        {numberField(
          'cacheSettleMinutes',
          'Settle time (minutes)',
          'A window is kept only once it ended at least this long ago (late rows); until then it is read again'
        )}
        {textField(CACHE_DIR_FIELD)}
      </FieldSet>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  editor: css({
    maxWidth: theme.breakpoints.values.md,
  }),
});
