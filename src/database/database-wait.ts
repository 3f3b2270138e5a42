import { Client } from 'pg';
import type { Logger } from 'pino';
import type { DatabaseSettings } from '../config/app-config';
import { describeDatabase } from '../config/database-settings';

const MAX_WAIT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** The server said no for good: waiting will not change a wrong password, user or database name. */
const FINAL_CODES = new Set(['28P01', '28000', '3D000']);

/** The waits between boot attempts: `firstMs`, doubling, at most 10 s; one fewer than the attempts. */
export function connectSchedule(attempts: number, firstMs: number): number[] {
  return Array.from({ length: Math.max(0, attempts - 1) }, (_, i) => Math.min(MAX_WAIT_MS, firstMs * 2 ** i));
}

export type Probe = (settings: DatabaseSettings) => Promise<void>;

/** One connection and `SELECT 1`, with a bounded connect time. */
export const probePostgres: Probe = async (settings) => {
  if (settings.engine !== 'postgres') return;
  const client = new Client({ connectionString: settings.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
};

/**
 * Before the app is built, waits for PostgreSQL on a visible, bounded schedule: the first failure
 * is logged at once with the host (never the password) and the whole schedule, each retry after
 * it, and the last one as fatal. Resolves true once it answers; false when it never did, or said
 * no for good (wrong password, unknown database): the caller exits. SQLite has nothing to wait for.
 */
export async function waitForDatabase(
  settings: DatabaseSettings,
  plan: { attempts: number; retryMs: number },
  logger: Logger,
  probe: Probe = probePostgres,
  sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
): Promise<boolean> {
  if (settings.engine !== 'postgres') return true;
  const database = describeDatabase(settings);
  const where = `${database.host}:${database.port}/${database.database}`;
  const schedule = connectSchedule(plan.attempts, plan.retryMs);
  const began = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await probe(settings);
      if (attempt > 1) logger.info({ database, attempt, waitedMs: Date.now() - began }, `PostgreSQL at ${where} answers (attempt ${attempt})`);
      return true;
    } catch (error) {
      const failure = describeFailure(error);
      const final = failure.code !== undefined && FINAL_CODES.has(failure.code);
      if (final || attempt >= plan.attempts) {
        const why = final ? 'refused the connection' : `unreachable after ${attempt} attempt(s) over ${Math.round((Date.now() - began) / 1000)} s`;
        logger.fatal({ database, attempt, attempts: plan.attempts, error: failure }, `PostgreSQL at ${where} ${why}: ${failure.message}. Exiting.`);
        return false;
      }
      const waitMs = schedule[attempt - 1];
      logger.warn(
        { database, attempt, attempts: plan.attempts, retryInMs: waitMs, ...(attempt === 1 ? { scheduleMs: schedule } : {}), error: failure },
        `PostgreSQL at ${where} unreachable (attempt ${attempt}/${plan.attempts}): ${failure.message}; next attempt in ${waitMs} ms`,
      );
      await sleep(waitMs);
    }
  }
}

/** The message and code only: a driver error may carry the connection string. Node reports a refused
 * dual-stack connect as an AggregateError with an empty message: its first error says it. */
function describeFailure(error: unknown): { message: string; code?: string } {
  const inner = error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
  const code = (error as { code?: string }).code ?? (inner as { code?: string }).code;
  const message = (inner as Error)?.message || (error as Error)?.message || code || String(error);
  return { message, code };
}
