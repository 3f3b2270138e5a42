import { MAX_HELD_POLLS_PER_BOX } from '../../src/callbox/long-poll/long-poll.service';
import { createTestApp, TestApp } from '../support/test-app';
import { expectError, expectStatus, paths, registerBox, submit } from './callbox-api';
import { heldCount, holdPoll, longPollPath, until, untilHeld } from './long-poll-api';

const WAIT_MS = 20_000;
const BOUND_TOKEN = 'bound-token-for-box-one-0123456789';

/** One token must not pin the gateway's sockets and memory: a box may hold a few polls, not thousands. */
describe('Long polling: how many polls one box may hold', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ env: { CALLBOX_TOKENS: `callbox_001:${BOUND_TOKEN}` } });
    await registerBox(t.api, 'callbox_001', {}, { auth: { bearer: BOUND_TOKEN } });
    await registerBox(t.api, 'callbox_002');
  });
  afterEach(async () => t.close());

  it(`holds ${MAX_HELD_POLLS_PER_BOX} polls of a box; the next is 429 LONG_POLL.TOO_MANY_HELD with Retry-After, other boxes unaffected`, async () => {
    const held = Array.from({ length: MAX_HELD_POLLS_PER_BOX }, () => holdPoll(t, 'callbox_002', WAIT_MS));
    await untilHeld(t, MAX_HELD_POLLS_PER_BOX);

    const refused = await t.api.get(longPollPath('callbox_002', WAIT_MS));
    expectError(refused, 429, 'LONG_POLL.TOO_MANY_HELD');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body.context).toMatchObject({ callboxId: 'callbox_002', held: MAX_HELD_POLLS_PER_BOX });

    // A poll without waitMs is not held: it is answered as always.
    expectStatus(await t.api.get(longPollPath('callbox_002', 0)), 200);
    await registerBox(t.api, 'callbox_003');
    const other = holdPoll(t, 'callbox_003', WAIT_MS);
    await untilHeld(t, MAX_HELD_POLLS_PER_BOX + 1);
    expect(held.some((poll) => poll.settled())).toBe(false);

    // Once one is answered, the box may hold another.
    const tx = await submit(t.api);
    const answered = await Promise.race([...held, other].map((poll) => poll.answer));
    expect(answered!.body.transactions.map((x: { id: string }) => x.id)).toEqual([tx.id]);
    await untilHeld(t, MAX_HELD_POLLS_PER_BOX);
    const [work] = answered!.body.transactions;
    expectStatus(await t.api.put(paths.status(work.id), { status: 'completed', callboxId: work.assignedTo, attempt: work.attempt }), 200);
    const again = holdPoll(t, work.assignedTo, WAIT_MS);
    await untilHeld(t, MAX_HELD_POLLS_PER_BOX + 1);
    expect(again.settled()).toBe(false);
  });

  it('polls arriving together cannot all pass: 20 at once, exactly the limit held, the rest refused', async () => {
    const polls = Array.from({ length: 20 }, () => holdPoll(t, 'callbox_002', WAIT_MS));
    await until(() => polls.filter((poll) => poll.settled()).length === 20 - MAX_HELD_POLLS_PER_BOX, 15_000, 'the refusals');
    // Every one that was not held was refused, none answered 200 without its wait.
    const answers = await Promise.all(polls.filter((poll) => poll.settled()).map((poll) => poll.answer));
    expect(answers).toHaveLength(20 - MAX_HELD_POLLS_PER_BOX);
    expect(answers.every((answer) => answer!.status === 429 && answer!.body.code === 'LONG_POLL.TOO_MANY_HELD')).toBe(true);
    expect(heldCount(t)).toBe(MAX_HELD_POLLS_PER_BOX);
  });

  it('a poll that left frees its place', async () => {
    const held = Array.from({ length: MAX_HELD_POLLS_PER_BOX }, () => holdPoll(t, 'callbox_002', WAIT_MS));
    await untilHeld(t, MAX_HELD_POLLS_PER_BOX);
    held[0].drop();
    await untilHeld(t, MAX_HELD_POLLS_PER_BOX - 1);
    const next = holdPoll(t, 'callbox_002', WAIT_MS);
    await untilHeld(t, MAX_HELD_POLLS_PER_BOX);
    expect(next.settled()).toBe(false);
  });

  it('a token bound to another box learns nothing: 403 AUTH.CALLBOX_MISMATCH, not the count of its polls', async () => {
    Array.from({ length: MAX_HELD_POLLS_PER_BOX }, () => holdPoll(t, 'callbox_002', WAIT_MS));
    await untilHeld(t, MAX_HELD_POLLS_PER_BOX);
    expectError(await t.api.get(longPollPath('callbox_002', WAIT_MS), { auth: { bearer: BOUND_TOKEN } }), 403, 'AUTH.CALLBOX_MISMATCH');
  });
});
