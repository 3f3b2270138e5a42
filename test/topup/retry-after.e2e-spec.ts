import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus, expectTopUpError, paths, simulatorOf, topUp } from './topup-api';

const WRONG_PINS_ALLOWED = 5;
const LOCK_SECONDS = 15 * 60;

/**
 * Issue 15, point 12: every 429 of the TopUp family says when to come back in `Retry-After`
 * (seconds), as the README promises: the PIN lock, the ten-in-flight quota and the rate limit.
 */
describe('TopUp 429s carry Retry-After', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  afterEach(async () => t.close());

  it('PIN_LOCKED: Retry-After is the time left on the lock, as details.retry_after_seconds', async () => {
    t = await createTestApp({ fakeClock: true });
    api = topUp(t.api);
    const recharge = (pincode: string) => api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 100, pincode });
    for (let i = 0; i < WRONG_PINS_ALLOWED; i++) expectTopUpError(await recharge('9999'), 401, '401');

    const locked = await recharge('1234');
    expectTopUpError(locked, 429, 'PIN_LOCKED');
    expect(locked.headers.get('retry-after')).toBe(String(LOCK_SECONDS));
    expect(locked.body.details.retry_after_seconds).toBe(LOCK_SECONDS);

    t.clock!.advance(10 * 60_000);
    const later = await recharge('1234');
    expectTopUpError(later, 429, 'PIN_LOCKED');
    expect(later.headers.get('retry-after')).toBe(String(5 * 60));
  });

  it('TOO_MANY_CONCURRENT_REQUESTS: the 11th request in flight gets Retry-After', async () => {
    t = await createTestApp();
    api = topUp(t.api);
    await simulatorOf(t).setFaults({ latencyMs: 800 });
    const answers = await Promise.all(Array.from({ length: 11 }, () => api.post(paths.balances, { msisdn: '77123456', isdn: '21123456' })));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(1);
    expectTopUpError(refused[0], 429, 'TOO_MANY_CONCURRENT_REQUESTS');
    expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('the per-number rate limit (TOPUP_RATE_LIMIT_PER_MINUTE) gets Retry-After', async () => {
    t = await createTestApp({ env: { TOPUP_RATE_LIMIT_PER_MINUTE: '2' } });
    api = topUp(t.api);
    for (let i = 0; i < 2; i++) expectStatus(await api.post(paths.balances, { msisdn: '77123456', isdn: '21123456' }), 200);
    const refused = await api.post(paths.balances, { msisdn: '77123456', isdn: '21123456' });
    expectStatus(refused, 429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
