import { TransactionRepository } from '../../src/transactions/transaction.repository';
import { Auth } from '../support/api-client';
import { heartbeat, rechargeSubmission, registration } from '../support/fixtures';
import { createTestApp, TEST_API_KEY, TEST_CALLBOX_TOKEN, TestApp } from '../support/test-app';
import { claim, expectError, expectStatus, paths, registerBox, report, stats, submit } from './callbox-api';

const BOUND_TOKEN = 'bound-token-callbox-001-abcdef';
const WRONG = 'not-the-right-secret-0123456789';

/** Every route of the device API that only a CallBox (Bearer token) may call. */
const bearerOnlyRoutes: Array<[string, string, () => string, unknown]> = [
  ['register', 'POST', () => paths.register, registration('callbox_002')],
  ['heartbeat', 'POST', () => paths.heartbeat, heartbeat('callbox_002')],
  ['submit', 'POST', () => paths.submit, rechargeSubmission()],
  ['pending', 'GET', () => paths.pending('callbox_002'), undefined],
  ['status', 'PUT', () => paths.status('tx_1768471200_abcdef1234'), { status: 'processing', callboxId: 'callbox_002' }],
];

describe('CallBox API authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CALLBOX_TOKENS: `callbox_001:${BOUND_TOKEN}` } });
    await registerBox(t.api, 'callbox_001', {}, { auth: { bearer: BOUND_TOKEN } });
    await registerBox(t.api, 'callbox_002', { location: 'Yaoundé' });
  });
  afterAll(async () => t.close());

  const call = (method: string, path: string, body: unknown, auth: Auth) => t.api.request(method, path, { auth, body });

  describe('Bearer-only routes', () => {
    it.each(bearerOnlyRoutes)('%s without any credential is 401 AUTH.MISSING_TOKEN', async (_, method, path, body) => {
      expectError(await call(method, path(), body, 'none'), 401, 'AUTH.MISSING_TOKEN');
    });

    it.each(bearerOnlyRoutes)('%s with a wrong Bearer token is 401 AUTH.INVALID_TOKEN', async (_, method, path, body) => {
      expectError(await call(method, path(), body, { bearer: WRONG }), 401, 'AUTH.INVALID_TOKEN');
    });

    it.each(bearerOnlyRoutes)('%s with only a valid x-api-key is 403 AUTH.CALLBOX_TOKEN_REQUIRED', async (_, method, path, body) => {
      expectError(await call(method, path(), body, 'admin'), 403, 'AUTH.CALLBOX_TOKEN_REQUIRED');
    });

    it.each([
      ['a non-Bearer scheme', { authorization: `Basic ${TEST_CALLBOX_TOKEN}` }],
      ['the token without a scheme', { authorization: TEST_CALLBOX_TOKEN }],
      ['the token with a suffix', { authorization: `Bearer ${TEST_CALLBOX_TOKEN}x` }],
      ['a Bearer prefix alone', { authorization: 'Bearer ' }],
    ])('%s is 401 AUTH.INVALID_TOKEN', async (_, headers) => {
      const res = await t.api.get(paths.pending('callbox_001'), { auth: 'none', headers });
      expectError(res, 401, 'AUTH.INVALID_TOKEN');
    });

    it('accepts the auth scheme in any case (RFC 7235)', async () => {
      const res = await t.api.get(paths.pending('callbox_002'), {
        auth: 'none',
        headers: { authorization: `bearer ${TEST_CALLBOX_TOKEN}` },
      });
      expectStatus(res, 200);
    });

    it('a refused submit queues nothing', async () => {
      const before = (await stats(t.api)).pendingTransactions;
      expectError(await t.api.post(paths.submit, rechargeSubmission(), { auth: 'none' }), 401, 'AUTH.MISSING_TOKEN');
      expectError(await t.api.post(paths.submit, rechargeSubmission(), { auth: { bearer: WRONG } }), 401, 'AUTH.INVALID_TOKEN');
      expectError(await t.api.post(paths.submit, rechargeSubmission(), { auth: 'admin' }), 403, 'AUTH.CALLBOX_TOKEN_REQUIRED');
      expect((await stats(t.api)).pendingTransactions).toBe(before);
    });
  });

  describe('PUT /config (admin, x-api-key)', () => {
    const change = { batchSize: 9 };

    it('with only the CallBox token is 403 AUTH.ADMIN_REQUIRED', async () => {
      expectError(await t.api.put(paths.config(), change, { auth: 'callbox' }), 403, 'AUTH.ADMIN_REQUIRED');
    });

    it('with a wrong x-api-key is 401 AUTH.INVALID_API_KEY', async () => {
      expectError(await t.api.put(paths.config(), change, { auth: { apiKey: WRONG } }), 401, 'AUTH.INVALID_API_KEY');
    });

    it('without any credential is 401', async () => {
      const res = await t.api.put(paths.config(), change, { auth: 'none' });
      expectStatus(res, 401);
      expect(res.body).toMatchObject({ success: false, code: expect.stringMatching(/^AUTH\./) });
    });

    it('a refused change leaves the configuration as it was', async () => {
      const before = (await t.api.get(paths.config())).body.config;
      await t.api.put(paths.config(), change, { auth: 'callbox' });
      await t.api.put(paths.config(), change, { auth: { apiKey: WRONG } });
      await t.api.put(paths.config(), change, { auth: 'none' });
      const after = (await t.api.get(paths.config())).body.config;
      expect(after).toEqual(before);
      expect(after.batchSize).not.toBe(change.batchSize);
    });

    it('with the API key is accepted', async () => {
      const res = await t.api.put(paths.config(), { pollIntervalMs: 6000 }, { auth: { apiKey: TEST_API_KEY } });
      expectStatus(res, 200);
      expect(res.body.config.pollIntervalMs).toBe(6000);
    });
  });

  describe.each([
    ['GET /config', () => paths.config()],
    ['GET /stats', () => paths.stats],
  ])('%s (either credential)', (_, path) => {
    it('accepts the CallBox token', async () => expectStatus(await t.api.get(path(), { auth: 'callbox' }), 200));
    it('accepts the API key', async () => expectStatus(await t.api.get(path(), { auth: 'admin' }), 200));
    it('refuses no credential with 401', async () => expectStatus(await t.api.get(path(), { auth: 'none' }), 401));
    it('refuses a wrong Bearer token with 401 AUTH.INVALID_TOKEN', async () => {
      expectError(await t.api.get(path(), { auth: { bearer: WRONG } }), 401, 'AUTH.INVALID_TOKEN');
    });
    it('refuses a wrong API key with 401 AUTH.INVALID_API_KEY', async () => {
      expectError(await t.api.get(path(), { auth: { apiKey: WRONG } }), 401, 'AUTH.INVALID_API_KEY');
    });
  });

  describe('box-bound tokens (CALLBOX_TOKENS)', () => {
    const bound: Auth = { bearer: BOUND_TOKEN };

    it.each([
      ['register', 'POST', () => paths.register, registration('callbox_002', { location: 'Ailleurs' })],
      ['heartbeat', 'POST', () => paths.heartbeat, heartbeat('callbox_002')],
      ['pending', 'GET', () => paths.pending('callbox_002'), undefined],
      ['GET config', 'GET', () => paths.config('callbox_002'), undefined],
    ])('acting for another box on %s is 403 AUTH.CALLBOX_MISMATCH', async (_, method, path, body) => {
      expectError(await call(method, path(), body, bound), 403, 'AUTH.CALLBOX_MISMATCH');
    });

    it.each([
      ['register', 'POST', () => paths.register, registration('callbox_001')],
      ['heartbeat', 'POST', () => paths.heartbeat, heartbeat('callbox_001')],
      ['pending', 'GET', () => paths.pending('callbox_001'), undefined],
      ['GET config', 'GET', () => paths.config('callbox_001'), undefined],
    ])('acting for its own box on %s is accepted', async (_, method, path, body) => {
      expectStatus(await call(method, path(), body, bound), 200);
    });

    it('cannot re-register another box under its own name', async () => {
      await call('POST', paths.register, registration('callbox_002', { location: 'Ailleurs' }), bound);
      const instance = (await stats(t.api)).instances.find((i: { id: string }) => i.id === 'callbox_002');
      expect(instance.location).toBe('Yaoundé');
    });

    it("cannot report on another box's transaction, and may report on its own", async () => {
      const other = await submit(t.api, { payItemId: 'BOUND_OTHER', priority: 'high' });
      const own = await submit(t.api, { payItemId: 'BOUND_OWN', priority: 'low' });
      const claimedByOther = await claim(t.api, 'callbox_002', 1);
      expect(claimedByOther.transactions.map((tx) => tx.id)).toEqual([other.id]);

      const refused = await t.api.put(paths.status(other.id), { status: 'processing', callboxId: 'callbox_002' }, { auth: bound });
      expectError(refused, 403, 'AUTH.CALLBOX_MISMATCH');
      const events = await t.app.get(TransactionRepository).listEvents(other.id);
      expect(events.map((e) => e.to)).toEqual(['pending', 'assigned']);

      const mine = await t.api.get(paths.pending('callbox_001', 1), { auth: bound });
      expect(mine.body.transactions.map((tx: { id: string }) => tx.id)).toEqual([own.id]);
      const accepted = await t.api.put(paths.status(own.id), { status: 'processing', callboxId: 'callbox_001' }, { auth: bound });
      expectStatus(accepted, 200);
      expect(accepted.body.transaction.status).toBe('processing');
      // The shared token still speaks for any box that has no token of its own.
      expectStatus(await report(t.api, other.id, 'callbox_002', 'processing'), 200);
    });

    it.each([
      ['register', 'POST', () => paths.register, registration('callbox_001', { location: 'Usurpé' })],
      ['heartbeat', 'POST', () => paths.heartbeat, heartbeat('callbox_001')],
      ['pending', 'GET', () => paths.pending('callbox_001'), undefined],
      ['GET config', 'GET', () => paths.config('callbox_001'), undefined],
    ])('the shared token acting on %s for a box that has its own token is 403 AUTH.CALLBOX_MISMATCH', async (_, method, path, body) => {
      expectError(await call(method, path(), body, 'callbox'), 403, 'AUTH.CALLBOX_MISMATCH');
    });

    it("the shared token cannot report on a bound box's transaction, nor settle it", async () => {
      const tx = await submit(t.api, { payItemId: 'BOUND_FORGED', priority: 'high' });
      const held = await t.api.get(paths.pending('callbox_001', 1), { auth: bound });
      expect(held.body.transactions.map((x: { id: string }) => x.id)).toEqual([tx.id]);
      const forged = { status: 'completed', callboxId: 'callbox_001', result: { success: true, transactionRef: 'FORGED' } };
      expectError(await t.api.put(paths.status(tx.id), forged), 403, 'AUTH.CALLBOX_MISMATCH');
      const events = await t.app.get(TransactionRepository).listEvents(tx.id);
      expect(events.map((e) => e.to)).toEqual(['pending', 'assigned']);
    });
  });
});
