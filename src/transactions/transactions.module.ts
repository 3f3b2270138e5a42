import { Module } from '@nestjs/common';
import { AssignedCount } from './assigned-count';
import { CounterFolding } from './counter-folding';
import { PendingCount } from './pending-count';
import { TransactionRepository } from './transaction.repository';
import { SqlTransactionRepository } from './sql-transaction.repository';
import { TransactionTransitions } from './transaction-transitions';
import { SqlTransactionSearch, TransactionSearch } from './transaction-search';

const providers = [
  TransactionTransitions,
  PendingCount,
  AssignedCount,
  CounterFolding,
  { provide: TransactionRepository, useClass: SqlTransactionRepository },
  { provide: TransactionSearch, useClass: SqlTransactionSearch },
];

@Module({ providers, exports: [TransactionRepository, TransactionSearch, TransactionTransitions, PendingCount, AssignedCount] })
export class TransactionsModule {}
