import React from 'react';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { DataSource } from '../datasource';
import { MMQuery } from '../types';
import { SELECTORS } from '../../shared/selectors';
import { QueryEditor } from './QueryEditor';
import { withMode } from './queryEditor/ThresholdsRow';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({
    getVariables: () => [{ name: 'feature' }, { name: 'model' }],
    replace: (s: string) => s,
  }),
}));

const FEATURES = [
  { name: 'monthly_charges', type: 'numeric', importance: 0.17 },
  { name: 'contract_type', type: 'categorical', importance: 0.12 },
];

function fakeDatasource() {
  return {
    getModels: jest.fn().mockResolvedValue([{ id: 'churn', versions: ['v3'], task: 'binary', tier: 'critical' }]),
    getFeatures: jest.fn().mockResolvedValue(FEATURES),
    getSegmentColumns: jest.fn().mockResolvedValue(['region', 'channel']),
    getSegmentValues: jest.fn().mockResolvedValue(['APAC', 'EU']),
  } as unknown as DataSource;
}

const query: MMQuery = {
  refId: 'A',
  queryType: 'drift',
  model: 'churn',
  features: ['monthly_charges'],
  metric: 'auto',
  window: '1d',
  reference: { type: 'range', from: '2026-10-01T00:00:00Z', to: '2026-10-08T00:00:00Z' },
};

async function setup(q: Partial<MMQuery> = {}) {
  const ds = fakeDatasource();
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const utils = render(
    <QueryEditor datasource={ds} query={{ ...query, ...q }} onChange={onChange} onRunQuery={onRunQuery} />
  );
  // let the resource requests resolve
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
  });
  return { ds, onChange, onRunQuery, ...utils };
}

/** Tabs from the start of the page while the focus stays in the container; the fields it reached, in order. */
async function tabThrough(container: HTMLElement, max: number): Promise<HTMLElement[]> {
  const order: HTMLElement[] = [];
  for (let i = 0; i < max; i++) {
    await userEvent.tab();
    const el = document.activeElement as HTMLElement;
    if (!container.contains(el)) {
      break;
    }
    if (!order.includes(el)) {
      order.push(el);
    }
  }
  return order;
}

describe('QueryEditor', () => {
  it('renders every field with its label and the current values', async () => {
    const { ds } = await setup();
    await waitFor(() => expect(ds.getFeatures).toHaveBeenCalledWith('churn'));
    for (const label of [
      'Query type',
      'Model',
      'All features',
      'Features',
      'Metric',
      'Window',
      'Bins',
      'Threshold',
      'Reference',
      'From',
      'To',
      'Segment',
    ]) {
      expect(screen.getByText(label)).toBeInTheDocument();
    }
    expect(screen.getByLabelText('Model')).toHaveValue('churn');
    expect(screen.getByLabelText('Window')).toHaveValue('1d');
    expect(screen.getByLabelText('From')).toHaveValue('2026-10-01T00:00:00Z');
    expect(screen.getByText('monthly_charges')).toBeInTheDocument();
    expect(ds.getModels).toHaveBeenCalled();
    expect(ds.getSegmentColumns).toHaveBeenCalled();
  });

  it('asks the resources for the pick-lists', async () => {
    const { ds } = await setup({ segment: { column: 'region', value: 'EU' } });
    expect(ds.getModels).toHaveBeenCalledTimes(1);
    expect(ds.getFeatures).toHaveBeenCalledWith('churn');
    expect(ds.getSegmentColumns).toHaveBeenCalledTimes(1);
    expect(ds.getSegmentValues).toHaveBeenCalledWith('region');
  });

  it('explains a Z-test on a numeric feature inline, and does not run the query', async () => {
    const { onRunQuery } = await setup({ metric: 'ztest' });
    expect(
      await screen.findByText(/The Z-test compares proportions of a binary feature; monthly_charges is numeric/)
    ).toBeInTheDocument();
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('explains a reference range that ends before it starts', async () => {
    await setup({ reference: { type: 'range', from: '2026-10-08T00:00:00Z', to: '2026-10-01T00:00:00Z' } });
    expect(screen.getByText(/The range ends before it starts: the end must be after the start/)).toBeInTheDocument();
  });

  it('explains trailing windows below 1 and keeps the value', async () => {
    await setup({ reference: { type: 'trailing', windows: 0 } });
    expect(screen.getByText('Trailing windows must be a whole number of at least 1.')).toBeInTheDocument();
    expect(screen.getByLabelText('Windows')).toHaveValue(0);
  });

  it('switches the reference type and shows its fields', async () => {
    const { onChange } = await setup();
    await userEvent.click(screen.getByText('Trailing windows'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ reference: { type: 'trailing', windows: 7 } }));
  });

  it('selects all features with the switch', async () => {
    const { onChange, onRunQuery } = await setup();
    await userEvent.click(screen.getByLabelText('All features'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ features: [] }));
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('loads segment values for the chosen column', async () => {
    const { ds } = await setup({ segment: { column: 'region', value: 'EU' } });
    await waitFor(() => expect(ds.getSegmentValues).toHaveBeenCalledWith('region'));
    expect(screen.getByLabelText('Value')).toHaveValue('EU');
  });

  it('reaches every field with the keyboard, in order', async () => {
    await setup({ segment: { column: 'region', value: 'EU' } });
    const order = await tabThrough(screen.getByTestId(SELECTORS.queryEditor.container), 40);
    for (const label of [
      'Model',
      'All features',
      'Features',
      'Metric',
      'Window',
      'Bins',
      'Threshold',
      'From',
      'To',
      'Segment',
      'Value',
    ]) {
      expect(order).toContain(screen.getByLabelText(label));
    }
    // the radio groups are reachable too (their inputs have generated ids)
    expect(screen.getAllByRole('radio').length).toBeGreaterThanOrEqual(6);
  });

  it('switches the segment from filter to split: the value goes, the query runs', async () => {
    const { onChange, onRunQuery } = await setup({ segment: { column: 'region', value: 'EU' } });
    expect(screen.getByRole('radio', { name: 'Filter' })).toBeChecked();
    await userEvent.click(screen.getByRole('radio', { name: 'Split' }));
    expect(onChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ segment: { column: 'region', value: '', split: true } })
    );
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows Top instead of Value for a split and reads it as a number', async () => {
    const { onChange, onRunQuery } = await setup({ segment: { column: 'region', value: '', split: true } });
    expect(screen.getByRole('radio', { name: 'Split' })).toBeChecked();
    expect(screen.queryByLabelText('Value')).not.toBeInTheDocument();
    const top = screen.getByLabelText('Top');
    expect(top).toHaveAttribute('placeholder', '5');
    await userEvent.type(top, '8');
    expect(onChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ segment: { column: 'region', value: '', split: true, top: 8 } })
    );
    // typing does not run the query; leaving the field does
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('switches a split back to a filter without top', async () => {
    const { onChange, onRunQuery } = await setup({ segment: { column: 'region', value: '', split: true, top: 8 } });
    await userEvent.click(screen.getByRole('radio', { name: 'Filter' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ segment: { column: 'region', value: '' } }));
    // a filter without value is incomplete: not run
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('explains a split top above 50 inline', async () => {
    await setup({ segment: { column: 'region', value: '', split: true, top: 51 } });
    expect(screen.getByText('Top must be a whole number from 1 to 50 (leave it empty for 5).')).toBeInTheDocument();
    expect(screen.getByLabelText('Top')).toHaveValue(51);
  });

  it('explains a stored query with both a value and split, next to the value', async () => {
    await setup({ segment: { column: 'region', value: 'EU', split: true } });
    expect(
      screen.getByText('Give either a value (filter) or split, not both: clear the value to split.')
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Value')).toHaveValue('EU');
  });

  it('shows the thresholds row with mode none, and only the mode', async () => {
    await setup();
    expect(screen.getByText('Thresholds')).toBeInTheDocument();
    expect(screen.getByLabelText('Thresholds')).toHaveValue('none');
    for (const label of ['Output', 'k (σ)', 'History', 'Hysteresis']) {
      expect(screen.queryByLabelText(label)).not.toBeInTheDocument();
    }
  });

  it('picks a thresholds mode from the select', async () => {
    const { onChange, onRunQuery } = await setup();
    // the option list is virtualised (no layout in jsdom): pick with the keyboard
    await userEvent.click(screen.getByLabelText('Thresholds'));
    await userEvent.keyboard('trailing{ArrowDown}{Enter}');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ thresholds: { mode: 'trailing' } }));
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows k and history for trailing, hysteresis only for breach output', async () => {
    await setup({ thresholds: { mode: 'trailing', k: 2.5 } });
    expect(screen.getByLabelText('Thresholds')).toHaveValue('trailing');
    expect(screen.getByRole('radio', { name: 'Band' })).toBeChecked();
    expect(screen.getByLabelText('k (σ)')).toHaveValue(2.5);
    expect(screen.getByLabelText('History')).toHaveAttribute('placeholder', '14');
    expect(screen.queryByLabelText('Hysteresis')).not.toBeInTheDocument();
  });

  it('shows no k and no history for static thresholds, and hysteresis for breach', async () => {
    await setup({ thresholds: { mode: 'static', output: 'breach', hysteresis: 3 } });
    expect(screen.queryByLabelText('k (σ)')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('History')).not.toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'Breach' })).toBeChecked();
    expect(screen.getByLabelText('Hysteresis')).toHaveValue(3);
  });

  it('switches the output to breach and runs the query', async () => {
    const { onChange, onRunQuery } = await setup({ thresholds: { mode: 'reference', k: 2 } });
    await userEvent.click(screen.getByRole('radio', { name: 'Breach' }));
    expect(onChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ thresholds: { mode: 'reference', k: 2, output: 'breach' } })
    );
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('offers a metrics filter for the performance query types only', async () => {
    const { unmount } = await setup({ queryType: 'estimatedPerformance', metrics: ['roc_auc'] });
    expect(screen.getByLabelText('Metrics')).toBeInTheDocument();
    expect(screen.getByText('roc_auc')).toBeInTheDocument();
    unmount();
    await setup({ queryType: 'drift' });
    expect(screen.queryByLabelText('Metrics')).not.toBeInTheDocument();
  });

  it('offers the diagnosis output for diagnosis queries only, and switches it to verdicts', async () => {
    const { onChange, onRunQuery, unmount } = await setup({ queryType: 'diagnosis' });
    expect(screen.getByRole('radio', { name: 'Evidence' })).toBeChecked();
    await userEvent.click(screen.getByRole('radio', { name: 'Verdicts' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ diagnosisOutput: 'verdicts' }));
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    unmount();
    await setup({ queryType: 'performance' });
    expect(screen.queryByRole('radio', { name: 'Verdicts' })).not.toBeInTheDocument();
  });

  it('drops the hysteresis when the output goes back to band', async () => {
    const { onChange } = await setup({ thresholds: { mode: 'static', output: 'breach', hysteresis: 2 } });
    await userEvent.click(screen.getByRole('radio', { name: 'Band' }));
    expect(onChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ thresholds: { mode: 'static', output: 'band', hysteresis: undefined } })
    );
  });

  it('explains reference thresholds with a reference table inline, and does not run the query', async () => {
    const { onRunQuery } = await setup({
      reference: { type: 'table', table: 'training_set' },
      thresholds: { mode: 'reference' },
    });
    expect(
      screen.getByText(
        'Reference thresholds need a time-based reference (range or trailing): a reference table has no windows.'
      )
    ).toBeInTheDocument();
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('hides the thresholds row for distribution and drift heatmap queries', async () => {
    for (const queryType of ['distribution', 'driftHeatmap'] as const) {
      const { unmount } = await setup({ queryType });
      expect(screen.queryByText('Thresholds')).not.toBeInTheDocument();
      unmount();
    }
  });

  it('shows the thresholds a stored table query carries, with a warning, so they can be cleared', async () => {
    await setup({ queryType: 'distribution', thresholds: { mode: 'static' } });
    expect(screen.getByLabelText('Thresholds')).toHaveValue('static');
    expect(screen.getByTestId(SELECTORS.queryEditor.warnings)).toHaveTextContent(
      'Thresholds apply to time series: a distribution query returns a table and ignores them.'
    );
  });

  it('drops the thresholds when the query type becomes a table', async () => {
    const { onChange } = await setup({ thresholds: { mode: 'trailing', output: 'breach' } });
    await userEvent.click(screen.getByRole('radio', { name: 'Distribution' }));
    const last = onChange.mock.calls[onChange.mock.calls.length - 1][0] as MMQuery;
    expect(last.queryType).toBe('distribution');
    expect(last.thresholds).toBeUndefined();
  });

  it('reaches the split and thresholds fields with the keyboard', async () => {
    await setup({
      segment: { column: 'region', value: '', split: true },
      thresholds: { mode: 'trailing', output: 'breach' },
    });
    const order = await tabThrough(screen.getByTestId(SELECTORS.queryEditor.container), 50);
    const wanted = ['Segment', 'Top', 'Thresholds', 'k (σ)', 'History', 'Hysteresis'].map((label) =>
      screen.getByLabelText(label)
    );
    expect(order.filter((el) => wanted.includes(el))).toEqual(wanted);
  });

  it('gives each editor of a panel its own ids, and its labels point at its own fields', async () => {
    const ds = fakeDatasource();
    render(
      <>
        <QueryEditor datasource={ds} query={query} onChange={jest.fn()} onRunQuery={jest.fn()} />
        <QueryEditor
          datasource={ds}
          query={{ ...query, refId: 'B', window: '1h', segment: { column: 'region', value: 'EU' } }}
          onChange={jest.fn()}
          onRunQuery={jest.fn()}
        />
      </>
    );
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });

    const ids = Array.from(document.querySelectorAll('[id]'), (el) => el.id);
    expect(ids.length).toBeGreaterThan(20);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);

    const [first, second] = screen.getAllByTestId(SELECTORS.queryEditor.container);
    const windows = screen.getAllByLabelText('Window');
    expect(windows).toHaveLength(2);
    expect(first).toContainElement(windows[0]);
    expect(second).toContainElement(windows[1]);
    expect(windows[1]).toHaveValue('1h');
    expect(within(second).getByLabelText('Window')).toBe(windows[1]);

    // clicking the label of query B focuses query B's field
    await userEvent.click(within(second).getByText('Bins'));
    expect(second).toContainElement(document.activeElement as HTMLElement);
    expect(document.activeElement).toBe(within(second).getByLabelText('Bins'));

    // every label of either editor points at a field of the same editor, never at one of the other editor (the
    // labels of the radio groups name the group's id, which no element carries: they point nowhere, but not across)
    const targets = [first, second].map((editor) => {
      const labels = Array.from(editor.querySelectorAll('label[for]')) as HTMLLabelElement[];
      expect(labels.length).toBeGreaterThan(10);
      for (const label of labels) {
        const target = document.getElementById(label.htmlFor);
        if (target) {
          expect(editor).toContainElement(target);
        }
      }
      return labels.map((l) => l.htmlFor);
    });
    expect(targets[1].filter((id) => targets[0].includes(id))).toEqual([]);
  });
});

describe('withMode', () => {
  it('keeps only the options the new mode uses', () => {
    const t = { mode: 'trailing' as const, k: 2, history: 30, hysteresis: 2, output: 'breach' as const };
    expect(withMode(t, 'reference')).toEqual({ mode: 'reference', k: 2, hysteresis: 2, output: 'breach' });
    expect(withMode(t, 'static')).toEqual({ mode: 'static', hysteresis: 2, output: 'breach' });
    expect(withMode(undefined, 'trailing')).toEqual({ mode: 'trailing' });
  });
});
