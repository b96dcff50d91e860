/** Small pure formatters shared by the panels. */

const METRIC_NAMES: Record<string, string> = {
  psi: 'PSI',
  js: 'Jensen–Shannon',
  kl: 'KL divergence',
  hellinger: 'Hellinger',
  linf: 'L∞',
  wasserstein: 'Wasserstein',
  ks: 'KS p-value',
  chi2: 'χ² p-value',
  ztest: 'Z-test p-value',
  auto: 'auto',
};

export function metricName(metric: string | undefined): string {
  if (!metric) {
    return 'drift score';
  }
  return METRIC_NAMES[metric] ?? metric;
}

/** A score with enough significant digits to compare with its threshold (0.2341, 0.0012, 12.3). */
export function formatScore(v: number | null | undefined, decimals = 4): string {
  if (v === null || v === undefined || !Number.isFinite(v)) {
    return '–';
  }
  if (v !== 0 && Math.abs(v) < 10 ** -decimals) {
    return v.toExponential(1);
  }
  return String(Number(v.toFixed(decimals)));
}

export function formatPercent(fraction: number | null | undefined, decimals = 2): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) {
    return '–';
  }
  return `${(fraction * 100).toFixed(decimals)}%`;
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) {
    return '–';
  }
  return Math.round(n).toLocaleString('en-US');
}
