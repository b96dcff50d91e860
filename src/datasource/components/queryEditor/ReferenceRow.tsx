import React, { ChangeEvent } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup, useStyles2 } from '@grafana/ui';

import { DEFAULT_TRAILING_WINDOWS, Reference, ReferenceType } from '../../types';
import { EditorRowProps, fieldProps, leadFieldProps } from './editorProps';

export const REFERENCE_OPTIONS: Array<SelectableValue<ReferenceType>> = [
  { value: 'range', label: 'Fixed range', description: 'A time range of the same log, e.g. the validation week' },
  { value: 'trailing', label: 'Trailing windows', description: 'The N windows before each window' },
  { value: 'table', label: 'Table', description: 'A separate table with the same columns, e.g. the training set' },
];

/** What each window is compared with: a fixed range, the trailing windows, or a table. */
export function ReferenceRow(props: EditorRowProps) {
  const { query, issues, uid, change, runIfValid } = props;
  const styles = useStyles2(getStyles);
  const ref = query.reference!;
  const changeReference = (reference: Reference, run = true) => change({ reference }, run);
  return (
    <InlineFieldRow>
      <InlineField {...leadFieldProps(issues, 'Reference', 'reference')}>
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
        // From and To wrap together: a narrow editor moves the pair to the next line, never To alone
        <div className={styles.pair}>
          <InlineField {...fieldProps(issues, 'From', 8, 'referenceFrom')}>
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
          <InlineField {...fieldProps(issues, 'To', 6, 'referenceTo')}>
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
        </div>
      )}
      {ref.type === 'trailing' && (
        <InlineField
          {...fieldProps(issues, 'Windows', 10, 'referenceWindows')}
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
        <InlineField {...fieldProps(issues, 'Table', 8, 'referenceTable')}>
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
  );
}

const getStyles = (_theme: GrafanaTheme2) => ({
  // InlineField keeps its own right margin: no gap needed
  pair: css({
    display: 'flex',
    flexWrap: 'nowrap',
    alignItems: 'flex-start',
  }),
});
