import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/*
 * The TopUp answers as the presenters build them (spec 004's shapes), for Swagger and generated
 * clients. Types and nullability come from the Swagger CLI plugin; examples from the spec.
 */

const REPLAYED =
  'Présent seulement sur un rejeu (même transaction_id, même requête, même PIN) : la réponse enregistrée, ' +
  'accompagnée de l’en-tête Idempotent-Replayed: true. Absent d’une première réponse.';

export class LineStatusDto {
  @ApiProperty({ example: true }) eligible: boolean;
  @ApiProperty({ example: 'Éligible pour recharge' }) status_text: string;
  @ApiProperty({ example: 'ELIGIBLE', description: 'ELIGIBLE, NO_PACKAGE_AVAILABLE, NUMBER_NOT_FOUND, NUMBER_BLOCKED, POSTPAID_NOT_ELIGIBLE, NUMBER_EXPIRED...' })
  status_code: string;
  @ApiProperty({ example: true }) can_recharge: boolean;
  @ApiProperty({ example: true }) can_get_packages: boolean;
  @ApiProperty({ example: 'Le numéro est actif et peut être rechargé' }) reason: string;
}

export class ExpirationStatusDto {
  @ApiProperty({ enum: ['active', 'warning', 'critical', 'expired'], example: 'active' }) status: string;
  @ApiProperty({ type: 'integer', example: 0, description: '0 active, 1 warning (7 days or less), 2 critical (under 24 h), 3 expired' })
  priority: number;
  @ApiProperty({ example: 'Expire dans 25 jours' }) message: string;
}

export class BalanceDto {
  @ApiProperty({ example: 'Solde principal' }) name: string;
  @ApiProperty({ enum: ['money', 'data', 'voice'], example: 'money' }) type: string;
  @ApiProperty({ example: 1500 }) value: number;
  @ApiProperty({ example: '1 500 DJF' }) formatted_value: string;
  @ApiProperty({ example: 'DJF' }) unit: string;
  @ApiProperty({ type: String, nullable: true, example: '20240215' }) expire_date: string | null;
  @ApiProperty({ type: String, nullable: true, example: '15/02/2024' }) expire_date_formatted: string | null;
  @ApiProperty({ type: ExpirationStatusDto, nullable: true }) expiration_status: ExpirationStatusDto | null;
  @ApiProperty({ example: 'COMMON' }) raw_type: string;
}

export class BalancesSummaryDto {
  @ApiProperty({ type: 'integer', example: 3 }) total_balances: number;
  @ApiProperty({ example: 1500 }) money_total: number;
  @ApiProperty({ example: '1 500 DJF' }) money_total_formatted: string;
  @ApiProperty({ type: 'integer', example: 1073741824 }) data_total_bytes: number;
  @ApiProperty({ example: '1 Go' }) data_total_formatted: string;
  @ApiProperty({ type: 'integer', example: 7200 }) voice_total_seconds: number;
  @ApiProperty({ example: '02:00:00' }) voice_total_formatted: string;
}

export class QueryDetailsDto {
  @ApiPropertyOptional({ example: '77123456' }) mobile_msisdn?: string;
  @ApiPropertyOptional({ example: '21123456' }) fixed_isdn?: string;
  @ApiPropertyOptional({ example: '77123456' }) msisdn?: string;
  @ApiPropertyOptional({ example: '21123456' }) isdn?: string;
  @ApiPropertyOptional({ type: 'integer', example: 1 }) type?: number;
  @ApiProperty({ example: '2024-01-15T10:30:00.000Z' }) request_time: string;
  @ApiPropertyOptional({ type: 'integer' }) total_balances?: number;
  @ApiPropertyOptional({ type: 'integer' }) total_numbers?: number;
  @ApiPropertyOptional({ type: 'integer' }) total_packages?: number;
  @ApiProperty({ example: 'TopUp SOAP' }) backend_api: string;
  @ApiPropertyOptional({ example: 'balance_query' }) operation_type?: string;
}

export class BalancesResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'Soldes récupérés avec succès' }) message: string;
  @ApiProperty({ example: '77123456' }) mobile_msisdn: string;
  @ApiProperty({ example: '21123456' }) fixed_isdn: string;
  @ApiProperty({ type: [BalanceDto] }) balances: BalanceDto[];
  @ApiProperty({ type: 'integer', example: 3 }) total_balances: number;
  @ApiProperty({ type: BalancesSummaryDto }) summary: BalancesSummaryDto;
  @ApiProperty({ type: QueryDetailsDto }) details: QueryDetailsDto;
}

export class DirectoryEntryStatusDto {
  @ApiProperty({ example: true }) eligible: boolean;
  @ApiProperty({ example: 'Éligible' }) status_text: string;
  @ApiProperty({ example: '2024-01-15T10:30:00.000Z' }) last_check: string;
  @ApiProperty({ example: 'ELIGIBLE' }) status_code: string;
}

export class DirectoryEntryDto {
  @ApiProperty({ example: '21123456' }) isdn: string;
  @ApiProperty({ example: '21 12 34 56' }) formatted_number: string;
  @ApiProperty({ enum: ['mobile', 'fixe'], example: 'fixe' }) number_type: string;
  @ApiProperty({ example: true }) can_recharge: boolean;
  @ApiProperty({ type: String, nullable: true, example: '20240101' }) added_date: string | null;
  @ApiProperty({ type: DirectoryEntryStatusDto }) status: DirectoryEntryStatusDto;
}

export class DirectorySummaryDto {
  @ApiProperty({ type: 'integer' }) total_numbers: number;
  @ApiProperty({ type: 'integer' }) mobile_numbers: number;
  @ApiProperty({ type: 'integer' }) fixed_numbers: number;
  @ApiProperty({ type: 'integer' }) rechargeable_numbers: number;
  @ApiProperty({ type: 'integer' }) blocked_numbers: number;
  @ApiProperty({ type: 'integer' }) unknown_numbers: number;
}

export class DirectoryResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'Répertoire récupéré avec succès' }) message: string;
  @ApiProperty({ example: '77123456' }) msisdn: string;
  @ApiProperty({ type: [DirectoryEntryDto] }) numbers: DirectoryEntryDto[];
  @ApiProperty({ type: 'integer', example: 2 }) total_numbers: number;
  @ApiProperty({ type: DirectorySummaryDto }) summary: DirectorySummaryDto;
  @ApiProperty({ type: QueryDetailsDto }) details: QueryDetailsDto;
}

export class StatusResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'Statut de recharge vérifié avec succès' }) message: string;
  @ApiProperty({ example: '21123456' }) fixed_isdn: string;
  @ApiProperty({ enum: ['0', '453'], example: '0' }) return_code: string;
  @ApiProperty({ example: 'Success' }) description: string;
  @ApiProperty({ type: LineStatusDto }) status: LineStatusDto;
  @ApiProperty({ type: QueryDetailsDto }) details: QueryDetailsDto;
}

export class PackageDto {
  @ApiProperty({ example: 'EMPLOYE_2M' }) package_code: string;
  @ApiProperty({ example: 'Package Employé 2 mois' }) description: string;
  @ApiProperty({ example: 2000 }) price: number;
  @ApiProperty({ example: '2 000 DJF' }) formatted_price: string;
  @ApiProperty({ type: 'integer', example: 60 }) validity_days: number;
  @ApiProperty({ example: '2 mois' }) formatted_validity: string;
  @ApiProperty({ example: false }) data_unlimited: boolean;
  @ApiProperty({ example: 1, description: 'En gigaoctets (changelog 2.1.0) ; les exemples de la spécification (1024) sont en Mo' })
  data_quantity_gb: number;
  @ApiProperty({ type: 'integer', example: 1073741824 }) data_quantity_bytes: number;
  @ApiProperty({ example: 120 }) voice_quantity_minutes: number;
  @ApiProperty({ type: 'integer', example: 7200 }) voice_quantity_seconds: number;
  @ApiProperty({ example: '1 Go' }) formatted_data: string;
  @ApiProperty({ example: '02:00:00' }) formatted_voice: string;
  @ApiProperty({ enum: ['combo', 'data', 'voice'], example: 'combo' }) category: string;
  @ApiProperty({ example: true }) is_affordable: boolean;
  @ApiProperty({ type: [String], example: ['1 Go de données', "120 minutes d'appels"] }) features: string[];
}

export class PriceRangeDto {
  @ApiProperty({ example: 500 }) min: number;
  @ApiProperty({ example: 2000 }) max: number;
  @ApiProperty({ example: 1250 }) average: number;
  @ApiProperty({ example: '500 DJF' }) min_formatted: string;
  @ApiProperty({ example: '2 000 DJF' }) max_formatted: string;
  @ApiProperty({ example: '1 250 DJF' }) average_formatted: string;
}

export class ValidityRangeDto {
  @ApiProperty({ type: 'integer', example: 30 }) min_days: number;
  @ApiProperty({ type: 'integer', example: 60 }) max_days: number;
  @ApiProperty({ example: '1 mois' }) min_formatted: string;
  @ApiProperty({ example: '2 mois' }) max_formatted: string;
}

export class PackagesSummaryDto {
  @ApiProperty({ type: 'integer', example: 2 }) total_packages: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { combo: 1, data: 1, voice: 0 } })
  categories: Record<string, number>;
  @ApiProperty({ type: PriceRangeDto }) price_range: PriceRangeDto;
  @ApiProperty({ type: ValidityRangeDto }) validity_range: ValidityRangeDto;
  @ApiProperty({ example: 1500 }) main_balance: number;
  @ApiProperty({ example: '1 500 DJF' }) main_balance_formatted: string;
}

export class PackagesResponseDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'Packages récupérés avec succès' }) message: string;
  @ApiProperty({ example: '77123456' }) msisdn: string;
  @ApiProperty({ example: '21123456' }) isdn: string;
  @ApiProperty({ type: 'integer', example: 1 }) type: number;
  @ApiProperty({ type: [PackageDto] }) packages: PackageDto[];
  @ApiProperty({ type: 'integer', example: 2 }) total_packages: number;
  @ApiProperty({ type: PackagesSummaryDto }) summary: PackagesSummaryDto;
  @ApiProperty({ type: QueryDetailsDto }) details: QueryDetailsDto;
}

/** What every command answer shares. */
export class CommandDetailsDto {
  @ApiProperty({ example: '77123456' }) msisdn: string;
  @ApiPropertyOptional({ example: '21123456' }) isdn?: string;
  @ApiPropertyOptional({ example: 'EMPLOYE_2M' }) package_code?: string;
  @ApiPropertyOptional({ type: 'integer', example: 1000 }) amount?: number;
  @ApiPropertyOptional({ example: '1 000 DJF' }) formatted_amount?: string;
  @ApiPropertyOptional({ example: 'RECHARGE_ACCOUNT' }) command_content?: string;
  @ApiPropertyOptional({ example: true }) pin_updated?: boolean;
  @ApiPropertyOptional({ example: '21123456' }) isdn_added?: string;
  @ApiPropertyOptional({ example: '21123456' }) isdn_removed?: string;
  @ApiPropertyOptional({ enum: ['add_to_directory', 'remove_from_directory'] }) operation?: string;
  @ApiProperty({ type: 'integer', example: 5, description: 'PIN 1, ajout au répertoire 2, retrait 3, package 4, recharge 5' })
  action_type: number;
  @ApiProperty({ example: '2024-01-15T10:30:00.000Z' }) execution_time: string;
  @ApiProperty({ example: 'TopUp SOAP' }) backend_api: string;
}

class CommandAnswerDto {
  @ApiProperty({ example: true }) success: boolean;
  @ApiProperty({ example: 'dtapp1642345678123456' }) transaction_id: string;
  @ApiProperty({ example: true }) command_executed: boolean;
  @ApiPropertyOptional({ enum: [true], description: REPLAYED }) replayed?: boolean;
  @ApiProperty({ type: CommandDetailsDto }) details: CommandDetailsDto;
}

export class PackageInfoDto {
  @ApiProperty({ example: 'EMPLOYE_2M' }) package_code: string;
  @ApiProperty({ example: 'Package Employé 2 mois' }) description: string;
  @ApiProperty({ example: 2000 }) price: number;
  @ApiProperty({ example: '2 000 DJF' }) formatted_price: string;
}

export class SubscriptionImpactDto {
  @ApiProperty({ type: Number, nullable: true, example: 3000 }) balance_before: number | null;
  @ApiProperty({ example: 2000 }) amount_deducted: number;
  @ApiProperty({ type: Number, nullable: true, example: 1000 }) balance_after: number | null;
  @ApiProperty({ type: String, nullable: true, example: '1 000 DJF' }) formatted_balance_after: string | null;
  @ApiProperty({ enum: ['fixed_common'], example: 'fixed_common' }) balance: string;
}

export class SubscriptionResponseDto extends CommandAnswerDto {
  @ApiProperty({ example: 'Package souscrit avec succès' }) message: string;
  @ApiProperty({ type: PackageInfoDto }) package_info: PackageInfoDto;
  @ApiProperty({ type: SubscriptionImpactDto }) account_impact: SubscriptionImpactDto;
}

export class TransferInfoDto {
  @ApiProperty({ type: 'integer', example: 1000 }) amount: number;
  @ApiProperty({ example: '1 000 DJF' }) formatted_amount: string;
  @ApiProperty({ enum: ['DJF'], example: 'DJF' }) currency: string;
  @ApiProperty({ enum: ['mobile_to_fixed'], example: 'mobile_to_fixed' }) transfer_type: string;
}

export class RechargeImpactDto {
  @ApiProperty({ type: Number, nullable: true, example: 5000 }) mobile_balance_before: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 4000 }) mobile_balance_after: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 1500 }) fixed_balance_before: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 2500 }) fixed_balance_after: number | null;
  @ApiProperty({ type: String, nullable: true, example: '4 000 DJF' }) formatted_mobile_after: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2 500 DJF' }) formatted_fixed_after: string | null;
}

export class RechargeResponseDto extends CommandAnswerDto {
  @ApiProperty({ example: 'Recharge effectuée avec succès' }) message: string;
  @ApiProperty({ type: TransferInfoDto }) transfer_info: TransferInfoDto;
  @ApiProperty({ type: RechargeImpactDto }) account_impact: RechargeImpactDto;
}

export class SecurityInfoDto {
  @ApiProperty({ example: true }) pin_changed: boolean;
  @ApiProperty({ example: '2024-01-15T10:30:00.000Z' }) change_date: string;
  @ApiProperty({ example: 'enhanced' }) security_level: string;
}

export class PinChangeResponseDto extends CommandAnswerDto {
  @ApiProperty({ example: 'Code PIN mis à jour avec succès' }) message: string;
  @ApiProperty({ type: SecurityInfoDto }) security_info: SecurityInfoDto;
}

export class DirectoryInfoDto {
  @ApiProperty({ enum: ['add', 'remove'], example: 'add' }) operation: string;
  @ApiPropertyOptional({ example: '21123456' }) isdn_added?: string;
  @ApiPropertyOptional({ example: '21123456' }) isdn_removed?: string;
  @ApiProperty({ example: '21 12 34 56' }) formatted_number: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 3 }) total_numbers_after: number | null;
}

export class DirectoryChangeResponseDto extends CommandAnswerDto {
  @ApiProperty({ example: 'Numéro ajouté au répertoire avec succès' }) message: string;
  @ApiProperty({ type: DirectoryInfoDto }) directory_info: DirectoryInfoDto;
}
