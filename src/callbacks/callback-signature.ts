import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-merecharge-signature';

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`: the receiver recomputes it with the shared secret. */
export function signCallback(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
