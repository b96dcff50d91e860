/**
 * Pure drill-down targets of a heatmap cell: either a partial location update (set $feature and the time range of
 * the window) or a URL built from a template with ${feature}, ${model}, ${from}, ${to}, ${metric}, ${value}.
 */
import { HeatCell, HeatRow, HeatWindow } from './pivot';

export type DrilldownMode = 'variables' | 'link' | 'none';

export interface DrilldownOptions {
  drilldownMode: DrilldownMode;
  /** variable set to the feature (without $), default "feature" */
  featureVariable: string;
  /** variable set to the model; empty = leave the model alone */
  modelVariable: string;
  /** URL template for mode = link */
  linkTemplate: string;
}

export type DrilldownTarget =
  { kind: 'partial'; query: Record<string, string | number> } | { kind: 'url'; url: string } | { kind: 'none' };

export const LINK_PLACEHOLDERS = ['feature', 'model', 'from', 'to', 'metric', 'value'] as const;

/** Replaces ${feature}-style placeholders with URL-encoded values; other ${...} are left for dashboard variables. */
export function applyLinkTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\$\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? encodeURIComponent(String(values[name])) : whole
  );
}

export function drilldownTarget(
  row: HeatRow,
  window: HeatWindow,
  cell: HeatCell | undefined,
  options: DrilldownOptions,
  /** dashboard variable interpolation for what is left of the link template */
  interpolate: (text: string) => string = (t) => t
): DrilldownTarget {
  if (options.drilldownMode === 'none') {
    return { kind: 'none' };
  }
  if (options.drilldownMode === 'link') {
    if (!options.linkTemplate.trim()) {
      return { kind: 'none' };
    }
    const url = applyLinkTemplate(options.linkTemplate.trim(), {
      feature: row.feature,
      model: row.model,
      from: window.start,
      to: window.end,
      metric: cell?.metric ?? '',
      value: cell?.value ?? '',
    });
    return { kind: 'url', url: interpolate(url) };
  }
  const featureVar = (options.featureVariable || 'feature').replace(/^\$/, '');
  const query: Record<string, string | number> = {
    [`var-${featureVar}`]: row.feature,
    from: window.start,
    to: window.end,
  };
  const modelVar = options.modelVariable.replace(/^\$/, '');
  if (modelVar && row.model) {
    query[`var-${modelVar}`] = row.model;
  }
  return { kind: 'partial', query };
}

/** True for URLs that leave Grafana (absolute URLs of another origin). */
export function isExternalUrl(url: string, origin: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    return false;
  }
  try {
    return new URL(url).origin !== origin;
  } catch {
    return true;
  }
}
