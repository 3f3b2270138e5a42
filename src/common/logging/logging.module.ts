import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config';
import { rootLogger } from './root-logger';

export { REDACTED_PATHS } from './root-logger';

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // No per-request middleware: pino-http's child logger per request cost more than the rest of
        // an idle poll. Requests are logged once, when answered, by the hook of access-log.ts.
        forRoutes: [],
        // A child of the process's root logger (main.ts made it before the app): the same buffered,
        // timer-flushed stdout, level names and redaction, at this app's level.
        pinoHttp: { logger: rootLogger({ level: config.logLevel, format: config.logFormat }), level: config.logLevel },
      }),
    }),
  ],
})
export class LoggingModule {}
