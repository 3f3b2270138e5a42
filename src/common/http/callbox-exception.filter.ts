import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestValidationError } from '../errors/domain-error';
import { describeError } from './error-descriptor';

/** The family's error body for anything thrown; a 5xx only ever shows the request id. */
export function callboxErrorBody(exception: unknown, requestId: string) {
  const error = describeError(exception);
  const details =
    exception instanceof RequestValidationError
      ? { fields: exception.fieldErrors }
      : error.status >= 500
        ? { requestId }
        : error.details;
  return { error, body: { success: false, error: error.message, code: error.code, details: details ?? null } };
}

/**
 * The CallBox, sync and main-system family: `{ success: false, error, details }` (+ a stable `code`).
 * 4xx are logged at debug, 5xx at error with the request id; internals never reach the client.
 */
@Catch()
export class CallBoxExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { error, body } = callboxErrorBody(exception, request.id);
    if (error.status >= 500) {
      this.logger.error({ requestId: request.id, err: error.cause }, `${request.method} ${request.url} failed`);
    } else {
      this.logger.debug({ requestId: request.id, code: error.code }, `${request.method} ${request.url} -> ${error.status}`);
    }
    void reply.status(error.status).send(body);
  }
}
