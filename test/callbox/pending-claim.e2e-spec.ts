import { TransactionRepository } from '../../src/transactions/transaction.repository';
import { rechargeSubmission } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import {
  claim,
  expectError,
  expectInvalidField,
  expectStatus,
  iso,
  paths,
  PRIORITY_ORDER,
  registerWith,
  report,
  submit,
} from './callbox-api';

/** The fields of the spec's pending-transaction example (section 3). */
const SPEC_ITEM_FIELDS = [
  'id', 'type', 'phoneNumber', 'amount', 'payItemId', 'customerInfo', 'priority', 'status', 'createdAt', 'assignedTo', 'retryCount', 'maxRetries',
];

describe('Pending transactions (GET /api/call-box/transactions/pending)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
  });
  afterEach(async () => t.close());

  const ids = (txs: Array<{ id: string }>) => txs.map((tx) => tx.id);
  const submitMany = async (count: number, overrides: Record<string, unknown> = {}) => {
    const submitted = [];
    for (let i = 0; i < count; i++) {
      submitted.push(await submit(t.api, { payItemId: `ITEM_${i}`, ...overrides }));
      t.clock!.advance(1_000);
    }
    return submitted;
  };

  it("claims pending work in the spec's shape, assigned to the polling box", async () => {
    await registerWith(t.api, 'callbox_001', {});
    const payload = rechargeSubmission();
    const submitted = await submitMany(3);
    const { maxRetries } = (await t.api.get(paths.config())).body.config;

    const limit = 2;
    const res = await t.api.get(paths.pending('callbox_001', limit));
    expectStatus(res, 200);
    expect(res.body).toEqual({ success: true, transactions: expect.any(Array), count: limit, totalPending: submitted.length - limit, status: 'active' });
    res.body.transactions.forEach((tx: Record<string, unknown>, i: number) => {
      expect(Object.keys(tx)).toEqual(expect.arrayContaining(SPEC_ITEM_FIELDS));
      expect(tx).toMatchObject({
        ...payload,
        id: submitted[i].id,
        payItemId: submitted[i].payItemId,
        status: 'assigned',
        assignedTo: 'callbox_001',
        createdAt: submitted[i].createdAt,
        retryCount: 0,
        maxRetries,
        assignedAt: iso(t.clock!.now()),
      });
    });
  });

  it('answers an empty list when nothing is pending', async () => {
    await registerWith(t.api, 'callbox_001', {});
    expect(await claim(t.api, 'callbox_001')).toEqual({ success: true, transactions: [], count: 0, totalPending: 0, status: 'active' });
  });

  it('orders by priority (high > normal > low), then oldest first', async () => {
    await registerWith(t.api, 'callbox_001', { maxConcurrentTransactions: 10 });
    expectStatus(await t.api.put(paths.config(), { batchSize: 10 }, { auth: 'admin' }), 200);
    const submitted = [];
    for (const priority of ['low', 'normal', 'high', 'low', 'normal', 'high']) {
      submitted.push(await submit(t.api, { priority }));
      t.clock!.advance(1_000);
    }
    const expected = [...submitted].sort(
      (a, b) => PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority) || Date.parse(a.createdAt) - Date.parse(b.createdAt),
    );
    expect(ids((await claim(t.api, 'callbox_001', 4)).transactions)).toEqual(ids(expected.slice(0, 4)));
    expect(ids((await claim(t.api, 'callbox_001', 10)).transactions)).toEqual(ids(expected));
  });

  it('returns work already assigned to the box first, without claiming it twice', async () => {
    await registerWith(t.api, 'callbox_001', { maxConcurrentTransactions: 10 });
    const submitted = await submitMany(4);
    const first = await claim(t.api, 'callbox_001', 2);
    expect(ids(first.transactions)).toEqual(ids(submitted.slice(0, 2)));

    const second = await claim(t.api, 'callbox_001', 3);
    expect(ids(second.transactions)).toEqual(ids(submitted.slice(0, 3)));
    expect(second.totalPending).toBe(1);

    // Never past the limit, even with held work alone.
    const third = await claim(t.api, 'callbox_001', 1);
    expect(ids(third.transactions)).toEqual([submitted[0].id]);
    expect(third.totalPending).toBe(1);

    const repository = t.app.get(TransactionRepository);
    for (const tx of submitted.slice(0, 3)) {
      const assignments = (await repository.listEvents(tx.id)).filter((e) => e.from === 'pending' && e.to === 'assigned');
      expect(assignments).toHaveLength(1);
    }
  });

  it("defaults the limit to the box's batchSize", async () => {
    await registerWith(t.api, 'callbox_001', { maxConcurrentTransactions: 100 });
    const { batchSize } = (await t.api.get(paths.config('callbox_001'))).body.config;
    await submitMany(batchSize + 2);
    const { count, totalPending } = await claim(t.api, 'callbox_001');
    expect(count).toBe(batchSize);
    expect(totalPending).toBe(2);
  });

  it('never gives a box more than maxConcurrentTransactions assigned + processing', async () => {
    const max = 3;
    await registerWith(t.api, 'callbox_001', { maxConcurrentTransactions: max });
    const submitted = await submitMany(6);
    const first = await claim(t.api, 'callbox_001', 10);
    expect(ids(first.transactions)).toEqual(ids(submitted.slice(0, max)));

    // Two started and one finished: one slot frees up.
    const [a, b, c] = first.transactions;
    expectStatus(await report(t.api, a.id, 'callbox_001', 'processing'), 200);
    expectStatus(await report(t.api, b.id, 'callbox_001', 'processing'), 200);
    expectStatus(await report(t.api, c.id, 'callbox_001', 'completed'), 200);
    const second = await claim(t.api, 'callbox_001', 10);
    expect(ids(second.transactions)).toEqual([submitted[max].id]);

    // Full again (2 processing + 1 assigned): the held one comes back, nothing new.
    const third = await claim(t.api, 'callbox_001', 10);
    expect(ids(third.transactions)).toEqual([submitted[max].id]);
    expect(third.totalPending).toBe(submitted.length - max - 1);
  });

  it('only hands out the types the box supports', async () => {
    await registerWith(t.api, 'callbox_001', { supportedTypes: ['voucher', 'withdraw'] });
    const recharge = await submit(t.api, { type: 'recharge' });
    const voucher = await submit(t.api, { type: 'voucher', amount: undefined });
    const deposit = await submit(t.api, { type: 'deposit' });
    const withdraw = await submit(t.api, { type: 'withdraw' });
    const res = await claim(t.api, 'callbox_001', 10);
    expect(ids(res.transactions).sort()).toEqual([voucher.id, withdraw.id].sort());
    expect(res.totalPending).toBe(2);

    await registerWith(t.api, 'callbox_002', { supportedTypes: ['recharge', 'deposit'] });
    expect(ids((await claim(t.api, 'callbox_002', 10)).transactions).sort()).toEqual([recharge.id, deposit.id].sort());
  });

  it('only hands out the operators the box declared, case-insensitively', async () => {
    await registerWith(t.api, 'callbox_001', { operators: ['Mtn'] });
    const mtn = await submit(t.api, { customerInfo: { name: 'A', operator: 'MTN' } });
    const mtnLower = await submit(t.api, { customerInfo: { name: 'B', operator: 'mtn' } });
    const orange = await submit(t.api, { customerInfo: { name: 'C', operator: 'Orange' } });
    const unknown = await submit(t.api, { customerInfo: { name: 'D' } });
    const res = await claim(t.api, 'callbox_001', 10);
    expect(ids(res.transactions).sort()).toEqual([mtn.id, mtnLower.id].sort());

    // A box that declared no operator takes any.
    await registerWith(t.api, 'callbox_002', {});
    expect(ids((await claim(t.api, 'callbox_002', 10)).transactions).sort()).toEqual([orange.id, unknown.id].sort());
  });

  it('gives a transaction to one box only', async () => {
    await registerWith(t.api, 'callbox_001', {});
    await registerWith(t.api, 'callbox_002', {});
    const submitted = await submitMany(2);
    expect(ids((await claim(t.api, 'callbox_001', 5)).transactions)).toEqual(ids(submitted));
    expect(await claim(t.api, 'callbox_002', 5)).toMatchObject({ transactions: [], count: 0, totalPending: 0 });
  });

  it('records one pending -> assigned event per claimed transaction, by the polling box', async () => {
    await registerWith(t.api, 'callbox_001', {});
    const submitted = await submitMany(2);
    const claimedAt = t.clock!.now();
    await claim(t.api, 'callbox_001');
    for (const tx of submitted) {
      const events = await t.app.get(TransactionRepository).listEvents(tx.id);
      expect(events.map(({ from, to, actor, at }) => ({ from, to, actor, at }))).toEqual([
        { from: null, to: 'pending', actor: expect.any(String), at: Date.parse(tx.createdAt) },
        { from: 'pending', to: 'assigned', actor: 'callbox:callbox_001', at: claimedAt },
      ]);
    }
  });

  it('is 404 CALLBOX.NOT_REGISTERED for a box that never registered, and claims nothing', async () => {
    await submitMany(1);
    expectError(await t.api.get(paths.pending('callbox_999')), 404, 'CALLBOX.NOT_REGISTERED');
    await registerWith(t.api, 'callbox_001', {});
    expect((await claim(t.api, 'callbox_001')).count).toBe(1);
  });

  it.each([['0'], ['101'], ['-1'], ['abc'], ['2.5'], ['0x10'], ['1e1']])('refuses limit=%s with 400', async (limit) => {
    await registerWith(t.api, 'callbox_001', {});
    expectInvalidField(await t.api.get(paths.pending('callbox_001', limit)), 'limit');
  });

  it.each([
    ['no callboxId', '/api/call-box/transactions/pending'],
    ['a malformed callboxId', '/api/call-box/transactions/pending?callboxId=box%20one'],
    ['two callboxIds', '/api/call-box/transactions/pending?callboxId=a&callboxId=b'],
  ])('refuses %s with 400', async (_, path) => {
    expectInvalidField(await t.api.get(path), 'callboxId');
  });

  it('accepts the limits 1 and 100', async () => {
    await registerWith(t.api, 'callbox_001', { maxConcurrentTransactions: 100 });
    await submitMany(3);
    expect((await claim(t.api, 'callbox_001', 1)).count).toBe(1);
    expect((await claim(t.api, 'callbox_001', 100)).count).toBe(3);
  });
});
