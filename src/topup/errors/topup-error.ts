import { DomainError, DomainErrorKind } from '../../common/errors/domain-error';

const KIND_BY_STATUS: Record<number, DomainErrorKind> = {
  400: 'invalid_input',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'not_found',
  422: 'invalid_input',
  429: 'rate_limited',
  502: 'unavailable',
  503: 'unavailable',
};

/**
 * A refusal of the TopUp family with its complete spec body (`erreur`, `message`, `returnCode`
 * and whatever that case adds: `details`, `status`, `package_info`, `transaction_id`). A 429 says
 * when to come back in `Retry-After`: its `details.retry_after_seconds`, else 1 s.
 */
export class TopUpError extends DomainError {
  constructor(
    readonly httpStatus: number,
    readonly body: { erreur: string; message: string; returnCode: string } & Record<string, unknown>,
  ) {
    super(`TOPUP.${body.returnCode}`, KIND_BY_STATUS[httpStatus] ?? 'invalid_input', body.message, body);
    // Read from the body, so a copy of the body (with its transaction_id added) keeps the header.
    const wait = (body.details as { retry_after_seconds?: unknown } | undefined)?.retry_after_seconds;
    if (httpStatus === 429) this.retryAfterSeconds = typeof wait === 'number' && wait > 0 ? Math.ceil(wait) : 1;
  }
}
