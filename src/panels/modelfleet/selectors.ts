/** Test ids of the model fleet panel, shared by its unit test and the browser check (test/browser/live.mjs). */
export const FLEET_SELECTORS = {
  panel: 'mm-fleet-panel',
  summary: 'mm-fleet-summary',
  grid: 'mm-fleet-grid',
  tile: (model: string) => `mm-fleet-tile-${model}`,
  message: 'mm-fleet-message',
  notice: 'mm-fleet-notice',
  filter: (name: 'owner' | 'tier' | 'verdict') => `mm-fleet-filter-${name}`,
} as const;
