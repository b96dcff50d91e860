import React from 'react';
import { SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, RadioButtonGroup } from '@grafana/ui';

import { DiagnosisOutput } from '../../types';
import { EditorRowProps, leadFieldProps } from './editorProps';
import { ThresholdsRow } from './ThresholdsRow';

export const DIAGNOSIS_OUTPUT_OPTIONS: Array<SelectableValue<DiagnosisOutput>> = [
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

/** diagnosis: evidence (panels) or verdicts (alert rules), and thresholds. */
export function DiagnosisQueryOptions(props: EditorRowProps) {
  const { query, issues, uid, change } = props;
  return (
    <>
      <InlineFieldRow>
        <InlineField
          {...leadFieldProps(issues, 'Output', 'diagnosisOutput')}
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
      </InlineFieldRow>
      <ThresholdsRow {...props} />
    </>
  );
}
