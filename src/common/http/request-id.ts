import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Honours a caller's X-Request-ID when it is a sane token (so a log line can be found from the
 * caller's side), else makes one. Stored on the raw request, where pino-http looks for it.
 */
export function requestIdFor(request: IncomingMessage): string {
  const offered = request.headers['x-request-id'];
  const id = typeof offered === 'string' && SAFE_REQUEST_ID.test(offered) ? offered : flat(randomUUID());
  (request as IncomingMessage & { id?: string }).id = id;
  return id;
}

/**
 * `randomUUID()` builds its string by concatenation: a rope of 14 pieces (448 bytes) that a request
 * keeps for its whole life, a held long poll for 20 s. Copied once, it is one 56-byte string.
 */
function flat(ascii: string): string {
  return Buffer.from(ascii, 'latin1').toString('latin1');
}
