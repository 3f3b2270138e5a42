/**
 * French number display as the guide shows it: thousands grouped with a normal space (not the
 * narrow no-break space Intl uses, which the mobile apps compare against), a decimal comma,
 * at most `maxDecimals` decimals and no trailing zeros.
 */
export function formatDecimal(value: number, maxDecimals = 2): string {
  if (!Number.isFinite(value)) {
    throw new RangeError(`Cannot format a non-finite number: ${value}`);
  }
  const factor = 10 ** maxDecimals;
  // EPSILON so that 1.005 rounds to 1.01 as a person would expect, not to 1.
  const rounded = Math.round((Math.abs(value) + Number.EPSILON) * factor) / factor;
  const [integerPart, fractionPart = ''] = rounded.toFixed(maxDecimals).split('.');
  const grouped = integerPart.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  const fraction = fractionPart.replace(/0+$/, '');
  const sign = value < 0 && rounded !== 0 ? '-' : '';
  return `${sign}${grouped}${fraction ? `,${fraction}` : ''}`;
}

/** French agreement: singular below 2 ("0 jour", "1 jour", "2 jours"). */
export function pluralize(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatDecimal(count)} ${Math.abs(count) < 2 ? singular : plural}`;
}

/** Rounds to `decimals` places for JSON values (1073741824 bytes -> 1 GB, 524288000 -> 0.49). */
export function roundTo(value: number, decimals = 2): number {
  const factor = 10 ** decimals;
  return Math.round((value + Math.sign(value) * Number.EPSILON) * factor) / factor;
}
