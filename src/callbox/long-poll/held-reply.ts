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
      (body) => this.write(request, reply, () => ({ status: 200, body })),
      (error: unknown) => this.write(request, reply, () => errorReplyFor(this.families, this.logger, error, request, reply)),
    );
  }

  private write(request: FastifyRequest, reply: FastifyReply, render: () => { status: number; body: unknown }): void {
    const raw = reply.raw;
    try {
      const { status, body } = render();
      // The box hung up meanwhile: nowhere to answer (what a woken poll claimed comes back at its next poll).
      if (raw.headersSent || raw.destroyed) return;
      this.send(reply, status, String(reply.serialize(body)));
    } catch (error) {
      // Not thrown on: nothing awaits this answer, and an unhandled rejection stops the process.
      this.logger.error({ requestId: request.id, err: error }, 'Held long poll: its answer could not be written');
      this.sendInternalError(request, reply);
    }
  }

  /** As a poll answered at once gets when its answer cannot be written: a 500 in the CallBox body. */
  private sendInternalError(request: FastifyRequest, reply: FastifyReply): void {
    const raw = reply.raw;
    try {
      if (raw.headersSent || raw.destroyed) return void raw.destroy();
      const { status, body } = this.families.rendererFor(request).render(new Error('held long poll answer not writable'), request);
      this.send(reply, status, JSON.stringify(body));
    } catch {
      raw.destroy();
    }
  }

  private send(reply: FastifyReply, status: number, payload: string): void {
    void reply.code(status);
    const headers: OutgoingHttpHeaders = { ...(reply.getHeaders() as OutgoingHttpHeaders), 'content-type': JSON_UTF8, 'content-length': Buffer.byteLength(payload) };
    if (isDraining(reply.server)) headers.connection = 'close';
    reply.raw.writeHead(status, headers);
    reply.raw.end(payload);
  }
}
