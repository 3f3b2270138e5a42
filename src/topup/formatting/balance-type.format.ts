import type { BalanceType } from '../../operator/soap-types';
import { formatDataBytes } from './data.format';
import { formatMoney } from './money.format';
import { formatVoiceSeconds } from './voice.format';

export type BalanceKind = 'money' | 'data' | 'voice';

export interface BalanceTypeInfo {
  /** French label shown in the apps. */
  name: string;
  type: BalanceKind;
  unit: 'DJF' | 'bytes' | 'seconds';
}

export const BALANCE_TYPE_INFO: Readonly<Record<BalanceType, BalanceTypeInfo>> = {
  COMMON: { name: 'Solde Principal', type: 'money', unit: 'DJF' },
  DATA_PREPAID: { name: 'Données Prépayées', type: 'data', unit: 'bytes' },
  VOICE_LOCAL: { name: 'Minutes Locales', type: 'voice', unit: 'seconds' },
  VOICE_NATIONAL: { name: 'Minutes Nationales', type: 'voice', unit: 'seconds' },
  VOICE_INTERNATIONAL: { name: 'Minutes Internationales', type: 'voice', unit: 'seconds' },
};

/** Undefined for a type the operator adds later, so the caller decides how to show it. */
export function balanceTypeInfo(rawType: string): BalanceTypeInfo | undefined {
  return Object.prototype.hasOwnProperty.call(BALANCE_TYPE_INFO, rawType)
    ? BALANCE_TYPE_INFO[rawType as BalanceType]
    : undefined;
}

/** `formatted_value` of a balance: money, data or voice formatting by kind. */
export function formatBalanceValue(kind: BalanceKind, value: number): string {
  switch (kind) {
    case 'money':
      return formatMoney(value);
    case 'data':
      return formatDataBytes(value);
    case 'voice':
      return formatVoiceSeconds(value);
  }
}
