import { Global, Module } from '@nestjs/common';
import { CallbacksModule } from '../callbacks/callbacks.module';
import { TransactionsModule } from '../transactions/transactions.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({
  imports: [TransactionsModule, CallbacksModule],
  providers: [MetricsService],
  controllers: [MetricsController],
  exports: [MetricsService],
})
export class MetricsModule {}
