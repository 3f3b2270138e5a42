import { randomBytes } from 'node:crypto';

export const TOPUP_TRANSACTION_ID_PATTERN = /^dtapp[a-zA-Z0-9]+$/;

/** `dtapp<epoch ms><9 random base-36 characters>`, the form the spec's clients generate. */
export function newTopUpTransactionId(nowMs: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = [...randomBytes(9)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return `dtapp${nowMs}${suffix}`;
}
