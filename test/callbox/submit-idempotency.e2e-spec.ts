import { rechargeSubmission } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import { expectError, expectInvalidField, expectStatus, iso, paths, stats } from './callbox-api';

const TX_ID = /^tx_\d+_[a-z0-9]+$/;

/** The four payloads of the spec's "Types de Transactions Supportées". */
const SPEC_EXAMPLES = {
  recharge: { type: 'recharge', phoneNumber: '+237677123456', amount: 1000, payItemId: 'MTN_RECHARGE_1000', customerInfo: { name: 'Client', operator: 'MTN' } },
  voucher: { type: 'voucher', phoneNumber: '+237677123456', payItemId: 'ORANGE_DATA_1GB', customerInfo: { name: 'Client', operator: 'Orange' } },
  deposit: { type: 'deposit', phoneNumber: '+237699123456', amount: 5000, payItemId: 'MOOV_DEPOSIT', customerInfo: { name: 'Client', operator: 'Moov' } },
  withdraw: { type: 'withdraw', phoneNumber: '+237677123456', amount: 2000, payItemId: 'MTN_WITHDRAW', customerInfo: { name: 'Client', operator: 'MTN' } },
};

describe('Transaction submission (POST /api/call-box/transactions/submit)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ fakeClock: true });
  });
  afterAll(async () => t.close());

  it("queues the spec's payload and answers with the transaction as boxes will see it", async () => {
    const { maxRetries } = (await t.api.get(paths.config())).body.config;
    const payload = rechargeSubmission();
    const res = await t.api.post(paths.submit, payload);
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ success: true, message: expect.stringMatching(/\S/) });
    const tx = res.body.transaction;
    expect(tx.id).toMatch(TX_ID);
    expect(tx).toMatchObject({
      ...payload,
      status: 'pending',
      createdAt: iso(t.clock!.now()),
      assignedTo: null,
      retryCount: 0,
      maxRetries,
    });
  });

  it.each(Object.entries(SPEC_EXAMPLES))("accepts the spec's %s example", async (_, payload) => {
    const tx = (await t.api.post(paths.submit, payload)).body.transaction;
    expect(tx).toMatchObject({ ...payload, amount: 'amount' in payload ? payload.amount : null, status: 'pending' });
  });

  it("defaults the priority to 'normal'", async () => {
    const { priority, ...payload } = rechargeSubmission();
    expect(priority).toBeDefined();
    expect((await t.api.post(paths.submit, payload)).body.transaction.priority).toBe('normal');
  });

  it.each(['high', 'low'])('keeps priority %s', async (priority) => {
    expect((await t.api.post(paths.submit, rechargeSubmission({ priority }))).body.transaction.priority).toBe(priority);
  });

  it('accepts a submission without customerInfo', async () => {
    const { customerInfo, ...payload } = rechargeSubmission();
    expect(customerInfo).toBeDefined();
    expect((await t.api.post(paths.submit, payload)).body.transaction.customerInfo).toBeNull();
  });

  it.each([
    ['the shortest E.164 number (8 digits)', { phoneNumber: '+23767712' }],
    ['the longest E.164 number (15 digits)', { phoneNumber: '+237677123456789' }],
    ['a 64-character payItemId', { payItemId: 'P'.repeat(64) }],
    ['a payItemId with - and _', { payItemId: 'ORANGE-DATA_1GB' }],
  ])('accepts %s', async (_, overrides) => {
    const res = await t.api.post(paths.submit, rechargeSubmission(overrides));
    expectStatus(res, 200);
    expect(res.body.transaction).toMatchObject(overrides);
  });

  it('ignores fields a submitter must not set (status, assignedTo, retryCount, id)', async () => {
    const res = await t.api.post(paths.submit, {
      ...rechargeSubmission(),
      id: 'tx_1_chosen',
      status: 'completed',
      assignedTo: 'callbox_001',
      retryCount: 9,
    });
    expectStatus(res, 200);
    expect(res.body.transaction).toMatchObject({ status: 'pending', assignedTo: null, retryCount: 0 });
    expect(res.body.transaction.id).not.toBe('tx_1_chosen');
  });

  it('counts every accepted submission in the stats', async () => {
    const before = (await stats(t.api)).pendingTransactions;
    for (let i = 0; i < 3; i++) await t.api.post(paths.submit, rechargeSubmission({ payItemId: `COUNT_${i}` }));
    expect((await stats(t.api)).pendingTransactions).toBe(before + 3);
  });

  describe('validation', () => {
    it.each([
      ['an unknown type', { type: 'sms' }, 'type'],
      ['no type', { type: undefined }, 'type'],
      ['a number without +', { phoneNumber: '237677123456' }, 'phoneNumber'],
      ['a number of 7 digits', { phoneNumber: '+2376771' }, 'phoneNumber'],
      ['a number of 16 digits', { phoneNumber: '+2376771234567890' }, 'phoneNumber'],
      ['a number with a letter', { phoneNumber: '+23767712345a' }, 'phoneNumber'],
      ['a number with spaces', { phoneNumber: '+237 677 123 456' }, 'phoneNumber'],
      ['a numeric phoneNumber', { phoneNumber: 237677123456 }, 'phoneNumber'],
      ['no phoneNumber', { phoneNumber: undefined }, 'phoneNumber'],
      ['amount 0', { amount: 0 }, 'amount'],
      ['a negative amount', { amount: -500 }, 'amount'],
      ['a fractional amount', { amount: 10.5 }, 'amount'],
      ['amount as a string', { amount: '1000' }, 'amount'],
      ['a recharge without amount', { amount: undefined }, 'amount'],
      ['a deposit without amount', { type: 'deposit', amount: undefined }, 'amount'],
      ['a withdraw without amount', { type: 'withdraw', amount: undefined }, 'amount'],
      ['a payItemId with a space', { payItemId: 'MTN RECHARGE' }, 'payItemId'],
      ['a payItemId with a quote', { payItemId: "MTN'1000" }, 'payItemId'],
      ['a payItemId of 65 characters', { payItemId: 'P'.repeat(65) }, 'payItemId'],
      ['an empty payItemId', { payItemId: '' }, 'payItemId'],
      ['no payItemId', { payItemId: undefined }, 'payItemId'],
      ['an unknown priority', { priority: 'urgent' }, 'priority'],
      ['customerInfo as a string', { customerInfo: 'Jean Dupont' }, 'customerInfo'],
      ['customerInfo as an array', { customerInfo: ['Jean Dupont'] }, 'customerInfo'],
      ['a numeric customer name', { customerInfo: { name: 42 } }, 'customerInfo.name'],
      ['a numeric operator', { customerInfo: { operator: 1 } }, 'customerInfo.operator'],
    ])('refuses %s with 400 and queues nothing', async (_, overrides, field) => {
      const before = (await stats(t.api)).pendingTransactions;
      expectInvalidField(await t.api.post(paths.submit, rechargeSubmission(overrides)), field);
      expect((await stats(t.api)).pendingTransactions).toBe(before);
    });

    it('accepts a voucher without amount (amount null) but checks one when given', async () => {
      const { amount, ...voucher } = rechargeSubmission({ type: 'voucher', payItemId: 'ORANGE_DATA_1GB' });
      expect(amount).toBeDefined();
      expect((await t.api.post(paths.submit, voucher)).body.transaction.amount).toBeNull();
      expectInvalidField(await t.api.post(paths.submit, { ...voucher, amount: -1 }), 'amount');
      expect((await t.api.post(paths.submit, { ...voucher, amount: 500 })).body.transaction.amount).toBe(500);
    });
  });
});

describe('Submission idempotency (Idempotency-Key header)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
  });
  afterEach(async () => t.close());

  const submitWithKey = (key: string, body: Record<string, unknown> = rechargeSubmission()) =>
    t.api.post(paths.submit, body, { headers: { 'Idempotency-Key': key } });
  const total = async () => {
    const s = await stats(t.api);
    return s.pendingTransactions + s.assignedTransactions + s.processingTransactions + s.completedTransactions + s.failedTransactions;
  };

  it('same key and body: 200 with the same transaction, queued once', async () => {
    const first = await submitWithKey('order-42');
    expectStatus(first, 200);
    t.clock!.advance(5_000);
    const replay = await submitWithKey('order-42');
    expectStatus(replay, 200);
    expect(replay.body.transaction).toEqual(first.body.transaction);
    expect(await total()).toBe(1);
  });

  it('the same body with its keys in another order is the same request', async () => {
    const body = rechargeSubmission();
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const first = await submitWithKey('order-43', body);
    const replay = await submitWithKey('order-43', reordered);
    expectStatus(replay, 200);
    expect(replay.body.transaction.id).toBe(first.body.transaction.id);
  });

  it('same key, different body: 409 IDEMPOTENCY.KEY_REUSED, nothing queued', async () => {
    const first = await submitWithKey('order-44');
    const res = await submitWithKey('order-44', rechargeSubmission({ amount: 2000 }));
    expectError(res, 409, 'IDEMPOTENCY.KEY_REUSED');
    expect(await total()).toBe(1);
    // The first request may still be replayed.
    expect((await submitWithKey('order-44')).body.transaction.id).toBe(first.body.transaction.id);
  });

  it('names the key as sent in the 409, colons and all', async () => {
    await submitWithKey('order:47');
    const res = await submitWithKey('order:47', rechargeSubmission({ amount: 2000 }));
    expectError(res, 409, 'IDEMPOTENCY.KEY_REUSED');
    expect(res.body.context).toEqual({ idempotencyKey: 'order:47' });
  });

  it('accepts the longest key (128 characters)', async () => {
    const key = 'k'.repeat(128);
    const first = await submitWithKey(key);
    expectStatus(first, 200);
    expect((await submitWithKey(key)).body.transaction.id).toBe(first.body.transaction.id);
  });

  it('different keys with one body queue two transactions', async () => {
    const a = await submitWithKey('order-45');
    const b = await submitWithKey('order-46');
    expect(a.body.transaction.id).not.toBe(b.body.transaction.id);
    expect(await total()).toBe(2);
  });

  it('without a key, the same body twice queues twice', async () => {
    await t.api.post(paths.submit, rechargeSubmission());
    await t.api.post(paths.submit, rechargeSubmission());
    expect(await total()).toBe(2);
  });

  it('replays answer with the transaction as it is now', async () => {
    const first = (await submitWithKey('order-47')).body.transaction;
    await t.api.post(paths.register, { callboxId: 'callbox_001', capabilities: { maxConcurrentTransactions: 1, supportedTypes: ['recharge'] } });
    await t.api.get(paths.pending('callbox_001'));
    const replay = await submitWithKey('order-47');
    expect(replay.body.transaction).toMatchObject({ id: first.id, status: 'assigned', assignedTo: 'callbox_001' });
  });

  it('ten simultaneous submits with one key queue one transaction', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => submitWithKey('order-48')));
    for (const res of responses) expectStatus(res, 200);
    expect(new Set(responses.map((r) => r.body.transaction.id)).size).toBe(1);
    expect(await total()).toBe(1);
  });

  it.each([
    ['longer than 128 characters', 'k'.repeat(129)],
    ['with a space', 'order 49'],
  ])('refuses a key %s with 400', async (_, key) => {
    const res = await submitWithKey(key);
    expectStatus(res, 400);
    expect(res.body.code).toBe('REQUEST.INVALID');
    expect(await total()).toBe(0);
  });
});
