import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerOptions } from '@nestjs/throttler';
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants';
import type { ThrottlerGenerateKeyFunction, ThrottlerGetTrackerFunction } from '@nestjs/throttler/dist/throttler-module-options.interface';
import type { FastifyReply } from 'fastify';
import { replyOf, requestOf } from '../http/http-args';
import { SlidingWindowThrottlerStorage } from './sliding-window.storage';

type Resolvable = number | ((context: ExecutionContext) => number | Promise<number>);

/** One throttler as it applies to one handler: the library's options with the handler's metadata read in. */
interface HandlerThrottler {
  throttler: ThrottlerOptions;
  skipIf: ((context: ExecutionContext) => boolean) | undefined;
  limit: Resolvable;
  ttl: Resolvable;
  /** Undefined: the ttl, as the library defaults it. */
  blockDuration: Resolvable | undefined;
  getTracker: ThrottlerGetTrackerFunction;
  generateKey: ThrottlerGenerateKeyFunction;
  /** The library's response headers for this throttler, named once (`X-RateLimit-Limit-callbox`...), or null when it sets none. */
  headers: { limit: string; remaining: string; reset: string; retryAfter: string } | null;
  ignoreUserAgents: RegExp[] | undefined;
}

/**
 * Every family's limits through one guard; a refusal says when to come back in `Retry-After` (seconds).
 *
 * The library's decision, made cheaper: it reads six metadata keys through the Reflector for each
 * of the three throttlers on every request; they only change with the handler, so they are read
 * once per handler here. Per request what is left is each throttler's `skipIf` (which family, which
 * principal) and, for the one that applies, the library's own `handleRequest` (storage hit, headers,
 * refusal).
 */
@Injectable()
export class ApiThrottlerGuard extends ThrottlerGuard {
  private readonly handlers = new WeakMap<object, { classRef: object; throttlers: readonly HandlerThrottler[] }>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (await this.shouldSkip(context)) return true;
    let allowed = true;
    for (const entry of this.throttlersFor(context)) {
      if (entry.skipIf?.(context)) continue;
      const name = entry.throttler.name;
      const ttl = typeof entry.ttl === 'number' ? entry.ttl : toNumber(await entry.ttl(context), 'ttl', name);
      const limit = typeof entry.limit === 'number' ? entry.limit : toNumber(await entry.limit(context), 'limit', name);
      const block = entry.blockDuration ?? ttl;
      const blockDuration = typeof block === 'number' ? block : toNumber(await block(context), 'blockDuration', name);
      const counted = this.countNow(context, entry, limit, ttl, blockDuration);
      // A refusal: the library's exception, thrown (were it not, the library would carry on and pass).
      if (counted !== null && counted !== true) await this.throwThrottlingException(context, counted);
      const passed = counted !== null || (await this.handleRequest({
        context,
        limit,
        ttl,
        throttler: entry.throttler,
        blockDuration,
        getTracker: entry.getTracker,
        generateKey: entry.generateKey,
      }));
      allowed = passed && allowed;
    }
    return allowed;
  }

  /**
   * The library's `handleRequest` without its awaits and per-request strings, for what every device
   * request takes: a tracker known at once and the in-memory storage (synchronous). The same key,
   * storage call, headers and refusal; null when the case is not that one (the library decides).
   */
  private countNow(context: ExecutionContext, entry: HandlerThrottler, limit: number, ttl: number, blockDuration: number): true | ThrottlerLimitDetail | null {
    if (entry.ignoreUserAgents !== undefined || !(this.storageService instanceof SlidingWindowThrottlerStorage)) return null;
    const request = requestOf<Record<string, unknown>>(context);
    const tracker = entry.getTracker(request, context);
    if (typeof tracker !== 'string') return null;
    const name = entry.throttler.name!;
    const key = entry.generateKey(context, tracker, name);
    // As the library's increment(key, ttl, limit, blockDuration, name) on this storage.
    const record = this.storageService.hit(`${name}:${key}`, ttl, limit, blockDuration);
    const reply = replyOf(context);
    if (record.isBlocked) {
      if (entry.headers) void reply.header(entry.headers.retryAfter, record.timeToBlockExpire);
      return { limit, ttl, key, tracker, ...record };
    }
    if (entry.headers) {
      void reply.header(entry.headers.limit, limit);
      void reply.header(entry.headers.remaining, Math.max(0, limit - record.totalHits));
      void reply.header(entry.headers.reset, record.timeToExpire);
    }
    return true;
  }

  /** The throttlers that may apply to this handler, its metadata read once (the Reflector walks the prototype chain each time). */
  protected throttlersFor(context: ExecutionContext): readonly HandlerThrottler[] {
    const handler = context.getHandler();
    const classRef = context.getClass();
    const known = this.handlers.get(handler);
    if (known && known.classRef === classRef) return known.throttlers;
    const throttlers = this.readHandler(handler, classRef);
    this.handlers.set(handler, { classRef, throttlers });
    return throttlers;
  }

  private readHandler(handler: object, classRef: object): HandlerThrottler[] {
    const targets = [handler, classRef] as Array<() => unknown>;
    const read = <T>(key: string, name: string) => this.reflector.getAllAndOverride<T | undefined>(key + name, targets);
    const entries: HandlerThrottler[] = [];
    for (const throttler of this.throttlers) {
      const name = throttler.name!;
      if (read<boolean>(THROTTLER_SKIP, name)) continue;
      const setting = (key: string, fallback: unknown, option: string) => settled(read<unknown>(key, name) ?? fallback, option, name);
      const blockDuration = read<unknown>(THROTTLER_BLOCK_DURATION, name) ?? throttler.blockDuration;
      const suffix = name === 'default' ? '' : `-${name}`;
      const setHeaders = throttler.setHeaders ?? this.commonOptions.setHeaders ?? true;
      entries.push({
        headers: setHeaders
          ? { limit: `${this.headerPrefix}-Limit${suffix}`, remaining: `${this.headerPrefix}-Remaining${suffix}`, reset: `${this.headerPrefix}-Reset${suffix}`, retryAfter: `Retry-After${suffix}` }
          : null,
        ignoreUserAgents: ignoring(throttler.ignoreUserAgents ?? this.commonOptions.ignoreUserAgents),
        throttler,
        skipIf: throttler.skipIf ?? this.commonOptions.skipIf,
        limit: setting(THROTTLER_LIMIT, throttler.limit, 'limit'),
        ttl: setting(THROTTLER_TTL, throttler.ttl, 'ttl'),
        blockDuration: blockDuration === undefined ? undefined : settled(blockDuration, 'blockDuration', name),
        getTracker: read<ThrottlerGetTrackerFunction>(THROTTLER_TRACKER, name) ?? throttler.getTracker ?? this.commonOptions.getTracker!,
        generateKey: read<ThrottlerGenerateKeyFunction>(THROTTLER_KEY_GENERATOR, name) ?? throttler.generateKey ?? this.commonOptions.generateKey!,
      });
    }
    return entries;
  }

  /** One allowance per key across the family's routes (the library's default counts each route apart). */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    void reply.header('Retry-After', String(Math.max(1, Math.ceil(detail.timeToBlockExpire))));
    return super.throwThrottlingException(context, detail);
  }
}

/** The user agents a throttler lets through (the library reads only an array), or undefined. */
function ignoring(patterns: unknown): RegExp[] | undefined {
  return Array.isArray(patterns) ? (patterns as RegExp[]) : undefined;
}

/** A setting known at boot becomes its number once; one that depends on the request stays a function. */
function settled(value: unknown, option: string, name: string): Resolvable {
  return typeof value === 'function' ? (value as Resolvable) : toNumber(value, option, name);
}

/** As the library's own check: a setting that is not a number is a configuration error, said so. */
function toNumber(value: unknown, option: string, throttlerName: string | undefined): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || Number.isNaN(number)) {
    throw new Error(`Invalid "${option}" for the "${throttlerName}" throttler: expected a number, got ${JSON.stringify(value)}.`);
  }
  return number;
}
