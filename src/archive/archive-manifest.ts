import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DomainError } from '../common/errors/domain-error';
import type { Database } from '../database/database';
import { ArchiveSql } from './archive.statements';

export type ArchiveRunState = 'writing' | 'deleting' | 'done' | 'abandoned';

export interface ArchiveRun {
  id: string;
  file: string;
  beforeMs: number;
  state: ArchiveRunState;
  owner: string;
  transactions: number;
  events: number;
  sha256: string | null;
  /** Transactions of the file whose deletion committed (file order). */
  deleted: number;
  startedAt: number;
  heartbeatAt: number;
}

/** A run whose owner has not written for this long is taken over (a runner writes every 5 s at most apart). */
export const STALE_RUN_MS = 120_000;

export class ArchiveError extends DomainError {
  constructor(code: 'ARCHIVE.BUSY' | 'ARCHIVE.RESUME_FAILED' | 'ARCHIVE.FILE_EXISTS' | 'ARCHIVE.OWNERSHIP_LOST', message: string) {
    super(code, code === 'ARCHIVE.BUSY' ? 'conflict' : 'internal', message);
  }
}

/** Runners alive in this process: an owner of this pid that is not listed here died with an error. */
const LIVE_OWNERS = new Set<string>();

/**
 * The run manifest (`archive_runs`): which file a run writes, how far its deletion went, and who
 * runs it. At most one run is unfinished (a unique slot); a new runner finishes it before anything
 * else, taking it over only from an owner that is gone (same host: its process is dead; elsewhere:
 * silent for STALE_RUN_MS).
 */
export class ArchiveManifest {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {
    LIVE_OWNERS.add(this.owner);
  }

  release(): void {
    LIVE_OWNERS.delete(this.owner);
  }

  async openRun(): Promise<ArchiveRun | null> {
    const [row] = await this.db.read<Record<string, unknown>>(ArchiveSql.openRun(this.db.dialect));
    return row ? toRun(row) : null;
  }

  /** Makes the unfinished run ours, or says who holds it. */
  async takeOver(run: ArchiveRun): Promise<ArchiveRun> {
    if (run.owner !== this.owner && !this.isGone(run)) {
      throw new ArchiveError('ARCHIVE.BUSY', `archive run ${run.id} (${run.file}) is running in ${run.owner.split(':').slice(0, 2).join(' pid ')}`);
    }
    const [taken] = await this.db.unit(async (unit) => {
      const result = await unit.run(ArchiveSql.takeOver(this.db.dialect, run.id, run.owner, this.owner, this.now()));
      return [result.affected];
    });
    if (taken !== 1) throw new ArchiveError('ARCHIVE.BUSY', `archive run ${run.id} was taken over by another runner`);
    return { ...run, owner: this.owner };
  }

  async start(file: string, beforeMs: number): Promise<ArchiveRun> {
    const id = `arc_${new Date(this.now()).toISOString().slice(0, 10).replace(/-/g, '')}_${randomBytes(6).toString('hex')}`;
    try {
      await this.db.unit(ArchiveSql.startRun(this.db.dialect, { id, file, beforeMs, owner: this.owner, now: this.now() }));
    } catch (error) {
      if (await this.openRun()) throw new ArchiveError('ARCHIVE.BUSY', 'another archive run started at the same time');
      throw error;
    }
    const [row] = await this.db.read<Record<string, unknown>>(ArchiveSql.findRun(this.db.dialect, id));
    return toRun(row);
  }

  async heartbeat(run: ArchiveRun): Promise<void> {
    this.owned(await this.db.unit(async (unit) => unit.run(ArchiveSql.heartbeat(this.db.dialect, run.id, this.owner, this.now()))));
  }

  async markWritten(run: ArchiveRun, counts: { transactions: number; events: number; sha256: string }): Promise<ArchiveRun> {
    await this.owned(await this.db.unit(async (unit) => unit.run(ArchiveSql.markWritten(this.db.dialect, run.id, this.owner, counts, this.now()))));
    return { ...run, ...counts, state: 'deleting' };
  }

  async finish(run: ArchiveRun, state: 'done' | 'abandoned'): Promise<void> {
    await this.owned(await this.db.unit(async (unit) => unit.run(ArchiveSql.finishRun(this.db.dialect, run.id, this.owner, state, this.now()))));
  }

  /** Fails when another runner took the run over (we were thought gone): stop before touching anything. */
  owned(result: { affected: number }): void {
    if (result.affected !== 1) throw new ArchiveError('ARCHIVE.OWNERSHIP_LOST', 'this archive run was taken over by another runner');
  }

  private isGone(run: ArchiveRun): boolean {
    const [host, pid] = run.owner.split(':');
    if (host === hostname()) {
      if (Number(pid) === process.pid) return !LIVE_OWNERS.has(run.owner);
      // A live pid silent that long is another process that got a dead runner's pid.
      if (!processAlive(Number(pid))) return true;
    }
    return this.now() - run.heartbeatAt > STALE_RUN_MS;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function toRun(row: Record<string, unknown>): ArchiveRun {
  return {
    id: String(row.id),
    file: String(row.file),
    beforeMs: Number(row.before_ms),
    state: row.state as ArchiveRunState,
    owner: String(row.owner),
    transactions: Number(row.transactions),
    events: Number(row.events),
    sha256: row.sha256 === null ? null : String(row.sha256),
    deleted: Number(row.deleted),
    startedAt: Number(row.started_at),
    heartbeatAt: Number(row.heartbeat_at),
  };
}
