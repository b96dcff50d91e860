import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createTheme, dateTime, GrafanaTheme2 } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { ThemeContext } from '@grafana/ui';

import { panelProps } from '../../__fixtures__/fixtures';
import { FleetPanel, SEVERITY_COLOR } from './FleetPanel';
import { FLEET, fleetFrame } from './testdata';
import { FLEET_SELECTORS as S } from './selectors';
import { DEFAULT_FLEET_OPTIONS } from './types';

function renderPanel(theme: GrafanaTheme2, series = [fleetFrame(FLEET)]) {
  const props = panelProps(series, DEFAULT_FLEET_OPTIONS, { width: 1000, height: 600 });
  const range = { from: dateTime(1760000000000), to: dateTime(1762300800000), raw: { from: 'a', to: 'b' } };
  return render(
    <ThemeContext.Provider value={theme}>
      <FleetPanel {...props} timeRange={range} />
    </ThemeContext.Provider>
  );
}

describe.each(['light', 'dark'] as const)('FleetPanel (%s theme)', (mode) => {
  const theme = createTheme({ colors: { mode } });

  it('shows one tile per model, most urgent first, edged in its severity’s theme colour', () => {
    renderPanel(theme);
    const tiles = screen.getAllByRole('link');
    expect(tiles.map((t) => t.getAttribute('data-testid'))).toEqual(
      ['credit_risk_na', 'churn', 'fraud_card_eu', 'ltv_forecast'].map(S.tile)
    );
    const page = screen.getByTestId(S.tile('credit_risk_na'));
    expect(page.style.borderLeftColor.toLowerCase()).toBe(
      theme.visualization.getColorByName(SEVERITY_COLOR.page).toLowerCase()
    );
    expect(page).toHaveTextContent('concept drift · labels pending (1 window)');
    expect(screen.getByTestId(S.summary)).toHaveTextContent('1 page1 ticket1 report1 ok');
  });

  it('filters by tier and verdict', async () => {
    renderPanel(theme);
    // the option lists are virtualised (no layout in jsdom): pick with the keyboard
    await userEvent.click(screen.getByLabelText('Tier'));
    await userEvent.keyboard('critical{ArrowDown}{Enter}');
    await userEvent.click(screen.getByLabelText('Verdict'));
    await userEvent.keyboard('ok{ArrowDown}{Enter}');
    expect(screen.getAllByRole('link').map((t) => t.getAttribute('data-testid'))).toEqual([S.tile('fraud_card_eu')]);
    expect(screen.getByTestId(S.summary)).toHaveTextContent('· 1 shown');
  });

  it('opens model health for the model and the panel’s range on Enter and on click', () => {
    const push = jest.spyOn(locationService, 'push').mockImplementation(() => {});
    renderPanel(theme);
    const tile = screen.getByTestId(S.tile('churn'));
    tile.focus();
    expect(document.activeElement).toBe(tile);
    fireEvent.keyDown(tile, { key: 'Enter' });
    expect(push).toHaveBeenLastCalledWith('/d/mm-health?var-model=churn&from=1760000000000&to=1762300800000');
    fireEvent.click(screen.getByTestId(S.tile('ltv_forecast')));
    expect(push).toHaveBeenLastCalledWith('/d/mm-health?var-model=ltv_forecast&from=1760000000000&to=1762300800000');
    push.mockRestore();
  });

  it('lays out 500 models as tiles in a scrolling grid, counted by severity', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({
      ...FLEET[i % FLEET.length],
      model: `model_${String(i).padStart(3, '0')}`,
    }));
    renderPanel(theme, [fleetFrame(many)]);
    expect(screen.getAllByRole('link')).toHaveLength(500);
    expect(screen.getByTestId(S.summary)).toHaveTextContent('125 page125 ticket125 report125 ok');
    expect(screen.getByTestId(S.grid).style.gridTemplateColumns).toBe('repeat(auto-fill, minmax(220px, 1fr))');
  });

  it('shows the tiles that arrived and says which query failed (partial)', () => {
    const props = panelProps([fleetFrame(FLEET)], DEFAULT_FLEET_OPTIONS, { width: 1000, height: 600 });
    const data = { ...props.data, errors: [{ refId: 'B', message: 'query timed out' }] };
    render(
      <ThemeContext.Provider value={theme}>
        <FleetPanel {...props} data={data} />
      </ThemeContext.Provider>
    );
    expect(screen.getAllByRole('link')).toHaveLength(4);
    expect(screen.getByTestId(S.notice)).toHaveTextContent('Query B failed: query timed out');
  });

  it('says so when there is nothing to show', () => {
    renderPanel(theme, []);
    expect(screen.getByTestId(S.message)).toHaveTextContent('No models in this time range.');
  });
});
