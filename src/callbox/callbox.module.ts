import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { TransactionsModule } from '../transactions/transactions.module';
import { CallBoxConfigRepository } from './config/callbox-config';
import { CallBoxConfigController } from './config/callbox-config.controller';
import { CallBoxConfigService } from './config/callbox-config.service';
import { SqlCallBoxConfigRepository } from './config/sql-callbox-config.repository';
import { CallBoxRepository } from './registry/callbox';
import { CallBoxRegistryController } from './registry/callbox-registry.controller';
import { CallBoxRegistryService } from './registry/callbox-registry.service';
import { BufferedCallBoxRepository } from './registry/buffered-callbox.repository';
import { SqlCallBoxRepository } from './registry/sql-callbox.repository';
import { LongPollHub } from './long-poll/long-poll-hub';
import { HeldReplies } from './long-poll/held-reply';
import { LongPollService } from './long-poll/long-poll.service';
import { InProcessWorkBus, PostgresWorkBus, WorkBus } from './long-poll/work-bus';
import { CallBoxStatsController } from './stats/callbox-stats.controller';
import { CallBoxStatsService } from './stats/callbox-stats.service';
import { CallBoxTransactionsController } from './transactions/callbox-transactions.controller';
import { CallBoxTransactionsService } from './transactions/callbox-transactions.service';
import { MainSystemController } from './transactions/main-system.controller';
import { TransactionAdminController } from './transactions/transaction-admin.controller';
import { TransactionAdminService } from './transactions/transaction-admin.service';

const ports = [
  SqlCallBoxRepository,
  { provide: CallBoxRepository, useClass: BufferedCallBoxRepository },
  { provide: CallBoxConfigRepository, useClass: SqlCallBoxConfigRepository },
  {
    provide: WorkBus,
    inject: [AppConfig, Database],
    useFactory: (config: AppConfig, db: Database) =>
      config.database.engine === 'postgres' ? new PostgresWorkBus(config.database.url, db) : new InProcessWorkBus(),
  },
];
const services = [
  CallBoxRegistryService,
  CallBoxConfigService,
  CallBoxTransactionsService,
  CallBoxStatsService,
  TransactionAdminService,
  LongPollHub,
  LongPollService,
  HeldReplies,
];
const controllers = [
  CallBoxRegistryController,
  CallBoxTransactionsController,
  TransactionAdminController,
  CallBoxConfigController,
  CallBoxStatsController,
  MainSystemController,
];

@Module({
  imports: [TransactionsModule],
  providers: [...ports, ...services],
  controllers,
  exports: [CallBoxRepository, CallBoxConfigService, CallBoxTransactionsService, CallBoxRegistryService],
})
export class CallBoxModule {}
