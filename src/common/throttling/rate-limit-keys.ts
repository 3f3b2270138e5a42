import { createHash } from 'node:crypto';

type Request = { url: string; ip?: string; body?: unknown; query?: unknown; params?: unknown; headers: Record<string, unknown> };

const MSISDN = /^(77|25377)([0-9]{6})$/;
const CALLBOX_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const isTopUp = (url: string) => url.startsWith('/api/topup/');
/** Spec 000 "Limitation de débit": the CallBox API and the main-system hook. */
export const isCallBoxFamily = (url: string) => url.startsWith('/api/call-box/') || url.startsWith('/api/transaction/to-callbox');

/** A call with the admin/main-system key (x-api-key) and no box Bearer. */
export const isMainSystemCall = (request: Request) =>
  typeof request.headers['x-api-key'] === 'string' && request.headers.authorization === undefined;

const field = (source: unknown, name: string): unknown =>
  source && typeof source === 'object' ? (source as Record<string, unknown>)[name] : undefined;
const hashed = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

/**
 * Who a CallBox-family request counts against: the box it names, else its credential, else its
 * address; so a fleet behind one NAT sharing one token is limited box by box, not as one client.
 */
export function callboxRateKey(request: Request): string {
  const box = field(request.body, 'callboxId') ?? field(request.query, 'callboxId');
  if (typeof box === 'string' && CALLBOX_ID.test(box)) return `box:${box}`;
  const credential = request.headers.authorization ?? request.headers['x-api-key'];
  if (typeof credential === 'string' && credential.length > 0) return `token:${hashed(credential)}`;
  return `ip:${request.ip ?? 'unknown'}`;
}

/** Who a TopUp request counts against: the mobile number it names (either form), else its address. */
export function topUpRateKey(request: Request): string {
  const msisdn = field(request.body, 'msisdn') ?? field(request.params, 'msisdn');
  const match = typeof msisdn === 'string' ? MSISDN.exec(msisdn) : null;
  return match ? `msisdn:77${match[2]}` : `ip:${request.ip ?? 'unknown'}`;
}
