import type { LoggerService } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeError } from './error-descriptor';
import { ErrorFamilies } from './error-families';
import { routeOf } from './route-of';

/**
 * What anything thrown is answered with, in the body of the API family its route belongs to: 4xx
 * logged at debug, 5xx at error with the request id; internals never reach the client. Sets
 * `Retry-After` on the reply when the error says when to try again. The exception filter's answer,
 * and a held long poll's when its hold ends in an error.
 */
export function errorReplyFor(
  families: ErrorFamilies,
  logger: LoggerService,
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): { status: number; body: unknown } {
  const { status, body } = families.rendererFor(request).render(exception, request);
  if (status >= 500) {
    logger.error({ requestId: request.id, err: exception }, `${request.method} ${routeOf(request)} -> ${status}`);
  } else {
    logger.debug?.({ requestId: request.id, status }, `${request.method} ${routeOf(request)} -> ${status}`);
  }
  const { retryAfterSeconds } = describeError(exception);
  if (retryAfterSeconds !== undefined && !reply.hasHeader('Retry-After')) void reply.header('Retry-After', String(retryAfterSeconds));
  return { status, body };
}
