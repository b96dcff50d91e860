import { PanelPlugin } from '@grafana/data';

import { FleetPanel } from './FleetPanel';
import { DEFAULT_FLEET_OPTIONS, FleetOptions } from './types';

export const plugin = new PanelPlugin<FleetOptions>(FleetPanel).setPanelOptions((builder) =>
  builder
    .addTextInput({
      path: 'linkTemplate',
      name: 'Drill-down URL template',
      description:
        'Opened by a click or Enter on a tile. Placeholders: ${model}, ${feature} (worst feature), ${from}, ${to} (the panel’s range, epoch ms); dashboard variables work too.',
      defaultValue: DEFAULT_FLEET_OPTIONS.linkTemplate,
    })
    .addNumberInput({
      path: 'tileWidth',
      name: 'Minimum tile width',
      description: 'Tiles wrap into as many columns as fit and scroll below',
      defaultValue: DEFAULT_FLEET_OPTIONS.tileWidth,
      settings: { min: 120, max: 600, integer: true },
    })
    .addBooleanSwitch({
      path: 'showTrend',
      name: 'Trend of the primary metric',
      description: 'Estimated (CBPE) where there is an estimate, else realized, per window',
      defaultValue: DEFAULT_FLEET_OPTIONS.showTrend,
    })
);
