import { OPERATOR_CODE_DESCRIPTIONS, type OperatorCode } from '../../operator/operator-codes';
import { publicLineStatus } from '../errors/line-status';

/**
 * `GET|POST /api/topup/status` answer for a line that can be recharged, as in the spec: eligible
 * (0), or eligible with no package to offer (453, `can_get_packages: false`).
 */
export function presentLineStatus(isdn: string, returnCode: string, description: string | undefined, now: number) {
  return {
    success: true,
    message: 'Statut de recharge vérifié avec succès',
    fixed_isdn: isdn,
    return_code: returnCode,
    description: description ?? OPERATOR_CODE_DESCRIPTIONS[returnCode as OperatorCode] ?? 'Success',
    status: publicLineStatus(returnCode),
    details: { fixed_isdn: isdn, request_time: new Date(now).toISOString(), backend_api: 'TopUp SOAP' },
  };
}
