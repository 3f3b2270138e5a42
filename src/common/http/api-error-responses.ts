import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

/** The CallBox family's error body (spec: "Format des Erreurs"), plus a stable machine-readable code. */
export class CallBoxErrorDto {
  @ApiProperty({ example: false })
  success: false;
  @ApiProperty({ example: "Description de l'erreur" })
  error: string;
  @ApiProperty({ example: 'TRANSACTION.ILLEGAL_TRANSITION' })
  code: string;
  @ApiProperty({ example: 'Détails techniques de l’erreur', nullable: true })
  details: unknown;
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
