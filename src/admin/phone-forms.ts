import { COUNTRY_CODE, toLocalNumber } from '../operator/phone-number.format';

/**
 * Every form a number may be stored in, from one typed in either form: `77123456` and `25377123456`
 * (with or without `+`, `00`, spaces) find the same transactions. A number not of Djibouti's 8 digits
 * is looked up as typed, with and without its `+`.
 */
export function phoneForms(typed: string): string[] {
  const local = toLocalNumber(typed);
  if (/^\d{8}$/.test(local)) {
    const international = `${COUNTRY_CODE}${local}`;
    return [local, international, `+${international}`, `00${international}`];
  }
  const bare = typed.replace(/[\s.-]/g, '').replace(/^(\+|00)/, '');
  return [...new Set([bare, `+${bare}`, `00${bare}`])];
}
