import type { HttpResult } from '../../reliability/support/http';

/**
 * TopUp error body: `{ erreur, message, returnCode, details }`; a validation failure has `errors`
 * instead of `returnCode` (the guide's example), and not every refusal has `details`.
 */
export function isTopUpErrorBody(body: unknown): boolean {
  const b = body as Record<string, unknown> | null;
  return (
    !!b && typeof b === 'object' && typeof b.erreur === 'string' && typeof b.message === 'string' &&
    (typeof b.returnCode === 'string' || (typeof b.errors === 'object' && b.errors !== null)) && b.success === undefined
  );
}

/** CallBox error body: `{ success: false, error, code, details }`, `details` a string as in the spec. */
export function isCallBoxErrorBody(body: unknown): boolean {
  const b = body as Record<string, unknown> | null;
  return (
    !!b && typeof b === 'object' && b.success === false && typeof b.error === 'string' && typeof b.code === 'string' &&
    typeof b.details === 'string' && b.erreur === undefined
  );
}

/** What a framework leaks when its own exceptions reach the client as text. */
export const FRAMEWORK_STRINGS = ['ThrottlerException', 'Cannot GET', 'Cannot POST', 'Cannot PUT', 'Cannot DELETE'];

export function frameworkStringIn(res: HttpResult): string | undefined {
  return FRAMEWORK_STRINGS.find((s) => res.text.includes(s));
}

/** One line for a note: status, code and the start of the body. */
export function summarize(res: HttpResult): string {
  return `${res.status} ${res.text.slice(0, 160)}`;
}

export const codeOf = (res: HttpResult): string | undefined => res.body?.code ?? res.body?.returnCode;
