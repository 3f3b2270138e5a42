import { RequestValidationError } from '../errors/domain-error';
import { describeError, ErrorDescriptor } from './error-descriptor';
import type { ErrorRenderer } from './error-renderer';

/** The CallBox family's error body: the spec's four fields, then the structure beside them. */
export interface CallBoxErrorBody {
  success: false;
  error: string;
  code: string;
  /** A string, as the spec's "Format des Erreurs" prints it: firmware may parse it as one. */
  details: string;
  /** A 400's messages per field. */
  fields?: Record<string, string[]>;
  /** What the refusal is about (transaction, box, statuses, attempts...), for programs. */
  context?: Record<string, unknown>;
}

/** For refusals that carry no context: what to do about them, in a sentence. */
const HINTS: Record<string, string> = {
  'AUTH.MISSING_TOKEN': 'En-tête attendu : Authorization: Bearer <token CallBox>',
  'AUTH.INVALID_TOKEN': "Le token Bearer présenté n'est pas reconnu",
  'AUTH.MISSING_API_KEY': 'En-tête attendu : x-api-key: <clé API>',
  'AUTH.INVALID_API_KEY': "La clé x-api-key présentée n'est pas reconnue",
  'AUTH.ADMIN_REQUIRED': "Cette opération demande la clé API d'administration (x-api-key) ; un token CallBox ne suffit pas",
  'AUTH.CALLBOX_TOKEN_REQUIRED': 'Cette opération demande un token CallBox (Authorization: Bearer)',
  'ROUTE.NOT_FOUND': 'Aucune route ne correspond à cette méthode et à ce chemin',
};
const RATE_LIMITED = "Trop de requêtes : attendez le nombre de secondes de l'en-tête Retry-After avant de réessayer";

/**
 * The CallBox, sync and main-system family: `{ success: false, error, code, details }`, `details`
 * always a human-readable string (spec 000); a 400's per-field messages go in `fields`, any other
 * structure in `context`. A 5xx only ever shows the request id.
 */
export class CallBoxErrorRenderer implements ErrorRenderer {
  render(exception: unknown, request: { id: string }): { status: number; body: CallBoxErrorBody } {
    const error = describeError(exception);
    const base = { success: false as const, error: error.message, code: error.code };
    if (exception instanceof RequestValidationError) {
      return { status: error.status, body: { ...base, details: describeFields(exception.fieldErrors), fields: exception.fieldErrors } };
    }
    if (error.status >= 500) {
      return { status: error.status, body: { ...base, details: `Référence de la requête : ${request.id}`, context: { requestId: request.id } } };
    }
    const context = asContext(error.details);
    return { status: error.status, body: { ...base, details: describeContext(error, context), ...(context && { context }) } };
  }
}

function asContext(details: unknown): Record<string, unknown> | null {
  return details !== null && typeof details === 'object' && !Array.isArray(details) && Object.keys(details).length > 0
    ? (details as Record<string, unknown>)
    : null;
}

function describeFields(fields: Record<string, string[]>): string {
  return Object.entries(fields)
    .map(([field, messages]) => `${field} : ${messages.join(', ')}`)
    .join(' ; ');
}

function describeContext(error: ErrorDescriptor, context: Record<string, unknown> | null): string {
  if (context) {
    return Object.entries(context)
      .map(([key, value]) => `${key} : ${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(', ');
  }
  if (error.status === 429) return RATE_LIMITED;
  return HINTS[error.code] ?? `${error.message} (${error.code})`;
}
