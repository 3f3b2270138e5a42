import { DomainError } from '../errors/domain-error';

/** Who is calling: a CallBox (with a shared token, or one bound to a single box) or an admin. */
export type Principal =
  | { kind: 'callbox'; boundTo: string }
  /** The fleet's shared token: any box but those in `excluded`, which have a token of their own. */
  | { kind: 'callbox'; boundTo: null; excluded?: ReadonlySet<string> }
  | { kind: 'admin' };

/**
 * A box-bound token may speak only for its own box; the shared token for any box that has no token
 * of its own (else whoever holds the fleet token could act as, and settle the work of, a bound box);
 * admins for any.
 */
export function assertMayActAs(principal: Principal, callboxId: string): void {
  if (principal.kind !== 'callbox') return;
  const mismatch = principal.boundTo !== null ? principal.boundTo !== callboxId : (principal.excluded?.has(callboxId) ?? false);
  if (mismatch) {
    throw new DomainError('AUTH.CALLBOX_MISMATCH', 'forbidden', "Ce token n'autorise pas à agir pour ce CallBox", {
      callboxId,
    });
  }
}

/** Scope of an Idempotency-Key: the same key from two different callers never collides. */
export function idempotencyScope(principal: Principal): string {
  if (principal.kind === 'admin') return 'main';
  return principal.boundTo ? `callbox:${principal.boundTo}` : 'callbox';
}
