import { IsDifferentFrom, IsIsdn, IsMsisdn, IsPackageCode, IsPackageType, IsPin, IsRechargeAmount, IsTopUpTransactionId } from './topup-validators';

export class BalancesRequestDto {
  @IsMsisdn()
  msisdn: string;
  @IsIsdn('Numéro fixe à consulter')
  isdn: string;
}

export class MsisdnRequestDto {
  @IsMsisdn('Numéro mobile dont on veut le répertoire')
  msisdn: string;
}

export class IsdnRequestDto {
  @IsIsdn('Numéro fixe à vérifier')
  isdn: string;
}

export class PackagesRequestDto {
  @IsMsisdn()
  msisdn: string;
  @IsIsdn('Numéro fixe cible')
  isdn: string;
  @IsPackageType()
  type: number;
}

export class SubscribePackageRequestDto {
  @IsMsisdn()
  msisdn: string;
  @IsIsdn('Numéro fixe cible')
  isdn: string;
  @IsPackageCode()
  package_code: string;
  @IsPin('pincode', { optional: true })
  pincode?: string;
  @IsTopUpTransactionId()
  transaction_id?: string;
}

export class RechargeAccountRequestDto {
  @IsMsisdn()
  msisdn: string;
  @IsIsdn('Numéro fixe à recharger')
  isdn: string;
  @IsRechargeAmount()
  amount: number;
  @IsPin('pincode', { optional: true })
  pincode?: string;
  @IsTopUpTransactionId()
  transaction_id?: string;
}

export class UpdatePinRequestDto {
  @IsMsisdn('Numéro mobile')
  msisdn: string;
  @IsPin('old_pin', { optional: false })
  old_pin: string;
  @IsPin('new_pin', { optional: false })
  @IsDifferentFrom('old_pin', "Le nouveau code PIN doit être différent de l'ancien")
  new_pin: string;
  @IsTopUpTransactionId()
  transaction_id?: string;
}

export class DirectoryRequestDto {
  @IsMsisdn('Numéro mobile propriétaire du répertoire')
  msisdn: string;
  @IsIsdn('Numéro fixe à ajouter ou supprimer')
  isdn: string;
  @IsPin('pincode', { optional: true })
  pincode?: string;
  @IsTopUpTransactionId()
  transaction_id?: string;
}
