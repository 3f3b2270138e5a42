import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import { ApiThrottlerGuard } from './api-throttler.guard';
import { SlidingWindowThrottlerStorage } from './sliding-window.storage';
import { callboxRateKey, isCallBoxFamily, isTopUp, topUpRateKey } from './rate-limit-keys';

type Request = Parameters<typeof callboxRateKey>[0];
const urlOf = (context: { switchToHttp(): { getRequest<T>(): T } }) => context.switchToHttp().getRequest<Request>().url;

/** Per-minute limits: the CallBox family per box (RATE_LIMIT_PER_MINUTE), TopUp per mobile (TOPUP_RATE_LIMIT_PER_MINUTE). */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        storage: new SlidingWindowThrottlerStorage(),
        throttlers: [
          {
            name: 'callbox',
            ttl: 60_000,
            limit: config.rateLimitPerMinute,
            skipIf: (context) => !isCallBoxFamily(urlOf(context)),
            getTracker: (request) => callboxRateKey(request as Request),
          },
          {
            name: 'topup',
            ttl: 60_000,
            limit: config.topupRateLimitPerMinute,
            skipIf: (context) => !isTopUp(urlOf(context)),
            getTracker: (request) => topUpRateKey(request as Request),
          },
        ],
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: ApiThrottlerGuard }],
})
export class ThrottlingModule {}
