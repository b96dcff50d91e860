import { PanelPlugin } from '@grafana/data';

import { DistributionPanel } from './DistributionPanel';
import { DEFAULT_DISTRIBUTION_OPTIONS, DistributionOptions } from './types';

export const plugin = new PanelPlugin<DistributionOptions>(DistributionPanel).setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'frameSelection',
      name: 'Frame shown',
      description:
        'When the query returns several distributions (features, models or windows): the one of a feature, the first, or the last (latest window). The panel also offers a picker.',
      defaultValue: DEFAULT_DISTRIBUTION_OPTIONS.frameSelection,
      settings: {
        options: [
          { value: 'feature', label: 'Feature' },
          { value: 'first', label: 'First' },
          { value: 'last', label: 'Last' },
        ],
      },
    })
    .addTextInput({
      path: 'feature',
      name: 'Feature',
      description: 'Feature to show; a variable such as $feature works. Falls back to the first frame.',
      defaultValue: DEFAULT_DISTRIBUTION_OPTIONS.feature,
      showIf: (o) => o.frameSelection === 'feature',
    })
    .addBooleanSwitch({
      path: 'showContribution',
      name: 'Per-bin contribution',
      description: 'Each bin’s share of the drift score, under the distribution',
      defaultValue: DEFAULT_DISTRIBUTION_OPTIONS.showContribution,
    })
    .addBooleanSwitch({
      path: 'showSpecialBins',
      name: 'Special bins',
      description: 'Show (other), (unseen) and (null) bins',
      defaultValue: DEFAULT_DISTRIBUTION_OPTIONS.showSpecialBins,
    })
    .addNumberInput({
      path: 'decimals',
      name: 'Decimals',
      defaultValue: DEFAULT_DISTRIBUTION_OPTIONS.decimals,
      settings: { min: 0, max: 8, integer: true },
    })
);
