import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { typeOrmOptions } from '../database/typeorm-options';
import { walCheckpointerFor } from '../database/wal-checkpointer';
import { ArchiveSql } from './archive.statements';
import { parseArchiveCommand } from './archive-command';
import { ArchiveMaintenance } from './archive-maintenance';
import { ArchiveRunner } from './archive-runner';

/**
 * `npm run archive -- --before <date> --out <file>` (see README, Retention): one JSON line per
 * batch on stdout (`progress`), then one with the whole report; exit 0, or 1 with an `error` line.
 */
async function main(): Promise<void> {
  const config = loadAppConfig(process.env);
  const command = parseArchiveCommand(process.argv.slice(2), config.retentionDays, Date.now());
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const dataSource = new DataSource(typeOrmOptions(config.database));
  await dataSource.initialize();
  // Its commits checkpoint nothing (SqliteGroupCommit): a worker thread copies the WAL back, as in the service.
  const checkpoints = walCheckpointerFor(config.database);
  checkpoints?.start();
  const started = Date.now();
  try {
    const db = new Database(dataSource);
    if (db.dialect.engine === 'sqlite') for (const pragma of ArchiveSql.commandSession(db.dialect)) await db.read(pragma);
    const archive = await new ArchiveRunner(db).run({
      beforeMs: command.beforeMs,
      out: command.out,
      batchSize: command.batchSize,
      targetStepMs: command.targetStepMs,
      pauseMs: command.pauseMs,
      onProgress: (progress) => say({ progress }),
    });
    const maintenance = new ArchiveMaintenance(db);
    const journalPruned = command.pruneJournal ? await maintenance.pruneJournal(command.beforeMs) : 0;
    const vacuum = command.vacuum ? await maintenance.reclaim() : null;
    loop.disable();
    say({
      done: true,
      before: new Date(command.beforeMs).toISOString(),
      ...archive,
      journalPruned,
      vacuum,
      seconds: (Date.now() - started) / 1000,
      maxEventLoopDelayMs: Math.round(loop.max / 1e5) / 10,
    });
  } finally {
    await checkpoints?.stop();
    await dataSource.destroy();
  }
}

const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

main().catch((error: Error & { code?: string; problems?: unknown }) => {
  say({ error: error.message, code: error.code, problems: error.problems });
  process.exitCode = 1;
});
