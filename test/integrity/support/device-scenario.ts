import { afterOutcome, BoxHealth, isDegraded, MIN_SAMPLES_FOR_RATE } from '../../../src/callbox/registry/box-health';
import { audit, AuditReport } from '../../reliability/support/audit';
import { createPostgresDatabase, createSqliteDatabase, DatabaseProbe, NO_POSTGRES, postgresServer, ScenarioDatabase } from '../../reliability/support/databases';
import { ClientLedger, Fleet } from '../../reliability/support/fleet';
import { HttpClient, HttpResult } from '../../reliability/support/http';
import { createApp, ManagedProcess, RELIABILITY_API_KEY, RELIABILITY_CALLBOX_TOKEN, stopAll } from '../../reliability/support/processes';

export type Engine = { engine: 'postgres' | 'sqlite'; replicas: number };

/** SQLite (one process) always; two PostgreSQL replicas when TEST_DATABASE_URL names a server. */
export function enginesFor(scenario: string): Engine[] {
  const engines: Engine[] = [{ engine: 'sqlite', replicas: 1 }];
  if (postgresServer()) engines.unshift({ engine: 'postgres', replicas: 2 });
  else process.stdout.write(`[integrity] ${scenario}-postgres: skipped (${NO_POSTGRES})\n`);
  return engines;
}

/** Ticking often, leases and heartbeats far from running out: only what a scenario sets moves. */
export const DEVICE_ENV = {
  SYNC_INTERVAL_MS: '200',
  SYNC_AUTOSTART_DELAY_MS: '0',
  HEARTBEAT_TIMEOUT_MS: '60000',
  TRANSACTION_TIMEOUT_MS: '120000',
};

/**
 * One scenario's gateway: a fresh database, its replicas (started one after the other, so two of
 * them never race to migrate), a probe to read the database, and a Fleet of simulated boxes.
 */
export class DeviceScenario {
  readonly client = new HttpClient(64);
  readonly ledger = new ClientLedger();
  fleet!: Fleet;
  probe!: DatabaseProbe;
  private db!: ScenarioDatabase;
  private apps: ManagedProcess[] = [];
  private turn = 0;

  constructor(
    readonly name: string,
    private readonly engine: Engine,
    private readonly env: Record<string, string>,
  ) {}

  get endpoints(): string[] {
    return this.apps.map((app) => app.url);
  }

  async start(deadline: number): Promise<void> {
    this.db = this.engine.engine === 'postgres' ? await createPostgresDatabase(this.name) : createSqliteDatabase();
    for (let i = 0; i < this.engine.replicas; i++) {
      const app = await createApp({ name: `${this.name}-${i}`, databaseUrl: this.db.url, env: { ...DEVICE_ENV, ...this.env } });
      await app.start();
      this.apps.push(app);
    }
    this.probe = this.db.probe();
    this.fleet = new Fleet({ client: this.client, endpoints: () => this.endpoints, token: RELIABILITY_CALLBOX_TOKEN, ledger: this.ledger, deadline, heartbeatEveryMs: 1000 });
  }

  async stop(): Promise<void> {
    await this.fleet?.stop();
    this.client.close();
    await this.probe?.close();
    await stopAll();
    await this.db?.drop();
    this.apps = [];
  }

  /** A status report with or without the attempt it is about, on the next replica. */
  report(box: string, id: string, status: string, attempt?: number, result?: Record<string, unknown>): Promise<HttpResult> {
    return this.fleet.call(box, 'PUT', `/api/call-box/transactions/${id}/status`, {
      status,
      callboxId: box,
      ...(attempt !== undefined && { attempt }),
      ...(result && { result }),
    });
  }

  /** An admin call (x-api-key) on the next replica. */
  admin(method: string, path: string, json?: unknown): Promise<HttpResult> {
    const base = this.endpoints[this.turn++ % this.endpoints.length];
    return this.client.request(base, method, path, { json, headers: { 'x-api-key': RELIABILITY_API_KEY } });
  }

  async statusCounts(): Promise<Record<string, number>> {
    const rows = await this.probe.query<{ status: string; n: unknown }>('SELECT status, COUNT(*) AS n FROM transactions GROUP BY status');
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async events(): Promise<Array<{ transaction_id: string; from_status: string | null; to_status: string; actor: string; at: number; details: Record<string, any> | null }>> {
    const rows = await this.probe.query<{ transaction_id: string; from_status: string | null; to_status: string; actor: string; at: unknown; details: string | null }>(
      'SELECT transaction_id, from_status, to_status, actor, at, details FROM transaction_events ORDER BY transaction_id, id',
    );
    return rows.map((r) => ({ ...r, at: Number(r.at), details: r.details ? (JSON.parse(r.details) as Record<string, any>) : null }));
  }

  /** What the reliability audit finds wrong (lost, duplicated, broken event chains), as violation lines. */
  async auditViolations(): Promise<{ report: AuditReport; violations: string[] }> {
    const report = await audit(this.probe, this.ledger);
    const violations = [
      ...report.lost.map((id) => `lost: ${id}`),
      ...report.duplicated.map((d) => `duplicated: ${d}`),
      ...report.eventProblems.map((p) => `events: ${p}`),
      ...this.ledger.anomalies.map((a) => `anomaly: ${a}`),
      ...this.fleet.errors.map((e) => `box loop: ${e}`),
    ];
    if (this.client.serverErrors > 0) violations.push(`${this.client.serverErrors} answers were 5xx`);
    return { report, violations };
  }
}

/**
 * Boxes that fail on purpose but must not be taken for sick ones: a failure is allowed only while
 * the gateway's own health limiter (afterOutcome) would not degrade the box for it. Each box's
 * outcomes are reported one after the other, so this copy follows the gateway's.
 */
export class FailureBudget {
  private readonly health = new Map<string, BoxHealth>();

  mayFail(box: string): boolean {
    // Successes only after this failure must not tip the failure rate either, once there are enough outcomes.
    let health = afterOutcome(this.of(box), false, 0, 1);
    for (;;) {
      if (isDegraded(health, 0)) return false;
      if (health.recentOutcomes.length >= MIN_SAMPLES_FOR_RATE) return true;
      health = afterOutcome(health, true, 0, 1);
    }
  }

  /** An outcome the gateway counted: a completion, or a failure it answered with retry or failed. */
  record(box: string, success: boolean): void {
    this.health.set(box, afterOutcome(this.of(box), success, 0, 1));
  }

  private of(box: string): BoxHealth {
    return this.health.get(box) ?? { recentOutcomes: '', consecutiveFailures: 0, degradedUntil: null, degradedReason: null };
  }
}

/** `[integrity] <case>: key=value ... violations=N` on the terminal, outside jest's console capture. */
export function printIntegrity(name: string, fields: Record<string, string | number | boolean>, violations: readonly string[]): void {
  const pairs = Object.entries(fields).map(([key, value]) => `${key}=${value}`);
  process.stdout.write(`[integrity] ${name}: ${[...pairs, `violations=${violations.length}`].join(' ')}\n`);
  for (const violation of violations.slice(0, 20)) process.stdout.write(`[integrity] ${name}:   ${violation}\n`);
}
