import pino from 'pino';
import { serializeError } from './error-serializer';
import { LogFormat, LogOutput } from './log-output';

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

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface LogSettings {
  level: string;
  format: LogFormat;
}

/** The options every log line of the gateway is written with (the unit specs use them too). */
export function logOptions(level: string): pino.LoggerOptions {
  return {
    level,
    base: { pid: process.pid, service: 'merecharge-gateway' },
    // Names ("level":"info") and ISO times: what log tools and people read.
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    // Errors without the statement parameters or bodies they carry (customer data).
    serializers: { err: serializeError },
  };
}

/**
 * LOG_LEVEL and LOG_FORMAT read before the settings are validated, so the very first line (a bad
 * setting, an unreachable database) is already JSON; a bad value falls back here and is reported
 * by the validation right after. Pretty text only at a terminal outside production, unless asked.
 */
export function bootLogSettings(env: NodeJS.ProcessEnv, stdoutIsTerminal = Boolean(process.stdout.isTTY)): LogSettings {
  const level = (LOG_LEVELS as readonly string[]).includes(env.LOG_LEVEL ?? '') ? env.LOG_LEVEL! : 'info';
  const asked = env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty' ? env.LOG_FORMAT : null;
  const format = asked ?? (stdoutIsTerminal && env.NODE_ENV !== 'production' ? 'pretty' : 'json');
  return { level, format };
}

let root: { logger: pino.Logger; output: LogOutput } | null = null;

/**
 * The process's one logger on stdout: main.ts creates it first thing, the Nest logger and every
 * request line write through it (children of it). Created on first use with `settings`.
 */
export function rootLogger(settings: LogSettings = { level: 'info', format: 'json' }): pino.Logger {
  if (!root) {
    const output = new LogOutput(settings.format);
    root = { logger: pino(logOptions(settings.level), output), output };
  }
  return root.logger;
}

/** Writes every buffered line now (shutdown, fatal errors). */
export function flushLogs(): void {
  root?.output.flushSync();
}
