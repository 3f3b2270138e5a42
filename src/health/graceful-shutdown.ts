import type { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { flushLogs } from '../common/logging/root-logger';

/**
 * Requests received and not yet answered, so the shutdown can say what it drained. While draining,
 * each answer closes its connection: a keep-alive connection left open would hold the server's
 * close for Fastify's keep-alive timeout (72 s), past any stop grace period.
 */
const IN_FLIGHT = Symbol('inFlightRequests');

/** Whether `fastify` is draining for a shutdown: an answer written outside Fastify's send closes its connection too. */
export function isDraining(fastify: FastifyInstance): boolean {
  return (fastify as unknown as Record<symbol, (() => boolean) | undefined>)[IN_FLIGHT]?.() === true;
}

export class InFlightRequests {
  current = 0;
  answered = 0;
  draining = false;
  private closing = false;

  register(fastify: FastifyInstance): void {
    const draining = () => this.draining;
    fastify.decorate(IN_FLIGHT, draining);
    fastify.addHook('onRequest', (_request, _reply, done) => {
      this.current += 1;
      done();
    });
    fastify.addHook('onSend', (_request, reply, payload, done) => {
      if (this.draining) void reply.header('connection', 'close');
      done(null, payload);
    });
    fastify.addHook('onResponse', (_request, _reply, done) => {
      this.current -= 1;
      this.answered += 1;
      if (this.draining) this.closeIdleSoon(fastify);
      done();
    });
    fastify.addHook('onRequestAbort', (_request, done) => {
      this.current -= 1;
      done();
    });
  }

  /**
   * Once per turn of the event loop, however many answers it sent: closing the idle connections
   * walks every connection, and a fleet's 10 000 held polls answered at the signal made one walk
   * each (10^8 steps: the shutdown ran for minutes, past any grace period).
   */
  private closeIdleSoon(fastify: FastifyInstance): void {
    if (this.closing) return;
    this.closing = true;
    setImmediate(() => {
      this.closing = false;
      fastify.server.closeIdleConnections();
    });
  }
}

type Exit = (code: number) => never;

/**
 * SIGTERM and SIGINT, whatever the PID: stop accepting, let the requests in flight finish, run the
 * shutdown hooks (heartbeats written, dispatcher stopped, connections closed), log what was drained
 * and how long it took, write every buffered log line, exit 0. A second signal exits at once.
 * Nest's own hooks re-raise the signal after closing, which ends the process before the buffered
 * lines are written when node is not PID 1.
 */
export function exitOnSignals(app: INestApplication, logger: Logger, inFlight: InFlightRequests, exit: Exit = process.exit): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal, inFlight: inFlight.current }, `${signal} again during the shutdown: exiting now`);
      flushLogs();
      exit(1);
    }
    stopping = true;
    inFlight.draining = true;
    const began = Date.now();
    const inFlightAtSignal = inFlight.current;
    const answeredBefore = inFlight.answered;
    logger.info({ signal, inFlight: inFlightAtSignal }, `${signal} received: draining ${inFlightAtSignal} request(s) in flight, then stopping`);
    flushLogs();
    app.close().then(
      () => {
        logger.info(
          { signal, inFlightAtSignal, answeredDuringDrain: inFlight.answered - answeredBefore, stillInFlight: inFlight.current, durationMs: Date.now() - began },
          `Shutdown complete in ${Date.now() - began} ms: ${inFlight.answered - answeredBefore} request(s) answered while draining`,
        );
        flushLogs();
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error, signal, durationMs: Date.now() - began }, 'Shutdown failed');
        flushLogs();
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** A crash is logged as fatal, with every buffered line written before the exit. */
export function exitOnFatalErrors(logger: Logger, exit: Exit = process.exit): void {
  const fatal = (kind: string) => (error: unknown) => exitFatally(logger, { err: error }, `${kind}: exiting`, exit);
  process.on('uncaughtException', fatal('Uncaught exception'));
  process.on('unhandledRejection', fatal('Unhandled promise rejection'));
}

/** The end of a process that must not go on: one fatal line, every buffered line written, exit 1 (the supervisor restarts it). */
export function exitFatally(logger: Logger, fields: Record<string, unknown>, message: string, exit: Exit = process.exit): never {
  logger.fatal(fields, message);
  flushLogs();
  return exit(1);
}
