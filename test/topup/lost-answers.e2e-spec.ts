import { SoapSimulator } from '../../src/simulator/soap/soap-simulator';
import { SoapProxy } from '../support/soap-proxy';
import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus, paths, topUp } from './topup-api';

const CREDENTIALS = { username: 'lost-answers-user', password: 'lost-answers-password-0001' };
const CEILING_MS = 2_000;

/**
 * A command whose answer is lost after the operator ran it (a proxy between the gateway and the
 * operator resets, answers 502, or cuts the XML) must never run twice: its outcome is unknown, the
 * id is spent, and a replay gets that same answer. Only a command that provably never left (a
 * refused connection) frees its id.
 */
describe('TopUp commands whose answer is lost: at most once at the operator', () => {
  let simulator: SoapSimulator;
  let proxy: SoapProxy;
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  let sequence = 0;
  const txId = (label: string) => `dtapp${label}${Date.now()}${sequence++}`;
  const recharge = (transaction_id?: string) =>
    api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 100, pincode: '1234', ...(transaction_id && { transaction_id }) });
  const balance = () => simulator.mobileAccount('77123456')!.balance;

  beforeAll(async () => {
    simulator = new SoapSimulator(CREDENTIALS);
    const { url } = await simulator.start(0, '127.0.0.1');
    proxy = new SoapProxy(url);
    await proxy.start();
    t = await createTestApp({
      env: {
        TOPUP_SOAP_URL: proxy.url,
        TOPUP_SOAP_USERNAME: CREDENTIALS.username,
        TOPUP_SOAP_PASSWORD: CREDENTIALS.password,
        TOPUP_REQUEST_TIMEOUT_MS: String(CEILING_MS),
        // Lost answers are failures: the breaker must not open in the middle of the cases.
        TOPUP_BREAKER_MIN_CALLS: '1000',
      },
    });
    api = topUp(t.api);
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
    await simulator?.stop();
  });
  afterEach(async () => {
    await proxy.setMode('pass');
    await simulator.resetFaults();
  });

  it.each([
    ['the connection is reset', 'reset' as const],
    ['a proxy answers 502', 'bad-gateway' as const],
    ['the XML answer is cut off', 'truncate' as const],
  ])('when %s after the operator ran it: 503 outcome unknown, and a replay runs nothing', async (_case, mode) => {
    const id = txId(mode.replace('-', ''));
    const before = balance();
    await proxy.setMode(mode);
    const first = await recharge(id);
    expectStatus(first, 503);
    expect(first.body).toMatchObject({ transaction_id: id, details: { outcome_unknown: true } });
    await proxy.setMode('pass');
    const replay = await recharge(id);
    expectStatus(replay, 503);
    expect(replay.body).toEqual({ ...first.body, replayed: true });
    expect(simulator.executionsOf(id)).toBe(1);
    expect(balance()).toBe(before - 100);
  });

  it('when the connection is refused, nothing left: the id is free and the replay runs it once', async () => {
    const id = txId('refused');
    const before = balance();
    await proxy.setMode('refuse');
    const first = await recharge(id);
    expectStatus(first, 503);
    expect(first.body).toMatchObject({ transaction_id: id, details: { outcome_unknown: false } });
    expect(simulator.executionsOf(id)).toBe(0);
    await proxy.setMode('pass');
    const replay = await recharge(id);
    expectStatus(replay, 200);
    expect(simulator.executionsOf(id)).toBe(1);
    expect(balance()).toBe(before - 100);
  });

  it('at the request ceiling: 503 with the generated id and outcome unknown; once known, a replay gets the outcome', async () => {
    const before = balance();
    await simulator.setFaults({ latencyMs: CEILING_MS + 1_000 });
    const first = await recharge();
    expectStatus(first, 503);
    const id = first.body.transaction_id;
    expect(id).toMatch(/^dtapp/);
    expect(first.body).toMatchObject({ returnCode: 'REQUEST_TIMEOUT', details: { outcome_unknown: true } });
    // Still running: the same id is refused as in progress, never sent again.
    const during = await recharge(id);
    expectStatus(during, 409);
    expect(during.body).toMatchObject({ returnCode: 'TRANSACTION_IN_PROGRESS', transaction_id: id });
    let replay = during;
    for (let i = 0; i < 50 && replay.status === 409; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      replay = await recharge(id);
    }
    expectStatus(replay, 200);
    expect(replay.body.transaction_id).toBe(id);
    expect(simulator.executionsOf(id)).toBe(1);
    expect(balance()).toBe(before - 100);
  });
});
