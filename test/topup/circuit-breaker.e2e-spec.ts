import { ApiResponse } from '../support/api-client';
import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus, expectTopUpError, paths, simulatorOf, topUp, txId } from './topup-api';

const RESET_MS = 1000;
const LATENCY_MS = 600;

/** After repeated SOAP failures the breaker opens: 503 at once, then it tries the backend again by itself. */
describe('TopUp circuit breaker', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  const simulator = () => simulatorOf(t);
  const status = () => api.get(paths.statusOf('21123456'));
  const calls = () => simulator().callCount('getStatusForRecharge');

  async function timed(send: () => Promise<ApiResponse>): Promise<{ res: ApiResponse; ms: number }> {
    const started = Date.now();
    const res = await send();
    return { res, ms: Date.now() - started };
  }

  /** Slow server faults until an answer comes back faster than the backend could give one. */
  async function openTheBreaker(): Promise<void> {
    await simulator().setFaults({ fault: 'server', latencyMs: LATENCY_MS });
    const first = await timed(status);
    expectTopUpError(first.res, 503, 'SOAP_FAULT');
    expect(first.ms).toBeGreaterThanOrEqual(LATENCY_MS);
    for (let i = 0; i < 5; i++) {
      if ((await timed(status)).ms < LATENCY_MS / 3) return;
    }
    throw new Error('the breaker never opened');
  }

  beforeEach(async () => {
    t = await createTestApp({
      env: { TOPUP_BREAKER_RESET_MS: String(RESET_MS), TOPUP_BREAKER_MIN_CALLS: '3', TOPUP_RATE_LIMIT_PER_MINUTE: '100000' },
    });
    api = topUp(t.api);
  });
  afterEach(async () => t.close());

  it('once open, answers 503 "Erreur SOAP" well under the latency, without calling the backend', async () => {
    await openTheBreaker();
    const before = calls();
    const { res, ms } = await timed(status);
    expectTopUpError(res, 503, 'SOAP_FAULT');
    expect(res.body).toMatchObject({ erreur: 'Erreur SOAP', details: { error_source: 'SOAP_SERVICE' } });
    expect(ms).toBeLessThan(LATENCY_MS / 3);
    expect(calls()).toBe(before);
  });

  it('answers every operation at once while open, commands included, and runs none', async () => {
    await openTheBreaker();
    const id = txId('open');
    const { res, ms } = await timed(() =>
      api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 1000, pincode: '1234', transaction_id: id }),
    );
    expectTopUpError(res, 503, 'SOAP_FAULT');
    expect(ms).toBeLessThan(LATENCY_MS / 3);
    expect(simulator().callCount('executeCommand')).toBe(0);
    expect(simulator().executionsOf(id)).toBe(0);
    expectTopUpError(await api.post(paths.balances, { msisdn: '77123456', isdn: '21123456' }), 503, 'SOAP_FAULT');
  });

  it('stays open until TOPUP_BREAKER_RESET_MS has passed, then recovers by itself with a healthy backend', async () => {
    await openTheBreaker();
    await simulator().resetFaults();
    const before = calls();
    expectTopUpError(await status(), 503, 'SOAP_FAULT');
    expect(calls()).toBe(before);

    await new Promise((resolve) => setTimeout(resolve, RESET_MS + 200));
    expectStatus(await status(), 200);
    expect(calls()).toBe(before + 1);
    expectStatus(await api.post(paths.balances, { msisdn: '77123456', isdn: '21123456' }), 200);
  });

  it('lets a command refused while open run once the breaker has closed, with the same id', async () => {
    await openTheBreaker();
    await simulator().resetFaults();
    const id = txId('later');
    const send = () => api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 1000, pincode: '1234', transaction_id: id });
    expectTopUpError(await send(), 503, 'SOAP_FAULT');

    await new Promise((resolve) => setTimeout(resolve, RESET_MS + 200));
    expectStatus(await send(), 200);
    expect(simulator().executionsOf(id)).toBe(1);
    expect(simulator().mobileAccount('77123456')!.balance).toBe(5000 - 1000);
  });

  it('answers a replay from the journal while open: a command that ran is never reported as refused', async () => {
    const done = txId('done');
    const body = { msisdn: '77123456', isdn: '21123456', amount: 1000, pincode: '1234', transaction_id: done };
    const first = await api.post(paths.recharge, body);
    expectStatus(first, 200);
    await openTheBreaker();

    const replay = await api.post(paths.recharge, body);
    expectStatus(replay, 200);
    expect(replay.body).toEqual({ ...first.body, replayed: true });
    // Another PIN on that id is still refused as a reuse, not as a backend outage.
    expectTopUpError(await api.post(paths.recharge, { ...body, pincode: '9999' }), 409, 'TRANSACTION_ID_REUSED');
    expect(simulator().executionsOf(done)).toBe(1);
  });

  it('opens again when the backend still fails after the cool-down', async () => {
    await openTheBreaker();
    await simulator().setFaults({ latencyMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, RESET_MS + 200));
    const before = calls();
    expectTopUpError(await status(), 503, 'SOAP_FAULT');
    expect(calls()).toBeGreaterThan(before);

    const after = calls();
    expectTopUpError(await status(), 503, 'SOAP_FAULT');
    expect(calls()).toBe(after);
  });
});
