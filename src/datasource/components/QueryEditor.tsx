import React, { ChangeEvent, useId, useMemo } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, QueryEditorProps, SelectableValue } from '@grafana/data';
import {
  Alert,
  Combobox,
  ComboboxOption,
  InlineField,
  InlineFieldRow,
  InlineSwitch,
  Input,
  MultiCombobox,
  RadioButtonGroup,
  useStyles2,
} from '@grafana/ui';

import { DataSource } from '../datasource';
import { hasErrors, issuesFor, migrateQuery, QueryField, QueryIssue, TABLE_QUERY_TYPES, validateQuery } from '../query';
import {
  DEFAULT_BINS,
  DEFAULT_HYSTERESIS,
  DEFAULT_SEGMENT_TOP,
  DEFAULT_THRESHOLD_HISTORY,
  DEFAULT_THRESHOLD_K,
  DEFAULT_TRAILING_WINDOWS,
  FeatureInfo,
  Metric,
  MMDataSourceOptions,
  MMQuery,
  ModelInfo,
  QueryType,
  Reference,
  ReferenceType,
  DiagnosisOutput,
  PERFORMANCE_METRICS,
  ThresholdMode,
  ThresholdOutput,
  Thresholds,
} from '../types';
import { SELECTORS } from '../../shared/selectors';
import { featureOptions, listOptions, modelOptions } from './options';
import { templateVariableNames, useResource } from './useResources';

type Props = QueryEditorProps<DataSource, MMQuery, MMDataSourceOptions>;

export const QUERY_TYPE_OPTIONS: Array<SelectableValue<QueryType>> = [
  { value: 'drift', label: 'Drift series', description: 'Drift score per window and feature: alertable time series' },
  {
    value: 'driftHeatmap',
    label: 'Drift heatmap',
    description: 'Features × windows table for the drift heatmap panel',
  },
  {
    value: 'distribution',
    label: 'Distribution',
    description: 'Reference vs current per bin, for the distribution panel',
  },
  {
    value: 'dataQuality',
    label: 'Data quality',
    description:
      'Volume, duplicates, missing scores, null, out-of-range and new-category shares per window (the metric is not used)',
  },
  {
    value: 'performance',
    label: 'Performance',
    description: 'Realized metrics where labels have arrived (accuracy, F1, ROC AUC, log loss, …) and label coverage',
  },
  {
    value: 'estimatedPerformance',
    label: 'Estimated performance',
    description: 'CBPE: performance estimated from calibrated scores before labels arrive, with ±3σ bands',
  },
  {
    value: 'diagnosis',
    label: 'Diagnosis',
    description:
      'Evidence per cause (covariate shift, concept drift, label drift, pipeline break) and a verdict per window',
  },
];

export const METRIC_OPTIONS: Array<ComboboxOption<Metric>> = [
  {
    value: 'auto',
    label: 'auto',
    description:
      'By type and size: KS / chi-square / Z-test (p < 0.05) on ≤ 1000 reference rows, else Wasserstein or Jensen–Shannon (≥ 0.1)',
  },
  { value: 'psi', label: 'PSI', description: 'Population stability index (0.1 watch, 0.2 act)' },
  { value: 'js', label: 'Jensen–Shannon', description: 'Jensen–Shannon distance, base 2 (0.1)' },
  { value: 'kl', label: 'KL divergence', description: 'Kullback–Leibler divergence of current from reference' },
  { value: 'hellinger', label: 'Hellinger', description: 'Hellinger distance' },
  { value: 'linf', label: 'L∞', description: 'Largest per-bin difference of fractions (0.1)' },
  {
    value: 'wasserstein',
    label: 'Wasserstein',
    description: 'Numeric features: earth mover’s distance / reference std (0.1)',
  },
  { value: 'ks', label: 'Kolmogorov–Smirnov', description: 'Numeric features: two-sample KS test p-value (0.05)' },
  { value: 'chi2', label: 'Chi-square', description: 'Categorical features: chi-square test p-value (0.05)' },
  { value: 'ztest', label: 'Z-test', description: 'Binary features: Z-test for proportions p-value (0.05)' },
];

const WINDOW_OPTIONS: Array<ComboboxOption<string>> = [
  { value: 'auto', label: 'auto', description: 'From the panel interval' },
  { value: '15m', label: '15m' },
  { value: '1h', label: '1h' },
  { value: '6h', label: '6h' },
  { value: '1d', label: '1d' },
  { value: '1w', label: '1w' },
];

const REFERENCE_OPTIONS: Array<SelectableValue<ReferenceType>> = [
  { value: 'range', label: 'Fixed range', description: 'A time range of the same log, e.g. the validation week' },
  { value: 'trailing', label: 'Trailing windows', description: 'The N windows before each window' },
  { value: 'table', label: 'Table', description: 'A separate table with the same columns, e.g. the training set' },
];

type SegmentUse = 'filter' | 'split';

const SEGMENT_USE_OPTIONS: Array<SelectableValue<SegmentUse>> = [
  { value: 'filter', label: 'Filter', description: 'Keep only the rows of one value of the column' },
  { value: 'split', label: 'Split', description: 'One labelled series per value of the column (the top N by rows)' },
];

/** '' = no thresholds (the field is left out of the query). */
export const THRESHOLD_MODE_OPTIONS: Array<ComboboxOption<ThresholdMode | ''>> = [
  { value: '', label: 'none', description: 'No threshold series' },
  { value: 'static', label: 'static', description: "The metric's own threshold (or the Threshold field)" },
  { value: 'reference', label: 'reference', description: 'Mean ± k·σ of the series over the reference windows' },
  { value: 'trailing', label: 'trailing', description: 'Mean ± k·σ over the history windows before each window' },
];

const PERFORMANCE_METRIC_OPTIONS: Array<ComboboxOption<string>> = PERFORMANCE_METRICS.map((m) => ({
  value: m,
  label: m,
}));

const DIAGNOSIS_OUTPUT_OPTIONS: Array<SelectableValue<DiagnosisOutput>> = [
  {
    value: 'evidence',
    label: 'Evidence',
    description: 'One evidence series per cause (≥ 1 = present) and the verdicts table',
  },
  {
    value: 'verdicts',
    label: 'Verdicts',
    description:
      'One 0/1 series per verdict cause, at most one per window: one alert per model, for the cause that explains the others',
  },
];

const THRESHOLD_OUTPUT_OPTIONS: Array<SelectableValue<ThresholdOutput>> = [
  { value: 'band', label: 'Band', description: 'Adds "<name> · upper" and "<name> · lower" series for panels' },
  {
    value: 'breach',
    label: 'Breach',
    description: 'Replaces each series by a 0/1 breach signal for alert rules (condition: last > 0)',
  },
];

const LABEL_WIDTH = 16;

/**
 * A number input whose empty value means "not set" (undefined: the backend default applies). Bins and threshold were
 * the same block twice; the caller still decides when to run the query (on blur).
 */
function OptionalNumberInput(props: {
  id: string;
  width: number;
  placeholder: string;
  step?: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  onBlur: () => void;
}) {
  const { value, onChange, ...rest } = props;
  return (
    <Input
      {...rest}
      type="number"
      value={value ?? ''}
      onChange={(e: ChangeEvent<HTMLInputElement>) =>
        onChange(e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value))
      }
    />
  );
}

/**
 * Thresholds with another mode; the options the new mode does not use (k for static, history unless trailing) are
 * dropped with their fields, so no hidden value can hold the query back.
 */
export function withMode(current: Thresholds | undefined, mode: ThresholdMode): Thresholds {
  const next: Thresholds = { ...current, mode };
  if (mode === 'static') {
    delete next.k;
  }
  if (mode !== 'trailing') {
    delete next.history;
  }
  return next;
}

export function QueryEditor(props: Props) {
  const { datasource, onChange, onRunQuery } = props;
  const styles = useStyles2(getStyles);
  const query = useMemo(() => migrateQuery(props.query as MMQuery & Record<string, unknown>), [props.query]);
  const variables = useMemo(() => templateVariableNames(), []);
  // Every id is unique per editor: the queries of one panel (A, B, …) each render an editor, and a fixed id would
  // repeat in the page, point the labels of query B (htmlFor) at query A's fields, and make the radio groups (whose
  // id is also the name of their inputs) uncheck each other's options. Tests select by label, not by id.
  const instance = useId();
  const uid = (name: string) => `${name}-${instance}`;

  const models = useResource<ModelInfo[]>(() => datasource.getModels(), 'models', []);
  const features = useResource<FeatureInfo[]>(
    () => datasource.getFeatures(query.model ?? ''),
    `features:${query.model ?? ''}`,
    []
  );
  const segmentColumns = useResource<string[]>(() => datasource.getSegmentColumns(), 'segments', []);
  const segmentColumn = query.segment?.column ?? '';
  const segmentValues = useResource<string[]>(
    () => datasource.getSegmentValues(segmentColumn),
    `segmentValues:${segmentColumn}`,
    []
  );

  const issues = validateQuery(query, { features: features.value });

  const change = (patch: Partial<MMQuery>, run = true) => {
    const next = { ...query, ...patch };
    onChange(next);
    if (run && !hasErrors(validateQuery(next, { features: features.value }))) {
      onRunQuery();
    }
  };
  const changeReference = (reference: Reference, run = true) => change({ reference }, run);
  const changeThresholds = (next: Thresholds | undefined, run = true) => change({ thresholds: next }, run);

  const fieldError = (...fields: QueryField[]) => {
    const errs = issuesFor(issues, ...fields).filter((i) => i.severity === 'error');
    return { invalid: errs.length > 0, error: errs.map((i) => i.message).join(' ') };
  };
  /** Props of an InlineField: its label, label width, and the errors of the query fields it edits. */
  const field = (label: string, labelWidth: number, ...fields: QueryField[]) => ({
    label,
    labelWidth,
    ...fieldError(...fields),
  });
  /**
   * Props of the first field of a row: the common label width (so the rows line up), and its message may run under
   * the fields beside it instead of pushing them away.
   */
  const leadField = (label: string, ...fields: QueryField[]) => ({
    ...field(label, LABEL_WIDTH, ...fields),
    validationMessageHorizontalOverflow: true,
  });
  /** Runs the query when the user leaves a text field, unless the query has errors. */
  const runIfValid = () => !hasErrors(issues) && onRunQuery();

  const models_ = modelOptions(models.value, variables, query.model ?? '');
  const features_ = featureOptions(features.value, variables, query.features ?? []);
  const allFeatures = (query.features ?? []).length === 0;
  const segmentColumnOptions = listOptions(segmentColumns.value, variables, segmentColumn);
  const segmentValueOptions = listOptions(segmentValues.value, variables, query.segment?.value ?? '');
  const segment = query.segment;
  const split = segment?.split === true;
  const thresholds = query.thresholds;
  // Tables (distribution, driftHeatmap) take no thresholds: the row is hidden, unless a stored query has some, so
  // that they can be seen (a warning says they are ignored) and cleared.
  const showThresholds = !TABLE_QUERY_TYPES.includes(query.queryType ?? 'drift') || thresholds !== undefined;

  const ref = query.reference!;
  const warnings = issues.filter((i) => i.severity === 'warning');
  const loadErrors = [models.error, features.error, segmentColumns.error].filter(Boolean) as string[];

  return (
    <div className={styles.editor} data-testid={SELECTORS.queryEditor.container}>
      <InlineFieldRow>
        <InlineField {...leadField('Query type', 'queryType')}>
          <RadioButtonGroup<QueryType>
            id={uid('mm-query-type')}
            options={QUERY_TYPE_OPTIONS}
            value={query.queryType}
            onChange={(v) =>
              // distribution and driftHeatmap return tables: thresholds do not apply (and their row is hidden)
              change(TABLE_QUERY_TYPES.includes(v) ? { queryType: v, thresholds: undefined } : { queryType: v })
            }
          />
        </InlineField>
      </InlineFieldRow>

      <InlineFieldRow>
        <InlineField
          {...leadField('Model', 'model')}
          tooltip="The model whose inputs are compared; All models runs one query over the whole fleet."
        >
          <Combobox<string>
            id={uid('mm-model')}
            width={28}
            options={models_}
            value={query.model ?? ''}
            loading={models.loading}
            createCustomValue
            placeholder="All models"
            onChange={(o) => change({ model: o?.value ?? '', features: [] })}
          />
        </InlineField>
        <InlineField
          label="All features"
          tooltip="Every feature of the model; switch off to pick features"
          htmlFor={uid('mm-all-features')}
        >
          <InlineSwitch
            id={uid('mm-all-features')}
            value={allFeatures}
            onChange={(e) => {
              if ((e.target as HTMLInputElement).checked) {
                change({ features: [] });
              } else if (features_.length > 0) {
                change({ features: [String(features_[0].value)] });
              }
            }}
          />
        </InlineField>
        {!allFeatures && (
          <InlineField {...field('Features', 10, 'features')} grow>
            <MultiCombobox<string>
              id={uid('mm-features')}
              width="auto"
              minWidth={24}
              maxWidth={80}
              options={features_}
              value={query.features ?? []}
              loading={features.loading}
              createCustomValue
              placeholder="Pick features"
              onChange={(opts) => change({ features: opts.map((o) => String(o.value)) })}
            />
          </InlineField>
        )}
      </InlineFieldRow>

      <InlineFieldRow>
        <InlineField
          {...leadField('Metric', 'metric')}
          tooltip="auto chooses by feature type and sample size and reports its choice in the frame metadata"
        >
          <Combobox<Metric>
            id={uid('mm-metric')}
            width={22}
            options={METRIC_OPTIONS}
            value={query.metric ?? 'auto'}
            onChange={(o) => change({ metric: o.value })}
          />
        </InlineField>
        <InlineField
          {...field('Window', 10, 'window')}
          tooltip="Length of each compared window: auto (from the panel interval) or a duration such as 15m, 1h, 1d, 1w"
        >
          <Combobox<string>
            id={uid('mm-window')}
            width={12}
            options={WINDOW_OPTIONS}
            value={query.window ?? 'auto'}
            createCustomValue
            onChange={(o) => change({ window: String(o.value) })}
          />
        </InlineField>
        <InlineField {...field('Bins', 8, 'bins')} tooltip="Quantile bins of numeric features (reference quantiles)">
          <OptionalNumberInput
            id={uid('mm-bins')}
            width={10}
            placeholder={String(DEFAULT_BINS)}
            value={query.bins}
            onChange={(bins) => change({ bins }, false)}
            onBlur={runIfValid}
          />
        </InlineField>
        <InlineField {...field('Threshold', 11, 'threshold')} tooltip="Overrides the metric's default threshold">
          <OptionalNumberInput
            id={uid('mm-threshold')}
            width={12}
            step="any"
            placeholder="default"
            value={query.threshold}
            onChange={(threshold) => change({ threshold }, false)}
            onBlur={runIfValid}
          />
        </InlineField>
        {query.queryType === 'diagnosis' && (
          <InlineField
            {...field('Output', 9, 'diagnosisOutput')}
            tooltip="Evidence for panels; Verdicts for alert rules (one alert per model, for the cause that explains the others)."
          >
            <RadioButtonGroup<DiagnosisOutput>
              id={uid('mm-diagnosis-output')}
              options={DIAGNOSIS_OUTPUT_OPTIONS}
              value={query.diagnosisOutput ?? 'evidence'}
              onChange={(diagnosisOutput) =>
                change({ diagnosisOutput: diagnosisOutput === 'evidence' ? undefined : diagnosisOutput })
              }
            />
          </InlineField>
        )}
        {(query.queryType === 'performance' || query.queryType === 'estimatedPerformance') && (
          <InlineField
            {...field('Metrics', 9, 'metrics')}
            tooltip="Keeps only these metric series (leave empty for all of them)."
          >
            <MultiCombobox<string>
              id={uid('mm-metrics')}
              width="auto"
              minWidth={20}
              maxWidth={60}
              options={PERFORMANCE_METRIC_OPTIONS}
              value={query.metrics ?? []}
              placeholder="All metrics"
              onChange={(opts) => {
                const metrics = opts.map((o) => String(o.value));
                change({ metrics: metrics.length > 0 ? metrics : undefined });
              }}
            />
          </InlineField>
        )}
        {(query.queryType === 'performance' || query.queryType === 'estimatedPerformance') && (
          <InlineField
            {...field('Decision threshold', 18, 'decisionThreshold')}
            tooltip="Score at or above which the positive class is predicted (binary classifiers)"
          >
            <OptionalNumberInput
              id={uid('mm-decision-threshold')}
              width={10}
              step="any"
              placeholder="0.5"
              value={query.decisionThreshold}
              onChange={(decisionThreshold) => change({ decisionThreshold }, false)}
              onBlur={runIfValid}
            />
          </InlineField>
        )}
      </InlineFieldRow>

      <InlineFieldRow>
        <InlineField {...leadField('Reference', 'reference')}>
          <RadioButtonGroup<ReferenceType>
            id={uid('mm-reference-type')}
            options={REFERENCE_OPTIONS}
            value={ref.type}
            onChange={(t) => {
              if (t === 'range') {
                changeReference({ type: 'range', from: '', to: '' }, false);
              } else if (t === 'trailing') {
                changeReference({ type: 'trailing', windows: DEFAULT_TRAILING_WINDOWS });
              } else {
                changeReference({ type: 'table', table: '' }, false);
              }
            }}
          />
        </InlineField>
        {ref.type === 'range' && (
          <>
            <InlineField {...field('From', 8, 'referenceFrom')}>
              <Input
                id={uid('mm-reference-from')}
                width={24}
                placeholder="2026-10-01T00:00:00Z"
                value={ref.from}
                onChange={(e: ChangeEvent<HTMLInputElement>) =>
                  changeReference({ ...ref, from: e.currentTarget.value }, false)
                }
                onBlur={runIfValid}
              />
            </InlineField>
            <InlineField {...field('To', 6, 'referenceTo')}>
              <Input
                id={uid('mm-reference-to')}
                width={24}
                placeholder="2026-10-08T00:00:00Z"
                value={ref.to}
                onChange={(e: ChangeEvent<HTMLInputElement>) =>
                  changeReference({ ...ref, to: e.currentTarget.value }, false)
                }
                onBlur={runIfValid}
              />
            </InlineField>
          </>
        )}
        {ref.type === 'trailing' && (
          <InlineField
            {...field('Windows', 10, 'referenceWindows')}
            tooltip="How many windows before each window form its reference"
          >
            <Input
              id={uid('mm-reference-windows')}
              type="number"
              width={10}
              value={Number.isFinite(ref.windows) ? ref.windows : ''}
              onChange={(e: ChangeEvent<HTMLInputElement>) =>
                changeReference({ type: 'trailing', windows: Number(e.currentTarget.value) }, false)
              }
              onBlur={runIfValid}
            />
          </InlineField>
        )}
        {ref.type === 'table' && (
          <InlineField {...field('Table', 8, 'referenceTable')}>
            <Input
              id={uid('mm-reference-table')}
              width={24}
              placeholder="training_set"
              value={ref.table}
              onChange={(e: ChangeEvent<HTMLInputElement>) =>
                changeReference({ type: 'table', table: e.currentTarget.value }, false)
              }
              onBlur={runIfValid}
            />
          </InlineField>
        )}
      </InlineFieldRow>

      <InlineFieldRow>
        <InlineField
          {...leadField('Segment', 'segmentColumn')}
          tooltip="Optional: filter the log to one value of a segment column, or split the query by its values"
        >
          <Combobox<string>
            id={uid('mm-segment-column')}
            width={20}
            options={segmentColumnOptions}
            value={segmentColumn || null}
            loading={segmentColumns.loading}
            isClearable
            createCustomValue
            placeholder="(whole log)"
            onChange={(o) =>
              o
                ? change(
                    {
                      segment: split
                        ? { ...segment!, column: String(o.value) }
                        : { column: String(o.value), value: '' },
                    },
                    split
                  )
                : change({ segment: undefined })
            }
          />
        </InlineField>
        {segmentColumn !== '' && (
          <InlineField
            label="Use"
            labelWidth={6}
            tooltip="Filter keeps the rows of one value; Split runs the query once per value, one labelled series each."
          >
            <RadioButtonGroup<SegmentUse>
              id={uid('mm-segment-use')}
              options={SEGMENT_USE_OPTIONS}
              value={split ? 'split' : 'filter'}
              onChange={(v) =>
                v === 'split'
                  ? change({ segment: { column: segmentColumn, value: '', split: true } })
                  : change({ segment: { column: segmentColumn, value: '' } }, false)
              }
            />
          </InlineField>
        )}
        {segmentColumn !== '' && !split && (
          <InlineField {...field('Value', 8, 'segmentValue')}>
            <Combobox<string>
              id={uid('mm-segment-value')}
              width={20}
              options={segmentValueOptions}
              value={segment?.value || null}
              loading={segmentValues.loading}
              createCustomValue
              placeholder="Choose a value"
              onChange={(o) => change({ segment: { column: segmentColumn, value: String(o.value) } })}
            />
          </InlineField>
        )}
        {segmentColumn !== '' && split && (
          <>
            <InlineField
              {...field('Top', 6, 'segmentTop')}
              tooltip={`How many values of ${segmentColumn} get a series: those with the most rows (1 to 50, default ${DEFAULT_SEGMENT_TOP}).`}
            >
              <OptionalNumberInput
                id={uid('mm-segment-top')}
                width={8}
                placeholder={String(DEFAULT_SEGMENT_TOP)}
                value={segment?.top}
                onChange={(top) => change({ segment: { ...segment!, top } }, false)}
                onBlur={runIfValid}
              />
            </InlineField>
            {issuesFor(issues, 'segmentValue').length > 0 && (
              // a stored query may carry both a value and split: say so where the value would be
              <InlineField {...field('Value', 8, 'segmentValue')}>
                <Input
                  id={uid('mm-segment-value')}
                  width={20}
                  value={segment?.value ?? ''}
                  onChange={(e: ChangeEvent<HTMLInputElement>) =>
                    change({ segment: { ...segment!, value: e.currentTarget.value } }, false)
                  }
                  onBlur={runIfValid}
                />
              </InlineField>
            )}
          </>
        )}
      </InlineFieldRow>

      {showThresholds && (
        <InlineFieldRow>
          <InlineField
            {...leadField('Thresholds', 'thresholdsMode')}
            tooltip="Adds a threshold to every series: static, or mean ± k·σ over the reference or the trailing history."
          >
            <Combobox<ThresholdMode | ''>
              id={uid('mm-thresholds-mode')}
              width={16}
              options={THRESHOLD_MODE_OPTIONS}
              value={thresholds?.mode ?? ''}
              onChange={(o) => changeThresholds(o.value === '' ? undefined : withMode(thresholds, o.value))}
            />
          </InlineField>
          {thresholds && (
            <InlineField
              {...field('Output', 9, 'thresholdsOutput')}
              tooltip="Band draws upper and lower series next to each series; Breach replaces each series by a 0/1 signal for alert rules."
            >
              <RadioButtonGroup<ThresholdOutput>
                id={uid('mm-thresholds-output')}
                options={THRESHOLD_OUTPUT_OPTIONS}
                value={thresholds.output ?? 'band'}
                onChange={(output) =>
                  changeThresholds(
                    output === 'breach' ? { ...thresholds, output } : { ...thresholds, output, hysteresis: undefined }
                  )
                }
              />
            </InlineField>
          )}
          {thresholds && thresholds.mode !== 'static' && (
            <InlineField
              {...field('k (σ)', 7, 'thresholdsK')}
              tooltip={`Half-width of the band in standard deviations of the baseline (above 0, at most 100, default ${DEFAULT_THRESHOLD_K}).`}
            >
              <OptionalNumberInput
                id={uid('mm-thresholds-k')}
                width={8}
                step="any"
                placeholder={String(DEFAULT_THRESHOLD_K)}
                value={thresholds.k}
                onChange={(k) => changeThresholds({ ...thresholds, k }, false)}
                onBlur={runIfValid}
              />
            </InlineField>
          )}
          {thresholds?.mode === 'trailing' && (
            <InlineField
              {...field('History', 9, 'thresholdsHistory')}
              tooltip={`How many windows before each window form its baseline (3 to 365, default ${DEFAULT_THRESHOLD_HISTORY}).`}
            >
              <OptionalNumberInput
                id={uid('mm-thresholds-history')}
                width={8}
                placeholder={String(DEFAULT_THRESHOLD_HISTORY)}
                value={thresholds.history}
                onChange={(history) => changeThresholds({ ...thresholds, history }, false)}
                onBlur={runIfValid}
              />
            </InlineField>
          )}
          {thresholds?.output === 'breach' && (
            <InlineField
              {...field('Hysteresis', 12, 'thresholdsHysteresis')}
              tooltip={`Consecutive windows outside the band that turn the breach on, and inside that turn it off (1 to 100, default ${DEFAULT_HYSTERESIS}).`}
            >
              <OptionalNumberInput
                id={uid('mm-thresholds-hysteresis')}
                width={8}
                placeholder={String(DEFAULT_HYSTERESIS)}
                value={thresholds.hysteresis}
                onChange={(hysteresis) => changeThresholds({ ...thresholds, hysteresis }, false)}
                onBlur={runIfValid}
              />
            </InlineField>
          )}
        </InlineFieldRow>
      )}

      {warnings.length > 0 && (
        <Alert severity="warning" title="Check the query" data-testid={SELECTORS.queryEditor.warnings}>
          <ul className={styles.list}>
            {warnings.map((w: QueryIssue, i) => (
              <li key={i}>{w.message}</li>
            ))}
          </ul>
        </Alert>
      )}
      {loadErrors.length > 0 && (
        <Alert severity="error" title="Could not load the pick-lists from the data source">
          {loadErrors.join(' ')}
        </Alert>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  editor: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  }),
  list: css({
    margin: 0,
    paddingLeft: theme.spacing(2),
  }),
});
