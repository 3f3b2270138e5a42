import type { Transaction } from '../transactions/transaction';
import type { Assignment } from '../transactions/transaction.repository';

/** A live box as the dispatcher sees it for one round. */
export interface BoxSlot {
  id: string;
  /** How many more it may take this round: min(batchSize, maxConcurrent - in flight). */
  room: number;
  types: ReadonlySet<string>;
  /** Lower-cased; null when the box declared no operators (it takes any). */
  operators: ReadonlySet<string> | null;
  leaseMs: number;
}

export function accepts(slot: BoxSlot, tx: Transaction, now: number): boolean {
  if (!slot.types.has(tx.type)) return false;
  // Work this box gave back a moment ago goes to other boxes first.
  if (tx.releasedBy === slot.id && tx.releasedUntil !== null && tx.releasedUntil > now) return false;
  if (slot.operators === null) return true;
  const operator = tx.customerInfo?.operator?.toLowerCase();
  return operator !== undefined && slot.operators.has(operator);
}

/**
 * Deals the queue (already in priority-then-age order) to the boxes in turn, starting after the
 * box that got the last transaction of the previous round, skipping boxes that are full, do not
 * handle the transaction's type or operator, or gave it back before `now` minus the avoidance
 * period. Returns the assignments and where the next round starts.
 */
export function planRoundRobin(
  queue: readonly Transaction[],
  slots: BoxSlot[],
  start: number,
  now: number,
): { assignments: Assignment[]; next: number } {
  const assignments: Assignment[] = [];
  const room = slots.map((slot) => Math.max(0, slot.room));
  let next = slots.length > 0 ? start % slots.length : 0;
  for (const tx of queue) {
    if (room.every((r) => r === 0)) break;
    for (let step = 0; step < slots.length; step++) {
      const index = (next + step) % slots.length;
      if (room[index] > 0 && accepts(slots[index], tx, now)) {
        assignments.push({ transactionId: tx.id, callboxId: slots[index].id, leaseMs: slots[index].leaseMs });
        room[index] -= 1;
        next = (index + 1) % slots.length;
        break;
      }
    }
  }
  return { assignments, next };
}
