import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectError, expectInvalidField, expectStatus, registerBox, report, submit } from '../callbox/callbox-api';
import { beat, tick } from '../sync/sync-api';

const A = 'callbox_001';
const B = 'callbox_002';
const admin = { auth: 'admin' as const };

describe('Admin console API (/api/admin/*)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
  });
  afterEach(async () => t.close());

  /** Submits one a millisecond apart (keyset order needs distinct times only for readability). */
  async function submitMany(n: number, overrides: Record<string, unknown> = {}) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      ids.push((await submit(t.api, { payItemId: `ITEM_${i}`, ...overrides })).id);
      t.clock!.advance(1);
    }
    return ids;
  }
  const list = (query: string) => t.api.get(`/api/admin/transactions${query}`, admin);
  const ids = (res: { body: { transactions: Array<{ id: string }> } }) => res.body.transactions.map((tx) => tx.id);

  it('pages newest first by cursor, every transaction exactly once', async () => {
    const created = await submitMany(7);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(`?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expectStatus(res, 200);
      expect(res.body.transactions.length).toBeLessThanOrEqual(3);
      seen.push(...ids(res));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse());
  });

  it('ties on created_at are ordered by id and never skipped across pages', async () => {
    const same = [];
    for (let i = 0; i < 5; i++) same.push((await submit(t.api, { payItemId: `SAME_${i}` })).id);
    const first = await list('?limit=2');
    const second = await list(`?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    const third = await list(`?limit=2&cursor=${encodeURIComponent(second.body.nextCursor)}`);
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual([...same].sort().reverse());
    expect(third.body.nextCursor).toBeNull();
  });

  it('finds a number typed in either form (77..., 25377..., +253...), and nothing else', async () => {
    const mine = await submitMany(2, { phoneNumber: '+25377123456' });
    await submitMany(2, { phoneNumber: '+25377999999' });
    for (const typed of ['77123456', '25377123456', '+25377123456', '77 12 34 56']) {
      const res = await list(`?phoneNumber=${encodeURIComponent(typed)}`);
      expectStatus(res, 200);
      expect(ids(res)).toEqual([...mine].reverse());
    }
  });

  it('filters by id, status, type, box and time range, combined', async () => {
    await registerBox(t.api, A, { capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge'] } });
    const start = t.clock!.now();
    const [early] = await submitMany(1, { type: 'voucher', amount: undefined });
    t.clock!.advance(60_000);
    const middle = t.clock!.now();
    const [taken, left] = await submitMany(2);
    await beat(t.api, A);
    expect((await claim(t.api, A, 1)).transactions.map((tx) => tx.id)).toEqual([taken]);

    expect(ids(await list(`?id=${taken}`))).toEqual([taken]);
    expect(ids(await list('?status=assigned'))).toEqual([taken]);
    expect(ids(await list(`?callboxId=${A}`))).toEqual([taken]);
    expect(ids(await list('?type=voucher'))).toEqual([early]);
    expect(ids(await list(`?from=${new Date(middle).toISOString()}`))).toEqual([left, taken]);
    expect(ids(await list(`?from=${new Date(start).toISOString()}&to=${new Date(middle).toISOString()}`))).toEqual([early]);
    expect(ids(await list(`?status=pending&type=recharge`))).toEqual([left]);
  });

  it('refuses bad filters field by field, and anyone without the admin key', async () => {
    expectInvalidField(await list('?limit=0'), 'limit');
    expectInvalidField(await list('?limit=201'), 'limit');
    expectInvalidField(await list('?status=done'), 'status');
    expectInvalidField(await list('?cursor=abc'), 'cursor');
    expectInvalidField(await list('?from=yesterday'), 'from');
    expectInvalidField(await list('?from=2024-10-08T00:00:00Z&to=2024-10-07T00:00:00Z'), 'to');
    expectError(await t.api.get('/api/admin/transactions', { auth: 'none' }), 401, 'AUTH.MISSING_API_KEY');
    expectError(await t.api.get('/api/admin/transactions', { auth: { apiKey: 'wrong-key-0123456789' } }), 401, 'AUTH.INVALID_API_KEY');
    expectError(await t.api.get('/api/admin/overview'), 403, 'AUTH.ADMIN_REQUIRED');
  });

  it('exports the current filter as CSV, newest first, text never a formula', async () => {
    const [plain] = await submitMany(1, { phoneNumber: '+25377123456', customerInfo: { name: 'Dupont, "Jean"', operator: 'MTN' } });
    const [formula] = await submitMany(1, { phoneNumber: '+25377123456', customerInfo: { name: '=HYPERLINK("http://x")' } });
    await submitMany(1, { phoneNumber: '+25377999999' });
    const res = await t.api.get('/api/admin/transactions/export?phoneNumber=77123456', admin);
    expectStatus(res, 200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment/);
    const lines = (res.body as string).split('\r\n');
    expect(lines[0]).toBe('id,createdAt,status,type,phoneNumber,amount,payItemId,customerName,operator,assignedTo,attempt,retryCount,completedAt,transactionRef');
    expect(lines.slice(1, -1).map((line) => line.split(',')[0])).toEqual([formula, plain]);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(lines[2]).toContain('"Dupont, ""Jean"""');
    expect(lines.at(-1)).toBe('');
  });

  describe('work in doubt', () => {
    let inDoubt: string[];
    beforeEach(async () => {
      await registerBox(t.api, A);
      inDoubt = await submitMany(3);
      await claim(t.api, A, 3);
      for (const id of inDoubt) expectStatus(await report(t.api, id, A, 'processing'), 200);
      await registerBox(t.api, B);
      t.clock!.advance(t.config.heartbeatTimeoutMs + 1);
      await beat(t.api, B);
      expect((await tick(t.api)).needsReview).toBe(3);
    });

    it('queues needs_review oldest first, paged', async () => {
      const first = await t.api.get('/api/admin/review-queue?limit=2', admin);
      expectStatus(first, 200);
      const second = await t.api.get(`/api/admin/review-queue?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, admin);
      expect([...ids(first), ...ids(second)]).toEqual(inDoubt);
      expect(second.body.nextCursor).toBeNull();
    });

    it('two admins settling the same one at once: one wins, the other is told it is already settled', async () => {
      const [a, b] = await Promise.all([
        t.api.post(`/api/call-box/transactions/${inDoubt[0]}/resolve`, { outcome: 'completed', note: 'premier' }, admin),
        t.api.post(`/api/call-box/transactions/${inDoubt[0]}/resolve`, { outcome: 'failed', note: 'second' }, admin),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 409]);
      const [won, lost] = a.status === 200 ? [a, b] : [b, a];
      expectError(lost, 409, 'TRANSACTION.NOT_IN_REVIEW');
      expect(lost.body.context).toMatchObject({ transactionId: inDoubt[0], currentStatus: won.body.transaction.status });
      const detail = await t.api.get(`/api/call-box/transactions/${inDoubt[0]}`, admin);
      expect(detail.body.transaction.events.filter((e: { actor: string }) => e.actor === 'admin')).toHaveLength(1);
      expect(ids(await t.api.get('/api/admin/review-queue', admin))).toEqual(inDoubt.slice(1));
    });

    it('the overview counts them, the last hour per minute, the fleet, the callbacks waiting and the SOAP side', async () => {
      t.clock!.advance(120_000);
      const settled = await t.api.post(`/api/call-box/transactions/${inDoubt[0]}/resolve`, { outcome: 'completed', note: 'ok', transactionRef: 'MTN42' }, admin);
      expectStatus(settled, 200);
      expect(settled.body.transaction.result).toEqual({ transactionRef: 'MTN42', resolution: { outcome: 'completed', note: 'ok', by: 'admin', transactionRef: 'MTN42' } });
      expectStatus(await t.api.post(`/api/call-box/transactions/${inDoubt[1]}/resolve`, { outcome: 'failed', note: 'ko' }, admin), 200);
      const res = await t.api.get('/api/admin/overview', admin);
      expectStatus(res, 200);
      const { overview } = res.body;
      expect(overview.byStatus).toMatchObject({ needs_review: 1, completed: 1, failed: 1, pending: 0 });
      expect(overview.finishedPerMinute).toHaveLength(61);
      expect(overview.finishedPerMinute.at(-1)).toEqual({
        minute: new Date(Math.floor(t.clock!.now() / 60_000) * 60_000).toISOString(),
        completed: 1,
        failed: 1,
      });
      expect(overview.finishedPerMinute.slice(0, -1).every((m: { completed: number; failed: number }) => m.completed + m.failed === 0)).toBe(true);
      expect(overview.fleet).toEqual({ connected: 0, notActive: 0, degraded: 0, disconnected: 2 });
      expect(overview.callbackBacklog).toBeGreaterThanOrEqual(0);
      expect(overview.soap).toMatchObject({ breaker: 'closed', callsSinceStart: expect.objectContaining({ success: 0, breaker_open: 0 }) });
    });
  });

  it('lists the fleet with state, heartbeat age, load, what each box reported and its operators', async () => {
    await registerBox(t.api, A, { location: 'Djibouti Centre', capabilities: { maxConcurrentTransactions: 4, supportedTypes: ['recharge'], operators: ['MTN'] } });
    await t.api.post('/api/call-box/heartbeat', { callboxId: A, status: 'active', queueSize: 2, metrics: { uptime: 3600, memoryUsage: 40.5, processedTransactions: 9 } });
    await submitMany(1);
    await claim(t.api, A, 1);
    t.clock!.advance(1500);
    const res = await t.api.get('/api/admin/boxes', admin);
    expectStatus(res, 200);
    expect(res.body.boxes).toEqual([
      expect.objectContaining({
        id: A,
        status: 'active',
        heartbeatAgeMs: expect.any(Number),
        location: 'Djibouti Centre',
        operators: ['MTN'],
        load: { inFlight: 1, maxConcurrent: 4, utilization: 0.25 },
        reported: expect.objectContaining({ uptime: 3600, memoryUsage: 40.5, processedTransactions: 9, status: 'active' }),
        degradedReason: null,
      }),
    ]);
    expect(res.body.boxes[0].heartbeatAgeMs).toBeGreaterThanOrEqual(1500);
  });

  it("counts a healthy box whose heartbeat says another word than 'active' apart: it takes no work", async () => {
    await registerBox(t.api, A);
    await registerBox(t.api, B);
    const fleet = async () => (await t.api.get('/api/admin/overview', admin)).body.overview.fleet;
    expect(await fleet()).toEqual({ connected: 2, notActive: 0, degraded: 0, disconnected: 0 });
    expectStatus(await t.api.post('/api/call-box/heartbeat', { callboxId: B, status: 'maintenance', queueSize: 0 }), 200);
    expect(await fleet()).toEqual({ connected: 1, notActive: 1, degraded: 0, disconnected: 0 });
  });
});
