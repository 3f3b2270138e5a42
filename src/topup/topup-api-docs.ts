import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { TopUpErrorDto } from './topup-errors.dto';

const SOAP_ERROR_EXAMPLE = {
  erreur: 'Erreur SOAP',
  message: 'Impossible de communiquer avec le service backend',
  returnCode: 'SOAP_FAULT',
  soap_fault: { fault_code: 'Server', fault_string: 'Connection timeout', fault_detail: 'Le service backend ne répond pas' },
  details: { error_source: 'SOAP_SERVICE', backend_url: 'http://10.39.230.58:8700/soap/queueSoapService', timeout: 60 },
};

const VALIDATION_EXAMPLE = {
  erreur: 'Données invalides',
  message: 'Les données fournies ne respectent pas les règles de validation',
  errors: { msisdn: ['Le numéro mobile doit commencer par 77 ou 25377 et contenir 8 ou 11 chiffres'] },
  details: { endpoint: 'topup/balances', method: 'POST', timestamp: '2024-01-15T10:30:00Z' },
};

const NOT_FOUND_EXAMPLE = {
  erreur: 'Numéro fixe inexistant',
  message: "Le numéro 21123456 n'existe pas dans le système",
  returnCode: '1',
  details: { mobile_msisdn: '77123456', fixed_isdn: '21123456', error_type: 'NUMBER_NOT_FOUND' },
};

const NOT_FOUND_DESCRIPTION =
  'Numéro inexistant (1) : `details.error_type` dit lequel, NUMBER_NOT_FOUND (le fixe), MOBILE_NOT_FOUND, ' +
  'MOBILE_AND_FIXED_NOT_FOUND ou MOBILE_OR_FIXED_NOT_FOUND ; aucun package disponible (453)';

const ID_REUSED_EXAMPLE = {
  erreur: 'Identifiant de transaction déjà utilisé',
  message: 'Ce transaction_id a déjà servi pour une autre demande : chaque commande demande un transaction_id nouveau',
  returnCode: 'TRANSACTION_ID_REUSED',
  transaction_id: 'dtapp1642345678123456',
  details: {
    mobile_msisdn: '77123456',
    fixed_isdn: '21123456',
    error_source: 'GATEWAY',
    error_type: 'TRANSACTION_ID_REUSED',
    timestamp: '2024-01-15T10:30:00Z',
  },
};

const RETRY_AFTER = { 'Retry-After': { description: 'Secondes à attendre avant de réessayer', schema: { type: 'integer', minimum: 1 } } };

const example = (status: number, description: string, value?: unknown) =>
  ApiResponse({ status, description, type: TopUpErrorDto, ...(value !== undefined && { example: value }), ...(status === 429 && { headers: RETRY_AFTER }) });

const common = [
  example(422, 'Données invalides (ou numéro postpaid non éligible, code 3)', VALIDATION_EXAMPLE),
  example(404, NOT_FOUND_DESCRIPTION, NOT_FOUND_EXAMPLE),
  example(403, 'Numéro bloqué ou suspendu (code 2)'),
  example(410, 'Numéro expiré (code 5)'),
  example(413, 'Corps de requête trop volumineux (64 Kio maximum)'),
  example(429, 'Trop de requêtes (TOO_MANY_CONCURRENT_REQUESTS, limite par numéro) ou numéro bloqué (PIN_LOCKED) : en-tête Retry-After, en secondes'),
  example(503, 'Service SOAP injoignable, trop lent ou en faute (disjoncteur ouvert)', SOAP_ERROR_EXAMPLE),
];

/** The error responses of the TopUp family, with the spec's own example bodies. */
export const TOPUP_ERRORS = {
  query: applyDecorators(...common),
  command: applyDecorators(
    ...common,
    example(400, 'Solde insuffisant (avec package_info ou balance_info)'),
    example(401, 'Code PIN incorrect'),
    example(
      409,
      'transaction_id en cours (TRANSACTION_IN_PROGRESS) ou déjà utilisé pour une autre requête (TRANSACTION_ID_REUSED). ' +
        'Le même transaction_id avec la même requête et le même PIN renvoie la réponse enregistrée, ' +
        'marquée `replayed: true` et par l’en-tête `Idempotent-Replayed: true`.',
      ID_REUSED_EXAMPLE,
    ),
  ),
};
