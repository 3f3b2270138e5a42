import { audit, AuditReport, LEGAL_FINAL } from './audit';
import type { DatabaseProbe } from './databases';
import { ClientLedger, Fleet } from './fleet';
import { HttpClient } from './http';
import { RELIABILITY_CALLBOX_TOKEN, sleep } from './processes';

/** Dispatcher ticking twice a second on the leader; leases and heartbeats far from running out. */
export const REPLICA_ENV = {
  SYNC_INTERVAL_MS: '500',
  SYNC_AUTOSTART_DELAY_MS: '0',
  HEARTBEAT_TIMEOUT_MS: '60000',
  TRANSACTION_TIMEOUT_MS: '120000',
};

export interface LoadOptions {
  /** Prefix of the Idempotency-Keys (unique per run). */
  name: string;
  probe: DatabaseProbe;
  /** Base URLs of the replicas, read at each request. */
  endpoints: () => string[];
  boxes: number;
  transactions: number;
  submitters: number;
  /** The whole run, submits to last completion, must fit in this. */
  budgetMs: number;
  /** Called about every 200 ms with the number of final transactions (a spec kills a process from here). */
  onProgress?: (final: number) => Promise<void> | void;
}

export interface LoadResult {
  report: AuditReport;
  ledger: ClientLedger;
  client: HttpClient;
  durationMs: number;
  /** The run reached its end condition (everything acknowledged and final) within the budget. */
  settled: boolean;
}

/**
 * `boxes` simulated boxes polling every replica while `submitters` submit `transactions`
 * transactions; ends when every acknowledged transaction is final in the database, then audits.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const began = Date.now();
  const deadline = began + options.budgetMs;
  const client = new HttpClient(options.boxes + options.submitters + 16);
  const ledger = new ClientLedger();
  const fleet = new Fleet({ client, endpoints: options.endpoints, token: RELIABILITY_CALLBOX_TOKEN, ledger, deadline, heartbeatEveryMs: 2000 });
  const boxIds = Array.from({ length: options.boxes }, (_, i) => `rel_box_${String(i + 1).padStart(3, '0')}`);
  for (const box of boxIds) await fleet.register(box);

  let submitted = false;
  let submitError: unknown = null;
  const submitting = fleet
    .submit(options.name, Array.from({ length: options.transactions }, (_, i) => i), options.submitters)
    .catch((error: unknown) => void (submitError = error))
    .finally(() => (submitted = true));
  for (const box of boxIds) fleet.startBox(box);

  let settled = false;
  const finals = [...LEGAL_FINAL].map((s) => `'${s}'`).join(', ');
  while (Date.now() < deadline && fleet.errors.length === 0 && submitError === null) {
    await sleep(200);
    const [{ total, final }] = await options.probe.query<{ total: unknown; final: unknown }>(
      `SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN status IN (${finals}) THEN 1 ELSE 0 END), 0) AS final FROM transactions`,
    );
    await options.onProgress?.(Number(final));
    if (submitted && Number(total) >= ledger.acknowledged.size && Number(final) === Number(total)) {
      settled = true;
      break;
    }
  }
  await fleet.stop();
  await submitting;
  client.close();
  if (submitError) throw submitError;
  if (fleet.errors.length > 0) throw new Error(`box loops failed: ${fleet.errors.slice(0, 5).join('; ')}`);
  const report = await audit(options.probe, ledger);
  return { report, ledger, client, durationMs: Date.now() - began, settled };
}

/** A compact, readable failure message for the parts of a report a spec expects empty. */
export function problemsOf(result: LoadResult): string {
  const { report, ledger } = result;
  return JSON.stringify(
    {
      settled: result.settled,
      byStatus: report.byStatus,
      lost: report.lost.slice(0, 10),
      duplicated: report.duplicated.slice(0, 10),
      eventProblems: report.eventProblems.slice(0, 10),
      anomalies: ledger.anomalies.slice(0, 10),
    },
    null,
    2,
  );
}
