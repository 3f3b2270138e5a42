import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LineStatusDto } from './topup-responses.dto';

/** Every `returnCode` of the TopUp family a client may switch on (README, "Error codes"). */
export const TOPUP_RETURN_CODES = [
  '1', '2', '3', '5', '453', '400', '401', '404', '409', '410', '421', '422',
  'SOAP_FAULT', 'REQUEST_TIMEOUT', 'RESPONSE_TOO_LARGE', 'PIN_LOCKED', 'TOO_MANY_CONCURRENT_REQUESTS',
  'TRANSACTION_ID_REUSED', 'TRANSACTION_IN_PROGRESS', 'ROUTE.NOT_FOUND', 'DATABASE.UNAVAILABLE', 'INTERNAL',
] as const;

/** What the refusal is about: which of these a body has depends on the case (spec 004). */
export class TopUpErrorDetailsDto {
  @ApiPropertyOptional({
    example: 'NUMBER_NOT_FOUND',
    description:
      'NUMBER_NOT_FOUND, MOBILE_NOT_FOUND, MOBILE_AND_FIXED_NOT_FOUND, MOBILE_OR_FIXED_NOT_FOUND, NUMBER_BLOCKED, POSTPAID_NOT_ELIGIBLE, ' +
      'NUMBER_EXPIRED, NO_PACKAGE_AVAILABLE, INSUFFICIENT_BALANCE, WRONG_PIN, PACKAGE_NOT_FOUND, ALREADY_IN_DIRECTORY, NOT_IN_DIRECTORY, ' +
      'INVALID_COMMAND, UNEXPECTED_RETURN_CODE, TRANSACTION_ID_REUSED, TRANSACTION_IN_PROGRESS...',
  })
  error_type?: string;
  @ApiPropertyOptional({ example: 'GATEWAY', description: 'GATEWAY, SOAP_SERVICE...' }) error_source?: string;
  @ApiPropertyOptional({ example: '77123456' }) mobile_msisdn?: string;
  @ApiPropertyOptional({ example: '21123456' }) fixed_isdn?: string;
  @ApiPropertyOptional({ example: '2024-01-15T10:30:00Z' }) timestamp?: string;
  @ApiPropertyOptional({ example: 'topup/balances' }) endpoint?: string;
  @ApiPropertyOptional({ example: 'POST' }) method?: string;
  @ApiPropertyOptional({ example: 'req-1a2b3c' }) request_id?: string;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'http://10.39.230.58:8700/soap/queueSoapService' }) backend_url?: string | null;
  @ApiPropertyOptional({ example: 60 }) timeout?: number;
  @ApiPropertyOptional({ example: 'ExecuteCommand' }) operation?: string;
  @ApiPropertyOptional({ example: true, description: 'A command that may have run: check the balance before trying with a new transaction_id' })
  outcome_unknown?: boolean;
  @ApiPropertyOptional({ example: '2024-01-15T10:45:00.000Z' }) locked_until?: string;
  @ApiPropertyOptional({ type: 'integer', example: 900 }) retry_after_seconds?: number;
}

export class SoapFaultDto {
  @ApiProperty({ example: 'Server' }) fault_code: string;
  @ApiProperty({ example: 'Connection timeout' }) fault_string: string;
  @ApiPropertyOptional({ example: 'Le service backend ne répond pas' }) fault_detail?: string;
}

/**
 * The TopUp family's error body (spec 004): `erreur`, `message`, and by case `returnCode`, `errors`
 * (a 422's messages per field), `status`, `transaction_id`, `soap_fault`, `package_info` or
 * `balance_info` (insufficient balance), `details`.
 */
export class TopUpErrorDto {
  @ApiProperty({ example: 'Numéro fixe inexistant' }) erreur: string;
  @ApiProperty({ example: "Le numéro 21123456 n'existe pas dans le système" }) message: string;
  @ApiPropertyOptional({
    description: 'Absent from a 422 (as in the guide). One of the listed values, another operator code (digits, HTTP 500), or a refusal of the HTTP layer',
    anyOf: [
      { type: 'string', enum: [...TOPUP_RETURN_CODES] },
      { type: 'string', pattern: '^([0-9]+|HTTP\\.[0-9]{3}|FST_ERR_[A-Z_]+)$' },
    ],
    example: '1',
  })
  returnCode?: string;
  @ApiPropertyOptional({ example: 'dtapp1642345678123456', description: 'On every answer about a command' }) transaction_id?: string;
  @ApiPropertyOptional({ enum: [true], description: 'A recorded error replayed (same transaction_id, request and PIN); header Idempotent-Replayed: true' })
  replayed?: boolean;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { msisdn: ['Le numéro mobile doit commencer par 77 ou 25377 et contenir 8 ou 11 chiffres'] },
  })
  errors?: Record<string, string[]>;
  @ApiPropertyOptional({ type: LineStatusDto }) status?: LineStatusDto;
  @ApiPropertyOptional({ type: SoapFaultDto }) soap_fault?: SoapFaultDto;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { package_code: 'EMPLOYE_2M', price: 2000, current_balance: 1500 } })
  package_info?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { requested_amount: 1000, current_balance: 300 } })
  balance_info?: Record<string, unknown>;
  @ApiPropertyOptional({ type: TopUpErrorDetailsDto }) details?: TopUpErrorDetailsDto;
}
