import { registration, rechargeSubmission } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';

const A = 'callbox_001';
const B = 'callbox_002';
const COOLDOWN_MS = 120_000;

describe('Sick CallBoxes are starved, then recover', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({
      fakeClock: true,
      env: { MAX_RETRIES: '0', MAX_BATCH_SIZE: '10', DEGRADED_COOLDOWN_MS: String(COOLDOWN_MS), TRANSACTION_TIMEOUT_MS: '3600000' },
    });
    const capabilities = { maxConcurrentTransactions: 10, supportedTypes: ['recharge'] };
    await t.api.post('/api/call-box/register', registration(A, { capabilities }));
  });
  afterEach(async () => t.close());

  const submit = async (n: number) => {
    for (let i = 0; i < n; i++) await t.api.post('/api/call-box/transactions/submit', rechargeSubmission({ payItemId: `ITEM_${i}` }));
  };
  const poll = async (box: string) =>
    (await t.api.get(`/api/call-box/transactions/pending?callboxId=${box}&limit=10`)).body.transactions as Array<{ id: string }>;
  const report = (id: string, box: string, status: string) =>
    t.api.put(`/api/call-box/transactions/${id}/status`, { status, callboxId: box });
  const instance = async (box: string) =>
    ((await t.api.get('/api/call-box/stats')).body.stats.instances as Array<{ id: string }>).find((i) => i.id === box) as Record<string, unknown>;

  it('stops giving work to a box after five failures in a row, and gives it to others', async () => {
    await submit(7);
    const held = await poll(A);
    expect(held).toHaveLength(7);
    for (const tx of held.slice(0, 5)) expect((await report(tx.id, A, 'failed')).status).toBe(200);
    expect(await instance(A)).toMatchObject({ status: 'degraded', degradedReason: 'consecutive_failures' });

    await submit(3);
    // It claims nothing new, and what it held unstarted went back to the queue when it degraded...
    expect(await poll(A)).toEqual([]);
    // ...which the dispatcher deals, with the new work, to a healthy box only.
    await t.api.post('/api/call-box/register', registration(B, { capabilities: { maxConcurrentTransactions: 10, supportedTypes: ['recharge'] } }));
    const forced = await t.api.post('/api/sync/force', undefined, { auth: 'admin' });
    expect(forced.body.counts.assigned).toBe(5);
    expect((await poll(B)).map((tx) => tx.id)).toEqual(expect.arrayContaining(held.slice(5).map((tx) => tx.id)));
  });

  it('recovers after two successes on the work it had started', async () => {
    await submit(7);
    const held = await poll(A);
    for (const tx of held.slice(5)) expect((await report(tx.id, A, 'processing')).status).toBe(200);
    for (const tx of held.slice(0, 5)) await report(tx.id, A, 'failed');
    await report(held[5].id, A, 'completed');
    expect((await instance(A)).status).toBe('degraded');
    await report(held[6].id, A, 'completed');
    expect(await instance(A)).toMatchObject({ status: 'active', degradedReason: null });
    await submit(1);
    expect(await poll(A)).toHaveLength(1);
  });

  it('recovers by itself once the cool-down is over', async () => {
    await submit(5);
    for (const tx of await poll(A)) await report(tx.id, A, 'failed');
    await submit(1);
    expect(await poll(A)).toHaveLength(0);
    t.clock!.advance(COOLDOWN_MS);
    await t.api.post('/api/call-box/heartbeat', { callboxId: A, status: 'active' });
    expect((await instance(A)).status).toBe('active');
    expect(await poll(A)).toHaveLength(1);
  });
});
