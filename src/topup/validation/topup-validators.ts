import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsDefined,
  IsInt,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateIf,
  ValidationArguments,
} from 'class-validator';
import { ISDN_PATTERN, MSISDN_PATTERN } from '../../operator/phone-number.format';
import { TOPUP_TRANSACTION_ID_PATTERN } from '../commands/topup-transaction-id';

const PIN_PATTERN = /^[0-9]{4}$/;
const PACKAGE_CODE_PATTERN = /^[A-Za-z0-9_]+$/;
const required = (label: string) => IsDefined({ message: `Le champ ${label} est obligatoire` });
/** Optional, but not nullable: `null` is refused rather than silently taken as "absent". */
const IfPresent = () => ValidateIf((_: unknown, value: unknown) => value !== undefined);

export const MSISDN_MESSAGE = 'Le numéro mobile doit commencer par 77 ou 25377 et contenir 8 ou 11 chiffres';
export const ISDN_MESSAGE = 'Le numéro de ligne fixe doit commencer par 21 ou 25321 et contenir 8 ou 11 chiffres';

/** Mobile number (MSISDN): `77123456` or `25377123456`. */
export function IsMsisdn(description = 'Numéro mobile initiateur') {
  return applyDecorators(
    ApiProperty({ example: '77123456', pattern: MSISDN_PATTERN.source, description }),
    required('msisdn'),
    IsString({ message: MSISDN_MESSAGE }),
    Matches(MSISDN_PATTERN, { message: MSISDN_MESSAGE }),
  );
}

/** Fixed line (ISDN): `21123456` or `25321123456`. */
export function IsIsdn(description = 'Numéro fixe') {
  return applyDecorators(
    ApiProperty({ example: '21123456', pattern: ISDN_PATTERN.source, description }),
    required('isdn'),
    IsString({ message: ISDN_MESSAGE }),
    Matches(ISDN_PATTERN, { message: ISDN_MESSAGE }),
  );
}

/** A 4-digit PIN; optional ones default to `0000`. */
export function IsPin(field: string, options: { optional: boolean }) {
  const message = `Le code PIN (${field}) doit contenir exactement 4 chiffres`;
  return applyDecorators(
    options.optional
      ? ApiPropertyOptional({ example: '1234', pattern: PIN_PATTERN.source, description: 'Code PIN (défaut: "0000")' })
      : ApiProperty({ example: '1234', pattern: PIN_PATTERN.source }),
    options.optional ? IfPresent() : required(field),
    IsString({ message }),
    Matches(PIN_PATTERN, { message }),
  );
}

export function IsPackageCode() {
  const message = 'Le code du package ne doit contenir que des lettres, des chiffres et des underscores (50 au plus)';
  return applyDecorators(
    ApiProperty({ example: 'EMPLOYE_2M', pattern: PACKAGE_CODE_PATTERN.source }),
    required('package_code'),
    IsString({ message }),
    Length(1, 50, { message }),
    Matches(PACKAGE_CODE_PATTERN, { message }),
  );
}

/** `dtapp...`, 8 to 50 characters; generated when absent. */
export function IsTopUpTransactionId() {
  const message = 'Le transaction_id doit commencer par "dtapp", suivi de lettres ou chiffres, 8 à 50 caractères au total';
  return applyDecorators(
    ApiPropertyOptional({
      example: 'dtapp1642345678123456',
      pattern: TOPUP_TRANSACTION_ID_PATTERN.source,
      minLength: 8,
      maxLength: 50,
      description: '"dtapp" suivi de lettres ou chiffres, 8 à 50 caractères ; généré si absent. Un même transaction_id rejoué renvoie la réponse enregistrée',
    }),
    IfPresent(),
    IsString({ message }),
    Length(8, 50, { message }),
    Matches(TOPUP_TRANSACTION_ID_PATTERN, { message }),
  );
}

export function IsPackageType() {
  const message = 'Le type de package doit être un entier de 1 à 6';
  return applyDecorators(
    ApiProperty({ type: 'integer', example: 1, minimum: 1, maximum: 6, description: '1 Voix, 2 Data, 3 Combo, 4 Data sup., 5 Combo sup., 6 Voix sup.' }),
    required('type'),
    IsInt({ message }),
    Min(1, { message }),
    Max(6, { message }),
  );
}

export function IsRechargeAmount() {
  const message = 'Le montant doit être un nombre entier de 100 à 50000 DJF';
  return applyDecorators(
    ApiProperty({ type: 'integer', example: 1000, minimum: 100, maximum: 50000, description: 'Montant à transférer, en DJF' }),
    required('amount'),
    IsInt({ message }),
    Min(100, { message }),
    Max(50000, { message }),
  );
}

/** The value must differ from another field of the same object (a new PIN from the old one). */
export function IsDifferentFrom(property: string, message: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isDifferentFrom',
      target: target.constructor,
      propertyName,
      constraints: [property],
      options: { message },
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          value !== (args.object as Record<string, unknown>)[args.constraints[0] as string],
      },
    });
}

