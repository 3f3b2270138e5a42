import type { ArgumentsHost } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * The request and reply of an HTTP call, read straight from the handler's arguments. Nest's
 * `switchToHttp()` builds an object and three closures at each call, and the guards and param
 * decorators asked for it several times per request (garbage the fleet's scavenges sweep).
 */
export const requestOf = <T>(host: Pick<ArgumentsHost, 'getArgByIndex'>): T => host.getArgByIndex<T>(0);

export const replyOf = (host: Pick<ArgumentsHost, 'getArgByIndex'>): FastifyReply => host.getArgByIndex<FastifyReply>(1);
