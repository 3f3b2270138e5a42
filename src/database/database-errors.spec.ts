import { isConnectionFailure, isDatabaseUnavailable, isRolledBackConflict, isUniqueViolation } from './database-errors';

describe(isDatabaseUnavailable.name, () => {
  it.each([
    [{ code: 'ECONNREFUSED' }],
    [{ driverError: { code: '57P01' } }],
    [{ driverError: { code: '08006' } }],
    [{ code: 'SQLITE_BUSY' }],
    [{ code: 'SQLITE_IOERR_WRITE' }],
    [new Error('timeout exceeded when trying to connect')],
    [new Error('Connection terminated unexpectedly')],
    [Object.assign(new Error('Database connection provided by a query runner was already released'), { name: 'QueryRunnerProviderAlreadyReleasedError' })],
    [new Error('Client was closed and is not queryable')],
    [{ driverError: { code: '40P01' } }],
    [{ driverError: { code: '40001' } }],
    [{ driverError: { code: '55P03' } }],
    [{ driverError: { code: '57014' } }],
  ])('says the database is unavailable for %j', (error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([[{ driverError: { code: '23505' } }], [{ code: 'SQLITE_CONSTRAINT_UNIQUE' }], [new Error('syntax error')], [null], ['text']])(
    'does not for a statement that is wrong: %j',
    (error) => {
      expect(isDatabaseUnavailable(error)).toBe(false);
    },
  );
});

describe(isUniqueViolation.name, () => {
  it('knows both engines', () => {
    expect(isUniqueViolation({ driverError: { code: '23505' } })).toBe(true);
    expect(isUniqueViolation({ code: 'SQLITE_CONSTRAINT_UNIQUE' })).toBe(true);
    expect(isUniqueViolation({ code: 'SQLITE_BUSY' })).toBe(false);
  });
});

describe(isRolledBackConflict.name, () => {
  it('is a deadlock or a serialization failure, nothing else', () => {
    expect(isRolledBackConflict({ driverError: { code: '40P01' } })).toBe(true);
    expect(isRolledBackConflict({ code: '40001' })).toBe(true);
    expect(isRolledBackConflict({ driverError: { code: '57P01' } })).toBe(false);
    expect(isRolledBackConflict(null)).toBe(false);
  });
});

describe(isConnectionFailure.name, () => {
  it('is a lost or refused connection, not a conflict the server settled', () => {
    expect(isConnectionFailure({ driverError: { code: '57P01' } })).toBe(true);
    expect(isConnectionFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionFailure({ driverError: { code: '40P01' } })).toBe(false);
  });
});
