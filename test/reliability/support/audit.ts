import type { DatabaseProbe } from './databases';
import type { ClientLedger } from './fleet';

/** Where a transaction may rest at the end of a run. */
export const LEGAL_FINAL = new Set(['completed', 'failed', 'needs_review', 'expired']);

interface TransactionRow {
  id: string;
  status: string;
  assigned_to: string | null;
}

interface EventRow {
  transaction_id: string;
  from_status: string | null;
  to_status: string;
  actor: string;
  details: string | null;
}

export interface AuditReport {
  /** Rows in the transactions table. */
  transactions: number;
  acknowledged: number;
  byStatus: Record<string, number>;
  /** Acknowledged ids missing from the database, or not in a legal final state. */
  lost: string[];
  /** Descriptions of every duplication found (clients or events). */
  duplicated: string[];
  /** Events that contradict the rows (broken chain, last event not the state, actors). */
  eventProblems: string[];
  /** assigned -> pending moves (lease expired, box lost, box handed work back). */
  requeues: number;
  /** pending -> assigned moves. */
  assignments: number;
  /** Of those, made by the dispatcher's round-robin (the rest by boxes' polls). */
  dispatched: number;
}

/**
 * Checks the database against what the clients saw:
 * - every acknowledged submit is a row, in a legal final state (else lost);
 * - no key made two rows, no transaction was executed or completed by two boxes, and each
 *   assignment episode has exactly one pending -> assigned event (else duplicated);
 * - each transaction's events form one chain from `null -> pending` to its current status, the
 *   completing event comes from the box it is assigned to, and the number of pending -> assigned
 *   events is the number of times it entered `pending` (creation, requeues, retries).
 */
export async function audit(probe: DatabaseProbe, ledger: ClientLedger): Promise<AuditReport> {
  const rows = await probe.query<TransactionRow>('SELECT id, status, assigned_to FROM transactions');
  const events = await probe.query<EventRow>(
    'SELECT transaction_id, from_status, to_status, actor, details FROM transaction_events ORDER BY transaction_id, id',
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const eventsOf = new Map<string, EventRow[]>();
  for (const event of events) {
    const list = eventsOf.get(event.transaction_id);
    if (list) list.push(event);
    else eventsOf.set(event.transaction_id, [event]);
  }

  const byStatus: Record<string, number> = {};
  for (const row of rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;

  const acknowledgedIds = new Set(ledger.acknowledged.values());
  const lost = [...acknowledgedIds].filter((id) => !LEGAL_FINAL.has(byId.get(id)?.status ?? 'missing'));

  const duplicated: string[] = [...ledger.keyConflicts.map((c) => `idempotency key answered twice: ${c}`)];
  for (const id of ledger.duplicatedByClients()) {
    duplicated.push(`${id} executed by [${ledger.executedBy.get(id)?.join(', ')}] completed by [${ledger.completedBy.get(id)?.join(', ')}]`);
  }
  const unacknowledged = rows.filter((row) => !acknowledgedIds.has(row.id));
  if (ledger.acknowledged.size > 0 && unacknowledged.length > 0) {
    duplicated.push(`${unacknowledged.length} rows no submit acknowledged (e.g. ${unacknowledged[0].id})`);
  }

  const eventProblems: string[] = [];
  let requeues = 0;
  let assignments = 0;
  let dispatched = 0;
  for (const row of rows) {
    const chain = eventsOf.get(row.id) ?? [];
    const problem = (text: string) => eventProblems.length < 50 && eventProblems.push(`${row.id} (${row.status}): ${text}`);
    if (chain.length === 0) {
      problem('no events');
      continue;
    }
    if (chain[0].from_status !== null || chain[0].to_status !== 'pending') problem(`first event ${chain[0].from_status} -> ${chain[0].to_status}`);
    let doubleAssignment = false;
    for (let i = 1; i < chain.length; i++) {
      if (chain[i].from_status !== chain[i - 1].to_status) {
        if (chain[i].to_status === 'assigned' && chain[i - 1].to_status === 'assigned') doubleAssignment = true;
        problem(`event ${i} ${chain[i].from_status} -> ${chain[i].to_status} follows -> ${chain[i - 1].to_status}`);
      }
    }
    const last = chain[chain.length - 1];
    if (last.to_status !== row.status) problem(`last event -> ${last.to_status}`);
    const assigned = chain.filter((e) => e.to_status === 'assigned').length;
    const enteredPending = chain.filter((e) => e.to_status === 'pending').length;
    requeues += chain.filter((e) => e.from_status === 'assigned' && e.to_status === 'pending').length;
    assignments += assigned;
    dispatched += chain.filter((e) => e.to_status === 'assigned' && e.actor === 'dispatcher').length;
    const expectedAssigned = row.status === 'pending' || row.status === 'expired' ? enteredPending - 1 : enteredPending;
    if (assigned > expectedAssigned) doubleAssignment = true;
    else if (assigned < expectedAssigned) problem(`${assigned} assignments for ${enteredPending} entries into pending`);
    if (doubleAssignment) duplicated.push(`${row.id}: ${assigned} pending -> assigned events for ${enteredPending} entries into pending`);

    if (row.status === 'completed' || row.status === 'processing' || row.status === 'needs_review') {
      const lastAssignment = [...chain].reverse().find((e) => e.to_status === 'assigned');
      const holder = lastAssignment ? assigneeOf(lastAssignment) : null;
      if (holder !== row.assigned_to) problem(`last assignment to ${holder}, row assigned to ${row.assigned_to}`);
      const started = [...chain].reverse().find((e) => e.to_status === 'processing');
      if (started && started.actor !== `callbox:${row.assigned_to}`) problem(`processing reported by ${started.actor}`);
    }
    if (row.status === 'completed' && last.actor !== `callbox:${row.assigned_to}` && last.actor !== 'admin') {
      problem(`completed by ${last.actor}, assigned to ${row.assigned_to}`);
    }
    const completers = ledger.completedBy.get(row.id);
    if (row.status === 'completed' && completers && !completers.every((box) => box === row.assigned_to)) {
      problem(`clients saw completion by [${completers.join(', ')}], row assigned to ${row.assigned_to}`);
    }
  }

  return {
    transactions: rows.length,
    acknowledged: acknowledgedIds.size,
    byStatus,
    lost,
    duplicated,
    eventProblems,
    requeues,
    assignments,
    dispatched,
  };
}

/** The box a pending -> assigned event handed the transaction to (a poll, or the dispatcher). */
function assigneeOf(event: EventRow): string | null {
  if (event.actor.startsWith('callbox:')) return event.actor.slice('callbox:'.length);
  try {
    const details = event.details ? (JSON.parse(event.details) as { callboxId?: string }) : {};
    return details.callboxId ?? null;
  } catch {
    return null;
  }
}

/** `[reliability] name: key=value ...` on the terminal, outside jest's console capture. */
export function printSummary(name: string, fields: Record<string, string | number>): void {
  const line = `[reliability] ${name}: ${Object.entries(fields)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')}`;
  process.stdout.write(`${line}\n`);
}

export function printSkipped(name: string, reason: string): void {
  process.stdout.write(`[reliability] ${name}: skipped (${reason})\n`);
}
