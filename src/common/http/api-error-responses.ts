import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

/** Every stable `code` of the CallBox family (README, "Error codes"). */
export const CALLBOX_ERROR_CODES = [
  'REQUEST.INVALID',
  'AUTH.MISSING_TOKEN',
  'AUTH.INVALID_TOKEN',
  'AUTH.MISSING_API_KEY',
  'AUTH.INVALID_API_KEY',
  'AUTH.INVALID_METRICS_TOKEN',
  'AUTH.ADMIN_REQUIRED',
  'AUTH.CALLBOX_TOKEN_REQUIRED',
  'AUTH.CALLBOX_MISMATCH',
  'AUTH.TOO_MANY_FAILURES',
  'CALLBOX.NOT_REGISTERED',
  'TRANSACTION.NOT_FOUND',
  'TRANSACTION.NOT_ASSIGNED_TO_CALLBOX',
  'TRANSACTION.ILLEGAL_TRANSITION',
  'TRANSACTION.STALE_ATTEMPT',
  'TRANSACTION.PROCESSING_REPORT_REQUIRED',
  'TRANSACTION.EXPIRED',
  'TRANSACTION.NOT_IN_REVIEW',
  'IDEMPOTENCY.KEY_REUSED',
  'ROUTE.NOT_FOUND',
  'DATABASE.UNAVAILABLE',
  'INTERNAL',
] as const;

/** The HTTP layer's own refusals: `HTTP.<status>` and the web server's FST_ERR_* codes. */
export const HTTP_LAYER_CODE_PATTERN = '^(HTTP\\.[0-9]{3}|FST_ERR_[A-Z_]+)$';

/** The CallBox family's error body (spec: "Format des Erreurs"), plus a stable machine-readable code. */
export class CallBoxErrorDto {
  @ApiProperty({ enum: [false], example: false })
  success: false;
  @ApiProperty({ example: 'Transition impossible de completed vers failed' })
  error: string;
  @ApiProperty({
    description: 'Stable code to switch on: one of the listed values, or a refusal of the HTTP layer (`HTTP.<status>`, `FST_ERR_*`)',
    anyOf: [
      { type: 'string', enum: [...CALLBOX_ERROR_CODES] },
      { type: 'string', pattern: HTTP_LAYER_CODE_PATTERN },
    ],
    example: 'TRANSACTION.ILLEGAL_TRANSITION',
  })
  code: string;
  /** Always a human-readable string, as in the spec's "Format des Erreurs". */
  @ApiProperty({ example: 'transactionId : tx_1728307200_abc123, currentStatus : completed, requestedStatus : failed' })
  details: string;
  /** Only on a 400: the messages for each offending field. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, example: { amount: ['amount is required for every type but voucher'] } })
  fields?: Record<string, string[]>;
  /** What the refusal is about, for programs (added beside the spec's fields). */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { transactionId: 'tx_1728307200_abc123', currentStatus: 'completed', requestedStatus: 'failed' } })
  context?: Record<string, unknown>;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Données de requête invalides (REQUEST.INVALID, `fields` par champ)',
  401: "Token d'authentification invalide ou absent",
  403: 'Permission refusée',
  404: 'Ressource non trouvée',
  409: 'Conflit: transition impossible ou clé d’idempotence réutilisée',
  413: 'Corps de requête trop volumineux (64 Kio maximum)',
  429: 'Trop de requêtes (limite par box, clé ou adresse, ou trop d’échecs d’authentification) : attendre Retry-After secondes',
};

const EXAMPLES: Record<number, CallBoxErrorDto> = {
  400: { success: false, error: 'Données de requête invalides', code: 'REQUEST.INVALID', details: 'amount : amount is required for every type but voucher', fields: { amount: ['amount is required for every type but voucher'] } },
  401: { success: false, error: "Token d'authentification manquant (Authorization: Bearer ...)", code: 'AUTH.MISSING_TOKEN', details: 'En-tête attendu : Authorization: Bearer <token CallBox>' },
  403: { success: false, error: "Cette transaction n'est pas assignée à ce CallBox", code: 'TRANSACTION.NOT_ASSIGNED_TO_CALLBOX', details: 'transactionId : tx_1728307200_abc123, callboxId : callbox_002', context: { transactionId: 'tx_1728307200_abc123', callboxId: 'callbox_002' } },
  404: { success: false, error: 'Transaction introuvable', code: 'TRANSACTION.NOT_FOUND', details: 'transactionId : tx_1728307200_abc123', context: { transactionId: 'tx_1728307200_abc123' } },
  409: { success: false, error: 'Transition impossible de completed vers failed', code: 'TRANSACTION.ILLEGAL_TRANSITION', details: 'transactionId : tx_1728307200_abc123, currentStatus : completed, requestedStatus : failed', context: { transactionId: 'tx_1728307200_abc123', currentStatus: 'completed', requestedStatus: 'failed' } },
  413: { success: false, error: 'Corps de requête trop volumineux (64 Kio maximum)', code: 'HTTP.413', details: 'Corps de requête trop volumineux (64 Kio maximum) (HTTP.413)' },
  429: { success: false, error: 'Trop de requêtes', code: 'HTTP.429', details: "Trop de requêtes : attendez le nombre de secondes de l'en-tête Retry-After avant de réessayer" },
};

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } } };

/** The CallBox family's errors of a route; 413 and 429 can happen on every one of them. */
export function ApiErrorResponses(...statuses: number[]) {
  return applyDecorators(
    ...[...new Set([...statuses, 413, 429])].map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status],
        type: CallBoxErrorDto,
        example: EXAMPLES[status],
        ...(status === 429 && { headers: RETRY_AFTER }),
      }),
    ),
  );
}
