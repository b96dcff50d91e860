/**
 * Test ids shared by the unit tests (jest + testing-library) and the browser check (test/browser).
 * Keep them stable: the browser check and e2e tests look elements up by these.
 */
export const SELECTORS = {
  queryEditor: {
    container: 'mm-query-editor',
    warnings: 'mm-query-warnings',
  },
  configEditor: {
    container: 'mm-config-editor',
    postgres: 'mm-config-postgres',
    spark: 'mm-config-spark',
  },
  variableEditor: {
    container: 'mm-variable-editor',
  },
  distribution: {
    panel: 'mm-distribution-panel',
    header: 'mm-distribution-header',
    title: 'mm-distribution-title',
    score: 'mm-distribution-score',
    samples: 'mm-distribution-samples',
    chart: 'mm-distribution-chart',
    bin: (i: number) => `mm-distribution-bin-${i}`,
    contribution: (i: number) => `mm-distribution-contribution-${i}`,
    contributionScale: 'mm-distribution-contribution-scale',
    yTick: 'mm-distribution-ytick',
    tooltip: 'mm-distribution-tooltip',
    frameSelect: 'mm-distribution-frame-select',
    message: 'mm-distribution-message',
  },
  heatmap: {
    panel: 'mm-heatmap-panel',
    grid: 'mm-heatmap-grid',
    rowLabel: (row: number) => `mm-heatmap-row-${row}`,
    cell: (row: number, col: number) => `mm-heatmap-cell-${row}-${col}`,
    tooltip: 'mm-heatmap-tooltip',
    legend: 'mm-heatmap-legend',
    moreRows: 'mm-heatmap-more-rows',
    message: 'mm-heatmap-message',
  },
} as const;
