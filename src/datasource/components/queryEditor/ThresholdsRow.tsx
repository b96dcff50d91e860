import React from 'react';
import { SelectableValue } from '@grafana/data';
import { Combobox, ComboboxOption, InlineField, InlineFieldRow, RadioButtonGroup } from '@grafana/ui';

import {
  DEFAULT_HYSTERESIS,
  DEFAULT_THRESHOLD_HISTORY,
  DEFAULT_THRESHOLD_K,
  ThresholdMode,
  ThresholdOutput,
  Thresholds,
} from '../../types';
import { EditorRowProps, fieldProps, leadFieldProps } from './editorProps';
import { OptionalNumberInput } from './OptionalNumberInput';

/** '' = no thresholds (the field is left out of the query). */
export const THRESHOLD_MODE_OPTIONS: Array<ComboboxOption<ThresholdMode | ''>> = [
  { value: '', label: 'none', description: 'No threshold series' },
  { value: 'static', label: 'static', description: "The metric's own threshold (or the Threshold field)" },
  { value: 'reference', label: 'reference', description: 'Mean ± k·σ of the series over the reference windows' },
  { value: 'trailing', label: 'trailing', description: 'Mean ± k·σ over the history windows before each window' },
];

export const THRESHOLD_OUTPUT_OPTIONS: Array<SelectableValue<ThresholdOutput>> = [
  { value: 'band', label: 'Band', description: 'Adds "<name> · upper" and "<name> · lower" series for panels' },
  {
    value: 'breach',
    label: 'Breach',
    description: 'Replaces each series by a 0/1 breach signal for alert rules (condition: last > 0)',
  },
];

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

/** Dynamic thresholds of the time-series query types: mode, output (band or breach), k, history, hysteresis. */
export function ThresholdsRow(props: EditorRowProps) {
  const { query, issues, uid, change, runIfValid } = props;
  const thresholds = query.thresholds;
  const changeThresholds = (next: Thresholds | undefined, run = true) => change({ thresholds: next }, run);
  return (
    <InlineFieldRow>
      <InlineField
        {...leadFieldProps(issues, 'Thresholds', 'thresholdsMode')}
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
          {...fieldProps(issues, 'Output', 9, 'thresholdsOutput')}
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
          {...fieldProps(issues, 'k (σ)', 7, 'thresholdsK')}
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
          {...fieldProps(issues, 'History', 9, 'thresholdsHistory')}
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
          {...fieldProps(issues, 'Hysteresis', 12, 'thresholdsHysteresis')}
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
  );
}
