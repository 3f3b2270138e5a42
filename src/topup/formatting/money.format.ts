import { formatDecimal } from './number.format';

export const CURRENCY = 'DJF';

/** `1500 -> '1 500 DJF'`, `1500.5 -> '1 500,5 DJF'`. */
export function formatMoney(amount: number): string {
  return `${formatDecimal(amount, 2)} ${CURRENCY}`;
}
