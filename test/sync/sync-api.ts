import { ApiClient } from '../support/api-client';
import { heartbeat } from '../support/fixtures';
import { expectStatus, paths } from '../callbox/callbox-api';

/** The sync endpoints, the main-system hook and the transaction history (spec 000 + issue 3). */
export const syncPaths = {
  status: '/api/sync/status',
  start: '/api/sync/start',
  stop: '/api/sync/stop',
  force: '/api/sync/force',
  toCallBox: '/api/transaction/to-callbox',
  detail: (id: string, callboxId?: string) =>
    `/api/call-box/transactions/${encodeURIComponent(id)}` +
    (callboxId === undefined ? '' : `?callboxId=${encodeURIComponent(callboxId)}`),
  resolve: (id: string) => `/api/call-box/transactions/${encodeURIComponent(id)}/resolve`,
};

export interface TickCounts {
  disconnected: number;
  requeued: number;
  needsReview: number;
  retried: number;
  failed: number;
  assigned: number;
  expired: number;
}

export const NO_COUNTS: TickCounts = { disconnected: 0, requeued: 0, needsReview: 0, retried: 0, failed: 0, assigned: 0, expired: 0 };

/** Every counter of a tick: the ones named, zero for the others. */
export const counts = (some: Partial<TickCounts> = {}): TickCounts => ({ ...NO_COUNTS, ...some });

/** One dispatcher tick through POST /api/sync/force; returns its counts. */
export async function tick(api: ApiClient): Promise<TickCounts> {
  const res = await api.post(syncPaths.force, undefined, { auth: 'admin' });
  expectStatus(res, 200);
  return res.body.counts;
}

export async function syncStatus(api: ApiClient) {
  const res = await api.get(syncPaths.status, { auth: 'admin' });
  expectStatus(res, 200);
  return res.body.status;
}

/** A transaction with its events, as the admin reads it. */
export async function detail(api: ApiClient, id: string) {
  const res = await api.get(syncPaths.detail(id), { auth: 'admin' });
  expectStatus(res, 200);
  return res.body.transaction;
}

export async function beat(api: ApiClient, callboxId: string): Promise<void> {
  expectStatus(await api.post(paths.heartbeat, heartbeat(callboxId)), 200);
}

/** Sets the global CallBox configuration (PUT /api/call-box/config). */
export async function configure(api: ApiClient, settings: Record<string, unknown>): Promise<void> {
  expectStatus(await api.put(paths.config(), settings, { auth: 'admin' }), 200);
}

/** The id -> box holding it (or null), and status, of each transaction. */
export async function whereAre(api: ApiClient, ids: readonly string[]) {
  const found = await Promise.all(ids.map((id) => detail(api, id)));
  return new Map(found.map((tx) => [tx.id as string, { status: tx.status as string, assignedTo: tx.assignedTo as string | null }]));
}

export type TransactionEvent = { from: string | null; to: string; actor: string; at: string; details: Record<string, unknown> | null };

/** The events that moved a transaction from one status to another. */
export const eventsBetween = (tx: { events: TransactionEvent[] }, from: string | null, to: string) =>
  tx.events.filter((e) => e.from === from && e.to === to);
