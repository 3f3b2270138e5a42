import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger, Level } from 'pino';
import { routeOf } from '../http/route-of';

/** What a box does every few seconds: logged at debug when it goes well, or a fleet floods the log. */
const ROUTINE_DEVICE_ROUTES = new Set(['/api/call-box/transactions/pending', '/api/call-box/heartbeat', '/health/live', '/health/ready']);

export function accessLogLevel(route: string | undefined, status: number): Level {
  if (status >= 500) return 'error';
  if (status < 400 && route !== undefined && ROUTINE_DEVICE_ROUTES.has(route)) return 'debug';
  return 'info';
}

/**
 * The logger the access line is written with: a child of `root` without the redaction paths. The
 * line's six fields are built below from the request id, method, route pattern, address, status and
 * time, never from a body, a header or the URL, so the redaction (its wildcard paths walk every
 * field of every line: two thirds of the cost of a submit's line) has nothing to find in it. Its
 * level is the lowest: the hook asks `root` whether a line is wanted.
 */
export function accessLineLogger(root: Logger): Logger {
  return root.child({}, { redact: [], level: 'trace' });
}

/**
 * One line per answered request, with its id, route and duration. Bodies, headers and the raw URL
 * are never logged: they carry PINs, customer numbers and credentials.
 */
export function registerAccessLog(fastify: FastifyInstance, logger: () => Logger): void {
  let line: { root: Logger; logger: Logger } | null = null;
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const level = accessLogLevel(request.routeOptions.url, reply.statusCode);
    const root = logger();
    if (root.isLevelEnabled(level)) {
      if (line?.root !== root) line = { root, logger: accessLineLogger(root) };
      line.logger[level](
        // Flat fields: pino-http's `req`/`res` serializers expect Node's raw objects.
        {
          requestId: request.id,
          method: request.method,
          // The route, not the URL: a URL carries customers' numbers and transaction ids.
          route: routeOf(request),
          remoteAddress: request.ip,
          statusCode: reply.statusCode,
          responseTime: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request completed',
      );
    }
    done();
  });
}
