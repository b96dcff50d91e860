// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';
// i18next (inside @grafana/ui) prints a sponsor notice once per test file unless told not to: its documented opt-out
process.env.I18NEXT_NO_SUPPORT_NOTICE = '1';

const base = require('./.config/jest.config');

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  // Some ESM-only dependencies of @grafana/data (d3-color, …) ship .mjs files: transform those too.
  transform: {
    ...base.transform,
    '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
  },
  // editor tests render the real @grafana/ui pick-lists: give them room on a loaded 2-core machine
  testTimeout: 30000,
  // the browser check (test/browser) runs in Chromium, not in jest
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/'],
};
