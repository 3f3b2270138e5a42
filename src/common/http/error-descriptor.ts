import { HttpException } from '@nestjs/common';
import { isDatabaseUnavailable } from '../../database/database-errors';
import { DomainError, DomainErrorKind } from '../errors/domain-error';

/** Any thrown thing, reduced to what an API family needs to render its error body. */
export interface ErrorDescriptor {
  status: number;
  kind: DomainErrorKind;
  code: string;
  message: string;
  details?: unknown;
  /** Only for 5xx: the original error, for the log, never for the client. */
  cause?: unknown;
  /** For a passing unavailability: when to try again (the `Retry-After` header). */
  retryAfterSeconds?: number;
}

/** A database that failed for a passing reason (restart, failover, deadlock) is usually back within this. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

const KIND_BY_STATUS: Record<number, DomainErrorKind> = {
  400: 'invalid_input',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'rate_limited',
  503: 'unavailable',
};

const GENERIC_MESSAGES: Record<number, string> = {
  400: 'Requête invalide',
  401: 'Authentification requise',
  403: 'Permission refusée',
  405: 'Méthode non autorisée',
  409: 'Conflit',
  413: 'Corps de requête trop volumineux (64 Kio maximum)',
  415: 'Type de contenu non supporté (application/json attendu)',
  429: 'Trop de requêtes',
  503: 'Service indisponible',
};

/** Fastify's own refusals (bad JSON, body too large, wrong media type) carry a 4xx statusCode and an FST_ code. */
const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'Le corps de la requête n’est pas du JSON valide',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Le corps JSON est vide',
  FST_ERR_CTP_BODY_TOO_LARGE: 'Corps de requête trop volumineux (64 Kio maximum)',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Type de contenu non supporté (application/json attendu)',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length invalide',
  FST_ERR_BAD_URL: 'URL invalide',
  FST_ERR_MAX_PARAM_LENGTH: 'Paramètre de chemin trop long',
};

export function describeError(exception: unknown): ErrorDescriptor {
  if (exception instanceof DomainError) {
    return {
      status: STATUS_BY_KIND[exception.kind],
      kind: exception.kind,
      code: exception.code,
      message: exception.message,
      details: exception.details,
      cause: exception.kind === 'internal' ? exception : undefined,
      retryAfterSeconds: exception.retryAfterSeconds,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    // The framework's own words ("Cannot GET /…", "ThrottlerException: …") never reach the client:
    // they name internals and echo the request back.
    if (status === 404) return { status, kind: 'not_found', code: 'ROUTE.NOT_FOUND', message: 'Route introuvable' };
    return {
      status,
      kind: KIND_BY_STATUS[status] ?? (status < 500 ? 'invalid_input' : 'internal'),
      code: `HTTP.${status}`,
      message: GENERIC_MESSAGES[status] ?? (status < 500 ? 'Requête invalide' : 'Erreur interne du serveur'),
      cause: status >= 500 ? exception : undefined,
    };
  }
  const framework = exception as { statusCode?: number; code?: string; message?: string };
  if (typeof framework?.statusCode === 'number' && framework.statusCode >= 400 && framework.statusCode < 500) {
    const code = framework.code ?? `HTTP.${framework.statusCode}`;
    return {
      status: framework.statusCode,
      kind: KIND_BY_STATUS[framework.statusCode] ?? 'invalid_input',
      code,
      message: FRAMEWORK_MESSAGES[code] ?? 'Requête invalide',
    };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      status: 503,
      kind: 'unavailable',
      code: 'DATABASE.UNAVAILABLE',
      message: 'Service momentanément indisponible, réessayez dans quelques instants',
      cause: exception,
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    };
  }
  return {
    status: 500,
    kind: 'internal',
    code: 'INTERNAL',
    message: 'Erreur interne du serveur',
    cause: exception,
  };
}
