import { Transaction, TransactionEvent, TRANSACTION_TYPES } from '../../transactions/transaction';
import type { WorkItem } from './waiting-polls';

/** Work that appeared: pending transactions any fitting box may take, and boxes given work by the dispatcher. */
export interface WorkSignal {
  items: WorkItem[];
  boxes: string[];
}

/**
 * What committed transitions mean for held polls: a transaction entering `pending` (a submit, a
 * requeue, a hand-back, a retry whose backoff ran out) is work for one fitting box; one `assigned`
 * to a box by someone else than that box's own poll (the dispatcher) is work for that box.
 */
export function workSignalOf(events: readonly TransactionEvent[], changed: readonly Transaction[]): WorkSignal {
  const byId = new Map(changed.map((tx) => [tx.id, tx]));
  const items: WorkItem[] = [];
  const boxes = new Set<string>();
  for (const event of events) {
    const tx = byId.get(event.transactionId);
    if (!tx) continue;
    if (event.to === 'pending') {
      const avoid = tx.releasedBy && tx.releasedUntil ? { callboxId: tx.releasedBy, until: tx.releasedUntil } : null;
      items.push({ type: tx.type, operator: tx.customerInfo?.operator?.toLowerCase() ?? null, avoid, transactionId: tx.id });
    } else if (event.to === 'assigned' && tx.assignedTo && event.actor !== `callbox:${tx.assignedTo}`) {
      boxes.add(tx.assignedTo);
    }
  }
  return { items, boxes: [...boxes] };
}

/** The most a PostgreSQL NOTIFY payload may hold is 8 000 bytes; a signal is split below that. */
const MAX_PAYLOAD_CHARS = 7_000;

/** As NOTIFY payloads (JSON), each under the server's limit; `origin` lets a replica ignore its own. */
export function encodeWorkSignal(signal: WorkSignal, origin: string): string[] {
  const payloads: string[] = [];
  let current: { o: string; w: Array<[string, string | null]>; b: string[] } = { o: origin, w: [], b: [] };
  let size = origin.length + 30;
  const flush = () => {
    if (current.w.length + current.b.length > 0) payloads.push(JSON.stringify(current));
    current = { o: origin, w: [], b: [] };
    size = origin.length + 30;
  };
  for (const item of signal.items) {
    const cost = item.type.length + (item.operator?.length ?? 4) + 10;
    if (size + cost > MAX_PAYLOAD_CHARS) flush();
    current.w.push([item.type, item.operator]);
    size += cost;
  }
  for (const box of signal.boxes) {
    const cost = box.length + 4;
    if (size + cost > MAX_PAYLOAD_CHARS) flush();
    current.b.push(box);
    size += cost;
  }
  flush();
  return payloads;
}

/** A payload from another replica; null for this replica's own, or for anything malformed. */
export function decodeWorkSignal(payload: string, origin: string): WorkSignal | null {
  try {
    const parsed = JSON.parse(payload) as { o?: unknown; w?: unknown; b?: unknown };
    if (parsed.o === origin || !Array.isArray(parsed.w) || !Array.isArray(parsed.b)) return null;
    const items = (parsed.w as unknown[])
      .filter((w): w is [WorkItem['type'], string | null] => Array.isArray(w) && (TRANSACTION_TYPES as readonly unknown[]).includes(w[0]) && (typeof w[1] === 'string' || w[1] === null))
      .map(([type, operator]) => ({ type, operator }));
    const boxes = (parsed.b as unknown[]).filter((b): b is string => typeof b === 'string');
    return { items, boxes };
  } catch {
    return null;
  }
}
