import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DataSourceSettings } from '@grafana/data';

import { MMDataSourceOptions, MMSecureJsonData } from '../types';
import { ConfigEditor } from './ConfigEditor';

function settings(jsonData: MMDataSourceOptions = {}, secure: Record<string, boolean> = {}) {
  return {
    id: 1,
    uid: 'mm',
    orgId: 1,
    name: 'Model Monitor',
    type: 'aiops-modelmonitor-datasource',
    typeName: 'Model Monitor',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData,
    secureJsonFields: secure,
    secureJsonData: {},
    readOnly: false,
    withCredentials: false,
  } as unknown as DataSourceSettings<MMDataSourceOptions, MMSecureJsonData>;
}

describe('ConfigEditor', () => {
  it('shows the contract defaults as placeholders', () => {
    render(<ConfigEditor options={settings()} onOptionsChange={jest.fn()} />);
    expect(screen.getByLabelText(/^Path/)).toHaveAttribute('placeholder', 'demo/modelmon.duckdb');
    expect(screen.getByLabelText(/^Inference log table/)).toHaveAttribute('placeholder', 'inference_log');
    expect(screen.getByLabelText(/^Timestamp column/)).toHaveAttribute('placeholder', 'ts');
    expect(screen.getByLabelText(/^Model id column/)).toHaveAttribute('placeholder', 'model_id');
    expect(screen.getByLabelText(/^Labels table/)).toHaveAttribute('placeholder', 'inference_label');
    expect(screen.getByLabelText(/^Minimum samples per window/)).toHaveAttribute('placeholder', '100');
    expect(screen.getByText(/Drill-down dimensions. Default: region, channel/)).toBeInTheDocument();
  });

  it('offers DuckDB now and shows PostgreSQL and Spark as coming', () => {
    render(<ConfigEditor options={settings()} onOptionsChange={jest.fn()} />);
    expect(screen.getByLabelText('DuckDB')).toBeChecked();
    expect(screen.getByLabelText('PostgreSQL (coming)')).toBeDisabled();
    expect(screen.getByLabelText('Spark (coming)')).toBeDisabled();
  });

  it('stores a column and validates identifiers inline', () => {
    const onOptionsChange = jest.fn();
    const { rerender } = render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByLabelText(/^Timestamp column/), { target: { value: 'served_at' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { timeColumn: 'served_at' } })
    );

    rerender(<ConfigEditor options={settings({ timeColumn: '1st ts' })} onOptionsChange={onOptionsChange} />);
    expect(screen.getByText(/"1st ts" is not a plain identifier/)).toBeInTheDocument();
  });

  it('clearing a field goes back to the default', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings({ scoreColumn: 'p' })} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByLabelText(/^Score column/), { target: { value: '' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: {} }));
  });

  it('adds segment columns as tags with the keyboard', async () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    await userEvent.type(screen.getByPlaceholderText('region, channel'), 'country{enter}');
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { segmentColumns: ['country'] } })
    );
  });

  it('keeps the password in secureJsonData and shows it as configured once saved', () => {
    const onOptionsChange = jest.fn();
    const { rerender } = render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: 's3cret' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: {}, secureJsonData: { password: 's3cret' } })
    );
    rerender(<ConfigEditor options={settings({}, { password: true })} onOptionsChange={onOptionsChange} />);
    expect(screen.getByDisplayValue('configured')).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Reset' })).toBeInTheDocument();
  });
});
