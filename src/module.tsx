import { AppPlugin } from '@grafana/data';

import { AppRoot } from './components/AppRoot';

/**
 * The Model Monitor app. It bundles the nested data source (src/datasource) and panels (src/panels/*);
 * each of those has its own plugin.json and module.ts and is built as its own entry.
 */
export const plugin = new AppPlugin<{}>().setRootPage(AppRoot);
