import { randomFillSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Honours a caller's X-Request-ID when it is a sane token (so a log line can be found from the
 * caller's side), else makes one. Stored on the raw request, where pino-http looks for it.
 */
export function requestIdFor(request: IncomingMessage): string {
  const offered = request.headers['x-request-id'];
  const id = typeof offered === 'string' && SAFE_REQUEST_ID.test(offered) ? offered : randomRequestId();
  (request as IncomingMessage & { id?: string }).id = id;
  return id;
}

const UUIDS_PER_FILL = 128;
const entropy = Buffer.allocUnsafe(16 * UUIDS_PER_FILL);
let entropyAt = entropy.length;
const text = Buffer.allocUnsafe(36);
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Where each of the 16 bytes goes in `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/**
 * A random (version 4) UUID, as `randomUUID()` makes one: from the CSPRNG, 128 at a time (as
 * node's own entropy cache does). Written into a buffer and read out once, it is one flat 36-byte
 * string: `randomUUID()` builds a rope of 14 pieces (448 bytes) that a request keeps for its whole
 * life, and copying it flat cost more than making it (about 5 µs of a heartbeat's CPU).
 */
export function randomRequestId(): string {
  if (entropyAt === entropy.length) {
    randomFillSync(entropy);
    entropyAt = 0;
  }
  const at = entropyAt;
  entropyAt += 16;
  entropy[at + 6] = (entropy[at + 6] & 0x0f) | 0x40;
  entropy[at + 8] = (entropy[at + 8] & 0x3f) | 0x80;
  for (let i = 0; i < 16; i++) {
    const byte = entropy[at + i];
    text[AT[i]] = HEX[byte >> 4];
    text[AT[i] + 1] = HEX[byte & 0x0f];
  }
  text[8] = text[13] = text[18] = text[23] = 0x2d;
  return text.toString('latin1', 0, 36);
}
