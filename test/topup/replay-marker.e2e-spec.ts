import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus, expectTopUpError, paths, simulatorOf, topUp, txId } from './topup-api';

/**
 * Issue 15, point 14: a replayed TopUp answer (the recorded answer of a known transaction_id, sent
 * again with the same request and PIN) says so: `replayed: true` in the body and the header
 * `Idempotent-Replayed: true`. A first answer has neither.
 */
describe('TopUp: a replayed answer is marked', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  const simulator = () => simulatorOf(t);

  beforeAll(async () => {
    t = await createTestApp();
    api = topUp(t.api);
  });
  beforeEach(async () => simulator().reset());
  afterAll(async () => t.close());

  it('a success: the first answer unmarked, the replay the same answer with replayed: true and the header', async () => {
    const id = txId('mark');
    const body = { msisdn: '77123456', isdn: '21123456', amount: 500, pincode: '1234', transaction_id: id };
    const first = await api.post(paths.recharge, body);
    expectStatus(first, 200);
    expect(first.body).not.toHaveProperty('replayed');
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const replay = await api.post(paths.recharge, body);
    expectStatus(replay, 200);
    expect(replay.body).toEqual({ ...first.body, replayed: true });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(simulator().executionsOf(id)).toBe(1);
  });

  it('a recorded refusal: the same error, marked', async () => {
    const id = txId('markerr');
    const body = { msisdn: '77654321', isdn: '21123456', amount: 1000, transaction_id: id };
    const first = await api.post(paths.recharge, body);
    expectTopUpError(first, 400, '400');
    expect(first.body).not.toHaveProperty('replayed');
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const replay = await api.post(paths.recharge, body);
    expectTopUpError(replay, 400, '400');
    expect(replay.body).toEqual({ ...first.body, replayed: true });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('a refusal that is not a replay (TRANSACTION_ID_REUSED) is not marked', async () => {
    const id = txId('markreuse');
    expectStatus(await api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 500, pincode: '1234', transaction_id: id }), 200);
    const other = await api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 600, pincode: '1234', transaction_id: id });
    expectTopUpError(other, 409, 'TRANSACTION_ID_REUSED');
    expect(other.body).not.toHaveProperty('replayed');
    expect(other.headers.get('idempotent-replayed')).toBeNull();
  });
});
