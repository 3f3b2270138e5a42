import { TransactionRepository } from '../../src/transactions/transaction.repository';
import { registration, rechargeSubmission } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';

const TTL_MS = 15 * 60_000;
const DEPOSIT_TTL_MS = 60 * 60_000;

describe('Stale pending work expires (PENDING_TTL_MS)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true, env: { PENDING_TTL_BY_TYPE: `deposit:${DEPOSIT_TTL_MS}` } });
  });
  afterEach(async () => t.close());

  const submit = async (overrides: Record<string, unknown> = {}) =>
    (await t.api.post('/api/call-box/transactions/submit', rechargeSubmission(overrides))).body.transaction.id as string;
  const force = async () => (await t.api.post('/api/sync/force', undefined, { auth: 'admin' })).body.counts;
  const detail = async (id: string) => (await t.api.get(`/api/call-box/transactions/${id}`, { auth: 'admin' })).body.transaction;

  it('expires work no box took in time, never delivers it, and counts it', async () => {
    const stale = await submit();
    t.clock!.advance(TTL_MS - 1);
    const fresh = await submit();
    expect((await force()).expired).toBe(0);
    t.clock!.advance(2);
    expect((await force()).expired).toBe(1);
    expect((await detail(stale)).status).toBe('expired');
    const events = (await detail(stale)).events;
    expect(events.at(-1)).toMatchObject({ from: 'pending', to: 'expired', actor: 'dispatcher', details: { reason: 'pending_ttl', ttlMs: TTL_MS } });

    await t.api.post('/api/call-box/register', registration('callbox_001'));
    const poll = await t.api.get('/api/call-box/transactions/pending?callboxId=callbox_001');
    expect(poll.body.transactions.map((tx: { id: string }) => tx.id)).toEqual([fresh]);
    const stats = (await t.api.get('/api/call-box/stats')).body.stats;
    expect(stats.expiredTransactions).toBe(1);
    expect(stats.byType.recharge.expired).toBe(1);
  });

  it('never hands out stale work between two ticks', async () => {
    const stale = await submit();
    t.clock!.advance(TTL_MS + 1);
    await t.api.post('/api/call-box/register', registration('callbox_001'));
    const poll = await t.api.get('/api/call-box/transactions/pending?callboxId=callbox_001');
    expect(poll.body.count).toBe(0);
    expect((await force()).assigned).toBe(0);
    expect((await detail(stale)).status).toBe('expired');
  });

  it('keeps a per-type TTL (PENDING_TTL_BY_TYPE)', async () => {
    const recharge = await submit();
    const deposit = await submit({ type: 'deposit', payItemId: 'MOOV_DEPOSIT' });
    t.clock!.advance(TTL_MS + 1);
    expect((await force()).expired).toBe(1);
    expect((await detail(recharge)).status).toBe('expired');
    expect((await detail(deposit)).status).toBe('pending');
    t.clock!.advance(DEPOSIT_TTL_MS);
    expect((await force()).expired).toBe(1);
    expect((await detail(deposit)).status).toBe('expired');
  });

  it('never expires work a box already holds', async () => {
    await t.api.post('/api/call-box/register', registration('callbox_001'));
    const held = await submit();
    await t.api.get('/api/call-box/transactions/pending?callboxId=callbox_001');
    await t.api.put(`/api/call-box/transactions/${held}/status`, { status: 'processing', callboxId: 'callbox_001' });
    t.clock!.advance(TTL_MS + 1);
    await t.api.post('/api/call-box/heartbeat', { callboxId: 'callbox_001', status: 'active' });
    await force();
    const tx = await t.app.get(TransactionRepository).findById(held);
    expect(tx?.status).not.toBe('expired');
  });
});
