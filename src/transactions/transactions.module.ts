import { Module } from '@nestjs/common';
import { CounterFolding } from './counter-folding';
import { PendingCount } from './pending-count';
import { TransactionRepository } from './transaction.repository';
import { SqlTransactionRepository } from './sql-transaction.repository';
import { TransactionTransitions } from './transaction-transitions';

const providers = [TransactionTransitions, PendingCount, CounterFolding, { provide: TransactionRepository, useClass: SqlTransactionRepository }];

@Module({ providers, exports: [TransactionRepository, TransactionTransitions, PendingCount] })
export class TransactionsModule {}
