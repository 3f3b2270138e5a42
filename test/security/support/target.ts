import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createPostgresDatabase, createSqliteDatabase, postgresServer, ScenarioDatabase } from '../../reliability/support/databases';
import { HttpClient, HttpResult } from '../../reliability/support/http';
import { createApp, createSimulator, ManagedProcess, SIMULATOR_PASSWORD, SIMULATOR_USERNAME } from '../../reliability/support/processes';

export type Engine = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL when TEST_DATABASE_URL names a server (each attack gets a fresh database). */
export function engines(): Engine[] {
  return postgresServer() ? ['sqlite', 'postgres'] : ['sqlite'];
}

export const SECURITY_PIN_HASH_KEY = 'security-suite-pin-hash-key-0000001';

/**
 * The gateway as deployed: the documented default limits (createApp lifts them for load tests),
 * X-Forwarded-For believed from loopback only (so one test process can speak from many client
 * addresses), the failed-authentication budget at its default.
 */
export const SECURITY_ENV: Readonly<Record<string, string>> = {
  RATE_LIMIT_PER_MINUTE: '600',
  MAIN_RATE_LIMIT_PER_MINUTE: '120000',
  TOPUP_RATE_LIMIT_PER_MINUTE: '120',
  AUTH_FAILURE_LIMIT_PER_MINUTE: '60',
  TRUST_PROXY: '127.0.0.1',
  PIN_HASH_KEY: SECURITY_PIN_HASH_KEY,
  SYNC_AUTOSTART_DELAY_MS: '3600000',
};

export async function createDatabase(engine: Engine, attack: string): Promise<ScenarioDatabase> {
  return engine === 'postgres' ? createPostgresDatabase(`sec_${attack}`) : createSqliteDatabase();
}

/** The fake operator's view of one mobile number's commands (GET /__simulator/state). */
export interface MobileCommandCounts {
  received: number;
  wrongPin: number;
  executed: number;
}

/** The standalone SOAP simulator's control endpoint. */
export class SimulatorControl {
  constructor(
    private readonly http: HttpClient,
    readonly proc: ManagedProcess & { soapUrl: string },
  ) {}

  async addMobile(msisdn: string, pin: string, balance = 1_000_000): Promise<void> {
    const res = await this.http.request(this.proc.url, 'POST', '/__simulator/mobiles', { json: { msisdn, pin, balance } });
    if (res.status !== 201) throw new Error(`the simulator refused to open ${msisdn}: ${res.status} ${res.text}`);
  }

  async counts(msisdn: string): Promise<MobileCommandCounts> {
    const res = await this.http.request(this.proc.url, 'GET', '/__simulator/state');
    const all = (res.body?.commandsByMobile ?? {}) as Record<string, MobileCommandCounts>;
    return all[msisdn.replace(/^253/, '')] ?? { received: 0, wrongPin: 0, executed: 0 };
  }

  async latency(latencyMs: number): Promise<void> {
    const res = await this.http.request(this.proc.url, 'POST', '/__simulator/faults', { json: { latencyMs } });
    if (res.status !== 200) throw new Error(`the simulator refused latency ${latencyMs}: ${res.status} ${res.text}`);
  }
}

export interface Target {
  engine: Engine;
  db: ScenarioDatabase;
  app: ManagedProcess;
  simulator: SimulatorControl;
  http: HttpClient;
}

/** A fresh database, the standalone SOAP simulator and one gateway on them, with SECURITY_ENV and `env`. */
export async function startTarget(attack: string, engine: Engine, env: Record<string, string> = {}): Promise<Target> {
  const http = new HttpClient(256);
  const db = await createDatabase(engine, attack);
  const simulator = await createSimulator();
  await simulator.start();
  const app = await createApp({
    name: `gateway-${engine}`,
    databaseUrl: db.url,
    env: {
      TOPUP_SOAP_URL: simulator.soapUrl,
      TOPUP_SOAP_USERNAME: SIMULATOR_USERNAME,
      TOPUP_SOAP_PASSWORD: SIMULATOR_PASSWORD,
      ...SECURITY_ENV,
      ...env,
    },
  });
  await app.start();
  return { engine, db, app, simulator: new SimulatorControl(http, simulator), http };
}

/** Everything a process wrote (the file processes.ts keeps per spec and process). */
export function processLog(proc: ManagedProcess): string {
  const root = process.env.RELIABILITY_LOG_DIR;
  const spec = expect.getState().testPath;
  if (!root || !spec) throw new Error('RELIABILITY_LOG_DIR is not set: run through the security project (its globalSetup)');
  const file = join(root, basename(spec), `${proc.name.replace(/[^\w.-]+/g, '_')}-${proc.port}.log`);
  if (!existsSync(file)) throw new Error(`no log file for ${proc.name} at ${file}`);
  return readFileSync(file, 'utf8');
}

/** Runs `work` over `items`, at most `concurrency` at a time, results in input order. */
export async function inParallel<T, R>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Rate limits count in minute windows aligned on the clock (the previous one weighted by its
 * overlap): a burst that straddles a boundary may legitimately get a few more through. Starting
 * a burst well inside a minute keeps "at most L" exact.
 */
export async function awayFromMinuteBoundary(burstMs = 10_000): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute + burstMs > 60_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 500));
}

/** An X-Forwarded-For header: the client address the gateway should see (TRUST_PROXY names loopback). */
export const from = (address: string): Record<string, string> => ({ 'x-forwarded-for': address });

/** A request whose network failure (refused, reset, timed out) is an answer with status 0, not a throw. */
export async function send(
  http: HttpClient,
  baseUrl: string,
  method: string,
  path: string,
  options: Parameters<HttpClient['request']>[3] = {},
): Promise<HttpResult> {
  try {
    return await http.request(baseUrl, method, path, { timeoutMs: 70_000, ...options });
  } catch (error) {
    return { status: 0, headers: {}, body: undefined, text: String(error), ms: 0 };
  }
}
