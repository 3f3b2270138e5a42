import { Module } from '@nestjs/common';
import { TransactionRepository } from './transaction.repository';
import { TypeOrmTransactionRepository } from './typeorm-transaction.repository';
import { TransactionTransitions } from './transaction-transitions';

const providers = [TransactionTransitions, { provide: TransactionRepository, useClass: TypeOrmTransactionRepository }];

@Module({ providers, exports: [TransactionRepository, TransactionTransitions] })
export class TransactionsModule {}
