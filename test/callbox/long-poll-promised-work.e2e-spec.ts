import { LongPollHub } from '../../src/callbox/long-poll/long-poll-hub';
import { CallBoxRepository } from '../../src/callbox/registry/callbox';
import { CallBoxTransactionsService } from '../../src/callbox/transactions/callbox-transactions.service';
import { TransactionRepository } from '../../src/transactions/transaction.repository';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, registerWith, submit } from './callbox-api';
import { heldCount, HeldPoll, holdPoll, until, untilHeld } from './long-poll-api';

/** Long enough that an answer before it can only be a wake-up, on any loaded machine. */
const WAIT_MS = 20_000;
/** "Promptly": well under the deadline (the test app runs no dispatcher: its first tick is an hour away). */
const PROMPT_MS = WAIT_MS / 2;
interface Gate {
  entered: boolean;
  passage: Promise<void>;
  open(): void;
  fail(error: Error): void;
}

const ids = (answer: { body: { transactions: Array<{ id: string }> } } | null) => answer?.body.transactions.map((x) => x.id) ?? [];

/**
 * A fresh long poll (a box back from its deadline, or from reporting) used to open a claim unit
 * whenever any work was pending, though a submit's work is offered at once to one woken box: at 50
 * submits a second almost every fresh poll opened a write unit to find the work taken (3.7 claim
 * units per transaction at 3 000 boxes). Work this process woke a poll for is now promised to that
 * poll until it has claimed: a fresh poll that could take only promised work waits instead, and
 * must still hear of it if the woken poll does not take it.
 */
describe('Long polling: work promised to a woken poll', () => {
  let t: TestApp;
  let service: CallBoxTransactionsService;
  /** Claim units by box: the claim locks the box first thing inside its unit. */
  let claimUnits: string[];
  /** Boxes whose next poll (a woken poll) waits at its start until the spec lets it go, or fails it. */
  let gates: Map<string, Gate>;

  beforeEach(async () => {
    t = await createTestApp();
    service = t.app.get(CallBoxTransactionsService);
    const boxes = t.app.get(CallBoxRepository);
    claimUnits = [];
    const lockedForClaim = boxes.lockedForClaim.bind(boxes);
    jest.spyOn(boxes, 'lockedForClaim').mockImplementation((unit, callboxId) => {
      claimUnits.push(callboxId);
      return lockedForClaim(unit, callboxId);
    });
    gates = new Map();
    const pending = service.pending.bind(service);
    jest.spyOn(service, 'pending').mockImplementation(async (...args) => {
      const gate = gates.get(args[1]);
      if (gate && !gate.entered) {
        gate.entered = true;
        await gate.passage;
      }
      return pending(...args);
    });
  });
  afterEach(async () => {
    // A gate left shut would keep its request, hence the app's close, waiting.
    for (const entry of gates.values()) entry.open();
    await t.close();
  });

  const register = async (...boxIds: string[]) => {
    // One at a time: each woken poll's room is one transaction.
    for (const id of boxIds) await registerWith(t.api, id, { maxConcurrentTransactions: 1 });
  };

  /** From now on, the next poll of each of these boxes waits at its start. */
  function gate(...boxIds: string[]) {
    for (const id of boxIds) {
      const entry = { entered: false } as Gate;
      entry.passage = new Promise<void>((resolve, reject) => ((entry.open = resolve), (entry.fail = reject)));
      gates.set(id, entry);
    }
  }
  const untilWokenAtGate = (id: string) => until(() => gates.get(id)?.entered === true, 15_000, `${id}'s woken poll to reach its gate`);

  /** Until the fresh poll is held or answered (on code that claims at once, it is answered). */
  const untilHeldOrAnswered = (poll: HeldPoll, held: number) => until(() => heldCount(t) === held || poll.settled(), 15_000, 'the fresh poll to wait or answer');

  const assignmentsOf = async (transactionId: string) =>
    (await t.app.get(TransactionRepository).listEvents(transactionId)).filter((e) => e.from === 'pending' && e.to === 'assigned').map((e) => e.actor);

  /** callbox_001 woken for a submit and stopped at its gate before its claim (callbox_fresh registered, not polling). */
  const wokenAtGate = async () => {
    await register('callbox_001', 'callbox_fresh');
    const woken = holdPoll(t, 'callbox_001', WAIT_MS);
    await untilHeld(t, 1);
    gate('callbox_001');
    const tx = await submit(t.api);
    await untilWokenAtGate('callbox_001');
    return { woken, tx };
  };

  /** As wokenAtGate, and callbox_fresh's long poll arrives meanwhile. */
  const wokenAtGateThenFresh = async () => {
    const { woken, tx } = await wokenAtGate();
    const fresh = holdPoll(t, 'callbox_fresh', WAIT_MS);
    await untilHeldOrAnswered(fresh, 1);
    return { woken, tx, fresh };
  };

  it('a fresh long poll arriving while the woken poll has not claimed yet opens no claim unit, and waits', async () => {
    await register('callbox_001', 'callbox_002', 'callbox_003', 'callbox_004', 'callbox_fresh');
    // One at a time: the submit wakes the box that waited longest, which must be callbox_001 (four
    // polls sent together arrive in any order on a loaded machine).
    const waitingBoxes: HeldPoll[] = [];
    for (const id of ['callbox_001', 'callbox_002', 'callbox_003', 'callbox_004']) {
      waitingBoxes.push(holdPoll(t, id, WAIT_MS));
      await untilHeld(t, waitingBoxes.length);
    }
    gate('callbox_001');
    const tx = await submit(t.api);
    await untilWokenAtGate('callbox_001');
    expect(heldCount(t)).toBe(3);

    const fresh = holdPoll(t, 'callbox_fresh', WAIT_MS);
    await untilHeldOrAnswered(fresh, 4);
    expect(fresh.settled()).toBe(false);
    expect(claimUnits).toEqual([]);
    expect(t.app.get(LongPollHub).polls.promised.has(tx.id)).toBe(true);

    gates.get('callbox_001')!.open();
    expect(ids(await waitingBoxes[0].answer)).toEqual([tx.id]);
    expect(claimUnits).toEqual(['callbox_001']);
    expect(await assignmentsOf(tx.id)).toEqual(['callbox:callbox_001']);
    await until(() => t.app.get(LongPollHub).polls.promised.size === 0, 15_000, 'the promise to be released');
    expect(fresh.settled()).toBe(false);
    expect(waitingBoxes.slice(1).some((poll) => poll.settled())).toBe(false);
  });

  it('a woken poll that claims older work instead hands what it was woken for on, and the box that left it gets it promptly', async () => {
    await register('callbox_001', 'callbox_002', 'callbox_fresh');
    const first = holdPoll(t, 'callbox_001', WAIT_MS);
    await untilHeld(t, 1);
    const second = holdPoll(t, 'callbox_002', WAIT_MS);
    await untilHeld(t, 2);
    gate('callbox_001', 'callbox_002');
    const older = await submit(t.api);
    await untilWokenAtGate('callbox_001');
    const newer = await submit(t.api);
    await untilWokenAtGate('callbox_002');

    const fresh = holdPoll(t, 'callbox_fresh', WAIT_MS);
    await untilHeldOrAnswered(fresh, 1);
    expect(fresh.settled()).toBe(false);
    expect(claimUnits).toEqual([]);

    // callbox_002 was woken for the newer transaction, but its claim takes the queue's head.
    const releasedAt = Date.now();
    gates.get('callbox_002')!.open();
    expect(ids(await second.answer)).toEqual([older.id]);
    const handed = await fresh.answer;
    expect(ids(handed)).toEqual([newer.id]);
    expect(handed!.at - releasedAt).toBeLessThan(PROMPT_MS);

    // callbox_001 finds nothing left: it passes nothing on and waits again.
    gates.get('callbox_001')!.open();
    await until(() => heldCount(t) === 1, 15_000, 'callbox_001 to claim nothing and wait again');
    expect(first.settled()).toBe(false);
    expect(await assignmentsOf(older.id)).toEqual(['callbox:callbox_002']);
    expect(await assignmentsOf(newer.id)).toEqual(['callbox:callbox_fresh']);
  });

  it('a woken poll whose claim fails offers its work again: the box that left it to it gets it promptly', async () => {
    const { woken, tx, fresh } = await wokenAtGateThenFresh();
    expect(fresh.settled()).toBe(false);

    const failedAt = Date.now();
    gates.get('callbox_001')!.fail(new Error('the database went away mid-claim'));
    expect((await woken.answer)!.status).toBe(500);
    const answer = await fresh.answer;
    expect(ids(answer)).toEqual([tx.id]);
    expect(answer!.at - failedAt).toBeLessThan(PROMPT_MS);
    expect(await assignmentsOf(tx.id)).toEqual(['callbox:callbox_fresh']);
    expect(t.app.get(LongPollHub).polls.promised.size).toBe(0);
  });

  it('a woken box that vanishes while its claim runs keeps what it claimed (exactly once): found again at its next poll, never given to another box', async () => {
    const { woken, tx, fresh } = await wokenAtGateThenFresh();

    woken.drop();
    await woken.answer;
    gates.get('callbox_001')!.open();
    await until(() => claimUnits.includes('callbox_001'), 15_000, "callbox_001's claim to run");
    await until(async () => (await assignmentsOf(tx.id)).length === 1, 15_000, 'the claim to commit');
    await until(() => t.app.get(LongPollHub).polls.promised.size === 0, 15_000, 'the promise to be released');
    expect(fresh.settled()).toBe(false);
    expect(claimUnits).toEqual(['callbox_001']);
    expect((await claim(t.api, 'callbox_001')).transactions.map((x) => x.id)).toEqual([tx.id]);
    expect(await assignmentsOf(tx.id)).toEqual(['callbox:callbox_001']);
  });

  it('work that woke nobody while the fresh poll was deciding ends its wait at once', async () => {
    const { woken, tx: promised } = await wokenAtGate();
    // The fresh poll's first poll is held after its decision (before it waits): a submit meanwhile
    // finds no waiting box.
    let decided!: () => void;
    const decision = new Promise<void>((resolve) => (decided = resolve));
    let letWait!: () => void;
    const waitAllowed = new Promise<void>((resolve) => (letWait = resolve));
    const gated = service.pending as jest.MockedFunction<CallBoxTransactionsService['pending']>;
    const before = gated.getMockImplementation()!;
    gated.mockImplementation(async (...args) => {
      const answer = await before(...args);
      if (args[1] === 'callbox_fresh' && args[3] !== undefined) {
        decided();
        await waitAllowed;
      }
      return answer;
    });
    const fresh = holdPoll(t, 'callbox_fresh', WAIT_MS);
    await decision;
    expect(claimUnits).toEqual([]);
    const unoffered = await submit(t.api);
    const submittedAt = Date.now();
    letWait();

    const answer = await fresh.answer;
    expect(answer!.at - submittedAt).toBeLessThan(PROMPT_MS);
    expect(answer!.body.transactions).toHaveLength(1);
    gates.get('callbox_001')!.open();
    const other = await woken.answer;
    // Each of the two went to exactly one box, whichever the claims' order gave it to.
    expect([...ids(answer), ...ids(other)].sort()).toEqual([promised.id, unoffered.id].sort());
    expect([...(await assignmentsOf(promised.id)), ...(await assignmentsOf(unoffered.id))]).toHaveLength(2);
  });
});
