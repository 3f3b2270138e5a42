import { ApiResponse } from '../support/api-client';
import { heartbeat } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectError, paths, registerBox, report, submit } from './callbox-api';

/**
 * Spec 000, "Format des Erreurs": `"details": "Détails techniques de l'erreur"`, a string. Firmware
 * with a typed parser (`details: String`) must read every CallBox-family error, the 429 included;
 * the structure moved to added fields, `fields` (a 400) and `context` (issue 15, 2).
 */
describe('CallBox-family errors: details is always a string', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  /** The spec's body, `details` a non-empty string and nothing but a string. */
  const expectSpecBody = (res: ApiResponse, status: number, code: string) => {
    expectError(res, status, code);
    expect(typeof res.body.details).toBe('string');
    return res.body;
  };

  it('a 400 says which fields in details, and lists them in fields', async () => {
    const body = expectSpecBody(await t.api.post(paths.submit, { type: 'recharge', amount: -5 }), 400, 'REQUEST.INVALID');
    expect(body.details).toContain('phoneNumber');
    expect(body.details).toContain('amount');
    expect(body.fields).toEqual(expect.objectContaining({ phoneNumber: expect.any(Array), amount: expect.any(Array) }));
  });

  it('a 404, a 403 and a 409 say what they are about in details, and carry it in context', async () => {
    const unregistered = expectSpecBody(await t.api.post(paths.heartbeat, heartbeat('callbox_404'), { auth: 'admin' }), 403, 'AUTH.CALLBOX_TOKEN_REQUIRED');
    expect(unregistered.context).toBeUndefined();

    const notRegistered = expectSpecBody(await t.api.get(paths.config('callbox_404'), { auth: 'admin' }), 404, 'CALLBOX.NOT_REGISTERED');
    expect(notRegistered.details).toContain('callbox_404');
    expect(notRegistered.context).toEqual({ callboxId: 'callbox_404' });

    await registerBox(t.api, 'callbox_err', {}, { auth: 'callbox' });
    const tx = await submit(t.api);
    await claim(t.api, 'callbox_err', 1);
    await report(t.api, tx.id, 'callbox_err', 'completed');
    const illegal = expectSpecBody(await report(t.api, tx.id, 'callbox_err', 'processing'), 409, 'TRANSACTION.ILLEGAL_TRANSITION');
    expect(illegal.details).toContain(tx.id);
    expect(illegal.context).toEqual({ transactionId: tx.id, currentStatus: 'completed', requestedStatus: 'processing' });

    const unknown = expectSpecBody(await t.api.get('/api/call-box/transactions/tx_nope', { auth: 'admin' }), 404, 'TRANSACTION.NOT_FOUND');
    expect(unknown.context).toEqual({ transactionId: 'tx_nope' });
  });

  it('refusals without context (401, unknown route, the sync and main-system routes) still have a string', async () => {
    expectSpecBody(await t.api.get('/api/sync/status', { auth: 'none' }), 401, 'AUTH.MISSING_API_KEY');
    expectSpecBody(await t.api.get('/api/call-box/nowhere', { auth: 'admin' }), 404, 'ROUTE.NOT_FOUND');
    expectSpecBody(await t.api.post('/api/transaction/to-callbox', { type: 'nope' }, { auth: 'admin' }), 400, 'REQUEST.INVALID');
  });

  it('a 429 has a string details too, both the rate limit and the authentication-failure limit', async () => {
    const small = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3', AUTH_FAILURE_LIMIT_PER_MINUTE: '3' } });
    try {
      await expectBothLimits(small);
    } finally {
      await small.close();
    }
  });

  async function expectBothLimits(t: TestApp) {
    let limited: ApiResponse | undefined;
    for (let i = 0; i < 10 && !limited; i++) {
      const res = await t.api.get(paths.stats, { auth: 'callbox' });
      if (res.status === 429) limited = res;
    }
    const body = expectSpecBody(limited!, 429, 'HTTP.429');
    expect(body.details).toContain('Retry-After');
    expect(limited!.headers.get('retry-after')).toMatch(/^\d+$/);

    let failures: ApiResponse | undefined;
    for (let i = 0; i < 10 && !failures; i++) {
      const res = await t.api.get(paths.stats, { auth: { bearer: 'wrong-token-000000000000' } });
      if (res.status === 429) failures = res;
    }
    expect(expectSpecBody(failures!, 429, 'AUTH.TOO_MANY_FAILURES').details).toContain('Retry-After');
  }
});
