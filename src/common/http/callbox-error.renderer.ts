import { RequestValidationError } from '../errors/domain-error';
import { describeError } from './error-descriptor';
import type { ErrorRenderer } from './error-renderer';

/**
 * The CallBox, sync and main-system family: `{ success: false, error, code, details }`.
 * A 5xx only ever shows the request id.
 */
export class CallBoxErrorRenderer implements ErrorRenderer {
  render(exception: unknown, request: { id: string }) {
    const error = describeError(exception);
    const details =
      exception instanceof RequestValidationError
        ? { fields: exception.fieldErrors }
        : error.status >= 500
          ? { requestId: request.id }
          : error.details;
    return { status: error.status, body: { success: false, error: error.message, code: error.code, details: details ?? null } };
  }
}
