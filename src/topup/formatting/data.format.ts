import { formatDecimal, roundTo } from './number.format';

const UNITS = ['Ko', 'Mo', 'Go', 'To'] as const;
const KIB = 1024;
const GIB = KIB ** 3;

/**
 * Data volume in base 1024 with the French units the guide uses: `1073741824 -> '1 Go'`,
 * `524288000 -> '500 Mo'`, `1610612736 -> '1,5 Go'`. Below 1 Mo it counts in Ko; 0 is '0 Mo'
 * (how an empty data balance reads in the apps).
 */
export function formatDataBytes(bytes: number): string {
  if (bytes === 0) {
    return '0 Mo';
  }
  let unitIndex = 0;
  let value = bytes / KIB;
  // Decided on the rounded value so that 1023.999 Mo shows as '1 Go', not '1 024 Mo'.
  while (unitIndex < UNITS.length - 1 && Math.abs(roundTo(value, 2)) >= KIB) {
    value /= KIB;
    unitIndex += 1;
  }
  return `${formatDecimal(value, 2)} ${UNITS[unitIndex]}`;
}

/**
 * Bytes to GB (base 1024) rounded to 2 decimals, for `data_quantity_gb`. The 2.1.0 changelog
 * says that field is in GB; its own examples (1024 for 1 Go, 500 for 500 Mo) are in MB and are
 * the inconsistency that changelog meant to fix, so the unit wins: 1 Go -> 1, 500 Mo -> 0.49.
 */
export function bytesToGigabytes(bytes: number): number {
  return roundTo(bytes / GIB, 2);
}
