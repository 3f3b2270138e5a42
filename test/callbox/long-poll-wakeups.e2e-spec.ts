import { LongPollHub } from '../../src/callbox/long-poll/long-poll-hub';
import { CallBoxTransactionsService } from '../../src/callbox/transactions/callbox-transactions.service';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectStatus, paths, registerBox, registerWith, submit } from './callbox-api';
import { heldCount, holdPoll, until, untilHeld } from './long-poll-api';

const WAIT_MS = 20_000;
const ids = (answer: { body: { transactions: Array<{ id: string }> } } | null) => answer?.body.transactions.map((x) => x.id) ?? [];

describe('Long polling: a woken box that gets nothing wakes another only when work may be left for it', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  it('woken for work another box took meanwhile, it finds the queue empty, wakes no other box and waits again', async () => {
    const boxes = ['callbox_001', 'callbox_002', 'callbox_003'];
    for (const id of boxes) await registerBox(t.api, id);
    const held = boxes.map((id) => holdPoll(t, id, WAIT_MS));
    await untilHeld(t, 3);
    const polls = t.app.get(LongPollHub).polls;
    const offers = jest.spyOn(polls, 'offer');
    const polled = jest.spyOn(t.app.get(CallBoxTransactionsService), 'pending');
    // The signal of a submit whose transaction a returning box has already claimed: nothing is pending.
    polls.offer([{ type: 'recharge', operator: null }]);
    await until(() => polled.mock.calls.length === 1 && heldCount(t) === 3, 15_000, 'the woken box to poll and wait again');
    // A hand-on would have been offered before the woken box waited again.
    expect(offers).toHaveBeenCalledTimes(1);
    expect(held.map((poll) => poll.settled())).toEqual([false, false, false]);
  });

  it("a box its own limits stop (its concurrency full) hands the work on to the next waiting box", async () => {
    await registerWith(t.api, 'callbox_001', { maxConcurrentTransactions: 1 });
    await registerBox(t.api, 'callbox_002');
    const first = await submit(t.api);
    const [taken] = (await claim(t.api, 'callbox_001')).transactions;
    expect(taken.id).toBe(first.id);
    expectStatus(await t.api.put(paths.status(first.id), { status: 'processing', callboxId: 'callbox_001', attempt: taken.attempt }), 200);
    // callbox_001 waited longest, so it is woken first; full, it claims nothing and passes the work on.
    const full = holdPoll(t, 'callbox_001', WAIT_MS);
    await untilHeld(t, 1);
    const other = holdPoll(t, 'callbox_002', WAIT_MS);
    await untilHeld(t, 2);
    const polled = jest.spyOn(t.app.get(CallBoxTransactionsService), 'pending');
    const second = await submit(t.api);
    expect(ids(await other.answer)).toEqual([second.id]);
    expect(polled.mock.calls.map(([, callboxId]) => callboxId)).toEqual(['callbox_001', 'callbox_002']);
    expect(full.settled()).toBe(false);
  });
});
