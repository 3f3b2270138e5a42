import type { Principal } from '../auth/principal';
import { isUnder, routeOf } from '../http/route-of';

export type RateLimitedRequest = {
  url: string;
  routeOptions?: { url?: string };
  ip?: string;
  body?: unknown;
  query?: unknown;
  params?: unknown;
  principal?: Principal;
};

const MSISDN = /^(77|25377)([0-9]{6})$/;
const CALLBOX_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Which per-minute budget family a request belongs to, if any (spec 000 "Limitation de débit"). */
export type RateFamily = 'callbox' | 'topup' | 'none';

function familyOfRoute(route: string): RateFamily {
  if (isUnder(route, '/api/topup')) return 'topup';
  if (isUnder(route, '/api/call-box') || isUnder(route, '/api/transaction/to-callbox')) return 'callbox';
  return 'none';
}

/** Per matched route pattern (a finite set: the routes registered at boot), decided once. */
const familyByRoute = new Map<string, RateFamily>();

/**
 * The family by the route the router matched (never the raw URL: see routeOf): the CallBox API and
 * the main-system hook, or TopUp. A request no route matched is decided from its normalised path.
 */
export function rateFamilyOf(request: RateLimitedRequest): RateFamily {
  const matched = request.routeOptions?.url;
  if (!matched) return familyOfRoute(routeOf(request));
  let family = familyByRoute.get(matched);
  if (family === undefined) {
    family = familyOfRoute(matched);
    familyByRoute.set(matched, family);
  }
  return family;
}

export const isTopUp = (request: RateLimitedRequest) => rateFamilyOf(request) === 'topup';

export const isCallBoxFamily = (request: RateLimitedRequest) => rateFamilyOf(request) === 'callbox';

const field = (source: unknown, name: string): unknown =>
  source && typeof source === 'object' ? (source as Record<string, unknown>)[name] : undefined;

/**
 * Who a CallBox-family request counts against, once authenticated (the AuthGuard runs first): a
 * bound token's own box; for the fleet's shared token, the box it names (so boxes behind one NAT
 * sharing the token are limited box by box), else the fleet; the main system's key. A stranger
 * never reaches this: failing authentication spends only its address's budget.
 */
export function callboxRateKey(request: RateLimitedRequest): string {
  const principal = request.principal;
  if (principal?.kind === 'admin') return 'main';
  if (principal?.kind === 'callbox') {
    if (principal.boundTo !== null) return `box:${principal.boundTo}`;
    const box = field(request.body, 'callboxId') ?? field(request.query, 'callboxId');
    return typeof box === 'string' && CALLBOX_ID.test(box) ? `box:${box}` : 'fleet';
  }
  return `ip:${request.ip ?? 'unknown'}`;
}

/**
 * Who a TopUp request counts against: the mobile number it names (either form) from the client's
 * address. TopUp has no credential (spec 004), so a number alone would let anyone spend its owner's
 * allowance; per (number, address), a flood from one address leaves the owner's own untouched.
 */
export function topUpRateKey(request: RateLimitedRequest): string {
  const msisdn = field(request.body, 'msisdn') ?? field(request.params, 'msisdn');
  const match = typeof msisdn === 'string' ? MSISDN.exec(msisdn) : null;
  const address = request.ip ?? 'unknown';
  return match ? `msisdn:77${match[2]}@${address}` : `ip:${address}`;
}
