import { join } from 'node:path';
import { parseArgs } from 'node:util';

export interface ArchiveCommand {
  beforeMs: number;
  out: string;
  batchSize?: number;
  targetStepMs?: number;
  pauseMs?: number;
  /** Prune answered TopUp journal entries older than the same date. */
  pruneJournal: boolean;
  vacuum: boolean;
}

const DAY_MS = 86_400_000;

/**
 * `npm run archive -- --before <date> --out <file>`, or, with RETENTION_DAYS set, `--out-dir <dir>`
 * alone: before = midnight UTC, RETENTION_DAYS days ago, into a file named after that date.
 */
export function parseArchiveCommand(argv: readonly string[], retentionDays: number | null, now: number): ArchiveCommand {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      before: { type: 'string' },
      out: { type: 'string' },
      'out-dir': { type: 'string' },
      'batch-size': { type: 'string' },
      'target-step-ms': { type: 'string' },
      'pause-ms': { type: 'string' },
      'no-journal': { type: 'boolean', default: false },
      'no-vacuum': { type: 'boolean', default: false },
    },
  });
  let beforeMs: number;
  if (values.before !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(values.before)) {
      throw new Error('--before must be a date (2026-01-31, midnight UTC) or an ISO instant with its offset (2026-01-31T12:00:00Z)');
    }
    beforeMs = Date.parse(values.before.length === 10 ? `${values.before}T00:00:00Z` : values.before);
    if (Number.isNaN(beforeMs)) throw new Error(`--before ${values.before} is not a date`);
  } else {
    if (retentionDays === null) throw new Error('give --before <date>, or set RETENTION_DAYS');
    beforeMs = Math.floor(now / DAY_MS) * DAY_MS - retentionDays * DAY_MS;
  }
  if (beforeMs > now) throw new Error('--before is in the future: open work would be the only thing left');
  const out = values.out ?? (values['out-dir'] ? join(values['out-dir'], `merecharge-archive-before-${new Date(beforeMs).toISOString().slice(0, 10)}-${now}.ndjson.gz`) : undefined);
  if (!out) throw new Error('give --out <file> (or --out-dir <dir>)');
  return {
    beforeMs,
    out,
    batchSize: positive(values['batch-size'], '--batch-size', 10_000),
    targetStepMs: positive(values['target-step-ms'], '--target-step-ms', 10_000),
    pauseMs: positive(values['pause-ms'], '--pause-ms', 60_000, 0),
    pruneJournal: !values['no-journal'],
    vacuum: !values['no-vacuum'],
  };
}

function positive(raw: string | undefined, name: string, max: number, min = 1): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}
