import { createTestApp, TestApp } from '../support/test-app';
import { expectError, expectInvalidField, expectStatus, paths, registerBox, stats } from '../callbox/callbox-api';
import { counts, detail, syncPaths, tick } from './sync-api';

/** The spec's example for the main-system hook. */
const deposit = (overrides: Record<string, unknown> = {}) => ({
  type: 'deposit',
  phoneNumber: '+237699876543',
  amount: 5000,
  payItemId: 'ORANGE_DEPOSIT_5000',
  customerInfo: { name: 'Marie Foukou', operator: 'Orange' },
  ...overrides,
});

describe('Main-system hook (POST /api/transaction/to-callbox)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
  });
  afterEach(async () => t.close());

  const send = (body: unknown, headers?: Record<string, string>) =>
    t.api.post(syncPaths.toCallBox, body, { auth: 'admin', headers });

  it('queues the transaction and answers { success, message, transaction }', async () => {
    const res = await send(deposit());
    expectStatus(res, 200);
    expect(Object.keys(res.body).sort()).toEqual(['message', 'success', 'transaction']);
    expect(res.body.success).toBe(true);
    expect(res.body.transaction).toMatchObject({
      ...deposit(),
      id: expect.stringMatching(/^tx_\d+_[a-z0-9]+$/),
      status: 'pending',
      priority: 'normal',
      assignedTo: null,
      retryCount: 0,
      maxRetries: t.config.callboxDefaults.maxRetries,
      createdAt: new Date(t.clock!.now()).toISOString(),
    });
    const stored = await detail(t.api, res.body.transaction.id);
    expect(stored.events).toEqual([
      expect.objectContaining({ from: null, to: 'pending', actor: 'main-system', details: { source: 'main' } }),
    ]);
  });

  it('hands the transaction to a box at the next tick', async () => {
    await registerBox(t.api, 'callbox_001');
    const { transaction } = (await send(deposit())).body;
    expect(await tick(t.api)).toEqual(counts({ assigned: 1 }));
    expect(await detail(t.api, transaction.id)).toMatchObject({ status: 'assigned', assignedTo: 'callbox_001' });
  });

  it.each([
    ['a phone number not in E.164', 'phoneNumber', { phoneNumber: '0699876543' }],
    ['a negative amount', 'amount', { amount: -5 }],
    ['a deposit without an amount', 'amount', { amount: undefined }],
    ['an unknown type', 'type', { type: 'transfer' }],
    ['a payItemId with spaces', 'payItemId', { payItemId: 'bad id!' }],
    ['an unknown priority', 'priority', { priority: 'urgent' }],
  ])('refuses %s with 400 naming %s, and queues nothing', async (_, field, overrides) => {
    expectInvalidField(await send(deposit(overrides)), field);
    expect((await stats(t.api)).pendingTransactions).toBe(0);
  });

  it('accepts a voucher without an amount, like submit', async () => {
    const res = await send(deposit({ type: 'voucher', amount: undefined, payItemId: 'ORANGE_DATA_1GB' }));
    expectStatus(res, 200);
    expect(res.body.transaction).toMatchObject({ type: 'voucher', amount: null });
  });

  describe('Idempotency-Key', () => {
    it('same key and body: the first transaction again, and only one queued', async () => {
      const first = await send(deposit(), { 'idempotency-key': 'order-42' });
      t.clock!.advance(5_000);
      const again = await send(deposit(), { 'idempotency-key': 'order-42' });
      expectStatus(first, 200);
      expectStatus(again, 200);
      expect(again.body.transaction).toEqual(first.body.transaction);
      expect(again.body.message).not.toBe(first.body.message);
      expect((await stats(t.api)).pendingTransactions).toBe(1);
    });

    it('same key, other body: 409 IDEMPOTENCY.KEY_REUSED, nothing queued', async () => {
      expectStatus(await send(deposit(), { 'idempotency-key': 'order-43' }), 200);
      expectError(await send(deposit({ amount: 6000 }), { 'idempotency-key': 'order-43' }), 409, 'IDEMPOTENCY.KEY_REUSED');
      expect((await stats(t.api)).pendingTransactions).toBe(1);
    });

    it('a key the main system used does not collide with the same key from a CallBox', async () => {
      const fromMain = await send(deposit(), { 'idempotency-key': 'shared-key' });
      const fromBox = await t.api.post(paths.submit, deposit(), { headers: { 'idempotency-key': 'shared-key' } });
      expectStatus(fromBox, 200);
      expect(fromBox.body.transaction.id).not.toBe(fromMain.body.transaction.id);
    });

    it('refuses a malformed key with 400', async () => {
      expectInvalidField(await send(deposit(), { 'idempotency-key': 'x'.repeat(129) }), 'Idempotency-Key');
    });
  });

  describe('authentication', () => {
    it('with only the CallBox Bearer token is 403 AUTH.ADMIN_REQUIRED, nothing queued', async () => {
      expectError(await t.api.post(syncPaths.toCallBox, deposit(), { auth: 'callbox' }), 403, 'AUTH.ADMIN_REQUIRED');
      expect((await stats(t.api)).pendingTransactions).toBe(0);
    });

    it('without credentials is 401', async () => {
      expectError(await t.api.post(syncPaths.toCallBox, deposit(), { auth: 'none' }), 401, 'AUTH.MISSING_API_KEY');
    });
  });
});
