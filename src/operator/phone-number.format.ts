/** Djibouti's country code; numbers are 8 digits locally, 11 with it. */
export const COUNTRY_CODE = '253';

/** The guide's validation rules, local or international form. */
export const MSISDN_PATTERN = /^(77|25377)[0-9]{6}$/;
export const ISDN_PATTERN = /^(21|25321)[0-9]{6}$/;

export function isMobileNumber(value: string): boolean {
  return MSISDN_PATTERN.test(value);
}

export function isFixedNumber(value: string): boolean {
  return ISDN_PATTERN.test(value);
}

/** `'25377123456' -> '77123456'`; a `+`, `00` or spaces are tolerated; anything else is returned trimmed. */
export function toLocalNumber(value: string): string {
  const digits = value.replace(/[\s.-]/g, '').replace(/^(\+|00)/, '');
  return digits.length === 11 && digits.startsWith(COUNTRY_CODE) ? digits.slice(COUNTRY_CODE.length) : digits;
}

/** `'77123456' -> '25377123456'`. */
export function toInternationalNumber(value: string): string {
  const local = toLocalNumber(value);
  return local.length === 8 ? `${COUNTRY_CODE}${local}` : local;
}

/** `'21123456'` or `'25321123456'` -> `'21 12 34 56'`; anything not 8 digits once local is left as is. */
export function formatPhoneNumber(value: string): string {
  const local = toLocalNumber(value);
  return /^\d{8}$/.test(local) ? local.replace(/(\d{2})(?=\d)/g, '$1 ') : value;
}
