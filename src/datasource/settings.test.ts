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

  it('checks the window cache settings as the backend does', () => {
    expect(validateSettings({ cacheMB: 0, cacheSettleMinutes: 0, cacheDir: '/var/lib/grafana/mm' })).toEqual({});
    expect(validateSettings({ cacheMB: -1 }).cacheMB).toBe(
      'The cache size must be a whole number of MB from 0 (no reuse) to 1048576.'
    );
    expect(validateSettings({ cacheMB: 1048577 }).cacheMB).toBeDefined();
    expect(validateSettings({ cacheSettleMinutes: 1.5 }).cacheSettleMinutes).toBe(
      'The settle time must be a whole number of minutes from 0 to 527040 (a year).'
    );
    expect(validateSettings({ cacheDir: 'cache' }).cacheDir).toBe(
      'The cache directory must be an absolute path, such as /var/lib/grafana/modelmonitor-cache.'
    );
    expect(validateSettings({ path: '/data/x.duckdb', cacheDir: '/data/x.duckdb' }).cacheDir).toBe(
      'The cache directory must not be the store: choose a directory of its own.'
    );
    expect(validateSettings({ path: '/data/x.duckdb', cacheDir: '/data' })).toEqual({});
  });

  it('accepts a Spark Connect URL and names what is wrong with one, as the backend does', () => {
    const sp = { engine: 'spark' as const };
    expect(validateSettings({ ...sp, sparkUrl: 'sc://127.0.0.1:15002' })).toEqual({});
    expect(
      validateSettings({
        ...sp,
        sparkUrl: 'sc://dbc.example.com:443/;use_ssl=true;x-databricks-cluster-id=0123-abc',
        database: 'ml_logs',
        maxConcurrentQueries: 32,
      })
    ).toEqual({});
    expect(validateSettings(sp).sparkUrl).toBe('Spark needs the Spark Connect address, sc://host:port.');
    expect(validateSettings({ ...sp, sparkUrl: 'http://h:15002' }).sparkUrl).toBe(
      'Write the address as sc://host:port, optionally followed by /;name=value;…'
    );
    expect(validateSettings({ ...sp, sparkUrl: 'sc://h/;token=abc' }).sparkUrl).toBe(
      'Put the token in the Token field (stored encrypted), not in the URL.'
    );
    expect(validateSettings({ ...sp, sparkUrl: 'sc://h', maxConcurrentQueries: 33 }).maxConcurrentQueries).toBe(
      'The number of concurrent queries must be a whole number from 1 to 32.'
    );
    expect(validateSettings({ ...sp, sparkUrl: 'sc://h', database: 'ml-logs' }).database).toMatch(
      /not a plain identifier/
    );
    expect(validateSettings({ engine: 'oracle' as never }).engine).toBe(
      'The oracle engine is not available: use DuckDB, PostgreSQL or Spark.'
    );
  });

  it('accepts a complete PostgreSQL connection and names what is missing or out of range', () => {
    const pg = { engine: 'postgres' as const, host: 'db', database: 'mm', user: 'reader' };
    expect(validateSettings(pg)).toEqual({});
    expect(validateSettings({ ...pg, port: 1, maxConnections: 32, sslMode: 'verify-ca' })).toEqual({});
    expect(Object.keys(validateSettings({ engine: 'postgres' })).sort()).toEqual(['database', 'host', 'user']);
    expect(validateSettings({ ...pg, host: '  ' }).host).toBe('PostgreSQL needs the server host name or address.');
    expect(validateSettings({ ...pg, port: 0 }).port).toBe('The port must be a whole number from 1 to 65535.');
    expect(validateSettings({ ...pg, port: 65536 }).port).toBeDefined();
    expect(validateSettings({ ...pg, port: 5432.5 }).port).toBeDefined();
    expect(validateSettings({ ...pg, maxConnections: 0 }).maxConnections).toBe(
      'The pool size must be a whole number from 1 to 32.'
    );
    expect(validateSettings({ ...pg, maxConnections: 33 }).maxConnections).toBeDefined();
    expect(validateSettings({ ...pg, sslMode: 'prefer' as never }).sslMode).toBe(
      'Unknown SSL mode "prefer": use disable, require, verify-ca, verify-full.'
    );
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(validateSettings(pg, { tlsCACert: pem })).toEqual({});
    expect(validateSettings(pg, { tlsCACert: 'MIIB' }).tlsCACert).toMatch(/PEM/);
    // the connection fields are checked for PostgreSQL only
    expect(validateSettings({ port: 0, maxConnections: 0 })).toEqual({});
  });

  it('parses lists and shows defaults', () => {
    expect(parseIdentifierList('region, channel  country')).toEqual(['region', 'channel', 'country']);
    expect(defaultText('timeColumn')).toBe('ts');
    expect(defaultText('segmentColumns')).toBe('region, channel');
    expect(defaultText('featureColumns')).toBe('(every unmapped column)');
    expect(defaultText('labelColumn')).toBe('(none)');
  });
});
