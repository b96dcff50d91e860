import { ColorMode } from './colors';
import { DrilldownMode } from './drilldown';

export interface HeatmapOptions {
  colorMode: ColorMode;
  drilldownMode: DrilldownMode;
  featureVariable: string;
  modelVariable: string;
  linkTemplate: string;
  /** Minimum cell height in px; rows scroll when they do not fit. */
  minRowHeight: number;
  /** Print the score inside cells that are wide enough. */
  showValues: boolean;
}

export const DEFAULT_HEATMAP_OPTIONS: HeatmapOptions = {
  colorMode: 'score',
  drilldownMode: 'variables',
  featureVariable: 'feature',
  modelVariable: '',
  linkTemplate: '/d/mm-churn-distribution?var-model=${model}&var-feature=${feature}&from=${from}&to=${to}',
  minRowHeight: 16,
  showValues: false,
};
