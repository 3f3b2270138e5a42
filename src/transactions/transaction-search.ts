import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import type { Transaction, TransactionStatus } from './transaction';
import { toTransaction, TransactionRow } from './transaction-row';
import { SearchPage, TransactionSearchSql } from './transaction-search.statements';

export interface FinishedMinute {
  /** Start of the minute, epoch ms. */
  minute: number;
  completed: number;
  failed: number;
}

/** The admin console's reads: pages of transactions in keyset order, the last hour's outcomes. */
export abstract class TransactionSearch {
  abstract page(page: SearchPage): Promise<Transaction[]>;
  /** One entry per minute from `since` (rounded down) to `now`, zeros included. */
  abstract finishedPerMinute(since: number, now: number): Promise<FinishedMinute[]>;
}

@Injectable()
export class SqlTransactionSearch extends TransactionSearch {
  constructor(private readonly db: Database) {
    super();
  }

  async page(page: SearchPage): Promise<Transaction[]> {
    const rows = await this.db.read<TransactionRow>(TransactionSearchSql.page(this.db.dialect, page));
    return rows.map(toTransaction);
  }

  async finishedPerMinute(since: number, now: number): Promise<FinishedMinute[]> {
    const first = Math.floor(since / 60_000);
    const last = Math.floor(now / 60_000);
    const rows = await this.db.read<{ minute: unknown; status: TransactionStatus; n: unknown }>(TransactionSearchSql.finishedPerMinute(this.db.dialect, first, last));
    const minutes = new Map<number, FinishedMinute>();
    for (let m = first; m <= last; m++) minutes.set(m, { minute: m * 60_000, completed: 0, failed: 0 });
    for (const row of rows) {
      const entry = minutes.get(Number(row.minute));
      if (entry && (row.status === 'completed' || row.status === 'failed')) entry[row.status] += Number(row.n);
    }
    return [...minutes.values()];
  }
}
