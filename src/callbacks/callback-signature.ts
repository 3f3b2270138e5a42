import { createHmac, timingSafeEqual } from 'node:crypto';

/** The headers of an outcome callback (lower case, as node:http presents them). */
export const CALLBACK_HEADERS = {
  signature: 'x-merecharge-signature',
  timestamp: 'x-merecharge-timestamp',
  delivery: 'x-merecharge-delivery',
  event: 'x-merecharge-event',
} as const;

export const SIGNATURE_HEADER = CALLBACK_HEADERS.signature;

/** How far a callback's timestamp may be from the receiver's clock, either way, before it is refused as a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export interface CallbackToSign {
  secret: string;
  /** Unix seconds at send time (X-MeRecharge-Timestamp). */
  timestamp: number | string;
  /** The message id (X-MeRecharge-Delivery). */
  delivery: number | string;
  /** The exact body bytes sent. */
  body: string | Buffer;
}

/**
 * `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<delivery>.<body>")>`: the timestamp and the
 * delivery id are signed with the body, so a captured request cannot be replayed later or under
 * another delivery id without the receiver noticing.
 */
export function signCallback({ secret, timestamp, delivery, body }: CallbackToSign): string {
  return `sha256=${hmac(secret, String(timestamp), String(delivery), body).toString('hex')}`;
}

export interface ReceivedCallback {
  secret: string;
  /** Header values as received (undefined when absent). */
  timestamp: string | string[] | undefined;
  delivery: string | string[] | undefined;
  signature: string | string[] | undefined;
  body: string | Buffer;
  /** The receiver's clock, in milliseconds. */
  nowMs: number;
  toleranceSeconds?: number;
}

export type CallbackVerdict = 'valid' | 'malformed' | 'outside-window' | 'bad-signature';

/**
 * The receiver's check: well-formed headers, a timestamp within the tolerance window of the
 * receiver's clock, and the signature recomputed over "<timestamp>.<delivery>.<body>" compared in
 * constant time. The README's receiver example is this same check.
 */
export function verifyCallback(received: ReceivedCallback): CallbackVerdict {
  const { secret, timestamp, delivery, signature, body, nowMs } = received;
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) return 'malformed';
  if (typeof delivery !== 'string' || delivery.length === 0) return 'malformed';
  if (typeof signature !== 'string' || !/^sha256=[0-9a-f]{64}$/.test(signature)) return 'malformed';
  const tolerance = received.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > tolerance) return 'outside-window';
  const expected = hmac(secret, timestamp, delivery, body);
  return timingSafeEqual(expected, Buffer.from(signature.slice('sha256='.length), 'hex')) ? 'valid' : 'bad-signature';
}

function hmac(secret: string, timestamp: string, delivery: string, body: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.${delivery}.`, 'utf8').update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body).digest();
}
