import React from 'react';
import { ComboboxOption, InlineField, InlineFieldRow, MultiCombobox } from '@grafana/ui';

import { PERFORMANCE_METRICS } from '../../types';
import { EditorRowProps, fieldProps, leadFieldProps } from './editorProps';
import { OptionalNumberInput } from './OptionalNumberInput';
import { ThresholdsRow } from './ThresholdsRow';

export const PERFORMANCE_METRIC_OPTIONS: Array<ComboboxOption<string>> = PERFORMANCE_METRICS.map((m) => ({
  value: m,
  label: m,
}));

/** performance and estimatedPerformance: which metric series, the decision threshold, and thresholds. */
export function PerformanceQueryOptions(props: EditorRowProps) {
  const { query, issues, uid, change, runIfValid } = props;
  return (
    <>
      <InlineFieldRow>
        <InlineField
          {...leadFieldProps(issues, 'Metrics', 'metrics')}
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
        <InlineField
          {...fieldProps(issues, 'Decision threshold', 18, 'decisionThreshold')}
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
      </InlineFieldRow>
      <ThresholdsRow {...props} />
    </>
  );
}
