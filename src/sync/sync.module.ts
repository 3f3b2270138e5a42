import { Module } from '@nestjs/common';
import { CallBoxModule } from '../callbox/callbox.module';
import { TransactionsModule } from '../transactions/transactions.module';
import { AppConfig } from '../config/app-config';
import { DispatcherService } from './dispatcher.service';
import { LeaderElection, PostgresLeaderElection, SoleLeader } from './leader-election';
import { SyncSchedulerService } from './sync-scheduler.service';
import { SyncStateRepository, SqlSyncStateRepository } from './sync-state.repository';
import { SyncController } from './sync.controller';

const providers = [
  DispatcherService,
  SyncSchedulerService,
  { provide: SyncStateRepository, useClass: SqlSyncStateRepository },
  {
    provide: LeaderElection,
    inject: [AppConfig],
    useFactory: (config: AppConfig) =>
      config.database.engine === 'postgres' ? new PostgresLeaderElection(config.database.url) : new SoleLeader(),
  },
];

/** The "Service de Synchronisation": the scheduled dispatcher and its admin endpoints. */
@Module({
  imports: [TransactionsModule, CallBoxModule],
  providers,
  controllers: [SyncController],
  exports: [DispatcherService, SyncSchedulerService],
})
export class SyncModule {}
