import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { APP_OPTIONS, configureApp, createFastifyAdapter } from '../../src/app.setup';
import { Clock } from '../../src/common/clock/clock';
import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { InFlightRequests } from '../../src/health/graceful-shutdown';
import { ApiClient } from './api-client';
import { FakeClock } from './fake-clock';
import { createTestDatabase } from './test-database';

export const TEST_CALLBOX_TOKEN = 'test-callbox-token-0123456789';
export const TEST_API_KEY = 'test-admin-api-key-0123456789';

export interface TestApp {
  app: NestFastifyApplication;
  api: ApiClient;
  clock: FakeClock | null;
  config: AppConfig;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** A clock the spec moves; without it the system clock runs. */
  fakeClock?: boolean;
  /** Registered as main.ts registers it: a spec can drain without stopping the app. */
  inFlight?: InFlightRequests;
}

/**
 * The real app, in-process, on a database of its own (a fresh SQLite file, or a fresh PostgreSQL
 * database when TEST_DATABASE_URL names a server), with the same adapter, pipes and filters as
 * production, served on a loopback port. `env.DATABASE_URL` reuses a database (a restart).
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.env?.DATABASE_URL ? null : await createTestDatabase();
  const config = loadAppConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database?.url ?? '',
    CALLBOX_TOKEN: TEST_CALLBOX_TOKEN,
    API_KEY: TEST_API_KEY,
    // Specs drive the dispatcher themselves (POST /api/sync/force, or its service with a fake clock).
    SYNC_AUTOSTART_DELAY_MS: '3600000',
    // Specs measure behaviour, not the limiter; the rate-limit specs lower these themselves.
    RATE_LIMIT_PER_MINUTE: '1000000',
    MAIN_RATE_LIMIT_PER_MINUTE: '10000000',
    TOPUP_RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_FAILURE_LIMIT_PER_MINUTE: '1000000',
    ...options.env,
  });
  const clock = options.fakeClock ? new FakeClock() : null;
  let builder = Test.createTestingModule({ imports: [AppModule] }).overrideProvider(AppConfig).useValue(config);
  if (clock) builder = builder.overrideProvider(Clock).useValue(clock);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter({ trustProxy: config.trustProxy }), {
    logger: false,
    ...APP_OPTIONS,
  });
  configureApp(app);
  options.inFlight?.register(app.getHttpAdapter().getInstance());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  await app.listen(0, '127.0.0.1');
  const api = new ApiClient(await app.getUrl());
  return {
    app,
    api,
    clock,
    config,
    close: async () => {
      await app.close();
      await database?.drop();
    },
  };
}
