import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import type { DatabaseSettings } from '../config/app-config';
import { Database } from '../database/database';
import { typeOrmOptions } from '../database/typeorm-options';
import { walCheckpointerFor } from '../database/wal-checkpointer';
import { restoreArchive } from './archive-restore';

/**
 * `npm run archive:restore -- --in <file> --into <audit.sqlite | postgres://...>`: the database is
 * created (or migrated) first, then the verified file's rows are written into it. One JSON line out.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { in: { type: 'string' }, into: { type: 'string' } } });
  if (!values.in || !values.into) throw new Error('give --in <archive file> and --into <sqlite file or postgres:// URL>');
  const settings: DatabaseSettings = /^postgres(ql)?:\/\//.test(values.into)
    ? { engine: 'postgres', url: values.into }
    : { engine: 'sqlite', path: values.into.replace(/^sqlite:/, '') };
  const dataSource = new DataSource(typeOrmOptions(settings));
  await dataSource.initialize();
  const checkpoints = walCheckpointerFor(settings);
  checkpoints?.start();
  try {
    const report = await restoreArchive(new Database(dataSource), values.in);
    process.stdout.write(`${JSON.stringify({ done: true, ...report })}\n`);
  } finally {
    await checkpoints?.stop();
    await dataSource.destroy();
  }
}

main().catch((error: Error) => {
  process.stdout.write(`${JSON.stringify({ error: error.message })}\n`);
  process.exitCode = 1;
});
