import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus, paths, simulatorOf, topUp } from './topup-api';

const LIMIT = 3;

/** TOPUP_RATE_LIMIT_PER_MINUTE requests per mobile number and minute; the next one is a 429 in the TopUp body. */
describe('TopUp rate limit (TOPUP_RATE_LIMIT_PER_MINUTE)', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  const balances = (msisdn: string) => api.post(paths.balances, { msisdn, isdn: '21123456' });

  beforeEach(async () => {
    t = await createTestApp({ env: { TOPUP_RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
    api = topUp(t.api);
  });
  afterEach(async () => t.close());

  it('answers the 4th request for one msisdn within a minute with 429 in the TopUp error body', async () => {
    for (let i = 0; i < LIMIT; i++) expectStatus(await balances('77123456'), 200);
    const before = simulatorOf(t).callCount('getBalances');

    const res = await balances('77123456');
    expectStatus(res, 429);
    expect(res.body).toMatchObject({
      erreur: expect.stringMatching(/\S/),
      message: expect.stringMatching(/requêtes/i),
      returnCode: expect.stringMatching(/\S/),
      details: { endpoint: 'topup/balances', method: 'POST', timestamp: expect.any(String) },
    });
    expect(res.body).not.toHaveProperty('success');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(simulatorOf(t).callCount('getBalances')).toBe(before);
  });

  it('does not limit another msisdn', async () => {
    for (let i = 0; i < LIMIT; i++) expectStatus(await balances('77123456'), 200);
    expectStatus(await balances('77123456'), 429);
    expectStatus(await balances('77654321'), 200);
  });

  it('counts one number under both of its forms and across endpoints', async () => {
    expectStatus(await balances('77123456'), 200);
    expectStatus(await balances('25377123456'), 200);
    expectStatus(await api.get(paths.numbersOf('77123456')), 200);
    expectStatus(await api.post(paths.numbers, { msisdn: '25377123456' }), 429);
  });

  it('limits commands too', async () => {
    const recharge = () => api.post(paths.recharge, { msisdn: '77654321', isdn: '21123456', amount: 100 });
    for (let i = 0; i < LIMIT; i++) expectStatus(await recharge(), 200);
    const res = await recharge();
    expectStatus(res, 429);
    expect(simulatorOf(t).mobileAccount('77654321')!.balance).toBe(300 - LIMIT * 100);
  });
});
