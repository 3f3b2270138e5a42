import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Database } from '../database/database';
import { TRANSACTION_TYPES } from '../transactions/transaction';
import { ArchiveCursor, ArchiveSql, ARCHIVABLE_STATUSES, EVENT_COLUMNS, TRANSACTION_COLUMNS } from './archive.statements';
import { ArchivedTransaction, ARCHIVE_FORMAT, ARCHIVE_VERSION, ArchiveFileError, ArchiveSummary, ArchiveWriter, readArchive } from './archive-file';
import { ArchiveError, ArchiveManifest, ArchiveRun } from './archive-manifest';
import { StepSizer } from './step-sizer';

/** While writing, the manifest hears from the runner this often (a write each: not every page). */
const HEARTBEAT_MS = 5_000;

/** Transactions per unit of work at most (with their events, about five rows each). */
export const DEFAULT_ARCHIVE_BATCH = 500;
/** What a unit of work (or a page read) should take: half the event loop's 20 ms budget. */
export const DEFAULT_TARGET_STEP_MS = 10;

export interface ArchiveOptions {
  /** Final transactions created before this instant are archived. */
  beforeMs: number;
  out: string;
  batchSize?: number;
  /** Units shrink below batchSize when one takes longer than this (ms). */
  targetStepMs?: number;
  /** A pause between two batches (0: only a turn of the event loop), leaving room to the service. */
  pauseMs?: number;
  /** Told after every batch: what a progress line, or a test killing the process, waits for. */
  onProgress?: (progress: ArchiveProgress) => void;
}

export interface ArchiveProgress {
  runId: string;
  phase: 'writing' | 'deleting';
  /** Transactions written to the file, or deleted, so far in this phase. */
  done: number;
}

export interface ArchiveRunReport {
  runId: string;
  file: string | null;
  transactions: number;
  events: number;
  sha256: string | null;
  /** Transactions this runner deleted (a resumed run: those left after the crash). */
  deleted: number;
  /** Transactions listed in the file that were no longer there or no longer final: left alone. */
  missing: number;
}

export interface ArchiveReport {
  /** An unfinished run found at the start and finished first. */
  resumed: ArchiveRunReport | null;
  run: ArchiveRunReport;
  /** The longest unit of work (or page read), in ms: how long the event loop or a writer waited on one step. */
  worstStepMs: number;
}

const NUMERIC = new Set([
  'amount', 'priority_rank', 'retry_count', 'max_retries', 'created_at', 'updated_at', 'assigned_at', 'started_at', 'completed_at',
  'next_attempt_at', 'lease_expires_at', 'attempt', 'released_until', 'at',
]);

/**
 * Moves final transactions (completed, failed, expired) created before a date, with their events,
 * into a verified archive file, then deletes exactly what the file holds, in bounded units of work.
 * Crash-safe at every point (see ArchiveManifest): a run killed while writing leaves only a
 * `.partial` file and nothing deleted; killed while deleting, the next runner verifies the file
 * again and deletes the rest. A runner always finishes an unfinished run before starting its own.
 */
export class ArchiveRunner {
  private worstStepMs = 0;
  private readonly manifest: ArchiveManifest;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.manifest = new ArchiveManifest(db, now);
  }

  async run(options: ArchiveOptions): Promise<ArchiveReport> {
    try {
      const open = await this.manifest.openRun();
      const resumed = open ? await this.resume(await this.manifest.takeOver(open), options) : null;
      // The same command again after a crash (the same --out; --out-dir on the same day): the run it
      // just finished was its own, and its file is that --out, which a new run would refuse to overwrite.
      const run =
        resumed?.file && resolve(resumed.file) === resolve(options.out)
          ? { runId: resumed.runId, file: null, transactions: 0, events: 0, sha256: null, deleted: 0, missing: 0 }
          : await this.archive(options);
      return { resumed, run, worstStepMs: Math.round(this.worstStepMs * 10) / 10 };
    } finally {
      this.manifest.release();
    }
  }

  /** Finishes an unfinished run: its complete file is verified again, then its rows deleted. */
  private async resume(run: ArchiveRun, options: ArchiveOptions): Promise<ArchiveRunReport> {
    if (run.state === 'writing') {
      const complete = await this.verifiedRunFile(run).catch(() => null);
      if (!complete) {
        // Killed before its file was complete: nothing of it was deleted, the partial file is dropped.
        await fs.rm(ArchiveWriter.partial(run.file), { force: true });
        await this.manifest.finish(run, 'abandoned');
        return { ...report(run, null), file: null };
      }
      // Killed between the rename and its record: the file is complete, and this run's own.
      run = await this.manifest.markWritten(run, complete);
    }
    let summary: ArchiveSummary;
    try {
      summary = await this.verifiedRunFile(run);
    } catch (error) {
      throw new ArchiveError(
        'ARCHIVE.RESUME_FAILED',
        `archive run ${run.id} is half deleted and its file cannot be verified (${(error as Error).message}); nothing more is deleted until ${run.file} is back`,
      );
    }
    if (summary.sha256 !== run.sha256 || summary.transactions !== run.transactions) {
      throw new ArchiveError('ARCHIVE.RESUME_FAILED', `${run.file} is not the file archive run ${run.id} wrote (checksum or counts differ); nothing deleted`);
    }
    return this.deleteArchived(run, options);
  }

  private async archive(options: ArchiveOptions): Promise<ArchiveRunReport> {
    if (await exists(options.out)) throw new ArchiveError('ARCHIVE.FILE_EXISTS', `${options.out} exists: an archive is never overwritten`);
    let run = await this.manifest.start(options.out, options.beforeMs);
    const writer = await ArchiveWriter.open(options.out, {
      kind: 'header',
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      runId: run.id,
      before: new Date(options.beforeMs).toISOString(),
      beforeMs: options.beforeMs,
      engine: this.db.dialect.engine,
      createdAt: new Date(this.now()).toISOString(),
    });
    let written = 0;
    const beat = this.keepAlive(run);
    const pages = sizerOf(options);
    try {
      for (const status of ARCHIVABLE_STATUSES) {
        for (const type of TRANSACTION_TYPES) {
          let cursor: ArchiveCursor | null = null;
          for (;;) {
            const limit = pages.size;
            const started = performance.now();
            const page: Array<Record<string, unknown>> = await this.step(() =>
              this.db.read<Record<string, unknown>>(ArchiveSql.page(this.db.dialect, status, type, options.beforeMs, cursor, limit)),
            );
            if (page.length === 0) break;
            const events = await this.step(() =>
              this.db.read<Record<string, unknown>>(ArchiveSql.eventsOf(this.db.dialect, page.map((row) => String(row.id)))),
            );
            pages.took(performance.now() - started, page.length);
            const byTransaction = new Map<string, Array<Record<string, unknown>>>();
            for (const event of events) {
              const list = byTransaction.get(String(event.transaction_id)) ?? [];
              list.push(pick(event, EVENT_COLUMNS));
              byTransaction.set(String(event.transaction_id), list);
            }
            for (const row of page) {
              await writer.add({ kind: 'transaction', transaction: pick(row, TRANSACTION_COLUMNS), events: byTransaction.get(String(row.id)) ?? [] });
            }
            written += page.length;
            const last = page[page.length - 1];
            cursor = { createdAt: Number(last.created_at), id: String(last.id) };
            await beat();
            options.onProgress?.({ runId: run.id, phase: 'writing', done: written });
            await breathe(options);
            if (page.length < limit) break;
          }
        }
      }
    } catch (error) {
      await writer.discard();
      throw error;
    }
    if (written === 0) {
      await writer.discard();
      await fs.rm(ArchiveWriter.partial(options.out), { force: true });
      await this.manifest.finish(run, 'done');
      return { ...report(run, null), file: null };
    }
    const written_ = await writer.close();
    // Read back from the disk before anything is deleted: the counts and the checksum must match.
    const { summary } = await readArchive(options.out, this.keepAlive(run));
    if (summary.sha256 !== written_.sha256 || summary.transactions !== written_.transactions || summary.events !== written_.events) {
      throw new ArchiveFileError(options.out, 'read back, it differs from what was written');
    }
    run = await this.manifest.markWritten(run, summary);
    return this.deleteArchived(run, options);
  }

  /** Deletes, batch by batch in file order, what the verified file lists, from where the last committed batch ended. */
  private async deleteArchived(run: ArchiveRun, options: ArchiveOptions): Promise<ArchiveRunReport> {
    let batch: ArchivedTransaction[] = [];
    let position = run.deleted;
    let deleted = 0;
    let missing = 0;
    const units = sizerOf(options);
    const flush = async () => {
      if (batch.length === 0) return;
      let statementsMs = 0;
      const ids = batch.map((record) => String(record.transaction.id));
      const eventIds = batch.flatMap((record) => record.events.map((event) => Number(event.id)));
      const next = position + batch.length;
      const removed = await this.step(() =>
        this.db.unit(async (unit) => {
          const started = performance.now();
          // Events first, by the ids the file lists: never one the file does not hold.
          for (let i = 0; i < eventIds.length; i += 2_000) await unit.run(ArchiveSql.deleteEvents(this.db.dialect, eventIds.slice(i, i + 2_000)));
          await unit.run(ArchiveSql.deleteDeliveredOutbox(this.db.dialect, ids));
          const { affected } = await unit.run(ArchiveSql.deleteTransactions(this.db.dialect, ids));
          this.manifest.owned(await unit.run(ArchiveSql.markDeleted(this.db.dialect, run.id, this.manifest.owner, next, this.now())));
          statementsMs = performance.now() - started;
          return affected;
        }),
      );
      // Sized by its statements: the commit's flush costs the same whatever the unit's size.
      units.took(statementsMs, batch.length);
      deleted += removed;
      missing += batch.length - removed;
      position = next;
      batch = [];
      options.onProgress?.({ runId: run.id, phase: 'deleting', done: position });
      await breathe(options);
    };
    const beat = this.keepAlive(run);
    await readArchive(run.file, async (record, index) => {
      if (index < position) return beat();
      batch.push(record);
      if (batch.length >= units.size) await flush();
    });
    await flush();
    await this.manifest.finish(run, 'done');
    return { ...report(run, run.file), deleted, missing };
  }

  private async verifiedRunFile(run: ArchiveRun): Promise<ArchiveSummary> {
    const { header, summary } = await readArchive(run.file, this.keepAlive(run));
    if (header.runId !== run.id) throw new ArchiveFileError(run.file, `it belongs to archive run ${header.runId}, not ${run.id}`);
    return summary;
  }

  /** Heartbeats of a long pass (writing, reading a file back, skipping what was deleted), HEARTBEAT_MS apart. */
  private keepAlive(run: ArchiveRun): () => Promise<void> {
    let last = this.now();
    return async () => {
      if (this.now() - last < HEARTBEAT_MS) return;
      await this.manifest.heartbeat(run);
      last = this.now();
    };
  }

  private async step<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.worstStepMs = Math.max(this.worstStepMs, performance.now() - started);
    }
  }
}

const sizerOf = (options: ArchiveOptions) =>
  new StepSizer(Math.max(1, options.batchSize ?? DEFAULT_ARCHIVE_BATCH), options.targetStepMs ?? DEFAULT_TARGET_STEP_MS);

/** Between two batches: a turn of the event loop at least, so requests and timers run. */
const breathe = (options: ArchiveOptions) =>
  new Promise<void>((resolve) => (options.pauseMs ? setTimeout(resolve, options.pauseMs) : setImmediate(resolve)));

/** The columns, in their order, numbers as numbers whatever the driver returned (PostgreSQL gives bigint as text). */
function pick(row: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) {
    const value = row[column] ?? null;
    out[column] = value !== null && (NUMERIC.has(column) || (column === 'id' && columns === EVENT_COLUMNS)) ? Number(value) : value;
  }
  return out;
}

function report(run: ArchiveRun, file: string | null): ArchiveRunReport {
  return { runId: run.id, file, transactions: run.transactions, events: run.events, sha256: run.sha256, deleted: 0, missing: 0 };
}

async function exists(path: string): Promise<boolean> {
  return fs.access(path).then(
    () => true,
    () => false,
  );
}
