import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp, createFastifyAdapter } from './app.setup';
import { NestLogAdapter } from './common/logging/nest-log-adapter';
import { bootLogSettings, flushLogs, rootLogger } from './common/logging/root-logger';
import { AppConfig, ConfigValidationError, loadAppConfig } from './config/app-config';
import { describeDatabase } from './config/database-settings';
import { waitForDatabase } from './database/database-wait';
import { exitOnFatalErrors, exitOnSignals, InFlightRequests } from './health/graceful-shutdown';

// JSON on stdout from the first line to the last (a bad setting, an unreachable database included).
const logger = rootLogger(bootLogSettings(process.env));

function exitNow(code: number): never {
  flushLogs();
  process.exit(code);
}

async function bootstrap(): Promise<void> {
  exitOnFatalErrors(logger);
  // Validate first, so a bad setting stops the process with the whole list before anything starts.
  let settings: AppConfig;
  try {
    settings = loadAppConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    logger.fatal({ problems: error.problems }, error.message);
    exitNow(1);
  }
  logger.info({ database: describeDatabase(settings.database), nodeEnv: settings.nodeEnv }, 'Starting the MeRecharge gateway');
  if (!(await waitForDatabase(settings.database, settings.databaseConnect, logger))) exitNow(1);

  const adapter = createFastifyAdapter({ trustProxy: settings.trustProxy });
  // abortOnError false: a failed boot is logged and exits 1 below, rather than process.abort().
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    logger: new NestLogAdapter(logger),
    abortOnError: false,
    ...APP_OPTIONS,
  });
  configureApp(app);
  const inFlight = new InFlightRequests();
  inFlight.register(app.getHttpAdapter().getInstance());
  exitOnSignals(app, logger, inFlight);
  const config = app.get(AppConfig);
  for (const warning of config.warnings) logger.warn({ context: 'Config' }, warning);
  await app.listen(config.port, config.host);
  logger.info({ context: 'Bootstrap', port: config.port, host: config.host }, `Listening on http://${config.host}:${config.port} (docs at /api/docs)`);
}

bootstrap().catch((error: unknown) => {
  logger.fatal({ err: error }, `The gateway could not start: ${(error as Error)?.message ?? String(error)}`);
  exitNow(1);
});
