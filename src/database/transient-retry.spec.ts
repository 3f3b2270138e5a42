import { isWorthRetrying, retryPauseMs } from './transient-retry';

const pg = (code: string, message = 'x') => ({ name: 'QueryFailedError', message, driverError: { code, message } });

describe(isWorthRetrying.name, () => {
  it.each([
    ['a deadlock', pg('40P01', 'deadlock detected')],
    ['a serialization failure', pg('40001', 'could not serialize access')],
  ])('retries %s, before or after the COMMIT was sent (the database rolled it back)', (_name, error) => {
    expect(isWorthRetrying(error, false)).toBe(true);
    expect(isWorthRetrying(error, true)).toBe(true);
  });

  it.each([
    ['a terminated backend', pg('57P01', 'terminating connection due to administrator command')],
    ['a connection cut', new Error('Connection terminated unexpectedly')],
    ['a refused connection', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }],
  ])('retries %s only before the COMMIT was sent (after, it may have committed)', (_name, error) => {
    expect(isWorthRetrying(error, false)).toBe(true);
    expect(isWorthRetrying(error, true)).toBe(false);
  });

  it.each([
    ['a client-side read timeout (the statement may still run)', new Error('Query read timeout')],
    ['a pool with no connection to lend', new Error('timeout exceeded when trying to connect')],
    ['a unique violation', pg('23505', 'duplicate key')],
    ['a syntax error', pg('42601', 'syntax error')],
    ['a domain refusal', new Error('illegal transition')],
  ])('does not retry %s', (_name, error) => {
    expect(isWorthRetrying(error, false)).toBe(false);
  });
});

describe(retryPauseMs.name, () => {
  it('grows with the attempt and stays short, jittered between bounds', () => {
    expect(retryPauseMs(1, () => 0)).toBe(10);
    expect(retryPauseMs(1, () => 1)).toBe(50);
    expect(retryPauseMs(2, () => 1)).toBe(100);
  });
});
