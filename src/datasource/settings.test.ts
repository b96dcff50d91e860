import { defaultText, identifierError, parseIdentifierList, validateSettings } from './settings';

describe('settings validation', () => {
  it('accepts the defaults (empty jsonData) and the contract example', () => {
    expect(validateSettings({})).toEqual({});
    expect(
      validateSettings({
        engine: 'duckdb',
        path: 'demo/modelmon.duckdb',
        table: 'inference_log',
        timeColumn: 'ts',
        segmentColumns: ['region', 'channel'],
        minSamples: 100,
        queryTimeoutSeconds: 60,
      })
    ).toEqual({});
  });

  it('rejects identifiers that are not ^[A-Za-z_][A-Za-z0-9_]*$', () => {
    expect(identifierError('ts')).toBeUndefined();
    expect(identifierError('_x1')).toBeUndefined();
    expect(identifierError('1abc')).toMatch(/not a plain identifier/);
    expect(identifierError('a-b')).toMatch(/not a plain identifier/);
    expect(identifierError('"ts"; drop table x')).toMatch(/not a plain identifier/);
    expect(validateSettings({ timeColumn: 'my ts' }).timeColumn).toMatch(/"my ts"/);
    expect(validateSettings({ segmentColumns: ['region', 'bad col'] }).segmentColumns).toBe(
      'Not plain identifiers: "bad col".'
    );
  });

  it('rejects bad numbers and both feature layouts at once', () => {
    expect(validateSettings({ minSamples: 0 }).minSamples).toBeDefined();
    expect(validateSettings({ queryTimeoutSeconds: -1 }).queryTimeoutSeconds).toBeDefined();
    expect(validateSettings({ memoryLimitMB: 32 }).memoryLimitMB).toMatch(/at least 64/);
    expect(validateSettings({ memoryLimitMB: 2048 }).memoryLimitMB).toBeUndefined();
    expect(validateSettings({ featureMapColumn: 'features', featureColumns: ['a'] }).featureMapColumn).toMatch(
      /either/
    );
  });

  it('explains that the server engines are not there yet', () => {
    expect(validateSettings({ engine: 'postgres' }).engine).toMatch(/not available yet/);
  });

  it('parses lists and shows defaults', () => {
    expect(parseIdentifierList('region, channel  country')).toEqual(['region', 'channel', 'country']);
    expect(defaultText('timeColumn')).toBe('ts');
    expect(defaultText('segmentColumns')).toBe('region, channel');
    expect(defaultText('featureColumns')).toBe('(every unmapped column)');
    expect(defaultText('labelColumn')).toBe('(none)');
  });
});
