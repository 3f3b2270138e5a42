import type { Transaction } from '../transactions/transaction';
import { BoxSlot, planRoundRobin } from './round-robin';

const NOW = Date.parse('2026-01-15T10:00:00Z');

const tx = (id: string, overrides: Partial<Transaction> = {}) => ({ id, type: 'recharge', customerInfo: null, releasedBy: null, releasedUntil: null, ...overrides }) as Transaction;
const slot = (id: string, room = 5): BoxSlot => ({ id, room, types: new Set(['recharge']), operators: null, leaseMs: 30_000 });

describe(planRoundRobin.name, () => {
  it('deals the queue to the boxes in turn', () => {
    const sut = planRoundRobin([tx('t1'), tx('t2'), tx('t3')], [slot('a'), slot('b')], 0, NOW);
    expect(sut.assignments.map((a) => `${a.transactionId}:${a.callboxId}`)).toEqual(['t1:a', 't2:b', 't3:a']);
  });

  it('skips the box that gave a transaction back until its avoidance ends', () => {
    const handedBack = tx('t1', { releasedBy: 'a', releasedUntil: NOW + 1 });
    expect(planRoundRobin([handedBack], [slot('a'), slot('b')], 0, NOW).assignments).toEqual([
      { transactionId: 't1', callboxId: 'b', leaseMs: 30_000 },
    ]);
    expect(planRoundRobin([handedBack], [slot('a')], 0, NOW).assignments).toEqual([]);
    expect(planRoundRobin([handedBack], [slot('a')], 0, NOW + 1).assignments).toEqual([{ transactionId: 't1', callboxId: 'a', leaseMs: 30_000 }]);
  });
});
