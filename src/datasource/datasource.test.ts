import { DataSourceInstanceSettings, ScopedVars } from '@grafana/data';

import { DataSource } from './datasource';
import { MMDataSourceOptions, MMQuery } from './types';

// getTemplateSrv stand-in: $feature is multi-valued, $model and $region single, scoped vars win.
const VARS: Record<string, string | string[]> = {
  model: 'churn',
  feature: ['monthly_charges', 'contract_type'],
  region: 'EU',
};
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({
    getVariables: () => [],
    replace: (text: string, scoped?: ScopedVars, format?: (v: string | string[]) => string) =>
      (text ?? '').replace(/\$\{?(\w+)\}?/g, (whole: string, name: string) => {
        const v = scoped?.[name]?.value ?? VARS[name];
        if (v === undefined) {
          return whole;
        }
        return format ? format(v) : Array.isArray(v) ? `{${v.join(',')}}` : String(v);
      }),
  }),
}));

const instance = {
  id: 1,
  uid: 'mm',
  type: 'aiops-modelmonitor-datasource',
  name: 'Model Monitor',
  meta: { id: 'aiops-modelmonitor-datasource' },
  jsonData: {},
  access: 'proxy',
  readOnly: false,
} as unknown as DataSourceInstanceSettings<MMDataSourceOptions>;

const query: MMQuery = {
  refId: 'A',
  queryType: 'drift',
  model: '$model',
  features: ['$feature'],
  metric: 'auto',
  window: '1d',
  reference: { type: 'trailing', windows: 7 },
  segment: { column: 'region', value: '$region' },
};

describe('DataSource', () => {
  const ds = new DataSource(instance);

  it('has no testDatasource override (the backend CheckHealth answers Save & test)', () => {
    expect(Object.prototype.hasOwnProperty.call(DataSource.prototype, 'testDatasource')).toBe(false);
  });

  it('interpolates model, multi-value features and segment value', () => {
    const out = ds.applyTemplateVariables(query, {});
    expect(out.model).toBe('churn');
    expect(out.features).toEqual(['monthly_charges', 'contract_type']);
    expect(out.segment).toEqual({ column: 'region', value: 'EU' });
    expect(out.reference).toEqual({ type: 'trailing', windows: 7 });
  });

  it('lets scoped variables (repeated panels) win', () => {
    const out = ds.applyTemplateVariables(query, { feature: { text: 'age', value: 'age' } });
    expect(out.features).toEqual(['age']);
  });

  it('answers variable queries from the resources', async () => {
    const getResource = jest.spyOn(ds, 'getResource').mockImplementation(async (path: string, params?: unknown) => {
      if (path === 'models') {
        return [{ id: 'churn' }, { id: 'fraud' }];
      }
      if (path === 'features') {
        expect(params).toEqual({ model: 'churn' });
        return [{ name: 'age', type: 'numeric', importance: 0.1 }];
      }
      return ['APAC', 'EU'];
    });
    expect(await ds.metricFindQuery({ refId: 'v', type: 'models' })).toEqual([
      { text: 'churn', value: 'churn' },
      { text: 'fraud', value: 'fraud' },
    ]);
    expect(await ds.metricFindQuery({ refId: 'v', type: 'features', model: '$model' })).toEqual([
      { text: 'age', value: 'age' },
    ]);
    expect(await ds.metricFindQuery('segments(region)')).toEqual([
      { text: 'APAC', value: 'APAC' },
      { text: 'EU', value: 'EU' },
    ]);
    expect(getResource).toHaveBeenLastCalledWith('segments', { column: 'region' });
  });

  it('offers the variable editor through CustomVariableSupport', () => {
    expect(ds.variables?.getType()).toBe('custom');
  });
});
