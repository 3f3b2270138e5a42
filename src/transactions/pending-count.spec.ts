import { performance } from 'node:perf_hooks';
import { PENDING_RECOUNT_MS, PendingCount } from './pending-count';
import { transitionEvent } from '../../test/support/fixtures';
import type { TransactionStatus } from './transaction';
import { TransactionRepository } from './transaction.repository';
import { TransactionTransitions } from './transaction-transitions';

const event = transitionEvent;

describe(PendingCount.name, () => {
  /** What a count of the table would say right now. */
  let stored: number;
  let countInStatus: jest.Mock<Promise<number>, [TransactionStatus]>;
  let transitions: TransactionTransitions;
  let now: number;
  let sut: PendingCount;

  beforeEach(() => {
    now = 50_000;
    jest.spyOn(performance, 'now').mockImplementation(() => now);
    stored = 7;
    countInStatus = jest.fn(async (_status: TransactionStatus) => stored);
    transitions = new TransactionTransitions();
    sut = new PendingCount({ countInStatus } as unknown as TransactionRepository, transitions);
  });
  afterEach(() => jest.restoreAllMocks());

  /** A count the spec answers by hand, to act while it runs. */
  const slowCount = () => {
    let answer!: (n: number) => void;
    let fail!: (error: Error) => void;
    countInStatus.mockImplementationOnce(
      () =>
        new Promise<number>((resolve, reject) => {
          answer = resolve;
          fail = reject;
        }),
    );
    return { answer: (n: number) => answer(n), fail: (error: Error) => fail(error) };
  };

  it('counts the pending transactions in the repository on the first call', async () => {
    await expect(sut.current()).resolves.toBe(7);
    expect(countInStatus).toHaveBeenCalledTimes(1);
    expect(countInStatus).toHaveBeenCalledWith('pending');
  });

  it('follows committed transitions into and out of pending without counting again', async () => {
    await sut.current();
    stored = 1_000; // a recount would show
    transitions.published([event(null, 'pending', 'a'), event('retry', 'pending', 'b')]);
    transitions.published([event('pending', 'assigned', 'c')]);
    now += PENDING_RECOUNT_MS - 1;
    await expect(sut.current()).resolves.toBe(7 + 2 - 1);
    expect(countInStatus).toHaveBeenCalledTimes(1);
  });

  it('answers at once (currentNow) what current answers, only while the count is fresh', async () => {
    expect(sut.currentNow()).toBeUndefined();
    await sut.current();
    transitions.published([event(null, 'pending', 'a'), event(null, 'pending', 'b')]);
    transitions.published([event('pending', 'assigned', 'c')]);
    expect(sut.currentNow()).toBe(7 + 2 - 1);
    now += PENDING_RECOUNT_MS;
    expect(sut.currentNow()).toBeUndefined();
    await expect(sut.current()).resolves.toBe(7);
    expect(sut.currentNow()).toBe(7);
  });

  it('ignores transitions that neither enter nor leave pending', async () => {
    await sut.current();
    transitions.published([event('assigned', 'processing'), event('processing', 'completed')]);
    await expect(sut.current()).resolves.toBe(7);
  });

  it('counts again once PENDING_RECOUNT_MS have passed, without counting twice what the count includes', async () => {
    await sut.current();
    transitions.published([event(null, 'pending', 'a'), event(null, 'pending', 'b')]);
    // The table now has those two, and another replica took three away.
    stored = 7 + 2 - 3;
    now += PENDING_RECOUNT_MS;
    await expect(sut.current()).resolves.toBe(6);
    expect(countInStatus).toHaveBeenCalledTimes(2);
    // And from the new count on, it follows transitions again.
    transitions.published([event('pending', 'expired')]);
    await expect(sut.current()).resolves.toBe(5);
    expect(countInStatus).toHaveBeenCalledTimes(2);
  });

  it('shares one count between callers that arrive while it runs', async () => {
    await sut.current();
    now += PENDING_RECOUNT_MS;
    const count = slowCount();
    const callers = [sut.current(), sut.current(), sut.current()];
    count.answer(12);
    await expect(Promise.all(callers)).resolves.toEqual([12, 12, 12]);
    expect(countInStatus).toHaveBeenCalledTimes(2);
  });

  it('keeps the transitions committed while the count runs, which the count did not see', async () => {
    const count = slowCount();
    const first = sut.current();
    transitions.published([event(null, 'pending', 'late')]);
    count.answer(4);
    await expect(first).resolves.toBe(5);
  });

  it('never answers a negative total', async () => {
    stored = 1;
    await sut.current();
    transitions.published([event('pending', 'assigned', 'a'), event('pending', 'assigned', 'b'), event('pending', 'expired', 'c')]);
    await expect(sut.current()).resolves.toBe(0);
  });

  it('lets the caller see a failed count and counts again on the next call', async () => {
    const count = slowCount();
    const failing = sut.current();
    count.fail(new Error('database unavailable'));
    await expect(failing).rejects.toThrow('database unavailable');
    stored = 3;
    await expect(sut.current()).resolves.toBe(3);
    expect(countInStatus).toHaveBeenCalledTimes(2);
  });
});
