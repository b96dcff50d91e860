/*
 * Extends the create-plugin webpack config (./.config/webpack) as its README advises, without editing .config/.
 *
 * The base config already builds one entry per nested plugin (every src/**\/plugin.json with a sibling module.ts)
 * and copies every src/**\/*.json, but it copies the logos and README of the root plugin only. This adds, for each
 * nested plugin (src/datasource, src/panels/*): its README.md and the logos/screenshots its plugin.json names, and
 * keeps test fixtures (src/__fixtures__) out of dist/.
 */
import CopyWebpackPlugin from 'copy-webpack-plugin';
import fs from 'fs';
import path from 'path';
import { globSync } from 'glob';
import type { Configuration } from 'webpack';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config';
import { copyFilePatterns } from './.config/bundler/copyFiles';

const SRC = path.resolve(process.cwd(), 'src');
const FIXTURES_GLOB = '**/__fixtures__/**';

interface NestedPluginJson {
  info?: { logos?: { small?: string; large?: string }; screenshots?: Array<{ path: string }> };
}

/** Copy patterns for the nested plugins' README, logos and screenshots, relative to src/. */
export function nestedPluginPatterns(): Array<{ from: string; to: string }> {
  const patterns: Array<{ from: string; to: string }> = [];
  for (const file of globSync('**/plugin.json', { cwd: SRC, ignore: [FIXTURES_GLOB] })) {
    const dir = path.dirname(file);
    if (dir === '.') {
      continue; // the app itself: handled by the base config
    }
    const json: NestedPluginJson = JSON.parse(fs.readFileSync(path.join(SRC, file), 'utf8'));
    const assets = new Set<string>(
      [json.info?.logos?.small, json.info?.logos?.large, ...(json.info?.screenshots ?? []).map((s) => s.path)].filter(
        (p): p is string => Boolean(p)
      )
    );
    if (fs.existsSync(path.join(SRC, dir, 'README.md'))) {
      assets.add('README.md');
    }
    for (const asset of assets) {
      patterns.push({ from: path.join(dir, asset), to: path.join(dir, asset) });
    }
  }
  return patterns;
}

type Pattern = (typeof copyFilePatterns)[number];

function withoutFixtures(pattern: Pattern): Pattern {
  if (pattern.from === '**/*.json') {
    return { ...pattern, globOptions: { ignore: [FIXTURES_GLOB] } } as Pattern;
  }
  return pattern;
}

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  const plugins = (base.plugins ?? []).filter((p) => !(p instanceof CopyWebpackPlugin));
  plugins.push(
    new CopyWebpackPlugin({
      patterns: [...copyFilePatterns.map(withoutFixtures), ...nestedPluginPatterns()],
    })
  );
  return { ...base, plugins };
};

export default config;
