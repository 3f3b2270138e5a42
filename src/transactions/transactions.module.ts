import { Module } from '@nestjs/common';
import { PendingCount } from './pending-count';
import { TransactionRepository } from './transaction.repository';
import { TypeOrmTransactionRepository } from './typeorm-transaction.repository';
import { TransactionTransitions } from './transaction-transitions';

const providers = [TransactionTransitions, PendingCount, { provide: TransactionRepository, useClass: TypeOrmTransactionRepository }];

@Module({ providers, exports: [TransactionRepository, TransactionTransitions, PendingCount] })
export class TransactionsModule {}
