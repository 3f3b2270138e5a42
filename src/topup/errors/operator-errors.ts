import { formatMoney } from '../formatting/money.format';
import { OperatorCode } from '../../operator/operator-codes';
import { publicLineStatus } from './line-status';
import { TopUpError } from './topup-error';

/** With code 1 on a request naming both numbers: which one the operator does not know. */
export type UnknownNumber = 'mobile' | 'fixed' | 'both' | 'unresolved';

/** What the request was about, to word the error and fill its `details`. */
export interface OperatorErrorContext {
  msisdn?: string;
  isdn?: string;
  /** Code 1 only; without it, the fixed line when the request named one, else the mobile. */
  unknown?: UnknownNumber;
  transactionId?: string;
  packageCode?: string;
  /** With "insufficient balance": which balance fell short. */
  shortfall?: { requiredAmount: number; currentBalance: number; of: 'package' | 'recharge' };
  now: Date;
}

/** An operator return code other than success, as the spec's error (status, `erreur`, `message`, `returnCode`). */
export function operatorError(code: string, context: OperatorErrorContext): TopUpError {
  const details = {
    ...(context.msisdn && { mobile_msisdn: context.msisdn }),
    ...(context.isdn && { fixed_isdn: context.isdn }),
    error_source: 'SOAP_SERVICE',
    timestamp: context.now.toISOString(),
  };
  const txId: Record<string, string> = context.transactionId ? { transaction_id: context.transactionId } : {};
  const line = (status: number, erreur: string, message: string, errorType: string) =>
    new TopUpError(status, {
      erreur,
      message,
      returnCode: code,
      ...txId,
      status: publicLineStatus(code),
      details: { ...details, error_type: errorType },
    });
  const plain = (status: number, erreur: string, message: string, errorType: string) =>
    new TopUpError(status, { erreur, message, returnCode: code, ...txId, details: { ...details, error_type: errorType } });

  switch (code) {
    case OperatorCode.NUMBER_NOT_FOUND:
      switch (context.unknown ?? (context.isdn ? 'fixed' : 'mobile')) {
        case 'fixed':
          return line(404, 'Numéro fixe inexistant', `Le numéro ${context.isdn} n'existe pas dans le système`, 'NUMBER_NOT_FOUND');
        case 'mobile':
          return plain(404, 'Numéro mobile inexistant', `Le numéro ${context.msisdn ?? ''} n'existe pas dans le système`.replace('  ', ' '), 'MOBILE_NOT_FOUND');
        case 'both':
          return line(404, 'Numéros inexistants', `Les numéros ${context.msisdn} et ${context.isdn} n'existent pas dans le système`, 'MOBILE_AND_FIXED_NOT_FOUND');
        case 'unresolved':
          return plain(
            404,
            'Numéro inexistant',
            `Le numéro mobile ${context.msisdn} ou le numéro fixe ${context.isdn} n'existe pas dans le système`,
            'MOBILE_OR_FIXED_NOT_FOUND',
          );
      }
    case OperatorCode.NUMBER_BLOCKED:
      return line(403, 'Opération non autorisée', 'Le numéro fixe est suspendu et ne peut pas être rechargé', 'NUMBER_BLOCKED');
    case OperatorCode.POSTPAID_NOT_ELIGIBLE:
      return line(422, 'Numéro postpaid non éligible', 'Les numéros postpaid ne peuvent pas être rechargés via cette API', 'POSTPAID_NOT_ELIGIBLE');
    case OperatorCode.NUMBER_EXPIRED:
      return line(410, 'Numéro expiré', 'Le numéro fixe a expiré', 'NUMBER_EXPIRED');
    case OperatorCode.NO_PACKAGE_AVAILABLE:
      return line(404, 'Aucun package disponible', "Aucun package n'est disponible pour ce numéro", 'NO_PACKAGE_AVAILABLE');
    case OperatorCode.WRONG_PIN:
      return plain(401, 'Code PIN incorrect', 'Le code PIN saisi est incorrect', 'WRONG_PIN');
    case OperatorCode.INSUFFICIENT_BALANCE:
      return insufficientBalance(context, txId, details);
    case OperatorCode.PACKAGE_NOT_FOUND:
      return plain(404, 'Package inexistant', `Le package ${context.packageCode ?? ''} n'existe pas`.replace('  ', ' '), 'PACKAGE_NOT_FOUND');
    case OperatorCode.ALREADY_IN_DIRECTORY:
      return plain(409, 'Numéro déjà présent', `Le numéro ${context.isdn ?? ''} est déjà dans le répertoire`, 'ALREADY_IN_DIRECTORY');
    case OperatorCode.NOT_IN_DIRECTORY:
      return plain(404, 'Numéro absent du répertoire', `Le numéro ${context.isdn ?? ''} n'est pas dans le répertoire`, 'NOT_IN_DIRECTORY');
    case OperatorCode.INVALID_COMMAND_CONTENT:
    case OperatorCode.UNKNOWN_ACTION_TYPE:
      return plain(400, 'Requête invalide', "L'opérateur a refusé la commande", 'INVALID_COMMAND');
    default:
      return plain(500, 'Erreur serveur interne', "L'opérateur a renvoyé un code inattendu", 'UNEXPECTED_RETURN_CODE');
  }
}

function insufficientBalance(
  context: OperatorErrorContext,
  txId: Record<string, string>,
  details: Record<string, unknown>,
): TopUpError {
  const shortfall = context.shortfall;
  const amounts = shortfall
    ? {
        required_amount: shortfall.requiredAmount,
        current_balance: shortfall.currentBalance,
        missing_amount: Math.max(0, shortfall.requiredAmount - shortfall.currentBalance),
        formatted_missing_amount: formatMoney(Math.max(0, shortfall.requiredAmount - shortfall.currentBalance)),
      }
    : {};
  const forPackage = shortfall?.of !== 'recharge';
  return new TopUpError(400, {
    erreur: 'Solde insuffisant',
    message: forPackage
      ? 'Votre solde est insuffisant pour souscrire à ce package'
      : 'Le solde du mobile est insuffisant pour cette recharge',
    returnCode: OperatorCode.INSUFFICIENT_BALANCE,
    ...txId,
    ...(forPackage
      ? { package_info: { package_code: context.packageCode, ...amounts } }
      : { balance_info: { ...amounts, balance: 'mobile' } }),
    details: { ...details, error_type: 'INSUFFICIENT_BALANCE' },
  });
}
