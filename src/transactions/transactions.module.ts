import { Module } from '@nestjs/common';
import { TransactionRepository } from './transaction.repository';
import { TypeOrmTransactionRepository } from './typeorm-transaction.repository';

const providers = [{ provide: TransactionRepository, useClass: TypeOrmTransactionRepository }];

@Module({ providers, exports: [TransactionRepository] })
export class TransactionsModule {}
