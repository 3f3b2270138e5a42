import { simulatorOf } from '../topup/topup-api';
import { createTestApp, TestApp } from '../support/test-app';

const BALANCES = '/api/topup/balances';
const request = (msisdn = '77123456') => ({ msisdn, isdn: '21123456' });

describe('TopUp quotas (spec 004 "Limites et Quotas") and X-Debug', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('refuses the 11th concurrent request for one number at once with 429, and serves other numbers', async () => {
    t = await createTestApp();
    const simulator = simulatorOf(t);
    await simulator.setFaults({ latencyMs: 800 });
    const answers = await Promise.all([
      ...Array.from({ length: 11 }, () => t.api.post(BALANCES, request(), { auth: 'none' })),
      t.api.post(BALANCES, request('77654321'), { auth: 'none' }),
    ]);
    const forFirst = answers.slice(0, 11).map((a) => a.status).sort();
    expect(forFirst).toEqual([...Array(10).fill(200), 429]);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.body).toMatchObject({ erreur: 'Trop de requêtes simultanées', returnCode: 'TOO_MANY_CONCURRENT_REQUESTS' });
    expect(answers[11].status).toBe(200);
  });

  it('frees the slots once requests end, errors included', async () => {
    t = await createTestApp();
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => t.api.post(BALANCES, { msisdn: '77123456', isdn: 'bad' }, { auth: 'none' })));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(422));
    }
    expect((await t.api.post(BALANCES, request(), { auth: 'none' })).status).toBe(200);
  });

  it('adds a debug trace of the SOAP calls when X-Debug: true is allowed', async () => {
    t = await createTestApp({ env: { DEBUG_HEADER_ENABLED: 'true' } });
    const res = await t.api.post(BALANCES, request(), { auth: 'none', headers: { 'x-debug': 'true' } });
    expect(res.status).toBe(200);
    expect(res.body.debug.soap_calls).toEqual([
      { operation: 'getBalances', attempt: 1, outcome: 'success', return_code: '0', duration_ms: expect.any(Number) },
    ]);
    expect(res.body.debug.total_duration_ms).toBeGreaterThanOrEqual(0);
    const plain = await t.api.post(BALANCES, request(), { auth: 'none' });
    expect(plain.body).not.toHaveProperty('debug');
  });

  it('ignores X-Debug when the setting is off', async () => {
    t = await createTestApp({ env: { DEBUG_HEADER_ENABLED: 'false' } });
    const res = await t.api.post(BALANCES, request(), { auth: 'none', headers: { 'x-debug': 'true' } });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('debug');
  });

  it('echoes X-Request-ID on TopUp answers, errors included', async () => {
    t = await createTestApp();
    const ok = await t.api.post(BALANCES, request(), { auth: 'none', headers: { 'x-request-id': 'app-req-42' } });
    const bad = await t.api.post(BALANCES, {}, { auth: 'none', headers: { 'x-request-id': 'app-req-43' } });
    expect(ok.headers.get('x-request-id')).toBe('app-req-42');
    expect(bad.headers.get('x-request-id')).toBe('app-req-43');
  });
});
