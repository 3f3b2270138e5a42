import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { AppConfig } from '../../config/app-config';
import { serializeError } from './error-serializer';

/** Never written to a log, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.authorization',
  '*.pincode',
  '*.pin',
  '*.old_pin',
  '*.new_pin',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.*.pincode',
  '*.*.password',
];

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // No per-request middleware: pino-http's child logger per request cost more than the rest of
        // an idle poll. Requests are logged once, when answered, by the hook of access-log.ts.
        forRoutes: [],
        pinoHttp: [
          {
            level: config.logLevel,
            base: { pid: process.pid, service: 'merecharge-gateway' },
            redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
            // Errors without the statement parameters or bodies they carry (customer data).
            serializers: { err: serializeError },
          },
          // Lines are written in 4 KB chunks rather than one system call each (a fifth of a submit's
          // cost at info level); pino flushes what is buffered when the process exits.
          pino.destination({ dest: 1, sync: false, minLength: 4096 }),
        ],
      }),
    }),
  ],
})
export class LoggingModule {}
