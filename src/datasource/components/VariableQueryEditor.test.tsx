import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { DataSource } from '../datasource';
import { MMVariableQuery } from '../types';
import { VariableQueryEditor } from './VariableQueryEditor';

function setup(query: MMVariableQuery) {
  const onChange = jest.fn();
  render(
    <VariableQueryEditor datasource={{} as DataSource} query={query} onChange={onChange} onRunQuery={jest.fn()} />
  );
  return onChange;
}

describe('VariableQueryEditor', () => {
  it('chooses what to list', async () => {
    const onChange = setup({ refId: 'v', type: 'models' });
    for (const label of ['Models', 'Features', 'Segment columns', 'Segment values']) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
    await userEvent.click(screen.getByLabelText('Features'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ type: 'features' }));
  });

  it('asks for the model of a features variable, which may be $model', () => {
    const onChange = setup({ refId: 'v', type: 'features' });
    expect(screen.getByText(/Enter the model whose features to list/)).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Model'), { target: { value: '$model' } });
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'v', type: 'features', model: '$model', column: undefined });
  });

  it('asks for the column of a segment values variable', () => {
    const onChange = setup({ refId: 'v', type: 'segmentValues', column: 'region' });
    expect(screen.getByLabelText('Segment column')).toHaveValue('region');
    fireEvent.change(screen.getByLabelText('Segment column'), { target: { value: 'channel' } });
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ column: 'channel' }));
  });
});
