import React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { colorManipulator, createTheme, GrafanaTheme2 } from '@grafana/data';
import { ThemeContext } from '@grafana/ui';

import { loadFrames, panelProps, rawColumn, rawFrames } from '../../__fixtures__/fixtures';
import { formatCount, formatPercent, formatScore, metricName } from '../../shared/format';
import { SELECTORS } from '../../shared/selectors';
import { DistributionPanel } from './DistributionPanel';
import { DEFAULT_DISTRIBUTION_OPTIONS, DistributionOptions } from './types';

const S = SELECTORS.distribution;
const raws = rawFrames('distribution');

function renderPanel(
  theme: GrafanaTheme2,
  options: Partial<DistributionOptions> = {},
  series = loadFrames('distribution'),
  replaceVariables = (s: string) => s
) {
  const props = panelProps<DistributionOptions>(series, { ...DEFAULT_DISTRIBUTION_OPTIONS, ...options });
  return render(
    <ThemeContext.Provider value={theme}>
      <DistributionPanel {...props} replaceVariables={replaceVariables} />
    </ThemeContext.Provider>
  );
}

const rgb = (c: string) => colorManipulator.asRgbString(c).replace(/\s+/g, ' ');

describe.each(['light', 'dark'] as const)('DistributionPanel (%s theme)', (mode) => {
  const theme = createTheme({ colors: { mode } });

  it.each(raws.map((r, i) => [String(r.schema.meta?.custom?.feature), i]))(
    'shows %s: header with model, feature, metric, value vs threshold and sample sizes',
    (_, i) => {
      const custom = raws[i as number].schema.meta!.custom! as Record<string, number | string | boolean>;
      renderPanel(theme, { frameSelection: 'feature', feature: String(custom.feature) });
      expect(screen.getByTestId(S.title)).toHaveTextContent(`${custom.model} · ${custom.feature}`);
      const score = screen.getByTestId(S.score);
      expect(score).toHaveTextContent(`${metricName(String(custom.metric))} ${formatScore(Number(custom.value))}`);
      expect(score).toHaveTextContent(formatScore(Number(custom.threshold)));
      expect(score).toHaveTextContent(custom.drift ? '· drift' : '· no drift');
      // coloured by drift state with the theme's colours
      const expected = custom.drift ? theme.colors.error.text : theme.colors.success.text;
      expect(score.style.color.replace(/\s+/g, ' ')).toBe(rgb(expected));
      expect(screen.getByTestId(S.samples)).toHaveTextContent(
        `reference n = ${formatCount(Number(custom.referenceRows))} · current n = ${formatCount(Number(custom.currentRows))}`
      );
    }
  );

  it('draws one hover target per bin and shows exact fractions and counts on hover', () => {
    renderPanel(theme, { frameSelection: 'first' });
    const raw = raws[0];
    const labels = rawColumn<string>(raw, 'bin');
    labels.forEach((_, i) => expect(screen.getByTestId(S.bin(i))).toBeInTheDocument());
    const i = labels.length - 1;
    fireEvent.mouseEnter(screen.getByTestId(S.bin(i)), { clientX: 100, clientY: 100 });
    const tip = screen.getByTestId(S.tooltip);
    expect(tip).toHaveTextContent(labels[i]);
    expect(tip).toHaveTextContent(formatPercent(rawColumn<number>(raw, 'reference')[i], 2));
    expect(tip).toHaveTextContent(formatPercent(rawColumn<number>(raw, 'current')[i], 2));
    expect(tip).toHaveTextContent(`n = ${formatCount(rawColumn<number>(raw, 'referenceCount')[i])}`);
    expect(tip).toHaveTextContent(`n = ${formatCount(rawColumn<number>(raw, 'currentCount')[i])}`);
    expect(tip).toHaveTextContent(formatScore(rawColumn<number>(raw, 'contribution')[i]));
    fireEvent.mouseLeave(screen.getByTestId(S.bin(i)));
    expect(screen.queryByTestId(S.tooltip)).toBeNull();
  });

  it('is keyboard reachable: focusing a bin shows its tooltip', () => {
    renderPanel(theme, { frameSelection: 'first' });
    const bin = screen.getByTestId(S.bin(0));
    expect(bin).toHaveAttribute('tabindex', '0');
    fireEvent.focus(bin);
    expect(screen.getByTestId(S.tooltip)).toHaveTextContent(rawColumn<string>(raws[0], 'bin')[0]);
  });
});

describe('DistributionPanel frame selection and messages', () => {
  const theme = createTheme();
  const features = raws.map((r) => String(r.schema.meta?.custom?.feature));

  it('shows the last frame ("latest of many") and offers a picker', () => {
    renderPanel(theme, { frameSelection: 'last' });
    expect(screen.getByTestId(S.title)).toHaveTextContent(features[features.length - 1]);
    expect(within(screen.getByTestId(S.frameSelect)).getByText(`${raws.length} of ${raws.length}`)).toBeInTheDocument();
  });

  it('shows the feature of the $feature variable', () => {
    renderPanel(theme, { frameSelection: 'feature', feature: '$feature' }, loadFrames('distribution'), (s) =>
      s.replace('$feature', features[1])
    );
    expect(screen.getByTestId(S.title)).toHaveTextContent(features[1]);
  });

  it('explains wrong-shape data', () => {
    renderPanel(theme, {}, loadFrames('driftHeatmap'));
    expect(screen.getByTestId(S.message)).toHaveTextContent(
      'This panel needs a Model Monitor "Distribution" query: set the query type to Distribution in the query editor.'
    );
  });

  it('explains empty data', () => {
    renderPanel(theme, {}, []);
    expect(screen.getByTestId(S.message)).toHaveTextContent(/No data/);
  });
});
