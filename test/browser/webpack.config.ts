/*
 * Builds the browser-check harness with the project's own webpack config (.config/webpack): same loaders (swc,
 * css, assets), same resolve rules, but one entry (harness/index.tsx), @grafana/* and React bundled instead of
 * external (there is no Grafana around the harness), a plain script instead of an AMD plugin module, and none of the
 * plugin packaging plugins (copy, replace, SRI, build mode).
 */
import path from 'path';
import webpack, { type Configuration } from 'webpack';

import grafanaConfig, { type Env } from '../../.config/webpack/webpack.config';

const HERE = path.resolve(process.cwd(), 'test', 'browser');

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig({ ...env, development: true });
  const rules = (base.module?.rules ?? []).filter(
    // the imports-loader rule injects the plugin public path into plugin modules only
    (r) => !(r && typeof r === 'object' && String((r as { test?: unknown }).test).includes('module'))
  );
  return {
    ...base,
    mode: 'development',
    devtool: false,
    cache: false,
    context: HERE,
    entry: { harness: './harness/index.tsx' },
    externals: [],
    module: { ...base.module, rules },
    output: {
      path: path.join(HERE, 'dist'),
      filename: '[name].js',
      publicPath: '',
      clean: true,
    },
    optimization: { minimize: false, splitChunks: false },
    performance: { hints: false },
    plugins: [
      new webpack.DefinePlugin({ 'process.env.NODE_ENV': JSON.stringify('development') }),
      new webpack.ProvidePlugin({ process: path.join(HERE, 'harness', 'process-shim.js') }),
    ],
    resolve: {
      ...base.resolve,
      modules: [path.resolve(process.cwd(), 'src'), 'node_modules'],
    },
  };
};

export default config;
