import { performance } from 'node:perf_hooks';
import { ASSIGNED_RECOUNT_MS, AssignedCount } from './assigned-count';
import { transitionEvent } from '../../test/support/fixtures';
import type { Transaction, TransactionStatus } from './transaction';
import { TransactionRepository } from './transaction.repository';
import { TransactionTransitions } from './transaction-transitions';

const event = (transactionId: string, from: TransactionStatus | null, to: TransactionStatus) => transitionEvent(from, to, transactionId);
const tx = (id: string, assignedTo: string | null) => ({ id, assignedTo }) as Transaction;

describe(AssignedCount.name, () => {
  let stored: Record<string, number>;
  let countAssignedTo: jest.Mock<Promise<number>, [string, readonly TransactionStatus[]]>;
  let transitions: TransactionTransitions;
  let now: number;
  let sut: AssignedCount;

  beforeEach(() => {
    now = 50_000;
    jest.spyOn(performance, 'now').mockImplementation(() => now);
    stored = { a: 2, b: 0 };
    countAssignedTo = jest.fn(async (box: string, _statuses: readonly TransactionStatus[]) => stored[box] ?? 0);
    transitions = new TransactionTransitions();
    sut = new AssignedCount({ countAssignedTo } as unknown as TransactionRepository, transitions);
  });
  afterEach(() => jest.restoreAllMocks());

  it('counts a box once, then answers from memory until ASSIGNED_RECOUNT_MS has passed', async () => {
    await expect(sut.current('a')).resolves.toBe(2);
    expect(countAssignedTo).toHaveBeenCalledWith('a', ['assigned']);
    stored.a = 5; // another replica's claim
    now += ASSIGNED_RECOUNT_MS - 1;
    await expect(sut.current('a')).resolves.toBe(2);
    now += 1;
    await expect(sut.current('a')).resolves.toBe(5);
    expect(countAssignedTo).toHaveBeenCalledTimes(2);
  });

  it("counts a box again after a committed transition into or out of `assigned` of its work, and only its", async () => {
    await sut.current('a');
    await sut.current('b');
    stored.a = 3;
    transitions.published([event('t1', 'pending', 'assigned')], [tx('t1', 'a')]);
    await expect(sut.current('a')).resolves.toBe(3);
    await expect(sut.current('b')).resolves.toBe(0);
    stored.a = 2;
    transitions.published([event('t1', 'assigned', 'processing')], [tx('t1', 'a')]);
    await expect(sut.current('a')).resolves.toBe(2);
    transitions.published([event('t2', 'processing', 'completed')], [tx('t2', 'a')]);
    await sut.current('a');
    expect(countAssignedTo.mock.calls.map(([box]) => box)).toEqual(['a', 'b', 'a', 'a']);
  });

  it('counts every box again when work left `assigned` without naming its box (requeued)', async () => {
    await sut.current('a');
    await sut.current('b');
    transitions.published([event('t1', 'assigned', 'pending')], [tx('t1', null)]);
    await sut.current('a');
    await sut.current('b');
    expect(countAssignedTo).toHaveBeenCalledTimes(4);
  });

  it('answers a count under way when a transition of the box was published, but does not keep it', async () => {
    let answer!: (n: number) => void;
    countAssignedTo.mockImplementationOnce(() => new Promise<number>((resolve) => (answer = resolve)));
    const first = sut.current('a');
    transitions.published([event('t1', 'pending', 'assigned')], [tx('t1', 'a')]);
    answer(2);
    await expect(first).resolves.toBe(2);
    stored.a = 3;
    await expect(sut.current('a')).resolves.toBe(3);
  });

  it('answers at once (counted) only what current would answer from memory', async () => {
    expect(sut.counted('a')).toBeUndefined();
    await sut.current('a');
    expect(sut.counted('a')).toBe(2);
    expect(sut.counted('b')).toBeUndefined();
    // A transition of its work: nothing until counted again.
    transitions.published([event('t1', 'pending', 'assigned')], [tx('t1', 'a')]);
    expect(sut.counted('a')).toBeUndefined();
    stored.a = 3;
    await sut.current('a');
    expect(sut.counted('a')).toBe(3);
    transitions.published([event('t1', 'assigned', 'pending')], [tx('t1', null)]);
    expect(sut.counted('a')).toBeUndefined();
    await sut.current('a');
    now += ASSIGNED_RECOUNT_MS;
    expect(sut.counted('a')).toBeUndefined();
  });

  it('shares one count among concurrent heartbeats of a box', async () => {
    await Promise.all([sut.current('a'), sut.current('a'), sut.current('a')]);
    expect(countAssignedTo).toHaveBeenCalledTimes(1);
  });

  it('keeps nothing from a count that failed', async () => {
    countAssignedTo.mockRejectedValueOnce(new Error('database down'));
    await expect(sut.current('a')).rejects.toThrow('database down');
    await expect(sut.current('a')).resolves.toBe(2);
  });
});
