import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import { ApiThrottlerGuard } from './api-throttler.guard';
import { SlidingWindowThrottlerStorage } from './sliding-window.storage';
import { callboxRateKey, isCallBoxFamily, isMainSystemCall, isTopUp, topUpRateKey } from './rate-limit-keys';

type Request = Parameters<typeof callboxRateKey>[0];
type Context = { switchToHttp(): { getRequest<T>(): T } };
const requestOf = (context: Context) => context.switchToHttp().getRequest<Request>();
const urlOf = (context: Context) => requestOf(context).url;
const isCallBoxCall = (context: Context) => isCallBoxFamily(urlOf(context)) && !isMainSystemCall(requestOf(context));
const isMainCall = (context: Context) => isCallBoxFamily(urlOf(context)) && isMainSystemCall(requestOf(context));

/**
 * Per-minute limits: the CallBox family per box (RATE_LIMIT_PER_MINUTE), the main system's calls
 * to it per key (MAIN_RATE_LIMIT_PER_MINUTE), TopUp per mobile (TOPUP_RATE_LIMIT_PER_MINUTE).
 */
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
            skipIf: (context) => !isCallBoxCall(context),
            getTracker: (request) => callboxRateKey(request as Request),
          },
          {
            name: 'main',
            ttl: 60_000,
            limit: config.mainRateLimitPerMinute,
            skipIf: (context) => !isMainCall(context),
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
