import { CallBoxTransactionsService } from '../../src/callbox/transactions/callbox-transactions.service';
import { createTestApp, TestApp } from '../support/test-app';
import { tick } from '../sync/sync-api';
import { claim, expectInvalidField, expectStatus, paths, registerBox, registerWith, submit } from './callbox-api';
import { heldCount, holdPoll, longPollPath, untilHeld } from './long-poll-api';

/** Long enough that an answer before it can only be a wake-up, on any machine. */
const WAIT_MS = 20_000;

describe('Long polling (GET /api/call-box/transactions/pending?waitMs=)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  it('the config answers (register, heartbeat, GET /config) say how long a poll may be held', async () => {
    const registered = await registerBox(t.api, 'callbox_001');
    expect(registered.config).toMatchObject({ ...t.config.callboxDefaults, longPollMaxWaitMs: 25_000 });
    const beat = await t.api.post(paths.heartbeat, { callboxId: 'callbox_001', status: 'active' });
    expect(beat.body.config.longPollMaxWaitMs).toBe(25_000);
    expect((await t.api.get(paths.config('callbox_001'))).body.config.longPollMaxWaitMs).toBe(25_000);
  });

  it.each(['-1', '25001', '1.5', 'abc', '0x10'])('waitMs=%s is a 400 in the CallBox error body', async (waitMs) => {
    await registerBox(t.api, 'callbox_001');
    const res = await t.api.get(longPollPath('callbox_001', waitMs));
    expectInvalidField(res, 'waitMs');
    expect(res.body.fields.waitMs).toEqual(['waitMs must be a whole number from 0 to 25000']);
  });

  it('a submit wakes the held poll, which answers with the work long before its deadline', async () => {
    await registerBox(t.api, 'callbox_001');
    const held = holdPoll(t, 'callbox_001', WAIT_MS);
    await untilHeld(t, 1);
    expect(held.settled()).toBe(false);
    const submittedAt = Date.now();
    const tx = await submit(t.api);
    const answer = (await held.answer)!;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: true, count: 1, status: 'active' });
    expect(answer.body.transactions.map((x: { id: string }) => x.id)).toEqual([tx.id]);
    expect(answer.at - submittedAt).toBeLessThan(WAIT_MS);
  });

  it('with nothing arriving, answers empty at its deadline, as a poll', async () => {
    await registerBox(t.api, 'callbox_001');
    const began = Date.now();
    const res = await t.api.get(longPollPath('callbox_001', 300));
    expectStatus(res, 200);
    expect(Date.now() - began).toBeGreaterThanOrEqual(290);
    expect(res.body).toEqual({ success: true, transactions: [], count: 0, totalPending: 0, status: 'active' });
  });

  it('the latency histogram leaves out the time a poll was held', async () => {
    await registerBox(t.api, 'callbox_001');
    expectStatus(await t.api.get(longPollPath('callbox_001', 1_500)), 200);
    const text = (await t.api.get('/metrics', { auth: 'none' })).body as string;
    const line = text.split('\n').find((l) => l.startsWith('http_request_duration_seconds_sum{') && l.includes('route="/api/call-box/transactions/pending"'));
    expect(Number(line!.slice(line!.lastIndexOf(' ') + 1))).toBeLessThan(1.5);
  });

  it('without waitMs (or with waitMs=0) answers at once, as before', async () => {
    await registerBox(t.api, 'callbox_001');
    expect((await claim(t.api, 'callbox_001')).count).toBe(0);
    expectStatus(await t.api.get(longPollPath('callbox_001', 0)), 200);
    expect(heldCount(t)).toBe(0);
  });

  it('no thundering herd: one submit answers exactly one of five held polls, the others stay held', async () => {
    const ids = ['callbox_001', 'callbox_002', 'callbox_003', 'callbox_004', 'callbox_005'];
    for (const id of ids) await registerBox(t.api, id);
    const held = ids.map((id) => holdPoll(t, id, WAIT_MS));
    await untilHeld(t, 5);
    // Every poll a held request runs goes through the service: a herd would show as five runs.
    const polled = jest.spyOn(t.app.get(CallBoxTransactionsService), 'pending');
    const tx = await submit(t.api);
    const first = await Promise.race(held.map((poll) => poll.answer));
    expect(first!.body.transactions.map((x: { id: string }) => x.id)).toEqual([tx.id]);
    expect(held.filter((poll) => poll.settled())).toHaveLength(1);
    expect(heldCount(t)).toBe(4);
    expect(polled.mock.calls.map(([, callboxId]) => callboxId)).toEqual([first!.body.transactions[0].assignedTo]);
  });

  it('takes turns: boxes waiting for the same work are served in the order they waited, then again', async () => {
    const ids = ['callbox_001', 'callbox_002', 'callbox_003'];
    for (const id of ids) await registerBox(t.api, id);
    const served: string[] = [];
    const polls = new Map<string, ReturnType<typeof holdPoll>>();
    // One at a time, so the order of waiting is known.
    for (const [i, id] of ids.entries()) {
      polls.set(id, holdPoll(t, id, WAIT_MS));
      await untilHeld(t, i + 1);
    }
    for (let round = 0; round < 6; round++) {
      await submit(t.api);
      const answered = await Promise.race([...polls.values()].map(async (poll) => ({ poll, answer: (await poll.answer)! })));
      const [tx] = answered.answer.body.transactions;
      served.push(answered.poll.callboxId);
      // It runs the work and polls again: to the back of the line.
      expectStatus(await t.api.put(paths.status(tx.id), { status: 'completed', callboxId: answered.poll.callboxId, attempt: tx.attempt }), 200);
      polls.set(answered.poll.callboxId, holdPoll(t, answered.poll.callboxId, WAIT_MS));
      await untilHeld(t, 3);
    }
    expect(served).toEqual([...ids, ...ids]);
  });

  it('wakes only a box that may take the work: its type and its operators', async () => {
    await registerWith(t.api, 'callbox_voucher', { supportedTypes: ['voucher'] });
    await registerWith(t.api, 'callbox_orange', { operators: ['Orange'] });
    await registerWith(t.api, 'callbox_mtn', { operators: ['MTN'] });
    const voucher = holdPoll(t, 'callbox_voucher', WAIT_MS);
    const orange = holdPoll(t, 'callbox_orange', WAIT_MS);
    await untilHeld(t, 2);
    const mtn = holdPoll(t, 'callbox_mtn', WAIT_MS);
    await untilHeld(t, 3);
    const tx = await submit(t.api, { customerInfo: { operator: 'mtn' } });
    expect((await mtn.answer)!.body.transactions.map((x: { id: string }) => x.id)).toEqual([tx.id]);
    expect([voucher.settled(), orange.settled()]).toEqual([false, false]);
  });

  it('a hand-back wakes another held box', async () => {
    await registerBox(t.api, 'callbox_001');
    await registerBox(t.api, 'callbox_002');
    const tx = await submit(t.api);
    expect((await claim(t.api, 'callbox_001')).transactions.map((x) => x.id)).toEqual([tx.id]);
    const held = holdPoll(t, 'callbox_002', WAIT_MS);
    await untilHeld(t, 1);
    expectStatus(await t.api.put(paths.status(tx.id), { status: 'pending', callboxId: 'callbox_001' }), 200);
    expect((await held.answer)!.body.transactions.map((x: { id: string }) => x.id)).toEqual([tx.id]);
  });

  it('a dispatch round wakes the box it assigned work to', async () => {
    // Held while it takes only Orange: the MTN submit does not wake it.
    await registerWith(t.api, 'callbox_001', { operators: ['Orange'] });
    const held = holdPoll(t, 'callbox_001', WAIT_MS);
    await untilHeld(t, 1);
    const tx = await submit(t.api, { customerInfo: { operator: 'MTN' } });
    expect(held.settled()).toBe(false);
    // It now takes MTN too (registered again); the dispatcher hands it the work and wakes it.
    await registerWith(t.api, 'callbox_001', { operators: ['Orange', 'MTN'] });
    expect((await tick(t.api)).assigned).toBe(1);
    const answer = (await held.answer)!;
    expect(answer.body.transactions.map((x: { id: string; attempt: number }) => [x.id, x.attempt])).toEqual([[tx.id, 1]]);
  });
});
