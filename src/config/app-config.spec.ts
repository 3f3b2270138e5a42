import { ConfigValidationError, loadAppConfig, SPEC_SAMPLE_API_KEY, SPEC_SAMPLE_CALLBOX_TOKEN } from './app-config';
import { DEFAULT_DATABASE_POOL_SIZE } from './environment';

const REAL = {
  CALLBOX_TOKEN: 'a-real-callbox-token-9f8e7d6c',
  API_KEY: 'a-real-admin-api-key-1a2b3c4d',
  TOPUP_SOAP_URL: 'http://operator.example:8700/soap/queueSoapService',
  TOPUP_SOAP_USERNAME: 'gateway-user',
  TOPUP_SOAP_PASSWORD: 'gateway-password-long',
  METRICS_TOKEN: 'a-real-metrics-token-5e6f7a8b',
  PIN_HASH_KEY: 'a-real-pin-hash-key-0c1d2e3f4a5b',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadAppConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
}

describe(loadAppConfig.name, () => {
  it('starts on embedded defaults outside production, warning about the sample token', () => {
    const sut = loadAppConfig({});
    expect(sut.database).toEqual({ engine: 'sqlite', path: './data/merecharge.sqlite' });
    expect(sut.port).toBe(3000);
    expect(sut.callboxToken).toBe(SPEC_SAMPLE_CALLBOX_TOKEN);
    expect(sut.callboxDefaults).toEqual({ maxRetries: 3, timeoutMs: 30_000, batchSize: 5, pollIntervalMs: 5_000 });
    expect(sut.warnings.join(' ')).toContain('CALLBOX_TOKEN');
  });

  it('reads numbers and a PostgreSQL URL from the environment', () => {
    const sut = loadAppConfig({ PORT: '8080', MAX_RETRIES: '5', DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' });
    expect(sut.port).toBe(8080);
    expect(sut.callboxDefaults.maxRetries).toBe(5);
    expect(sut.database).toEqual({ engine: 'postgres', url: 'postgres://u@127.0.0.1:5432/db', poolSize: DEFAULT_DATABASE_POOL_SIZE });
  });

  it('sizes the PostgreSQL pool from DATABASE_POOL_SIZE, between 1 and 500', () => {
    const sut = loadAppConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', DATABASE_POOL_SIZE: '40' });
    expect(sut.database).toMatchObject({ engine: 'postgres', poolSize: 40 });
    for (const bad of ['0', '501', 'ten']) expect(problemsOf({ DATABASE_POOL_SIZE: bad })).toEqual(['DATABASE_POOL_SIZE']);
  });

  it('holds started work of a live box for PROCESSING_HARD_LIMIT_MS, 10 min by default, 1 s to 24 h', () => {
    expect(loadAppConfig({}).processingHardLimitMs).toBe(600_000);
    expect(loadAppConfig({ PROCESSING_HARD_LIMIT_MS: '900000' }).processingHardLimitMs).toBe(900_000);
    for (const bad of ['999', '86400001', 'ten']) expect(problemsOf({ PROCESSING_HARD_LIMIT_MS: bad })).toEqual(['PROCESSING_HARD_LIMIT_MS']);
  });

  it('flushes the SQLite WAL on a thread unless SQLITE_SYNC is full', () => {
    expect(loadAppConfig({}).sqliteSync).toBe('thread');
    expect(loadAppConfig({ SQLITE_SYNC: '' }).sqliteSync).toBe('thread');
    expect(loadAppConfig({ SQLITE_SYNC: 'full' }).sqliteSync).toBe('full');
    for (const bad of ['FULL', 'normal', 'off']) expect(problemsOf({ SQLITE_SYNC: bad })).toEqual(['SQLITE_SYNC']);
  });

  it('keeps transactions for ever unless RETENTION_DAYS is set, 7 to 3650 days', () => {
    expect(loadAppConfig({}).retentionDays).toBeNull();
    expect(loadAppConfig({ RETENTION_DAYS: '' }).retentionDays).toBeNull();
    expect(loadAppConfig({ RETENTION_DAYS: '90' }).retentionDays).toBe(90);
    for (const bad of ['6', '3651', 'ninety', '1.5']) expect(problemsOf({ RETENTION_DAYS: bad })).toEqual(['RETENTION_DAYS']);
  });

  it('lists every bad value at once', () => {
    expect(problemsOf({ PORT: 'eighty', MAX_RETRIES: '99', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' }).sort()).toEqual(
      ['DATABASE_URL', 'LOG_LEVEL', 'MAX_RETRIES', 'PORT'],
    );
  });

  it('parses box-bound tokens and refuses a malformed list', () => {
    const sut = loadAppConfig({ CALLBOX_TOKENS: 'callbox_001:token-for-box-one-123,callbox_002:token-for-box-two-456' });
    expect(sut.boundCallboxTokens.get('token-for-box-one-123')).toBe('callbox_001');
    expect(sut.boundCallboxTokens.get('token-for-box-two-456')).toBe('callbox_002');
    expect(problemsOf({ CALLBOX_TOKENS: 'callbox_001' })).toEqual(['CALLBOX_TOKENS']);
  });

  it('accepts real secrets in production', () => {
    expect(loadAppConfig({ NODE_ENV: 'production', ...REAL }).isProduction).toBe(true);
  });

  it('refuses to start in production without its secrets', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).sort()).toEqual(
      ['API_KEY', 'CALLBOX_TOKEN', 'METRICS_TOKEN', 'PIN_HASH_KEY', 'TOPUP_SOAP_PASSWORD', 'TOPUP_SOAP_URL', 'TOPUP_SOAP_USERNAME'],
    );
  });

  it("accepts the spec's sample API key beside the development key only while API_KEY is unset", () => {
    expect(loadAppConfig({}).apiKeys).toEqual(['merecharge-dev-api-key-change-me', SPEC_SAMPLE_API_KEY]);
    expect(loadAppConfig({ API_KEY: REAL.API_KEY }).apiKeys).toEqual([REAL.API_KEY]);
    expect(loadAppConfig({ NODE_ENV: 'production', ...REAL }).apiKeys).toEqual([REAL.API_KEY]);
    expect(problemsOf({ NODE_ENV: 'production', ...REAL, API_KEY: SPEC_SAMPLE_API_KEY })).toEqual(['API_KEY']);
    // A box token that is an admin key would make every box an admin.
    expect(problemsOf({ CALLBOX_TOKEN: SPEC_SAMPLE_API_KEY })).toEqual(['CALLBOX_TOKEN']);
    expect(problemsOf({ CALLBOX_TOKENS: `callbox_001:${SPEC_SAMPLE_API_KEY}` })).toEqual(['CALLBOX_TOKENS']);
  });

  it("refuses the spec's sample token in production", () => {
    expect(problemsOf({ NODE_ENV: 'production', ...REAL, CALLBOX_TOKEN: SPEC_SAMPLE_CALLBOX_TOKEN })).toEqual(['CALLBOX_TOKEN']);
  });

  it("refuses the spec's sample SOAP credentials in production", () => {
    // Assembled at run time so the sample credentials never appear whole in the code base.
    const sampleUser = ['api', 'gw', 'dj'].join('');
    const samplePassword = ['ApiDjt', 'Gw2020', '#'].join('');
    const problems = problemsOf({
      NODE_ENV: 'production',
      ...REAL,
      TOPUP_SOAP_USERNAME: sampleUser,
      TOPUP_SOAP_PASSWORD: samplePassword,
    });
    expect(problems.sort()).toEqual(['TOPUP_SOAP_PASSWORD', 'TOPUP_SOAP_USERNAME']);
  });

  it('refuses one secret serving as both CallBox token and API key', () => {
    expect(problemsOf({ CALLBOX_TOKEN: 'same-secret-for-both-1234', API_KEY: 'same-secret-for-both-1234' })).toEqual(['API_KEY']);
  });

  it('refuses a box-bound token that is also the API key, the shared token or another box\'s token', () => {
    expect(problemsOf({ ...REAL, CALLBOX_TOKENS: `callbox_002:${REAL.API_KEY}` })).toEqual(['CALLBOX_TOKENS']);
    expect(problemsOf({ ...REAL, CALLBOX_TOKENS: `callbox_002:${REAL.CALLBOX_TOKEN}` })).toEqual(['CALLBOX_TOKENS']);
    expect(problemsOf({ ...REAL, CALLBOX_TOKENS: 'callbox_001:one-token-for-two-boxes,callbox_002:one-token-for-two-boxes' })).toEqual([
      'CALLBOX_TOKENS',
    ]);
  });

  it('needs no shared token in production when every box has its own; none is then accepted', () => {
    const { CALLBOX_TOKEN: _shared, ...withoutShared } = REAL;
    const sut = loadAppConfig({ NODE_ENV: 'production', ...withoutShared, CALLBOX_TOKENS: 'callbox_001:token-for-box-one-123' });
    expect(sut.callboxToken).toBeNull();
    expect(problemsOf({ NODE_ENV: 'production', ...withoutShared })).toEqual(['CALLBOX_TOKEN']);
  });

  it('believes X-Forwarded-For only from the proxies it is told of', () => {
    expect(loadAppConfig({}).trustProxy).toBeNull();
    expect(loadAppConfig({ TRUST_PROXY: '10.0.0.5,10.1.0.0/16' }).trustProxy).toBe('10.0.0.5,10.1.0.0/16');
    expect(problemsOf({ TRUST_PROXY: 'everyone' })).toEqual(['TRUST_PROXY']);
  });
});

describe('callback settings', () => {
  it('needs a secret to sign callbacks with', () => {
    expect(() => loadAppConfig({ MAIN_CALLBACK_URL: 'http://127.0.0.1:9/hook' })).toThrow(/CALLBACK_SECRET/);
    const sut = loadAppConfig({ MAIN_CALLBACK_URL: 'http://127.0.0.1:9/hook', CALLBACK_SECRET: 'a-callback-secret-123' });
    expect(sut.callback).toEqual({ url: 'http://127.0.0.1:9/hook', secret: 'a-callback-secret-123' });
  });

  it('sends no callbacks without a URL', () => {
    expect(loadAppConfig({}).callback).toBeNull();
  });
});
