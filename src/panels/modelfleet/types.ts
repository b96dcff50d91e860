export interface FleetOptions {
  /** URL template of a tile's drill-down: ${model}, ${from}, ${to} (the panel's range, epoch ms), ${feature}. */
  linkTemplate: string;
  /** Minimum tile width in px: tiles wrap into as many columns as fit, and scroll below. */
  tileWidth: number;
  /** Show the small trend of the primary metric in each tile. */
  showTrend: boolean;
}

export const DEFAULT_FLEET_OPTIONS: FleetOptions = {
  linkTemplate: '/d/mm-health?var-model=${model}&from=${from}&to=${to}',
  tileWidth: 220,
  showTrend: true,
};
