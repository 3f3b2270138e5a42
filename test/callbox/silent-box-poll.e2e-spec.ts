import { beat, tick } from '../sync/sync-api';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, registerBox, submit } from './callbox-api';
import { holdPoll, untilHeld } from './long-poll-api';

const A = 'callbox_001';

/**
 * A box the backend holds for lost (no heartbeat within HEARTBEAT_TIMEOUT_MS) that polls is told
 * why it gets nothing: `status: "disconnected"` and a message naming the heartbeat. The poll does
 * not reconnect it: only a heartbeat does (issue 15, 4).
 */
describe('A silent CallBox that polls', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
    await registerBox(t.api, A);
  });
  afterEach(async () => t.close());

  it('after the heartbeat timeout, a poll gets no work, with status "disconnected" and what to do; a heartbeat brings work back', async () => {
    t.clock!.advance(t.config.heartbeatTimeoutMs + 1);
    expect((await tick(t.api)).disconnected).toBe(1);
    for (let i = 0; i < 9; i++) await submit(t.api, { payItemId: `SILENT_${i}` });

    const silent = await claim(t.api, A);
    expect(silent).toMatchObject({ success: true, transactions: [], count: 0, totalPending: 9, status: 'disconnected' });
    expect(silent.message).toMatch(/heartbeat/);
    // The poll did not reconnect it: the next one says the same, and the dispatcher deals it nothing.
    expect((await claim(t.api, A)).status).toBe('disconnected');
    expect((await tick(t.api)).assigned).toBe(0);

    await beat(t.api, A);
    const back = await claim(t.api, A);
    expect(back).toMatchObject({ status: 'active', count: 5, totalPending: 4 });
    expect(back.message).toBeUndefined();
  });

  it('its long poll is held to the deadline, not answered at once (a long-polling box would poll again at once), and no submit wakes it', async () => {
    t.clock!.advance(t.config.heartbeatTimeoutMs + 1);
    const began = Date.now();
    const held = holdPoll(t, A, 1_500);
    await untilHeld(t, 1);
    await submit(t.api);
    expect(held.settled()).toBe(false);
    const answer = (await held.answer)!;
    expect(answer.at - began).toBeGreaterThanOrEqual(1_400);
    expect(answer.body).toMatchObject({ success: true, transactions: [], count: 0, totalPending: 1, status: 'disconnected' });
  });

  it('held while silent, its long poll is woken by the work the dispatcher deals it once a heartbeat brought it back', async () => {
    t.clock!.advance(t.config.heartbeatTimeoutMs + 1);
    const held = holdPoll(t, A, 20_000);
    await untilHeld(t, 1);
    const tx = await submit(t.api);
    await beat(t.api, A);
    expect((await tick(t.api)).assigned).toBe(1);
    const answer = (await held.answer)!;
    expect(answer.body).toMatchObject({ status: 'active', count: 1 });
    expect(answer.body.transactions.map((x: { id: string }) => x.id)).toEqual([tx.id]);
  });

  it('silent past the timeout but not yet swept by a tick, it already claims nothing new and says so', async () => {
    await submit(t.api);
    t.clock!.advance(t.config.heartbeatTimeoutMs + 1);
    expect(await claim(t.api, A)).toMatchObject({ transactions: [], totalPending: 1, status: 'disconnected' });
  });

  it('a live box is told it is active, with no message', async () => {
    await submit(t.api);
    const res = await claim(t.api, A);
    expect(res).toMatchObject({ status: 'active', count: 1 });
    expect(res).not.toHaveProperty('message');
  });
});
