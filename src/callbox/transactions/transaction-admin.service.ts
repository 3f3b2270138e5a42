import { Injectable } from '@nestjs/common';
import { assertMayActAs, Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock/clock';
import { RequestValidationError } from '../../common/errors/domain-error';
import type { Transaction, TransactionEvent } from '../../transactions/transaction';
import { notAssignedToCallBox, transactionNotFound } from '../../transactions/transaction-errors';
import { planAdminResolution } from '../../transactions/transaction-state-machine';
import { TransactionRepository } from '../../transactions/transaction.repository';

/** Reading one transaction with its history, and settling what lost boxes left in doubt. */
@Injectable()
export class TransactionAdminService {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly clock: Clock,
  ) {}

  /** Admins see any transaction; a box only one it holds, and must say which box it is. */
  async read(principal: Principal, id: string, callboxId?: string): Promise<{ transaction: Transaction; events: TransactionEvent[] }> {
    if (principal.kind === 'callbox') {
      if (!callboxId) throw new RequestValidationError({ callboxId: ['Requis avec un token CallBox'] });
      assertMayActAs(principal, callboxId);
    }
    const transaction = await this.transactions.findById(id);
    if (!transaction) throw transactionNotFound(id);
    if (principal.kind === 'callbox' && transaction.assignedTo !== callboxId) throw notAssignedToCallBox(id, callboxId!);
    return { transaction, events: await this.transactions.listEvents(id) };
  }

  async resolve(id: string, outcome: 'completed' | 'failed', note: string | null, transactionRef?: string) {
    const now = this.clock.now();
    const { transaction } = await this.transactions.transition(id, (current) =>
      planAdminResolution(current, { outcome, note, now, transactionRef }),
    );
    return { transaction, events: await this.transactions.listEvents(id) };
  }
}
