import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

/** The CallBox family's error body (spec: "Format des Erreurs"), plus a stable machine-readable code. */
export class CallBoxErrorDto {
  @ApiProperty({ example: false })
  success: false;
  @ApiProperty({ example: "Description de l'erreur" })
  error: string;
  @ApiProperty({ example: 'TRANSACTION.ILLEGAL_TRANSITION' })
  code: string;
  /** Always a human-readable string, as in the spec's "Format des Erreurs". */
  @ApiProperty({ example: 'transactionId : tx_1728307200_abc123, currentStatus : completed, requestedStatus : failed' })
  details: string;
  /** Only on a 400: the messages for each offending field. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, example: { amount: ['amount must be a positive number'] } })
  fields?: Record<string, string[]>;
  /** What the refusal is about, for programs (added beside the spec's fields). */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { transactionId: 'tx_1728307200_abc123', currentStatus: 'completed', requestedStatus: 'failed' } })
  context?: Record<string, unknown>;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Données de requête invalides',
  401: "Token d'authentification invalide ou absent",
  403: 'Permission refusée',
  404: 'Ressource non trouvée',
  409: 'Conflit: transition impossible ou clé d’idempotence réutilisée',
  413: 'Corps de requête trop volumineux (64 Kio maximum)',
  429: 'Trop de requêtes',
};

export function ApiErrorResponses(...statuses: number[]) {
  return applyDecorators(
    ...[...statuses, 413].map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: CallBoxErrorDto })),
  );
}
