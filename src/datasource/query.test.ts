import {
  hasErrors,
  interpolateFeatures,
  interpolateQuery,
  Interpolate,
  migrateQuery,
  parseDurationSeconds,
  validateQuery,
} from './query';
import { FeatureInfo, MMQuery } from './types';

const base: MMQuery = {
  refId: 'A',
  queryType: 'drift',
  model: 'churn',
  features: ['monthly_charges'],
  metric: 'auto',
  window: '1d',
  reference: { type: 'range', from: '2026-10-01T00:00:00Z', to: '2026-10-08T00:00:00Z' },
};

const FEATURES: FeatureInfo[] = [
  { name: 'monthly_charges', type: 'numeric', importance: 0.17 },
  { name: 'contract_type', type: 'categorical', importance: 0.12 },
  { name: 'senior_citizen', type: 'categorical', importance: 0.02 },
];

const messages = (q: MMQuery, features = FEATURES) =>
  validateQuery(q, { features }).map((i) => `${i.field}: ${i.message}`);

describe('migrateQuery', () => {
  it('fills the defaults of a blank query', () => {
    expect(migrateQuery({ refId: 'A' })).toEqual({
      refId: 'A',
      queryType: 'drift',
      model: '',
      features: [],
      metric: 'auto',
      window: 'auto',
      reference: { type: 'trailing', windows: 7 },
    });
  });

  it('migrates a single feature string and comma lists to the features array', () => {
    expect(migrateQuery({ refId: 'A', feature: 'tenure_months' } as never).features).toEqual(['tenure_months']);
    expect(migrateQuery({ refId: 'A', features: 'a, b ,c' } as never).features).toEqual(['a', 'b', 'c']);
    expect('feature' in migrateQuery({ refId: 'A', feature: 'x' } as never)).toBe(false);
  });

  it('keeps what the user typed, even invalid, for validation to explain', () => {
    const q = migrateQuery({ ...base, reference: { type: 'trailing', windows: 0 }, bins: '1' as never });
    expect(q.reference).toEqual({ type: 'trailing', windows: 0 });
    expect(q.bins).toBe(1);
    expect(hasErrors(validateQuery(q))).toBe(true);
  });

  it('reads the decision threshold as a number and explains one outside [0, 1]', () => {
    const q = migrateQuery({ ...base, queryType: 'performance', decisionThreshold: '0.7' as never });
    expect(q.decisionThreshold).toBe(0.7);
    expect(hasErrors(validateQuery(q))).toBe(false);
    const bad = migrateQuery({ ...base, queryType: 'performance', decisionThreshold: 1.5 });
    expect(validateQuery(bad).map((i) => i.field)).toContain('decisionThreshold');
    expect('decisionThreshold' in migrateQuery({ ...base, decisionThreshold: '' as never })).toBe(false);
    expect(validateQuery({ ...base, queryType: 'diagnosis', diagnosisOutput: 'verdicts' })).toEqual([]);
    expect(validateQuery({ ...base, queryType: 'performance', metrics: ['roc_auc', 'label_coverage'] })).toEqual([]);
    expect(validateQuery({ ...base, queryType: 'performance', metrics: ['auc'] }).map((i) => i.field)).toEqual([
      'metrics',
    ]);
    expect(validateQuery({ ...base, queryType: 'diagnosis', diagnosisOutput: 'both' as never })).toEqual([
      {
        field: 'diagnosisOutput',
        severity: 'error',
        message: 'Unknown diagnosis output "both": use evidence or verdicts.',
      },
    ]);
  });

  it('drops a segment without column and unknown enum values', () => {
    const q = migrateQuery({
      ...base,
      segment: { column: '', value: 'EU' },
      metric: 'nope' as never,
      queryType: 'x' as never,
    });
    expect(q.segment).toBeUndefined();
    expect(q.metric).toBe('auto');
    expect(q.queryType).toBe('drift');
  });
});

describe('migrateQuery: segment split and thresholds', () => {
  it('reads top as a number, drops an empty top, and drops split: false with its top', () => {
    expect(
      migrateQuery({ ...base, segment: { column: 'region', value: '', split: true, top: '10' as never } }).segment
    ).toEqual({ column: 'region', value: '', split: true, top: 10 });
    expect(
      migrateQuery({ ...base, segment: { column: 'region', value: '', split: true, top: '' as never } }).segment
    ).toEqual({ column: 'region', value: '', split: true });
    expect(migrateQuery({ ...base, segment: { column: 'region', value: 'EU', split: false, top: 3 } }).segment).toEqual(
      {
        column: 'region',
        value: 'EU',
      }
    );
  });

  it('keeps a value stored next to split, for validation to explain', () => {
    const q = migrateQuery({ ...base, segment: { column: 'region', value: 'EU', split: true } });
    expect(q.segment).toEqual({ column: 'region', value: 'EU', split: true });
    expect(messages(q)).toEqual([
      'segmentValue: Give either a value (filter) or split, not both: clear the value to split.',
    ]);
  });

  it('reads the thresholds numbers, drops empty ones, and makes a missing mode static', () => {
    expect(
      migrateQuery({
        ...base,
        thresholds: { mode: 'trailing', k: '2.5', history: '30', hysteresis: '', output: 'breach' } as never,
      }).thresholds
    ).toEqual({ mode: 'trailing', k: 2.5, history: 30, output: 'breach' });
    expect(migrateQuery({ ...base, thresholds: { output: '' } as never }).thresholds).toEqual({ mode: 'static' });
    expect('thresholds' in migrateQuery({ ...base, thresholds: null as never })).toBe(false);
    expect('thresholds' in migrateQuery({ ...base, thresholds: 'band' as never })).toBe(false);
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['15m', 900],
    ['1h', 3600],
    ['1h30m', 5400],
    ['1d', 86400],
    ['2w', 1209600],
  ])('%s = %d s', (text, seconds) => expect(parseDurationSeconds(text)).toBe(seconds));
  it('rejects what is not a duration', () => {
    expect(parseDurationSeconds('1 day')).toBeUndefined();
    expect(parseDurationSeconds('d')).toBeUndefined();
  });
});

describe('validateQuery', () => {
  it('accepts the contract example', () => {
    expect(validateQuery(base, { features: FEATURES })).toEqual([]);
  });

  it('explains a Z-test on a numeric feature', () => {
    const m = messages({ ...base, metric: 'ztest', features: ['monthly_charges'] });
    expect(m).toHaveLength(1);
    expect(m[0]).toMatch(/^metric: .*Z-test .*monthly_charges is numeric/);
    expect(hasErrors(validateQuery({ ...base, metric: 'ztest' }, { features: FEATURES }))).toBe(true);
  });

  it('warns (does not block) a Z-test over all features when some are numeric', () => {
    const issues = validateQuery({ ...base, metric: 'ztest', features: [] }, { features: FEATURES });
    expect(issues.find((i) => i.field === 'metric')?.severity).toBe('warning');
    expect(hasErrors(issues)).toBe(false);
  });

  it('explains KS / Wasserstein on a categorical feature', () => {
    expect(messages({ ...base, metric: 'ks', features: ['contract_type'] })[0]).toMatch(/contract_type is categorical/);
  });

  it('rejects trailing windows below 1 and non-integers', () => {
    for (const windows of [0, -3, 1.5, NaN]) {
      expect(messages({ ...base, reference: { type: 'trailing', windows } })).toEqual([
        'referenceWindows: Trailing windows must be a whole number of at least 1.',
      ]);
    }
    expect(messages({ ...base, reference: { type: 'trailing', windows: 1 } })).toEqual([]);
  });

  it('rejects a reference range that ends before it starts', () => {
    const m = messages({
      ...base,
      reference: { type: 'range', from: '2026-10-08T00:00:00Z', to: '2026-10-01T00:00:00Z' },
    });
    expect(m).toEqual(['referenceTo: The range ends before it starts: the end must be after the start.']);
  });

  it('rejects times that are not RFC 3339, and empty ones', () => {
    const m = messages({ ...base, reference: { type: 'range', from: '01/10/2026', to: '' } });
    expect(m[0]).toMatch(/^referenceFrom: "01\/10\/2026" is not an RFC 3339 time/);
    expect(m[1]).toMatch(/^referenceTo: Enter the end/);
  });

  it('accepts variables in the range and checks them after interpolation', () => {
    expect(messages({ ...base, reference: { type: 'range', from: '${ref_from}', to: '$ref_to' } })).toEqual([]);
  });

  it('rejects a table name that is not an identifier', () => {
    expect(messages({ ...base, reference: { type: 'table', table: 'training set; drop' } })[0]).toMatch(
      /^referenceTable:/
    );
    expect(messages({ ...base, reference: { type: 'table', table: 'training_set' } })).toEqual([]);
  });

  it('rejects bad windows and bins', () => {
    expect(messages({ ...base, window: '1 day' })[0]).toMatch(/^window: "1 day" is not a window/);
    expect(messages({ ...base, window: '0m' })[0]).toMatch(/^window: The window must be longer than zero/);
    expect(messages({ ...base, bins: 1 })[0]).toMatch(/^bins:/);
    expect(messages({ ...base, bins: 100 })).toEqual([]);
  });

  it('asks for a segment value when a column is chosen', () => {
    expect(messages({ ...base, segment: { column: 'region', value: '' } })).toEqual([
      'segmentValue: Choose a value of region, or clear the segment.',
    ]);
  });

  it('accepts a split without a value, with or without top', () => {
    expect(messages({ ...base, segment: { column: 'region', value: '', split: true } })).toEqual([]);
    expect(messages({ ...base, segment: { column: 'region', value: '', split: true, top: 1 } })).toEqual([]);
    expect(messages({ ...base, segment: { column: 'region', value: '', split: true, top: 50 } })).toEqual([]);
    expect(messages({ ...base, segment: { column: '$segment', value: '', split: true } })).toEqual([]);
  });

  it('rejects a split top outside 1..50 and non-integers', () => {
    for (const top of [0, -1, 51, 2.5, NaN]) {
      expect(messages({ ...base, segment: { column: 'region', value: '', split: true, top } })).toEqual([
        'segmentTop: Top must be a whole number from 1 to 50 (leave it empty for 5).',
      ]);
    }
  });

  it('rejects a split without column or with an invalid column', () => {
    expect(messages({ ...base, segment: { column: '', value: '', split: true } })).toEqual([
      'segmentColumn: Choose the segment column to split by.',
    ]);
    expect(messages({ ...base, segment: { column: 're gion', value: '', split: true } })).toEqual([
      'segmentColumn: "re gion" is not a valid column name.',
    ]);
  });

  it('accepts thresholds at the limits of every option', () => {
    for (const thresholds of [
      { mode: 'static' as const },
      { mode: 'reference' as const, k: 0.5, hysteresis: 1, output: 'band' as const },
      { mode: 'trailing' as const, k: 100, history: 3, hysteresis: 100, output: 'breach' as const },
      { mode: 'trailing' as const, history: 365 },
    ]) {
      expect(messages({ ...base, thresholds })).toEqual([]);
    }
  });

  it('explains each thresholds option outside its range', () => {
    expect(messages({ ...base, thresholds: { mode: 'trailing', k: 0 } })).toEqual([
      'thresholdsK: k must be a number above 0 and at most 100 (leave it empty for 3).',
    ]);
    expect(messages({ ...base, thresholds: { mode: 'trailing', k: 100.5 } })).toEqual([
      'thresholdsK: k must be a number above 0 and at most 100 (leave it empty for 3).',
    ]);
    for (const history of [2, 366, 7.5]) {
      expect(messages({ ...base, thresholds: { mode: 'trailing', history } })).toEqual([
        'thresholdsHistory: History must be a whole number of windows from 3 to 365 (leave it empty for 14).',
      ]);
    }
    for (const hysteresis of [0, 101, 1.5]) {
      expect(messages({ ...base, thresholds: { mode: 'static', hysteresis } })).toEqual([
        'thresholdsHysteresis: Hysteresis must be a whole number of windows from 1 to 100 (leave it empty for 1).',
      ]);
    }
    expect(messages({ ...base, thresholds: { mode: 'rolling' as never, output: 'line' as never } })).toEqual([
      'thresholdsMode: Unknown thresholds mode "rolling": use static, reference or trailing.',
      'thresholdsOutput: Unknown thresholds output "line": use band or breach.',
    ]);
  });

  it('refuses reference thresholds with a reference table, not with a range or trailing reference', () => {
    const q: MMQuery = {
      ...base,
      reference: { type: 'table', table: 'training_set' },
      thresholds: { mode: 'reference' },
    };
    expect(messages(q)).toEqual([
      'thresholdsMode: Reference thresholds need a time-based reference (range or trailing): a reference table has no windows.',
    ]);
    expect(messages({ ...q, thresholds: { mode: 'trailing' } })).toEqual([]);
    expect(messages({ ...q, reference: { type: 'trailing', windows: 7 } })).toEqual([]);
  });

  it('warns (does not block) that tables ignore thresholds', () => {
    for (const queryType of ['distribution', 'driftHeatmap'] as const) {
      const issues = validateQuery({ ...base, queryType, thresholds: { mode: 'static' } }, { features: FEATURES });
      expect(issues).toEqual([
        {
          field: 'thresholdsMode',
          severity: 'warning',
          message: `Thresholds apply to time series: a ${queryType} query returns a table and ignores them.`,
        },
      ]);
    }
  });

  it('flags features the model does not have', () => {
    expect(messages({ ...base, features: ['nope'] })[0]).toMatch(/^features: nope is not a feature of churn/);
  });
});

describe('interpolation', () => {
  // A stand-in for getTemplateSrv().replace with $model single-valued and $feature multi-valued.
  const vars: Record<string, string | string[]> = {
    model: 'churn',
    feature: ['monthly_charges', 'contract_type'],
    one: 'tenure_months',
    region: 'EU',
    from: '2026-10-01T00:00:00Z',
  };
  const interpolate: Interpolate = (text, format) =>
    text.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => {
      const v = vars[name];
      if (v === undefined) {
        return whole;
      }
      return format ? format(v) : Array.isArray(v) ? `{${v.join(',')}}` : v;
    });

  it('expands multi-value feature variables into several features, without duplicates', () => {
    expect(interpolateFeatures(['$feature', 'monthly_charges', '${one}'], interpolate)).toEqual([
      'monthly_charges',
      'contract_type',
      'tenure_months',
    ]);
  });

  it('interpolates model, features, segment value and the reference', () => {
    const q = interpolateQuery(
      {
        ...base,
        model: '$model',
        features: ['$feature'],
        segment: { column: 'region', value: '$region' },
        reference: { type: 'range', from: '$from', to: '2026-10-08T00:00:00Z' },
      },
      interpolate
    );
    expect(q.model).toBe('churn');
    expect(q.features).toEqual(['monthly_charges', 'contract_type']);
    expect(q.segment).toEqual({ column: 'region', value: 'EU' });
    expect(q.reference).toEqual({ type: 'range', from: '2026-10-01T00:00:00Z', to: '2026-10-08T00:00:00Z' });
  });

  it('leaves a split without value: only the column is interpolated, split and top are kept', () => {
    vars.segcol = 'region';
    const q = interpolateQuery(
      {
        ...base,
        segment: { column: '$segcol', value: '', split: true, top: 8 },
        thresholds: { mode: 'trailing', k: 2 },
      },
      interpolate
    );
    expect(q.segment).toEqual({ column: 'region', value: '', split: true, top: 8 });
    expect(q.thresholds).toEqual({ mode: 'trailing', k: 2 });
  });

  it('interpolates the reference table', () => {
    vars.reftable = 'training_set';
    const q = interpolateQuery({ ...base, reference: { type: 'table', table: '$reftable' } }, interpolate);
    expect(q.reference).toEqual({ type: 'table', table: 'training_set' });
  });
});
