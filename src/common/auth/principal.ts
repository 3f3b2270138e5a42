import { DomainError } from '../errors/domain-error';

/** Who is calling: a CallBox (with a shared token, or one bound to a single box) or an admin. */
export type Principal =
  | { kind: 'callbox'; boundTo: string | null }
  | { kind: 'admin' };

/** A box-bound token may speak only for its own box; shared tokens and admins for any. */
export function assertMayActAs(principal: Principal, callboxId: string): void {
  if (principal.kind === 'callbox' && principal.boundTo !== null && principal.boundTo !== callboxId) {
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
