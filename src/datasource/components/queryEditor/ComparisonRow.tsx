import React from 'react';
import { Combobox, ComboboxOption, InlineField, InlineFieldRow } from '@grafana/ui';

import { DEFAULT_BINS, Metric } from '../../types';
import { EditorRowProps, fieldProps, leadFieldProps } from './editorProps';
import { OptionalNumberInput } from './OptionalNumberInput';

/** The drift metrics with the thresholds they flag drift at (the backend's defaults). */
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

export const WINDOW_OPTIONS: Array<ComboboxOption<string>> = [
  { value: 'auto', label: 'auto', description: 'From the panel interval' },
  { value: '15m', label: '15m' },
  { value: '1h', label: '1h' },
  { value: '6h', label: '6h' },
  { value: '1d', label: '1d' },
  { value: '1w', label: '1w' },
];

/** How windows are compared: metric, window length, bins and the metric's threshold. */
export function ComparisonRow(props: EditorRowProps) {
  const { query, issues, uid, change, runIfValid } = props;
  return (
    <InlineFieldRow>
      <InlineField
        {...leadFieldProps(issues, 'Metric', 'metric')}
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
        {...fieldProps(issues, 'Window', 10, 'window')}
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
      <InlineField
        {...fieldProps(issues, 'Bins', 8, 'bins')}
        tooltip="Quantile bins of numeric features (reference quantiles)"
      >
        <OptionalNumberInput
          id={uid('mm-bins')}
          width={10}
          placeholder={String(DEFAULT_BINS)}
          value={query.bins}
          onChange={(bins) => change({ bins }, false)}
          onBlur={runIfValid}
        />
      </InlineField>
      <InlineField
        {...fieldProps(issues, 'Threshold', 11, 'threshold')}
        tooltip="Overrides the metric's default threshold"
      >
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
    </InlineFieldRow>
  );
}
