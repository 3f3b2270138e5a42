import { pluralize } from './number.format';

/**
 * Package validity as the guide writes it: whole years, else whole 30-day months, else days
 * (`365 -> '1 an'`, `60 -> '2 mois'`, `30 -> '1 mois'`, `15 -> '15 jours'`, `1 -> '1 jour'`).
 */
export function formatValidity(days: number): string {
  if (days > 0 && days % 365 === 0) {
    return pluralize(days / 365, 'an');
  }
  if (days > 0 && days % 30 === 0) {
    return `${days / 30} mois`;
  }
  return pluralize(days, 'jour');
}
