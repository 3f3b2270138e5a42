import type { SoapPackage } from '../../operator/soap-types';
import { specSubscription } from '../../../test/support/topup-spec-examples';
import { presentDirectoryChange, presentPinChange, presentRecharge, presentSubscription } from './commands.presenter';

const NOW = new Date('2024-01-15T10:30:00Z');
const AT = '2024-01-15T10:30:00.000Z';
const TX = 'dtapp1642345678123456';

const EMPLOYE_2M: SoapPackage = {
  packageCode: 'EMPLOYE_2M',
  description: 'Package Employé 2 mois',
  price: 2000,
  validityDays: 60,
  dataUnlimited: false,
  dataBytes: 1024 ** 3,
  voiceSeconds: 7200,
};

describe(presentSubscription.name, () => {
  const request = { msisdn: '77123456', isdn: '21123456', package_code: 'EMPLOYE_2M' };
  const context = { transactionId: TX, commandContent: '21123456#EMPLOYE_2M', actionType: 4, now: NOW };

  it("answers the spec's example of section 5 (3 000 DJF before, 1 000 after)", () => {
    const sut = presentSubscription(request, EMPLOYE_2M, { returnCode: '0', fixedBalanceBefore: 3000, fixedBalanceAfter: 1000 }, context);
    expect(sut).toMatchObject(specSubscription(TX, AT));
  });

  it('deducts what the balances say, not the list price, when they differ', () => {
    const sut = presentSubscription(request, EMPLOYE_2M, { returnCode: '0', fixedBalanceBefore: 3000, fixedBalanceAfter: 1200 }, context);
    expect(sut.account_impact.amount_deducted).toBe(1800);
  });

  it('without balances from the operator: nulls, and the price as the amount deducted', () => {
    const sut = presentSubscription(request, EMPLOYE_2M, { returnCode: '0' }, context);
    expect(sut.account_impact).toMatchObject({ balance_before: null, amount_deducted: 2000, balance_after: null, formatted_balance_after: null });
  });
});

describe(presentRecharge.name, () => {
  const request = { msisdn: '77123456', isdn: '21123456', amount: 1000 };
  const context = { transactionId: TX, commandContent: '21123456#1000', actionType: 5, now: NOW };

  it("answers the spec's example of section 6", () => {
    const response = { returnCode: '0', mobileBalanceBefore: 5000, mobileBalanceAfter: 4000, fixedBalanceBefore: 500, fixedBalanceAfter: 1500 };
    expect(presentRecharge(request, response, context)).toEqual({
      success: true,
      message: 'Recharge effectuée avec succès',
      transaction_id: TX,
      command_executed: true,
      transfer_info: { amount: 1000, formatted_amount: '1 000 DJF', currency: 'DJF', transfer_type: 'mobile_to_fixed' },
      account_impact: {
        mobile_balance_before: 5000,
        mobile_balance_after: 4000,
        fixed_balance_before: 500,
        fixed_balance_after: 1500,
        formatted_mobile_after: '4 000 DJF',
        formatted_fixed_after: '1 500 DJF',
      },
      details: {
        msisdn: '77123456',
        isdn: '21123456',
        amount: 1000,
        formatted_amount: '1 000 DJF',
        command_content: '21123456#1000',
        action_type: 5,
        execution_time: AT,
        backend_api: 'TopUp SOAP',
      },
    });
  });

  it('shows balances the operator did not give as null', () => {
    expect(presentRecharge(request, { returnCode: '0' }, context).account_impact).toEqual({
      mobile_balance_before: null,
      mobile_balance_after: null,
      fixed_balance_before: null,
      fixed_balance_after: null,
      formatted_mobile_after: null,
      formatted_fixed_after: null,
    });
  });
});

describe(presentPinChange.name, () => {
  it("answers the spec's example of section 7", () => {
    expect(presentPinChange({ msisdn: '77123456' }, { transactionId: TX, actionType: 1, now: NOW })).toEqual({
      success: true,
      message: 'Code PIN mis à jour avec succès',
      transaction_id: TX,
      command_executed: true,
      security_info: { pin_changed: true, change_date: AT, security_level: 'enhanced' },
      details: { msisdn: '77123456', pin_updated: true, action_type: 1, execution_time: AT, backend_api: 'TopUp SOAP' },
    });
  });
});

describe(presentDirectoryChange.name, () => {
  const request = { msisdn: '77123456', isdn: '21123456' };

  it("answers the spec's example of an addition (action_type 2)", () => {
    expect(presentDirectoryChange('add', request, { returnCode: '0', directorySize: 3 }, { transactionId: TX, actionType: 2, now: NOW })).toEqual({
      success: true,
      message: 'Numéro ajouté au répertoire avec succès',
      transaction_id: TX,
      command_executed: true,
      directory_info: { operation: 'add', isdn_added: '21123456', formatted_number: '21 12 34 56', total_numbers_after: 3 },
      details: { msisdn: '77123456', isdn_added: '21123456', operation: 'add_to_directory', action_type: 2, execution_time: AT, backend_api: 'TopUp SOAP' },
    });
  });

  it("answers the spec's example of a removal (action_type 3)", () => {
    expect(presentDirectoryChange('remove', request, { returnCode: '0', directorySize: 2 }, { transactionId: TX, actionType: 3, now: NOW })).toEqual({
      success: true,
      message: 'Numéro supprimé du répertoire avec succès',
      transaction_id: TX,
      command_executed: true,
      directory_info: { operation: 'remove', isdn_removed: '21123456', formatted_number: '21 12 34 56', total_numbers_after: 2 },
      details: { msisdn: '77123456', isdn_removed: '21123456', operation: 'remove_from_directory', action_type: 3, execution_time: AT, backend_api: 'TopUp SOAP' },
    });
  });

  it('formats an international number as its local form, and a missing size as null', () => {
    const sut = presentDirectoryChange('add', { msisdn: '77123456', isdn: '25321123456' }, { returnCode: '0' }, { transactionId: TX, actionType: 2, now: NOW });
    expect(sut.directory_info).toMatchObject({ isdn_added: '25321123456', formatted_number: '21 12 34 56', total_numbers_after: null });
  });
});
