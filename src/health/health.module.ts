import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SyncModule } from '../sync/sync.module';
import { TopUpModule } from '../topup/topup.module';
import { HealthController } from './health.controller';

@Module({ imports: [TerminusModule, SyncModule, TopUpModule], controllers: [HealthController] })
export class HealthModule {}
