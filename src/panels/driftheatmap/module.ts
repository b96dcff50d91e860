import { PanelPlugin } from '@grafana/data';

import { DriftHeatmapPanel } from './DriftHeatmapPanel';
import { DEFAULT_HEATMAP_OPTIONS, HeatmapOptions } from './types';

export const plugin = new PanelPlugin<HeatmapOptions>(DriftHeatmapPanel).setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'colorMode',
      name: 'Colour by',
      description:
        'Score: calm scale below the threshold, alarm scale above it. Exceedance: two colours, drift or not.',
      defaultValue: DEFAULT_HEATMAP_OPTIONS.colorMode,
      settings: {
        options: [
          { value: 'score', label: 'Score' },
          { value: 'exceedance', label: 'Threshold exceedance' },
        ],
      },
    })
    .addRadio({
      path: 'drilldownMode',
      name: 'Click on a cell',
      category: ['Drill-down'],
      description:
        'Set variables: sets the feature variable and the time range to that window. Link: opens the URL template.',
      defaultValue: DEFAULT_HEATMAP_OPTIONS.drilldownMode,
      settings: {
        options: [
          { value: 'variables', label: 'Set variables' },
          { value: 'link', label: 'Link' },
          { value: 'none', label: 'Nothing' },
        ],
      },
    })
    .addTextInput({
      path: 'featureVariable',
      name: 'Feature variable',
      category: ['Drill-down'],
      description: 'Dashboard variable set to the clicked feature',
      defaultValue: DEFAULT_HEATMAP_OPTIONS.featureVariable,
      showIf: (o) => o.drilldownMode === 'variables',
    })
    .addTextInput({
      path: 'modelVariable',
      name: 'Model variable',
      category: ['Drill-down'],
      description: 'Also set this variable to the clicked model (empty: leave it)',
      defaultValue: DEFAULT_HEATMAP_OPTIONS.modelVariable,
      showIf: (o) => o.drilldownMode === 'variables',
    })
    .addTextInput({
      path: 'linkTemplate',
      name: 'Link URL template',
      category: ['Drill-down'],
      description:
        'Placeholders: ${feature}, ${model}, ${from}, ${to} (window, epoch ms), ${metric}, ${value}; dashboard variables work too.',
      defaultValue: DEFAULT_HEATMAP_OPTIONS.linkTemplate,
      showIf: (o) => o.drilldownMode === 'link',
    })
    .addNumberInput({
      path: 'minRowHeight',
      name: 'Minimum row height',
      description: 'Rows scroll (with sticky labels) when they do not fit',
      defaultValue: DEFAULT_HEATMAP_OPTIONS.minRowHeight,
      settings: { min: 8, max: 32, integer: true },
    })
    .addBooleanSwitch({
      path: 'showValues',
      name: 'Show scores in cells',
      defaultValue: DEFAULT_HEATMAP_OPTIONS.showValues,
    })
);
