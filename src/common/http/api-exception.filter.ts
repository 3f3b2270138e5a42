import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeError } from './error-descriptor';
import { ErrorFamilies } from './error-families';
import { routeOf } from './route-of';

/**
 * Renders every error in the body of the API family its URL belongs to. 4xx are logged at debug,
 * 5xx at error with the request id; internals never reach the client.
 */
@Catch()
@Injectable()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly families: ErrorFamilies) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = this.families.rendererFor(request).render(exception, request);
    if (status >= 500) {
      this.logger.error({ requestId: request.id, err: exception }, `${request.method} ${routeOf(request)} -> ${status}`);
    } else {
      this.logger.debug({ requestId: request.id, status }, `${request.method} ${routeOf(request)} -> ${status}`);
    }
    const { retryAfterSeconds } = describeError(exception);
    if (retryAfterSeconds !== undefined && !reply.hasHeader('Retry-After')) void reply.header('Retry-After', String(retryAfterSeconds));
    void reply.status(status).send(body);
  }
}
