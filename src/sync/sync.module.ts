import { Module } from '@nestjs/common';
import { CallBoxModule } from '../callbox/callbox.module';
import { TransactionsModule } from '../transactions/transactions.module';
import { DispatcherService } from './dispatcher.service';
import { SyncSchedulerService } from './sync-scheduler.service';
import { SyncStateRepository, TypeOrmSyncStateRepository } from './sync-state.repository';
import { SyncController } from './sync.controller';

const providers = [
  DispatcherService,
  SyncSchedulerService,
  { provide: SyncStateRepository, useClass: TypeOrmSyncStateRepository },
];

/** The "Service de Synchronisation": the scheduled dispatcher and its admin endpoints. */
@Module({
  imports: [TransactionsModule, CallBoxModule],
  providers,
  controllers: [SyncController],
  exports: [DispatcherService, SyncSchedulerService],
})
export class SyncModule {}
