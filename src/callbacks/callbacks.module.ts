import { Module } from '@nestjs/common';
import { CallbackDeliveryService } from './callback-delivery.service';
import { OutboxRepository, TypeOrmOutboxRepository } from './outbox.repository';

/** Outcome callbacks to the main system, through the transactional outbox. */
@Module({
  providers: [{ provide: OutboxRepository, useClass: TypeOrmOutboxRepository }, CallbackDeliveryService],
  exports: [CallbackDeliveryService, OutboxRepository],
})
export class CallbacksModule {}
