import { formatPhoneNumber, isMobileNumber } from '../../operator/phone-number.format';
import { lineStatus } from '../errors/line-status';
import { OperatorCode } from '../../operator/operator-codes';
import type { SoapDirectoryNumber } from '../../operator/soap-types';

/** `GET|POST /api/topup/numbers` answer, as in the spec. */
export function presentDirectory(msisdn: string, raw: readonly SoapDirectoryNumber[], now: number) {
  const checkedAt = new Date(now).toISOString();
  const numbers = raw.map((entry) => {
    const status = lineStatus(entry.statusCode);
    return {
      isdn: entry.isdn,
      formatted_number: formatPhoneNumber(entry.isdn),
      number_type: isMobileNumber(entry.isdn) ? 'mobile' : 'fixe',
      can_recharge: status.can_recharge,
      added_date: entry.addedDate ?? null,
      status: { eligible: status.eligible, status_text: status.short_text, last_check: checkedAt, status_code: status.status_code },
    };
  });
  const count = (predicate: (n: (typeof numbers)[number], raw: SoapDirectoryNumber) => boolean) =>
    numbers.filter((n, i) => predicate(n, raw[i])).length;
  return {
    success: true,
    message: 'Répertoire récupéré avec succès',
    msisdn,
    numbers,
    total_numbers: numbers.length,
    summary: {
      total_numbers: numbers.length,
      mobile_numbers: count((n) => n.number_type === 'mobile'),
      fixed_numbers: count((n) => n.number_type === 'fixe'),
      rechargeable_numbers: count((n) => n.can_recharge),
      blocked_numbers: count((_, r) => r.statusCode === OperatorCode.NUMBER_BLOCKED),
      unknown_numbers: count((n) => n.status.status_code === 'UNKNOWN' || n.status.status_code === 'NUMBER_NOT_FOUND'),
    },
    details: { msisdn, request_time: checkedAt, total_numbers: numbers.length, backend_api: 'TopUp SOAP' },
  };
}

