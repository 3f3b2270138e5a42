import type { Database } from '../database/database';
import { ArchiveSql } from './archive.statements';
import { ArchivedTransaction, ArchiveHeader, ArchiveSummary, readArchive } from './archive-file';

/** Transactions per unit of work while restoring. */
const RESTORE_BATCH = 500;

export interface RestoreReport {
  header: ArchiveHeader;
  file: ArchiveSummary;
  /** Rows written; fewer than the file's when some were already there (a restore run twice). */
  transactions: number;
  events: number;
}

/**
 * Puts an archive's transactions and events back into a database (an audit copy, usually a fresh
 * SQLite file), ids kept. The file is verified whole (counts, checksum) before the first row is
 * written; rows already there are left as they are, so a restore can be run again.
 */
export async function restoreArchive(db: Database, path: string): Promise<RestoreReport> {
  const verified = await readArchive(path);
  let transactions = 0;
  let events = 0;
  let batch: ArchivedTransaction[] = [];
  const flush = async () => {
    const records = batch;
    batch = [];
    if (records.length === 0) return;
    const written = await db.unit(async (unit) => {
      let rows = 0;
      let eventRows = 0;
      for (const record of records) {
        rows += (await unit.run(ArchiveSql.restoreTransaction(db.dialect, record.transaction))).affected;
        for (const event of record.events) eventRows += (await unit.run(ArchiveSql.restoreEvent(db.dialect, event))).affected;
      }
      return { rows, eventRows };
    });
    transactions += written.rows;
    events += written.eventRows;
  };
  await readArchive(path, async (record) => {
    batch.push(record);
    if (batch.length >= RESTORE_BATCH) await flush();
  });
  await flush();
  return { header: verified.header, file: verified.summary, transactions, events };
}
