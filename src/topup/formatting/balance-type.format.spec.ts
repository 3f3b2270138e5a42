import { BALANCE_TYPES } from '../../operator/soap-types';
import { balanceTypeInfo, formatBalanceValue } from './balance-type.format';

describe(balanceTypeInfo.name, () => {
  it.each([
    ['COMMON', { name: 'Solde Principal', type: 'money', unit: 'DJF' }],
    ['DATA_PREPAID', { name: 'Données Prépayées', type: 'data', unit: 'bytes' }],
    ['VOICE_LOCAL', { name: 'Minutes Locales', type: 'voice', unit: 'seconds' }],
    ['VOICE_NATIONAL', { name: 'Minutes Nationales', type: 'voice', unit: 'seconds' }],
    ['VOICE_INTERNATIONAL', { name: 'Minutes Internationales', type: 'voice', unit: 'seconds' }],
  ])('describes %p', (rawType, expected) => {
    expect(balanceTypeInfo(rawType)).toEqual(expected);
  });

  it('covers every balance type of the WSDL', () => {
    for (const type of BALANCE_TYPES) {
      expect(balanceTypeInfo(type)).toBeDefined();
    }
  });

  it('gives undefined for a type it does not know, even an Object.prototype name', () => {
    expect(balanceTypeInfo('LOYALTY_POINTS')).toBeUndefined();
    expect(balanceTypeInfo('toString')).toBeUndefined();
  });
});

describe(formatBalanceValue.name, () => {
  it("formats each kind like the guide's example balances", () => {
    expect(formatBalanceValue('money', 1500)).toBe('1 500 DJF');
    expect(formatBalanceValue('data', 1073741824)).toBe('1 Go');
    expect(formatBalanceValue('voice', 7200)).toBe('02:00:00');
  });
});
