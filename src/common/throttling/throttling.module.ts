import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import { AuthGuard } from '../auth/auth.guard';
import { requestOf } from '../http/http-args';
import { ApiThrottlerGuard } from './api-throttler.guard';
import { SlidingWindowThrottlerStorage } from './sliding-window.storage';
import { callboxRateKey, isCallBoxFamily, isTopUp, RateLimitedRequest, topUpRateKey } from './rate-limit-keys';

type Context = Parameters<typeof requestOf>[0];
const isCallBoxCall = (context: Context) => {
  const request = requestOf<RateLimitedRequest>(context);
  return request.principal?.kind === 'callbox' && isCallBoxFamily(request);
};
const isMainCall = (context: Context) => {
  const request = requestOf<RateLimitedRequest>(context);
  return request.principal?.kind === 'admin' && isCallBoxFamily(request);
};

/** The three throttlers (each skips every request but its own family's and principal's), storage and all. */
export function throttlerOptions(config: AppConfig, storage: ThrottlerStorage = new SlidingWindowThrottlerStorage()): ThrottlerModuleOptions {
  return {
    storage,
    throttlers: [
      {
        name: 'callbox',
        ttl: 60_000,
        limit: config.rateLimitPerMinute,
        skipIf: (context) => !isCallBoxCall(context),
        getTracker: (request) => callboxRateKey(request as RateLimitedRequest),
      },
      {
        name: 'main',
        ttl: 60_000,
        limit: config.mainRateLimitPerMinute,
        skipIf: (context) => !isMainCall(context),
        getTracker: (request) => callboxRateKey(request as RateLimitedRequest),
      },
      {
        name: 'topup',
        ttl: 60_000,
        limit: config.topupRateLimitPerMinute,
        skipIf: (context) => !isTopUp(requestOf<RateLimitedRequest>(context)),
        getTracker: (request) => topUpRateKey(request as RateLimitedRequest),
      },
    ],
  };
}

/**
 * Per-minute limits: the CallBox family per box (RATE_LIMIT_PER_MINUTE), the main system's calls
 * to it (MAIN_RATE_LIMIT_PER_MINUTE), TopUp per mobile and client address (TOPUP_RATE_LIMIT_PER_MINUTE).
 * Global guards run in the order listed here: authentication first, so a budget is only ever spent
 * by the principal it belongs to.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => throttlerOptions(config),
    }),
  ],
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: ApiThrottlerGuard },
  ],
})
export class ThrottlingModule {}
