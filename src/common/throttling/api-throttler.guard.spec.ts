import { ExecutionContext, HttpStatus } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SkipThrottle, Throttle, ThrottlerException } from '@nestjs/throttler';
import { loadAppConfig } from '../../config/app-config';
import type { Principal } from '../auth/principal';
import { ApiThrottlerGuard } from './api-throttler.guard';
import { SlidingWindowThrottlerStorage } from './sliding-window.storage';
import { throttlerOptions } from './throttling.module';

const BOX_LIMIT = 3;
const MAIN_LIMIT = 5;
const TOPUP_LIMIT = 4;
const config = loadAppConfig({
  CALLBOX_TOKEN: 'shared-callbox-token-0001',
  API_KEY: 'admin-api-key-0000000001',
  RATE_LIMIT_PER_MINUTE: String(BOX_LIMIT),
  MAIN_RATE_LIMIT_PER_MINUTE: String(MAIN_LIMIT),
  TOPUP_RATE_LIMIT_PER_MINUTE: String(TOPUP_LIMIT),
});

const BOX: Principal = { kind: 'callbox', boundTo: null };
const ADMIN: Principal = { kind: 'admin' };

/** Handlers as Nest hands them to the guard: a method of a controller class, with its metadata. */
class DeviceRoutes {
  heartbeat() {}
  pending() {}
  config() {}
  @SkipThrottle({ callbox: true })
  exempt() {}
  @Throttle({ callbox: { limit: 2, ttl: 60_000 } })
  strict() {}
}
class TopUpRoutes {
  balances() {}
}
class SyncRoutes {
  status() {}
}

const ROUTES = {
  heartbeat: { classRef: DeviceRoutes, handler: DeviceRoutes.prototype.heartbeat, url: '/api/call-box/heartbeat' },
  pending: { classRef: DeviceRoutes, handler: DeviceRoutes.prototype.pending, url: '/api/call-box/transactions/pending' },
  config: { classRef: DeviceRoutes, handler: DeviceRoutes.prototype.config, url: '/api/call-box/config' },
  exempt: { classRef: DeviceRoutes, handler: DeviceRoutes.prototype.exempt, url: '/api/call-box/exempt' },
  strict: { classRef: DeviceRoutes, handler: DeviceRoutes.prototype.strict, url: '/api/call-box/strict' },
  toCallbox: { classRef: DeviceRoutes, handler: DeviceRoutes.prototype.heartbeat, url: '/api/transaction/to-callbox' },
  balances: { classRef: TopUpRoutes, handler: TopUpRoutes.prototype.balances, url: '/api/topup/balances' },
  sync: { classRef: SyncRoutes, handler: SyncRoutes.prototype.status, url: '/api/sync/status' },
} as const;

type Call = { route: keyof typeof ROUTES; principal?: Principal; body?: unknown; ip?: string };

describe(ApiThrottlerGuard.name, () => {
  let reflector: Reflector;
  let guard: ApiThrottlerGuard;

  beforeEach(async () => {
    reflector = new Reflector();
    const storage = new SlidingWindowThrottlerStorage(() => 600_000);
    guard = new ApiThrottlerGuard(throttlerOptions(config, storage), storage, reflector);
    await guard.onModuleInit();
  });

  /** One request through the guard: whether it passed (or the refusal) and the headers it set. */
  async function call({ route, principal, body, ip = '192.0.2.1' }: Call) {
    const { classRef, handler, url } = ROUTES[route];
    const headers: Record<string, string> = {};
    const request = { url, routeOptions: { url }, ip, principal, body, query: {}, params: {}, headers: {} };
    const reply = { header: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)) };
    const context = {
      getHandler: () => handler,
      getClass: () => classRef,
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
      getArgByIndex: (index: number) => [request, reply][index],
    } as unknown as ExecutionContext;
    try {
      return { passed: await guard.canActivate(context), headers, error: null };
    } catch (error) {
      return { passed: false, headers, error };
    }
  }

  /** Which throttler counted the request, by the `X-RateLimit-Limit-<name>` header the library sets. */
  const throttlersOf = (headers: Record<string, string>) =>
    Object.keys(headers)
      .filter((name) => name.startsWith('x-ratelimit-limit-'))
      .map((name) => `${name.slice('x-ratelimit-limit-'.length)}=${headers[name]}`);

  it.each<[string, Call, string[]]>([
    ['a box on a device route: the callbox throttler', { route: 'heartbeat', principal: BOX, body: { callboxId: 'callbox_001' } }, [`callbox=${BOX_LIMIT}`]],
    ['the main system on the to-callbox hook: its own throttler', { route: 'toCallbox', principal: ADMIN }, [`main=${MAIN_LIMIT}`]],
    ['the main system on a device route both may call: main', { route: 'config', principal: ADMIN }, [`main=${MAIN_LIMIT}`]],
    ['a box on that same route: callbox', { route: 'config', principal: BOX }, [`callbox=${BOX_LIMIT}`]],
    ['a TopUp route, no principal: topup', { route: 'balances', body: { msisdn: '77123456' } }, [`topup=${TOPUP_LIMIT}`]],
    ['an admin route outside the families: none', { route: 'sync', principal: ADMIN }, []],
    ['a route that skips the callbox throttler: none', { route: 'exempt', principal: BOX }, []],
    ["a route's own limit overrides the family's", { route: 'strict', principal: BOX }, ['callbox=2']],
  ])('%s', async (_case, request, expected) => {
    const first = await call(request);
    // The second time the handler's metadata comes from the guard's cache: the same decision.
    const second = await call(request);
    expect(first.passed).toBe(true);
    expect(throttlersOf(first.headers)).toEqual(expected);
    expect(throttlersOf(second.headers)).toEqual(expected);
  });

  it("reads a handler's metadata once, and decides per request by principal on that handler", async () => {
    const reads = jest.spyOn(reflector, 'getAllAndOverride');
    await call({ route: 'config', principal: BOX });
    const readsForOneHandler = reads.mock.calls.length;
    expect(readsForOneHandler).toBeGreaterThan(0);
    expect(throttlersOf((await call({ route: 'config', principal: ADMIN })).headers)).toEqual([`main=${MAIN_LIMIT}`]);
    expect(throttlersOf((await call({ route: 'config', principal: BOX })).headers)).toEqual([`callbox=${BOX_LIMIT}`]);
    expect(reads.mock.calls.length).toBe(readsForOneHandler);
    await call({ route: 'heartbeat', principal: BOX });
    expect(reads.mock.calls.length).toBe(2 * readsForOneHandler);
  });

  it('refuses past the allowance with 429 and Retry-After, counting the family across its routes', async () => {
    const box = { principal: BOX, body: { callboxId: 'callbox_001' } };
    expect((await call({ route: 'heartbeat', ...box })).passed).toBe(true);
    expect((await call({ route: 'pending', ...box })).passed).toBe(true);
    expect((await call({ route: 'config', ...box })).passed).toBe(true);
    const refused = await call({ route: 'heartbeat', ...box });
    expect(refused.error).toBeInstanceOf(ThrottlerException);
    expect((refused.error as ThrottlerException).getStatus()).toBe(HttpStatus.TOO_MANY_REQUESTS);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another box (by the body's callboxId behind the shared token) and the main system are untouched.
    expect((await call({ route: 'heartbeat', principal: BOX, body: { callboxId: 'callbox_002' } })).passed).toBe(true);
    expect((await call({ route: 'toCallbox', principal: ADMIN })).passed).toBe(true);
  });

  it('refuses a TopUp number from one address past its allowance, leaving the same number from another address alone', async () => {
    const balances = (ip: string) => call({ route: 'balances', body: { msisdn: '77123456' }, ip });
    for (let i = 0; i < TOPUP_LIMIT; i++) expect((await balances('192.0.2.1')).passed).toBe(true);
    const refused = await balances('192.0.2.1');
    expect(refused.error).toBeInstanceOf(ThrottlerException);
    expect(refused.headers['retry-after']).toBeDefined();
    expect((await balances('192.0.2.2')).passed).toBe(true);
  });

  it("counts, keys, heads and refuses exactly as the library's own handleRequest does", async () => {
    // The library's path: a storage that is not the in-memory one (same counting, behind increment()).
    const inner = new SlidingWindowThrottlerStorage(() => 600_000);
    const keys: string[] = [];
    const viaLibrary = {
      increment: (key: string, ttl: number, limit: number, blockDuration: number, name: string) => {
        keys.push(key);
        return inner.increment(key, ttl, limit, blockDuration, name);
      },
    };
    const libraryGuard = new ApiThrottlerGuard(throttlerOptions(config, viaLibrary), viaLibrary, reflector);
    await libraryGuard.onModuleInit();
    const fastStorage = new SlidingWindowThrottlerStorage(() => 600_000);
    const hits = jest.spyOn(fastStorage, 'hit');

    const sequence: Call[] = [
      ...Array.from({ length: BOX_LIMIT + 1 }, () => ({ route: 'heartbeat' as const, principal: BOX, body: { callboxId: 'callbox_001' } })),
      { route: 'strict', principal: BOX, body: { callboxId: 'callbox_009' } },
      { route: 'exempt', principal: BOX, body: { callboxId: 'callbox_001' } },
      ...Array.from({ length: MAIN_LIMIT + 1 }, () => ({ route: 'toCallbox' as const, principal: ADMIN })),
      ...Array.from({ length: TOPUP_LIMIT + 1 }, () => ({ route: 'balances' as const, body: { msisdn: '77123456' } })),
    ];
    const answers = async () => {
      const out = [];
      for (const request of sequence) {
        const { passed, headers, error } = await call(request);
        out.push({ passed, headers, error: error === null ? null : [(error as ThrottlerException).constructor.name, (error as ThrottlerException).getStatus()] });
      }
      return out;
    };
    const fast = new ApiThrottlerGuard(throttlerOptions(config, fastStorage), fastStorage, reflector);
    await fast.onModuleInit();
    guard = fast;
    const fastAnswers = await answers();
    guard = libraryGuard;
    const libraryAnswers = await answers();

    expect(fastAnswers).toEqual(libraryAnswers);
    // The storage key, as the library's increment(key, ..., name) makes it: `${name}:${key}`.
    expect(hits.mock.calls.map(([key]) => key)).toEqual(keys.map((key) => `${throttlerOf(key)}:${key}`));
    expect(fastAnswers.filter((answer) => answer.error !== null)).toHaveLength(3);
  });
});

/** The throttler's name, first in the key the guard makes (`callbox:...`); the storage prefixes it again. */
function throttlerOf(key: string): string {
  return key.slice(0, key.indexOf(':'));
}
