import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DataSourceSettings } from '@grafana/data';

import { MMDataSourceOptions, MMSecureJsonData } from '../types';
import { ConfigEditor } from './ConfigEditor';
import { SELECTORS } from '../../shared/selectors';

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

  it('offers the engines that run: DuckDB, PostgreSQL and Spark', () => {
    render(<ConfigEditor options={settings()} onOptionsChange={jest.fn()} />);
    expect(screen.getByLabelText('DuckDB')).toBeChecked();
    expect(screen.getByLabelText('PostgreSQL')).toBeEnabled();
    expect(screen.getByLabelText('Spark')).toBeEnabled();
  });

  it('shows the Spark connection only for engine spark, with its defaults and what is missing', () => {
    const { rerender } = render(<ConfigEditor options={settings()} onOptionsChange={jest.fn()} />);
    for (const label of [/^Spark Connect URL/, /^Token/, /^Maximum concurrent queries/]) {
      expect(screen.queryByLabelText(label)).not.toBeInTheDocument();
    }
    rerender(<ConfigEditor options={settings({ engine: 'spark' })} onOptionsChange={jest.fn()} />);
    expect(screen.getByTestId(SELECTORS.configEditor.spark)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Spark Connect URL/)).toHaveAttribute('placeholder', 'sc://spark.example.com:15002');
    expect(screen.getByLabelText(/^Database \(schema\)/)).toHaveAttribute('placeholder', 'default');
    expect(screen.getByLabelText(/^Maximum concurrent queries/)).toHaveAttribute('placeholder', '4');
    expect(screen.getByLabelText(/^Token/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^TLS CA certificate/)).toBeInTheDocument();
    // neither a DuckDB path nor PostgreSQL's fields
    for (const label of [/^Path/, /^Engine memory limit/, /^Host/, /^Password/, /^SSL mode/]) {
      expect(screen.queryByLabelText(label)).not.toBeInTheDocument();
    }
    expect(screen.getByText('Spark needs the Spark Connect address, sc://host:port.')).toBeInTheDocument();
  });

  it('stores the Spark token as a secret, never in jsonData', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings({ engine: 'spark' })} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByLabelText(/^Token/), { target: { value: 'dapi-123' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { engine: 'spark' }, secureJsonData: { token: 'dapi-123' } })
    );
  });

  it('shows the PostgreSQL connection only for engine postgres, with its defaults', () => {
    const { rerender } = render(<ConfigEditor options={settings()} onOptionsChange={jest.fn()} />);
    for (const label of [/^Host/, /^Port/, /^Database/, /^User/, /^Password/, /^TLS CA certificate/]) {
      expect(screen.queryByLabelText(label)).not.toBeInTheDocument();
    }
    expect(screen.getByLabelText(/^Engine memory limit/)).toBeInTheDocument();

    rerender(<ConfigEditor options={settings({ engine: 'postgres' })} onOptionsChange={jest.fn()} />);
    expect(screen.getByLabelText(/^Port/)).toHaveAttribute('placeholder', '5432');
    expect(screen.getByLabelText(/^Maximum connections/)).toHaveAttribute('placeholder', '4');
    expect(screen.getByRole('radio', { name: 'require' })).toBeChecked();
    // a DuckDB file path and DuckDB's memory limit mean nothing to a server
    expect(screen.queryByLabelText(/^Path/)).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/^Engine memory limit/)).not.toBeInTheDocument();
    // what the backend needs is named until it is there
    expect(screen.getByText('PostgreSQL needs the server host name or address.')).toBeInTheDocument();
    expect(screen.getByText('PostgreSQL needs the database name.')).toBeInTheDocument();
    expect(screen.getByText('PostgreSQL needs the user name.')).toBeInTheDocument();
  });

  it('stores the PostgreSQL connection in jsonData and checks the port', () => {
    const onOptionsChange = jest.fn();
    const base = { engine: 'postgres' as const, host: 'db', database: 'mm', user: 'reader' };
    const { rerender } = render(<ConfigEditor options={settings(base)} onOptionsChange={onOptionsChange} />);
    expect(screen.queryByText(/PostgreSQL needs/)).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/^Port/), { target: { value: '6543' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { ...base, port: 6543 } }));
    fireEvent.click(screen.getByRole('radio', { name: 'verify-full' }));
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { ...base, sslMode: 'verify-full' } })
    );
    rerender(<ConfigEditor options={settings({ ...base, port: 70000 })} onOptionsChange={onOptionsChange} />);
    expect(screen.getByText('The port must be a whole number from 1 to 65535.')).toBeInTheDocument();
  });

  it('keeps the CA certificate in secureJsonData, checks it is PEM, and shows it as configured once saved', () => {
    const onOptionsChange = jest.fn();
    const { rerender } = render(
      <ConfigEditor options={settings({ engine: 'postgres' })} onOptionsChange={onOptionsChange} />
    );
    fireEvent.change(screen.getByLabelText(/^TLS CA certificate/), { target: { value: 'not a certificate' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { engine: 'postgres' }, secureJsonData: { tlsCACert: 'not a certificate' } })
    );
    const typed = { ...settings({ engine: 'postgres' }), secureJsonData: { tlsCACert: 'not a certificate' } };
    rerender(<ConfigEditor options={typed} onOptionsChange={onOptionsChange} />);
    expect(screen.getByText(/Paste the CA certificate in PEM form/)).toBeInTheDocument();
    rerender(
      <ConfigEditor options={settings({ engine: 'postgres' }, { tlsCACert: true })} onOptionsChange={onOptionsChange} />
    );
    expect(screen.getByDisplayValue('configured')).toBeDisabled();
  });

  it('stores the positive label as typed, trimmed', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    expect(screen.getByLabelText(/^Positive label/)).toHaveAttribute('placeholder', '1, true or yes');
    fireEvent.change(screen.getByLabelText(/^Positive label/), { target: { value: ' churned ' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { positiveLabel: 'churned' } })
    );
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

  it('edits the window cache: size, settle time and a directory kept across restarts', () => {
    const onOptionsChange = jest.fn();
    const { rerender } = render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    expect(screen.getByLabelText(/^Cache size/)).toHaveAttribute('placeholder', '1024');
    expect(screen.getByLabelText(/^Settle time/)).toHaveAttribute('placeholder', '60');
    expect(screen.getByLabelText(/^Cache directory/)).toHaveAttribute('placeholder', '(memory only)');
    fireEvent.change(screen.getByLabelText(/^Cache size/), { target: { value: '0' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { cacheMB: 0 } }));
    fireEvent.change(screen.getByLabelText(/^Cache directory/), { target: { value: ' /var/lib/grafana/mm ' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { cacheDir: '/var/lib/grafana/mm' } })
    );
    rerender(<ConfigEditor options={settings({ cacheDir: 'mm' })} onOptionsChange={onOptionsChange} />);
    expect(screen.getByText(/The cache directory must be an absolute path/)).toBeInTheDocument();
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
    const pg = { engine: 'postgres' as const };
    const { rerender } = render(<ConfigEditor options={settings(pg)} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: 's3cret' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: pg, secureJsonData: { password: 's3cret' } })
    );
    rerender(<ConfigEditor options={settings(pg, { password: true })} onOptionsChange={onOptionsChange} />);
    expect(screen.getByDisplayValue('configured')).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Reset' })).toBeInTheDocument();
  });
});
