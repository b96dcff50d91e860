import React, { ChangeEvent } from 'react';
import { SelectableValue } from '@grafana/data';
import { Combobox, InlineField, InlineFieldRow, Input, RadioButtonGroup } from '@grafana/ui';

import { issuesFor } from '../../query';
import { DEFAULT_SEGMENT_TOP } from '../../types';
import { listOptions } from '../options';
import { AsyncState } from '../useResources';
import { EditorRowProps, fieldProps, leadFieldProps } from './editorProps';
import { OptionalNumberInput } from './OptionalNumberInput';

type SegmentUse = 'filter' | 'split';

export const SEGMENT_USE_OPTIONS: Array<SelectableValue<SegmentUse>> = [
  { value: 'filter', label: 'Filter', description: 'Keep only the rows of one value of the column' },
  { value: 'split', label: 'Split', description: 'One labelled series per value of the column (the top N by rows)' },
];

/** An optional segment: filter the log to one value of a column, or split the query by its values. */
export function SegmentRow(
  props: EditorRowProps & {
    columns: AsyncState<string[]>;
    values: AsyncState<string[]>;
    variables: string[];
  }
) {
  const { query, issues, uid, change, runIfValid, columns, values, variables } = props;
  const segment = query.segment;
  const column = segment?.column ?? '';
  const split = segment?.split === true;
  return (
    <InlineFieldRow>
      <InlineField
        {...leadFieldProps(issues, 'Segment', 'segmentColumn')}
        tooltip="Optional: filter the log to one value of a segment column, or split the query by its values"
      >
        <Combobox<string>
          id={uid('mm-segment-column')}
          width={20}
          options={listOptions(columns.value, variables, column)}
          value={column || null}
          loading={columns.loading}
          isClearable
          createCustomValue
          placeholder="(whole log)"
          onChange={(o) =>
            o
              ? change(
                  {
                    segment: split ? { ...segment!, column: String(o.value) } : { column: String(o.value), value: '' },
                  },
                  split
                )
              : change({ segment: undefined })
          }
        />
      </InlineField>
      {column !== '' && (
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
                ? change({ segment: { column, value: '', split: true } })
                : change({ segment: { column, value: '' } }, false)
            }
          />
        </InlineField>
      )}
      {column !== '' && !split && (
        <InlineField {...fieldProps(issues, 'Value', 8, 'segmentValue')}>
          <Combobox<string>
            id={uid('mm-segment-value')}
            width={20}
            options={listOptions(values.value, variables, segment?.value ?? '')}
            value={segment?.value || null}
            loading={values.loading}
            createCustomValue
            placeholder="Choose a value"
            onChange={(o) => change({ segment: { column, value: String(o.value) } })}
          />
        </InlineField>
      )}
      {column !== '' && split && (
        <>
          <InlineField
            {...fieldProps(issues, 'Top', 6, 'segmentTop')}
            tooltip={`How many values of ${column} get a series: those with the most rows (1 to 50, default ${DEFAULT_SEGMENT_TOP}).`}
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
            <InlineField {...fieldProps(issues, 'Value', 8, 'segmentValue')}>
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
  );
}
