import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp, createFastifyAdapter } from './app.setup';
import { AppConfig, ConfigValidationError, loadAppConfig } from './config/app-config';

async function bootstrap(): Promise<void> {
  // Validate first, so a bad setting stops the process with the whole list before anything starts.
  let settings: AppConfig;
  try {
    settings = loadAppConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const adapter = createFastifyAdapter({ trustProxy: settings.trustProxy });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, { bufferLogs: true, ...APP_OPTIONS });
  configureApp(app);
  app.enableShutdownHooks();
  const config = app.get(AppConfig);
  const logger = app.get(Logger);
  for (const warning of config.warnings) logger.warn(warning, 'Config');
  await app.listen(config.port, config.host);
  logger.log(`Listening on http://${config.host}:${config.port} (docs at /api/docs)`, 'Bootstrap');
}

void bootstrap();
