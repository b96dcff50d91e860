import React from 'react';
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { DataSource } from '../datasource';
import { MMQuery } from '../types';
import { SELECTORS } from '../../shared/selectors';
import { QueryEditor } from './QueryEditor';

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
    const order: string[] = [];
    const container = screen.getByTestId(SELECTORS.queryEditor.container);
    for (let i = 0; i < 40; i++) {
      await userEvent.tab();
      const el = document.activeElement as HTMLElement;
      if (!container.contains(el)) {
        break;
      }
      if (el.id && !order.includes(el.id)) {
        order.push(el.id);
      }
    }
    for (const id of [
      'mm-model',
      'mm-all-features',
      'mm-features',
      'mm-metric',
      'mm-window',
      'mm-bins',
      'mm-threshold',
      'mm-reference-from',
      'mm-reference-to',
      'mm-segment-column',
      'mm-segment-value',
    ]) {
      expect(order).toContain(id);
    }
    // the radio groups are reachable too (their inputs have generated ids)
    expect(screen.getAllByRole('radio').length).toBeGreaterThanOrEqual(6);
  });
});
