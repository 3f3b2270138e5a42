import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `tx_<unix seconds>_<10 random base-36 characters>`, like the spec's `tx_1728307200_abc123`. */
export function newTransactionId(nowMs: number): string {
  const bytes = randomBytes(10);
  let suffix = '';
  for (const byte of bytes) suffix += ALPHABET[byte % ALPHABET.length];
  return `tx_${Math.floor(nowMs / 1000)}_${suffix}`;
}

export const TRANSACTION_ID_PATTERN = /^tx_\d{1,12}_[a-z0-9]{1,32}$/;
