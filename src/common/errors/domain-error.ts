/**
 * What went wrong, in words every API family can translate to its own status code and body.
 * Services throw these (never HTTP exceptions): the dispatcher runs under cron, where HTTP means nothing.
 */
export type DomainErrorKind =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export class DomainError extends Error {
  /** For a refusal that passes with time (a 429, a 503): when to try again, sent as `Retry-After`. */
  retryAfterSeconds?: number;

  constructor(
    /** Stable, documented code such as `TRANSACTION.ILLEGAL_TRANSITION`; clients may switch on it. */
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
    /** Safe to show to the caller: never secrets, never stack traces. */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request that does not pass validation, with the messages for each offending field. */
export class RequestValidationError extends DomainError {
  constructor(readonly fieldErrors: Record<string, string[]>) {
    super('REQUEST.INVALID', 'invalid_input', 'Données de requête invalides', fieldErrors);
  }
}
