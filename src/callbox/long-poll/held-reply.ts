import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import { ErrorFamilies } from '../../common/http/error-families';
import { errorReplyFor } from '../../common/http/error-reply';
import { isDraining } from '../../health/graceful-shutdown';

const JSON_UTF8 = 'application/json; charset=utf-8';

/**
 * Answers held long polls outside Fastify's and Nest's request frames. A route that awaited its hold
 * kept five suspended frames, their promises and closures (about 8 KB) per held poll: with 10 000
 * boxes holding, the largest part of the live heap, which the major GC marks on the main thread.
 * Handed over here, the route returns at once and a held poll keeps its wait and its socket only.
 */
@Injectable()
export class HeldReplies {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly families: ErrorFamilies) {}

  /**
   * Takes the reply from Fastify (`hijack`) and writes `answer` when it settles, as Fastify's send
   * would: the route's serializer, the headers set so far (the request id), `Connection: close`
   * while draining; an error in its API family's body, logged as the exception filter logs it. The
   * response hooks (metrics, access log, in-flight count) run at its end as for any answer.
   */
  answerLater(request: FastifyRequest, reply: FastifyReply, answer: Promise<unknown>): void {
    reply.hijack();
    answer.then(
      (body) => this.write(reply, () => ({ status: 200, body })),
      (error: unknown) => this.write(reply, () => errorReplyFor(this.families, this.logger, error, request, reply)),
    );
  }

  private write(reply: FastifyReply, render: () => { status: number; body: unknown }): void {
    const raw = reply.raw;
    try {
      const { status, body } = render();
      // The box hung up meanwhile: nowhere to answer (and its hold claimed nothing).
      if (raw.headersSent || raw.destroyed) return;
      void reply.code(status);
      const payload = String(reply.serialize(body));
      const headers: OutgoingHttpHeaders = { ...(reply.getHeaders() as OutgoingHttpHeaders), 'content-type': JSON_UTF8, 'content-length': Buffer.byteLength(payload) };
      if (isDraining(reply.server)) headers.connection = 'close';
      raw.writeHead(status, headers);
      raw.end(payload);
    } catch (error) {
      // Not thrown on: nothing awaits this answer, and an unhandled rejection stops the process.
      this.logger.error({ requestId: reply.request.id, err: error }, 'Held long poll: its answer could not be written; connection closed');
      raw.destroy();
    }
  }
}
