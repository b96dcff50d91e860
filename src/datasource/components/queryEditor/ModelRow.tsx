import React from 'react';
import { Combobox, InlineField, InlineFieldRow, InlineSwitch, MultiCombobox } from '@grafana/ui';

import { FeatureInfo, ModelInfo } from '../../types';
import { featureOptions, modelOptions } from '../options';
import { AsyncState } from '../useResources';
import { EditorRowProps, fieldProps, leadFieldProps } from './editorProps';

/** Model and features: every query type starts from them. */
export function ModelRow(
  props: EditorRowProps & { models: AsyncState<ModelInfo[]>; features: AsyncState<FeatureInfo[]>; variables: string[] }
) {
  const { query, issues, uid, change, models, features, variables } = props;
  const modelChoices = modelOptions(models.value, variables, query.model ?? '');
  const featureChoices = featureOptions(features.value, variables, query.features ?? []);
  const allFeatures = (query.features ?? []).length === 0;
  return (
    <InlineFieldRow>
      <InlineField
        {...leadFieldProps(issues, 'Model', 'model')}
        tooltip="The model whose inputs are compared; All models runs one query over the whole fleet."
      >
        <Combobox<string>
          id={uid('mm-model')}
          width={28}
          options={modelChoices}
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
            } else if (featureChoices.length > 0) {
              change({ features: [String(featureChoices[0].value)] });
            }
          }}
        />
      </InlineField>
      {!allFeatures && (
        <InlineField {...fieldProps(issues, 'Features', 10, 'features')} grow>
          <MultiCombobox<string>
            id={uid('mm-features')}
            width="auto"
            minWidth={24}
            maxWidth={80}
            options={featureChoices}
            value={query.features ?? []}
            loading={features.loading}
            createCustomValue
            placeholder="Pick features"
            onChange={(opts) => change({ features: opts.map((o) => String(o.value)) })}
          />
        </InlineField>
      )}
    </InlineFieldRow>
  );
}
