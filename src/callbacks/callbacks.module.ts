import { Global, Module } from '@nestjs/common';
import { OutcomeOutbox } from '../transactions/outcome-outbox';
import { CallbackDeliveryService } from './callback-delivery.service';
import { OutboxRepository } from './outbox.repository';
import { SqlOutboxRepository } from './sql-outbox.repository';
import { SqlOutcomeOutbox } from './sql-outcome-outbox';

const persistence = [
  { provide: OutboxRepository, useClass: SqlOutboxRepository },
  // The journal of transactions/ writes its outcome messages through this (global: no module cycle).
  { provide: OutcomeOutbox, useClass: SqlOutcomeOutbox },
];

/** Outcome callbacks to the main system, through the transactional outbox (the `outbox` table is this module's). */
@Global()
@Module({
  providers: [...persistence, CallbackDeliveryService],
  exports: [CallbackDeliveryService, OutboxRepository, OutcomeOutbox],
})
export class CallbacksModule {}
