import { migrateVariableQuery, resourceToValues, variableResource } from './variables';

describe('variable queries', () => {
  it('maps each variable query to its resource', () => {
    expect(variableResource({ refId: 'v', type: 'models' })).toEqual({ path: 'models' });
    expect(variableResource({ refId: 'v', type: 'features', model: 'churn' })).toEqual({
      path: 'features',
      params: { model: 'churn' },
    });
    expect(variableResource({ refId: 'v', type: 'features' })).toBeUndefined();
    expect(variableResource({ refId: 'v', type: 'segments' })).toEqual({ path: 'segments' });
    expect(variableResource({ refId: 'v', type: 'segmentValues', column: 'region' })).toEqual({
      path: 'segments',
      params: { column: 'region' },
    });
  });

  it('migrates the legacy string form', () => {
    expect(migrateVariableQuery('models').type).toBe('models');
    expect(migrateVariableQuery('features($model)')).toMatchObject({ type: 'features', model: '$model' });
    expect(migrateVariableQuery('segments')).toMatchObject({ type: 'segments' });
    expect(migrateVariableQuery('segments(region)')).toMatchObject({ type: 'segmentValues', column: 'region' });
  });

  it('lists resource answers of every shape of the contract', () => {
    expect(
      resourceToValues([{ id: 'churn', versions: ['v3'], task: 'binary', tier: 'critical' }, { id: 'fraud' }])
    ).toEqual([
      { text: 'churn', value: 'churn' },
      { text: 'fraud', value: 'fraud' },
    ]);
    expect(resourceToValues([{ name: 'monthly_charges', type: 'numeric', importance: 0.31 }])).toEqual([
      { text: 'monthly_charges', value: 'monthly_charges' },
    ]);
    expect(resourceToValues(['APAC', 'EU', 'EU'])).toEqual([
      { text: 'APAC', value: 'APAC' },
      { text: 'EU', value: 'EU' },
    ]);
    expect(resourceToValues(null)).toEqual([]);
  });
});
