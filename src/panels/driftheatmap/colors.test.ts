import { createTheme } from '@grafana/data';

import { colorForSeverity, legendGradient, mixColors, paletteFromTheme, scoreAtSeverity, severity } from './colors';

describe('severity', () => {
  it('is value / threshold for distances and threshold / value for p-values', () => {
    expect(severity(0.05, 0.1, 'above')).toBeCloseTo(0.5);
    expect(severity(0.2, 0.1, 'above')).toBeCloseTo(2);
    expect(severity(0.01, 0.05, 'below')).toBeCloseTo(5);
    expect(severity(0.5, 0.05, 'below')).toBeCloseTo(0.1);
    expect(severity(0, 0.05, 'below')).toBe(Infinity);
  });
  it('is null without a value or a usable threshold', () => {
    expect(severity(null, 0.1, 'above')).toBeNull();
    expect(severity(NaN, 0.1, 'above')).toBeNull();
    expect(severity(0.1, null, 'above')).toBeNull();
    expect(severity(0.1, 0, 'above')).toBeNull();
  });
  it('inverts for legend labels', () => {
    expect(scoreAtSeverity(2, 0.1, 'above')).toBeCloseTo(0.2);
    expect(scoreAtSeverity(2, 0.05, 'below')).toBeCloseTo(0.025);
    expect(scoreAtSeverity(0, 0.05, 'below')).toBe(1);
  });
});

describe.each(['light', 'dark'] as const)('colour scale in the %s theme', (mode) => {
  const theme = createTheme({ colors: { mode } });
  const p = paletteFromTheme(theme);

  it('uses the theme colours', () => {
    expect(p.alarmFrom).toBe(theme.visualization.getColorByName('orange'));
    expect(p.alarmTo).toBe(theme.visualization.getColorByName('red'));
    expect(p.calmTo).toBe(theme.visualization.getColorByName('green'));
  });

  it('is calm below the threshold and alarming at and above it', () => {
    const below = colorForSeverity(0.9, p);
    const at = colorForSeverity(1, p);
    const far = colorForSeverity(3, p);
    expect(at).toBe(mixColors(p.alarmFrom, p.alarmTo, 0));
    expect(far).toBe(mixColors(p.alarmFrom, p.alarmTo, 1));
    expect(below).toBe(mixColors(p.calmFrom, p.calmTo, 0.12 + 0.6 * 0.9));
    expect(colorForSeverity(null, p)).toBe(p.empty);
  });

  it('lets the backend drift flag pick the side of the scale', () => {
    expect(colorForSeverity(0.5, p, true)).toBe(mixColors(p.alarmFrom, p.alarmTo, 0));
    expect(colorForSeverity(1.5, p, false)).toBe(mixColors(p.calmFrom, p.calmTo, 0.12 + 0.6 * 0.999));
  });

  it('has two colours in exceedance mode', () => {
    expect(colorForSeverity(1.2, p, undefined, 'exceedance')).toBe(p.alarmTo);
    expect(colorForSeverity(0.2, p, undefined, 'exceedance')).toBe(colorForSeverity(0.8, p, undefined, 'exceedance'));
  });

  it('draws a legend gradient with the threshold in the middle', () => {
    expect(legendGradient(p)).toMatch(/^linear-gradient\(to right, .* 50%, .* 100%\)$/);
  });
});

describe('mixColors', () => {
  it('mixes in RGB', () => {
    expect(mixColors('#000000', '#ffffff', 0.5)).toBe('rgb(128, 128, 128)');
    expect(mixColors('rgb(10, 20, 30)', '#ffffff', 0)).toBe('rgb(10, 20, 30)');
    expect(mixColors('#000', '#fff', 2)).toBe('rgb(255, 255, 255)');
  });
});
