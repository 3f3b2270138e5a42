import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorFamilies } from './error-families';
import { errorReplyFor } from './error-reply';

/** Renders every error in the body of the API family its URL belongs to (see errorReplyFor). */
@Catch()
@Injectable()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly families: ErrorFamilies) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = errorReplyFor(this.families, this.logger, exception, request, reply);
    void reply.status(status).send(body);
  }
}
