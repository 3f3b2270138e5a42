import { ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

/** 1 to 128 visible ASCII characters (no space, no control character). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

/**
 * The request's Idempotency-Key, or undefined. Read by the controller from the request rather than
 * through `@Headers('idempotency-key')`, which Swagger would document a second time, lowercase and
 * required, or a param decorator of our own, which the global pipe resolves through a chain of
 * promises on every submit.
 */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The header, declared once in the document with its rule. */
export const ApiIdempotencyKey = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Optional; 1 to 128 visible ASCII characters (0x21-0x7E), else 400 REQUEST.INVALID. The same key with the same body again ' +
      'answers with the first transaction (nothing queued twice); the same key with another body is a 409 IDEMPOTENCY.KEY_REUSED. ' +
      'Keys are scoped to the caller (a box naming itself with callboxId has keys of its own).',
    schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]{1,128}$', example: 'order-42' },
  });
