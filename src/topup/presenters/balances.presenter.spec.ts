import { SPEC_BALANCES_SUMMARY } from '../../../test/support/topup-spec-examples';
import type { SoapBalance } from '../../operator/soap-types';
import { mainBalance, presentBalance, presentBalances } from './balances.presenter';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Operator dates are Djibouti local time, UTC+3. */
const djibouti = (operatorDate: string) => Date.parse(`${operatorDate.replace(' ', 'T')}+03:00`);

/** The raw balances behind the spec's example of section 1. */
const SPEC_RAW: SoapBalance[] = [
  { type: 'COMMON', value: 1500, expireDate: '2025-07-08 08:41:07' },
  { type: 'DATA_PREPAID', value: 1073741824, expireDate: '2025-02-15 23:59:59' },
  { type: 'VOICE_LOCAL', value: 7200, expireDate: '2025-02-01 23:59:59' },
];

/** The spec's example balances, each read when its own message holds (the example's dates disagree with one another). */
const SPEC_BALANCES = [
  {
    readAt: djibouti('2025-07-08 08:41:07') - 25 * DAY,
    expected: {
      name: 'Solde Principal',
      type: 'money',
      value: 1500,
      formatted_value: '1 500 DJF',
      unit: 'DJF',
      expire_date: '2025-07-08 08:41:07',
      expire_date_formatted: '08/07/2025 08:41:07',
      expiration_status: { status: 'active', priority: 0, message: 'Expire dans 25 jours' },
      raw_type: 'COMMON',
    },
  },
  {
    readAt: djibouti('2025-02-15 23:59:59') - 3 * DAY,
    expected: {
      name: 'Données Prépayées',
      type: 'data',
      value: 1073741824,
      formatted_value: '1 Go',
      unit: 'bytes',
      expire_date: '2025-02-15 23:59:59',
      expire_date_formatted: '15/02/2025 23:59:59',
      expiration_status: { status: 'warning', priority: 1, message: 'Expire dans 3 jours' },
      raw_type: 'DATA_PREPAID',
    },
  },
  {
    readAt: djibouti('2025-02-01 23:59:59') - 8 * HOUR,
    expected: {
      name: 'Minutes Locales',
      type: 'voice',
      value: 7200,
      formatted_value: '02:00:00',
      unit: 'seconds',
      expire_date: '2025-02-01 23:59:59',
      expire_date_formatted: '01/02/2025 23:59:59',
      expiration_status: { status: 'critical', priority: 2, message: 'Expire dans 8 heures' },
      raw_type: 'VOICE_LOCAL',
    },
  },
];

describe(presentBalance.name, () => {
  it.each(SPEC_RAW.map((raw, i) => [raw.type, raw, SPEC_BALANCES[i]] as const))("presents %s as the spec's example", (_type, raw, { readAt, expected }) => {
    expect(presentBalance(raw, readAt)).toEqual(expected);
  });

  it('marks a balance past its date as expired', () => {
    expect(presentBalance(SPEC_RAW[0], djibouti('2025-07-08 08:41:08')).expiration_status).toEqual({ status: 'expired', priority: 3, message: 'Expiré' });
  });

  it('shows a balance with no expiry date with nulls', () => {
    expect(presentBalance({ type: 'VOICE_NATIONAL', value: 60 }, 0)).toMatchObject({
      name: 'Minutes Nationales',
      type: 'voice',
      formatted_value: '00:01:00',
      expire_date: null,
      expire_date_formatted: null,
      expiration_status: null,
    });
  });

  it('shows a balance type it does not know under its raw name, as money', () => {
    const raw = { type: 'BONUS_PROMO', value: 250, expireDate: '2025-07-08 08:41:07' } as unknown as SoapBalance;
    expect(presentBalance(raw, 0)).toMatchObject({ name: 'BONUS_PROMO', type: 'money', unit: 'DJF', formatted_value: '250 DJF', raw_type: 'BONUS_PROMO' });
  });
});

describe(presentBalances.name, () => {
  const NOW = Date.parse('2024-01-15T10:30:00Z');

  it("answers the spec's example body (summary and details)", () => {
    const sut = presentBalances('77123456', '21123456', SPEC_RAW, NOW);
    expect(sut).toMatchObject({
      success: true,
      message: 'Soldes récupérés avec succès',
      mobile_msisdn: '77123456',
      fixed_isdn: '21123456',
      balances: SPEC_BALANCES.map(({ expected: { expiration_status: _status, ...balance } }) => balance),
      total_balances: 3,
      summary: SPEC_BALANCES_SUMMARY,
      details: { mobile_msisdn: '77123456', fixed_isdn: '21123456', request_time: '2024-01-15T10:30:00.000Z', total_balances: 3, backend_api: 'TopUp SOAP' },
    });
  });

  it('adds up balances of one kind (voice local + national)', () => {
    const sut = presentBalances('77123456', '21123456', [...SPEC_RAW, { type: 'VOICE_NATIONAL', value: 1800 }], NOW);
    expect(sut.summary).toMatchObject({ total_balances: 4, voice_total_seconds: 9000, voice_total_formatted: '02:30:00' });
  });

  it('answers an empty list with zero totals', () => {
    expect(presentBalances('77123456', '21123456', [], NOW)).toMatchObject({
      balances: [],
      total_balances: 0,
      summary: { money_total: 0, money_total_formatted: '0 DJF', data_total_bytes: 0, voice_total_seconds: 0, voice_total_formatted: '0 sec' },
    });
  });
});

describe(mainBalance.name, () => {
  it('is the COMMON balance only', () => {
    expect(mainBalance(SPEC_RAW)).toBe(1500);
  });

  it('is 0 without a COMMON balance', () => {
    expect(mainBalance([SPEC_RAW[1]])).toBe(0);
  });
});
