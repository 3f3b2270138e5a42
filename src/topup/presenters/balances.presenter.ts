import { balanceTypeInfo, BalanceTypeInfo, formatBalanceValue } from '../formatting/balance-type.format';
import { formatDataBytes } from '../formatting/data.format';
import { expirationStatus } from '../formatting/expiration-status.format';
import { formatMoney } from '../formatting/money.format';
import { formatOperatorDate, parseOperatorDate } from '../../operator/operator-date.format';
import { formatVoiceSeconds } from '../formatting/voice.format';
import type { SoapBalance } from '../../operator/soap-types';

/** A balance type the operator adds later still shows, as money, under its raw name. */
const fallbackInfo = (rawType: string): BalanceTypeInfo => ({ name: rawType, type: 'money', unit: 'DJF' });

export function presentBalance(balance: SoapBalance, now: number) {
  const info = balanceTypeInfo(balance.type) ?? fallbackInfo(balance.type);
  const expireAt = balance.expireDate ? parseOperatorDate(balance.expireDate) : undefined;
  return {
    name: info.name,
    type: info.type,
    value: balance.value,
    formatted_value: formatBalanceValue(info.type, balance.value),
    unit: info.unit,
    expire_date: balance.expireDate ?? null,
    expire_date_formatted: balance.expireDate ? (formatOperatorDate(balance.expireDate) ?? null) : null,
    expiration_status: expireAt === undefined ? null : expirationStatus(expireAt, now),
    raw_type: balance.type,
  };
}

export type PresentedBalance = ReturnType<typeof presentBalance>;

/** The fixed line's main (COMMON) balance: what pays for packages. */
export function mainBalance(balances: readonly SoapBalance[]): number {
  return balances.filter((b) => b.type === 'COMMON').reduce((sum, b) => sum + b.value, 0);
}

/** `POST /api/topup/balances` answer, as in the spec. */
export function presentBalances(msisdn: string, isdn: string, raw: readonly SoapBalance[], now: number) {
  const balances = raw.map((balance) => presentBalance(balance, now));
  const total = (type: string) => balances.filter((b) => b.type === type).reduce((sum, b) => sum + b.value, 0);
  const money = total('money');
  const data = total('data');
  const voice = total('voice');
  return {
    success: true,
    message: 'Soldes récupérés avec succès',
    mobile_msisdn: msisdn,
    fixed_isdn: isdn,
    balances,
    total_balances: balances.length,
    summary: {
      total_balances: balances.length,
      money_total: money,
      money_total_formatted: formatMoney(money),
      data_total_bytes: data,
      data_total_formatted: formatDataBytes(data),
      voice_total_seconds: voice,
      voice_total_formatted: formatVoiceSeconds(voice),
    },
    details: {
      mobile_msisdn: msisdn,
      fixed_isdn: isdn,
      request_time: new Date(now).toISOString(),
      total_balances: balances.length,
      backend_api: 'TopUp SOAP',
      operation_type: 'balance_query',
    },
  };
}
