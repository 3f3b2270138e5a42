import { RequestValidationError } from '../../common/errors/domain-error';
import { describeError } from '../../common/http/error-descriptor';
import type { ErrorRenderer } from '../../common/http/error-renderer';
import { TopUpUnavailableError } from '../gateway/topup-unavailable.error';
import { TopUpError } from './topup-error';

const TITLES: Record<number, string> = {
  400: 'Requête invalide',
  401: 'Authentification requise',
  403: 'Accès interdit',
  404: 'Ressource non trouvée',
  409: 'Conflit',
  413: 'Requête trop volumineuse',
  415: 'Type de contenu non supporté',
  429: 'Trop de requêtes',
  500: 'Erreur serveur interne',
  503: 'Service indisponible',
};

/** The TopUp family's error body for anything thrown, with its HTTP status. */
export function topUpErrorResponse(
  exception: unknown,
  request: { method: string; url: string; id: string },
  backendUrl: string | null,
  now: Date,
): { status: number; body: Record<string, unknown> } {
  const timestamp = now.toISOString();
  if (exception instanceof RequestValidationError) {
    return {
      status: 422,
      body: {
        erreur: 'Données invalides',
        message: 'Les données fournies ne respectent pas les règles de validation',
        errors: exception.fieldErrors,
        details: { endpoint: endpointOf(request.url), method: request.method, timestamp },
      },
    };
  }
  if (exception instanceof TopUpError) return { status: exception.httpStatus, body: exception.body };
  if (exception instanceof TopUpUnavailableError) {
    return {
      status: 503,
      body: {
        erreur: 'Erreur SOAP',
        message: exception.message,
        returnCode: 'SOAP_FAULT',
        ...(exception.transactionId && { transaction_id: exception.transactionId }),
        soap_fault: exception.fault,
        details: {
          error_source: 'SOAP_SERVICE',
          backend_url: backendUrl,
          timeout: exception.timeoutSeconds,
          operation: exception.operation,
          outcome_unknown: exception.outcomeUnknown,
          timestamp,
        },
      },
    };
  }
  const error = describeError(exception);
  return {
    status: error.status,
    body: {
      erreur: TITLES[error.status] ?? (error.status < 500 ? 'Requête invalide' : 'Erreur serveur interne'),
      message: error.status === 500 ? 'Une erreur est survenue, réessayez plus tard' : error.message,
      returnCode: error.code,
      details: { endpoint: endpointOf(request.url), method: request.method, timestamp, request_id: request.id },
    },
  };
}

/** `topup/balances`, as the spec's validation example names the endpoint. */
function endpointOf(url: string): string {
  return url.split('?')[0].replace(/^\/api\//, '');
}

/** Renders errors of `/api/topup/*` in the TopUp spec's shape (`erreur`, `message`, `returnCode`, `details`). */
export class TopUpErrorRenderer implements ErrorRenderer {
  constructor(
    /** Shown in "Erreur SOAP" bodies as the spec does, without credentials or query. */
    private readonly backendUrl: string | null,
    private readonly now: () => number,
  ) {}

  render(exception: unknown, request: { method: string; url: string; id: string }) {
    return topUpErrorResponse(exception, request, this.backendUrl, new Date(this.now()));
  }
}

/** The endpoint's origin and path, never its user, password or query. */
export function publicBackendUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return null;
  }
}
