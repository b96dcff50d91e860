import { featureOptions, listOptions, modelOptions } from './options';

describe('pick-lists', () => {
  it('lists all models, the models of the resource with their details, and variables', () => {
    expect(modelOptions([{ id: 'churn', versions: ['v3'], task: 'binary', tier: 'critical' }], ['$model'])).toEqual([
      { value: '', label: 'All models' },
      { value: 'churn', label: 'churn', description: 'binary · critical · versions v3' },
      { value: '$model', label: '$model', description: 'Template variable' },
    ]);
  });

  it('lists features with type and importance, and keeps a stored feature the resource lacks', () => {
    const options = featureOptions(
      [{ name: 'monthly_charges', type: 'numeric', importance: 0.31 }],
      ['$feature'],
      ['monthly_charges', 'gone']
    );
    expect(options.map((o) => [o.value, o.description])).toEqual([
      ['monthly_charges', 'numeric · importance 0.31'],
      ['$feature', 'Template variable (multi-value expands)'],
      ['gone', undefined],
    ]);
  });

  it('lists segment columns and values', () => {
    expect(listOptions(['APAC', 'EU'], [], 'EU').map((o) => o.value)).toEqual(['APAC', 'EU']);
    expect(listOptions([], [], 'LATAM').map((o) => o.value)).toEqual(['LATAM']);
  });
});
