/**
 * Pure, threshold-aware colour scale of the drift heatmap.
 *
 * The scale runs on the severity r of a score against its threshold: r = value / threshold for distances
 * (drift when value ≥ threshold) and r = threshold / value for p-values (drift when value < threshold).
 * Below the threshold (r < 1) a calm scale from the panel background towards green; at and above it an alarm
 * scale from orange (r = 1) to red (r ≥ 2). Colours come from the theme passed in, never hard-coded.
 */
import { colorManipulator, GrafanaTheme2 } from '@grafana/data';

import { ThresholdDirection } from '../../shared/frames';

export interface HeatPalette {
  calmFrom: string;
  calmTo: string;
  alarmFrom: string;
  alarmTo: string;
  /** cells without a value (below min samples, no data) */
  empty: string;
}

export function paletteFromTheme(theme: GrafanaTheme2): HeatPalette {
  return {
    calmFrom: theme.colors.background.secondary,
    calmTo: theme.visualization.getColorByName('green'),
    alarmFrom: theme.visualization.getColorByName('orange'),
    alarmTo: theme.visualization.getColorByName('red'),
    empty: theme.colors.background.primary,
  };
}

/** Severity of a score against its threshold (1 = at threshold), or null when either is unknown. */
export function severity(
  value: number | null | undefined,
  threshold: number | null | undefined,
  direction: ThresholdDirection
): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return null;
  }
  if (threshold === null || threshold === undefined || !Number.isFinite(threshold) || threshold <= 0) {
    return null;
  }
  if (direction === 'below') {
    return value <= 0 ? Number.POSITIVE_INFINITY : threshold / value;
  }
  return Math.max(0, value) / threshold;
}

/** The score at a given severity (inverse of severity()), for legend labels. */
export function scoreAtSeverity(r: number, threshold: number, direction: ThresholdDirection): number {
  if (direction === 'below') {
    return r <= 0 ? 1 : Math.min(1, threshold / r);
  }
  return r * threshold;
}

/** Linear mix of two CSS colours (hex, rgb(a), hsl) in RGB: t = 0 → a, t = 1 → b. */
export function mixColors(a: string, b: string, t: number): string {
  const ca = colorManipulator.decomposeColor(colorManipulator.asRgbString(a));
  const cb = colorManipulator.decomposeColor(colorManipulator.asRgbString(b));
  const k = Math.min(1, Math.max(0, t));
  const ch = (i: number) => Math.round(ca.values[i] + (cb.values[i] - ca.values[i]) * k);
  return `rgb(${ch(0)}, ${ch(1)}, ${ch(2)})`;
}

export type ColorMode = 'score' | 'exceedance';

/** Colour of a cell for its severity r (null = no value). drift (from the backend) overrides the side of the scale. */
export function colorForSeverity(
  r: number | null,
  palette: HeatPalette,
  drift?: boolean | null,
  mode: ColorMode = 'score'
): string {
  if (r === null) {
    if (drift === true) {
      return palette.alarmFrom;
    }
    return palette.empty;
  }
  const above = drift === true || (drift !== false && r >= 1);
  if (mode === 'exceedance') {
    return above ? palette.alarmTo : mixColors(palette.calmFrom, palette.calmTo, 0.45);
  }
  if (above) {
    return mixColors(palette.alarmFrom, palette.alarmTo, Math.max(0, r - 1));
  }
  return mixColors(palette.calmFrom, palette.calmTo, 0.12 + 0.6 * Math.min(r, 0.999));
}

/** Stops of the legend gradient over severities 0..2 (as CSS linear-gradient stops). */
export function legendGradient(palette: HeatPalette, mode: ColorMode = 'score'): string {
  const at = (r: number) => colorForSeverity(r, palette, undefined, mode);
  const stops = [0, 0.25, 0.5, 0.75, 0.999].map((r) => `${at(r)} ${(r / 2) * 100}%`);
  stops.push(`${at(1)} 50%`, `${at(1.5)} 75%`, `${at(2)} 100%`);
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
