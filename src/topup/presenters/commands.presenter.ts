import { formatMoney } from '../formatting/money.format';
import { formatPhoneNumber } from '../../operator/phone-number.format';
import type { ExecuteCommandResponse, SoapPackage } from '../../operator/soap-types';

const iso = (now: Date) => now.toISOString();

export function presentSubscription(
  request: { msisdn: string; isdn: string; package_code: string },
  pkg: SoapPackage,
  response: ExecuteCommandResponse,
  context: { transactionId: string; commandContent: string; actionType: number; now: Date },
) {
  const before = response.fixedBalanceBefore ?? null;
  const after = response.fixedBalanceAfter ?? null;
  return {
    success: true,
    message: 'Package souscrit avec succès',
    transaction_id: context.transactionId,
    command_executed: true,
    package_info: {
      package_code: pkg.packageCode,
      description: pkg.description ?? pkg.packageCode,
      price: pkg.price,
      formatted_price: formatMoney(pkg.price),
    },
    account_impact: {
      balance_before: before,
      amount_deducted: before !== null && after !== null ? before - after : pkg.price,
      balance_after: after,
      formatted_balance_after: after === null ? null : formatMoney(after),
      balance: 'fixed_common',
    },
    details: {
      msisdn: request.msisdn,
      isdn: request.isdn,
      package_code: request.package_code,
      command_content: context.commandContent,
      action_type: context.actionType,
      execution_time: iso(context.now),
      backend_api: 'TopUp SOAP',
    },
  };
}

export function presentRecharge(
  request: { msisdn: string; isdn: string; amount: number },
  response: ExecuteCommandResponse,
  context: { transactionId: string; commandContent: string; actionType: number; now: Date },
) {
  const amount = request.amount;
  const or = (value: number | undefined) => value ?? null;
  return {
    success: true,
    message: 'Recharge effectuée avec succès',
    transaction_id: context.transactionId,
    command_executed: true,
    transfer_info: { amount, formatted_amount: formatMoney(amount), currency: 'DJF', transfer_type: 'mobile_to_fixed' },
    account_impact: {
      mobile_balance_before: or(response.mobileBalanceBefore),
      mobile_balance_after: or(response.mobileBalanceAfter),
      fixed_balance_before: or(response.fixedBalanceBefore),
      fixed_balance_after: or(response.fixedBalanceAfter),
      formatted_mobile_after: response.mobileBalanceAfter === undefined ? null : formatMoney(response.mobileBalanceAfter),
      formatted_fixed_after: response.fixedBalanceAfter === undefined ? null : formatMoney(response.fixedBalanceAfter),
    },
    details: {
      msisdn: request.msisdn,
      isdn: request.isdn,
      amount,
      formatted_amount: formatMoney(amount),
      command_content: context.commandContent,
      action_type: context.actionType,
      execution_time: iso(context.now),
      backend_api: 'TopUp SOAP',
    },
  };
}

export function presentPinChange(request: { msisdn: string }, context: { transactionId: string; actionType: number; now: Date }) {
  return {
    success: true,
    message: 'Code PIN mis à jour avec succès',
    transaction_id: context.transactionId,
    command_executed: true,
    security_info: { pin_changed: true, change_date: iso(context.now), security_level: 'enhanced' },
    details: {
      msisdn: request.msisdn,
      pin_updated: true,
      action_type: context.actionType,
      execution_time: iso(context.now),
      backend_api: 'TopUp SOAP',
    },
  };
}

export function presentDirectoryChange(
  operation: 'add' | 'remove',
  request: { msisdn: string; isdn: string },
  response: ExecuteCommandResponse,
  context: { transactionId: string; actionType: number; now: Date },
) {
  const key = operation === 'add' ? 'isdn_added' : 'isdn_removed';
  return {
    success: true,
    message: operation === 'add' ? 'Numéro ajouté au répertoire avec succès' : 'Numéro supprimé du répertoire avec succès',
    transaction_id: context.transactionId,
    command_executed: true,
    directory_info: {
      operation,
      [key]: request.isdn,
      formatted_number: formatPhoneNumber(request.isdn),
      total_numbers_after: response.directorySize ?? null,
    },
    details: {
      msisdn: request.msisdn,
      [key]: request.isdn,
      operation: operation === 'add' ? 'add_to_directory' : 'remove_from_directory',
      action_type: context.actionType,
      execution_time: iso(context.now),
      backend_api: 'TopUp SOAP',
    },
  };
}
