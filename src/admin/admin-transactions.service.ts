import { Injectable } from '@nestjs/common';
import { RequestValidationError } from '../common/errors/domain-error';
import type { Transaction } from '../transactions/transaction';
import { TransactionSearch } from '../transactions/transaction-search';
import type { SearchPage, TransactionFilter } from '../transactions/transaction-search.statements';
import { CURSOR_PATTERN, MAX_PAGE, TransactionFilterDto } from './admin-transactions.dto';
import { phoneForms } from './phone-forms';

/** The most rows one CSV export holds (it says so in its last line when it stops there). */
export const MAX_EXPORT_ROWS = 10_000;

export interface Page {
  transactions: Transaction[];
  nextCursor: string | null;
}

/** Pages of transactions for the console: newest first for the list, oldest first for the review queue. */
@Injectable()
export class AdminTransactionsService {
  constructor(private readonly search: TransactionSearch) {}

  list(query: TransactionFilterDto): Promise<Page> {
    return this.page(toFilter(query), 'newest', query.cursor, query.limit ?? 50);
  }

  /** needs_review, oldest first: the work that has waited longest for an admin comes first. */
  reviewQueue(cursor: string | undefined, limit: number | undefined): Promise<Page> {
    return this.page({ status: 'needs_review' }, 'oldest', cursor, limit ?? 50);
  }

  /** Every transaction of the filter, newest first, page by page, at most MAX_EXPORT_ROWS. */
  async *exportRows(query: TransactionFilterDto): AsyncGenerator<Transaction[], { truncated: boolean }> {
    const filter = toFilter(query);
    let cursor: string | undefined;
    let sent = 0;
    for (;;) {
      const page = await this.page(filter, 'newest', cursor, Math.min(MAX_PAGE, MAX_EXPORT_ROWS - sent));
      yield page.transactions;
      sent += page.transactions.length;
      if (!page.nextCursor) return { truncated: false };
      if (sent >= MAX_EXPORT_ROWS) return { truncated: true };
      cursor = page.nextCursor;
    }
  }

  private async page(filter: TransactionFilter, order: SearchPage['order'], cursor: string | undefined, limit: number): Promise<Page> {
    const after = cursor ? parseCursor(cursor) : null;
    // One more row than asked tells whether a next page exists.
    const rows = await this.search.page({ filter, order, after, limit: limit + 1 });
    const transactions = rows.slice(0, limit);
    const last = transactions.at(-1);
    return { transactions, nextCursor: rows.length > limit && last ? `${last.createdAt}:${last.id}` : null };
  }
}

function parseCursor(cursor: string): { createdAt: number; id: string } {
  const match = CURSOR_PATTERN.exec(cursor);
  if (!match) throw new RequestValidationError({ cursor: ["cursor must be a page's nextCursor"] });
  return { createdAt: Number(match[1]), id: match[2] };
}

function toFilter(query: TransactionFilterDto): TransactionFilter {
  const from = query.from === undefined ? undefined : Date.parse(query.from);
  const to = query.to === undefined ? undefined : Date.parse(query.to);
  if (from !== undefined && to !== undefined && from >= to) throw new RequestValidationError({ to: ['to must be after from'] });
  return {
    ...(query.id !== undefined && { id: query.id }),
    ...(query.phoneNumber !== undefined && { phoneNumbers: phoneForms(query.phoneNumber) }),
    ...(query.status !== undefined && { status: query.status }),
    ...(query.type !== undefined && { type: query.type }),
    ...(query.callboxId !== undefined && { callboxId: query.callboxId }),
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
  };
}
