import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AdminModule } from './admin/admin.module';
import { CallbacksModule } from './callbacks/callbacks.module';
import { CallBoxModule } from './callbox/callbox.module';
import { DEVICE_ROUTE_DTOS } from './callbox/device-dtos';
import { CommonModule } from './common/common.module';
import { ApiExceptionFilter } from './common/http/api-exception.filter';
import { LoggingModule } from './common/logging/logging.module';
import { ThrottlingModule } from './common/throttling/throttling.module';
import { RequestValidationPipe } from './common/validation/request-validation.pipe';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { OperatorEndpointModule } from './operator-endpoint.module';
import { SyncModule } from './sync/sync.module';
import { TopUpModule } from './topup/topup.module';
import { TransactionsModule } from './transactions/transactions.module';

@Module({
  imports: [
    ConfigModule,
    LoggingModule,
    DatabaseModule,
    ScheduleModule.forRoot(),
    CommonModule,
    ThrottlingModule,
    MetricsModule,
    TransactionsModule,
    CallBoxModule,
    SyncModule,
    CallbacksModule,
    OperatorEndpointModule,
    TopUpModule,
    HealthModule,
    AdminModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: () => new RequestValidationPipe(DEVICE_ROUTE_DTOS) },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
  ],
})
export class AppModule {}
