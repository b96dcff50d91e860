/**
 * The query types the editor offers, and the component that edits the options particular to each (github-datasource
 * hands each query type to its own component the same way). The rows every type shares (model, comparison,
 * reference, segment) come before it.
 */
import { ComponentType } from 'react';
import { SelectableValue } from '@grafana/data';

import { QueryType } from '../../types';
import { DiagnosisQueryOptions } from './DiagnosisQueryOptions';
import { EditorRowProps } from './editorProps';
import { PerformanceQueryOptions } from './PerformanceQueryOptions';
import { TableQueryOptions } from './TableQueryOptions';
import { ThresholdsRow } from './ThresholdsRow';

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

/** The options particular to each query type; the time-series types without options of their own have thresholds. */
export const QUERY_TYPE_EDITORS: Record<QueryType, ComponentType<EditorRowProps>> = {
  drift: ThresholdsRow,
  dataQuality: ThresholdsRow,
  driftHeatmap: TableQueryOptions,
  distribution: TableQueryOptions,
  performance: PerformanceQueryOptions,
  estimatedPerformance: PerformanceQueryOptions,
  diagnosis: DiagnosisQueryOptions,
};
